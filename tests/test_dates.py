"""Tests for crawler.dates: the shared fixture first, then one group per known trap."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hijridate import Hijri

from crawler.dates import ParsedDate, parse_date, parse_date_detail, with_year

FIXTURE = Path(__file__).parent / "fixtures" / "arabic-dates.tsv"
CASA = "Africa/Casablanca"
NOW = datetime(2024, 8, 21, 12, 0, tzinfo=UTC)  # crawl time for relative forms
LATER = datetime(2025, 1, 1, tzinfo=UTC)  # a crawl time after every absolute date below


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _fixture_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, tz, now, expected = line.split("\t")
            rows.append((text, tz, now, expected))
    return rows


# --- The shared fixture ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tz", "now", "expected"), _fixture_rows())
def test_fixture_row(text: str, tz: str, now: str, expected: str) -> None:
    result = parse_date(text, tz=tz, now=datetime.fromisoformat(now))
    if expected == "NONE":
        assert result is None
    else:
        assert result == datetime.fromisoformat(expected)
        assert result.tzinfo is UTC


def test_fixture_is_not_empty() -> None:
    assert len(_fixture_rows()) >= 18


# --- API ------------------------------------------------------------------------------------


def test_detail_reports_whether_a_time_was_given() -> None:
    with_time = parse_date_detail("21 غشت 2024 14:35", tz=CASA, now=LATER)
    date_only = parse_date_detail("21 غشت 2024", tz=CASA, now=LATER)
    assert with_time == ParsedDate(utc(2024, 8, 21, 13, 35), True)
    assert date_only == ParsedDate(utc(2024, 8, 20, 23, 0), False)  # local midnight


def test_parsed_date_is_frozen() -> None:
    parsed = parse_date_detail("21/08/2024", now=LATER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.has_time = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("21 غشت 2024", CASA),
        ("2024-08-21T14:35:00+01:00", "UTC"),
        ("Tue, 20 Aug 2024 14:35:00 GMT", CASA),
        ("GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير", CASA),
        ("منذ 3 ساعات", CASA),
        ("أمس 10:30", CASA),
        ("15 صفر 1446 هـ", "Asia/Riyadh"),
    ],
)
def test_returned_tzinfo_is_utc(text: str, tz: str) -> None:
    result = parse_date(text, tz=tz, now=datetime(2024, 9, 1, tzinfo=UTC))
    assert result is not None
    assert result.tzinfo is UTC


def test_naive_now_is_read_as_utc() -> None:
    assert parse_date("منذ ساعة", now=datetime(2024, 8, 21, 12)) == utc(2024, 8, 21, 11)


def test_now_defaults_to_current_time() -> None:
    result = parse_date("منذ 5 دقائق")
    assert result is not None
    assert abs(datetime.now(UTC) - timedelta(minutes=5) - result) < timedelta(seconds=30)


# --- No date: None --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "لا يوجد تاريخ في هذا النص",
        "آخر تحديث GMT 14:10:54",  # the site-wide band: a bare time, never today's date
        "آخر تحديث GMT 14:10",
        "GMT 14:10:54",
        "14:35",
        "الساعة 14:35",
        "المغرب اليوم - آخر تحديث GMT 14:10:54",  # "اليوم" here is the site name
        "2024",
        "أغسطس 2024",  # no day
        "أغسطس 2024 14:10",  # no day either: dateparser must not invent one
        "21 أغسطس",  # no year
        "منذ ساعات",  # "hours ago": too vague
        "قبل 5 سنوات",
        "31 صفر 1446 هـ",  # Safar has no 31st
        "31/02/2024",
    ],
)
def test_no_date_gives_none(text: str | None) -> None:
    assert parse_date(text, now=NOW) is None
    assert parse_date_detail(text, now=NOW) is None


def test_gmt_band_time_is_not_attached_to_a_following_date() -> None:
    text = "آخر تحديث GMT 14:10:54 الثلاثاء 20 غشت 2024"
    assert parse_date_detail(text, now=LATER) == ParsedDate(utc(2024, 8, 20), False)


# --- The GMT list form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير", utc(2018, 1, 16, 17, 30)),
        ("GMT 06:45 2022 الخميس ,01 كانون الأول / ديسمبر", utc(2022, 12, 1, 6, 45)),
        ("GMT 17:30 2022 الأربعاء ,14 أيلول / سبتمبر", utc(2022, 9, 14, 17, 30)),
        ("GMT 23:24 2021 السبت ,16 تشرين الأول / أكتوبر", utc(2021, 10, 16, 23, 24)),
        ("GMT 16:18 2021 الإثنين ,04 كانون الثاني / يناير", utc(2021, 1, 4, 16, 18)),
        # a whole list: the first entry, with its own time, not the next entry's
        (
            "GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير "
            "GMT 06:45 2022 الخميس ,01 كانون الأول / ديسمبر",
            utc(2018, 1, 16, 17, 30),
        ),
    ],
)
def test_gmt_list_form_ignores_the_outlet_zone(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=LATER) == expected


# --- Time zones: Casablanca and Ramadan -----------------------------------------------------


def test_zoneinfo_knows_casablanca_ramadan() -> None:
    casa = ZoneInfo(CASA)
    assert datetime(2024, 3, 20, 12, tzinfo=casa).utcoffset() == timedelta(0)  # Ramadan 2024
    assert datetime(2024, 4, 10, 12, tzinfo=casa).utcoffset() == timedelta(0)
    assert datetime(2024, 8, 20, 12, tzinfo=casa).utcoffset() == timedelta(hours=1)
    assert datetime(2024, 2, 20, 12, tzinfo=casa).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/03/2024 14:00", utc(2024, 3, 20, 14, 0)),  # Ramadan: UTC+0
        ("20 مارس 2024 14:00", utc(2024, 3, 20, 14, 0)),
        ("2024-03-20T14:00:00", utc(2024, 3, 20, 14, 0)),
        ("20/08/2024 14:00", utc(2024, 8, 20, 13, 0)),  # otherwise UTC+1
        ("20 غشت 2024 14:00", utc(2024, 8, 20, 13, 0)),
        ("2024-08-20T14:00:00", utc(2024, 8, 20, 13, 0)),
    ],
)
def test_casablanca_offset_follows_ramadan(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=LATER) == expected


def test_other_zones() -> None:
    assert parse_date("21/08/2024 14:35", tz="Asia/Riyadh", now=LATER) == utc(2024, 8, 21, 11, 35)
    assert parse_date("21/01/2024 14:35", tz="Asia/Beirut", now=LATER) == utc(2024, 1, 21, 12, 35)
    assert parse_date("21/08/2024 14:35", tz="Asia/Beirut", now=LATER) == utc(2024, 8, 21, 11, 35)


# --- Digits, tatweel, marks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۲۱ غشت ۲۰۲۴ ۱۴:۳۵", utc(2024, 8, 21, 13, 35)),  # Persian digits
        ("۲۱/۰۸/۲۰۲۴", utc(2024, 8, 20, 23, 0)),
        ("٢١ غشت ٢٠٢٤ - ١٤:٣٥", utc(2024, 8, 21, 13, 35)),  # Arabic-Indic digits
        ("٢١/٠٨/٢٠٢٤ ١٤:٣٥", utc(2024, 8, 21, 13, 35)),
    ],
)
def test_eastern_digits(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=LATER) == expected


@pytest.mark.parametrize(
    "text",
    [
        "الأربعـــاء 21 أغسـطس 2024 - 14:35",  # tatweel
        "\u200fالأربعاء\u00a021\u200e أغسطس\u061c 2024\u202b - 14:35\u202c",  # RLM, LRM, ALM
        "\u2067الأربعاء 21 أغسطس 2024\u2069 \u202a14:35\u202c",  # isolates and embeddings
        "\u202eالأربعاء\u202d 21\u00a0أغسطس\u00a02024\u00a0\u2066-\u2069 14:35",  # overrides, NBSP
    ],
)
def test_tatweel_direction_marks_and_nbsp(text: str) -> None:
    assert parse_date(text, now=LATER) == utc(2024, 8, 21, 14, 35)


# --- Month names, every family --------------------------------------------------------------

MAGHREBI = "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split()
LEVANTINE = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
ALGERIAN = "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر".split()
STANDARD = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()
STANDARD_VARIANTS = [("ابريل", 4), ("إبريل", 4), ("يونيه", 6), ("يوليه", 7), ("اغسطس", 8)]
ENGLISH = (
    "January February March April May June July August September October November December"
).split()


def _months(names: list[str]) -> list[tuple[str, int]]:
    return [(name, number) for number, name in enumerate(names, start=1)]


@pytest.mark.parametrize(
    ("name", "month"),
    _months(MAGHREBI)
    + _months(LEVANTINE)
    + _months(ALGERIAN)
    + _months(STANDARD)
    + STANDARD_VARIANTS
    + _months(ENGLISH),
)
def test_month_names(name: str, month: int) -> None:
    assert parse_date(f"15 {name} 2024", now=LATER) == utc(2024, month, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 كانون الثاني / يناير 2024", utc(2024, 1, 15)),
        ("15 آذار/مارس 2024", utc(2024, 3, 15)),
        ("15 تشرين الأول/أكتوبر 2024", utc(2024, 10, 15)),
        ("15 آب (أغسطس) 2024", utc(2024, 8, 15)),
        ("15 أغسطس - آب 2024", utc(2024, 8, 15)),
        ("15 يناير/كانون الثاني 2024", utc(2024, 1, 15)),
    ],
)
def test_paired_month_names(text: str, expected: datetime) -> None:
    assert parse_date(text, now=LATER) == expected


@pytest.mark.parametrize(
    "text",
    [
        "الإثنين 19 أغسطس 2024",
        "الاثنين 19 أغسطس 2024",
        "اثنين 19 أغسطس 2024",
        "الاثنين، 19 أغسطس 2024",
        "يوم الاثنين 19 أغسطس 2024",
        "19 أغسطس 2024 الاثنين",
        "Monday, 19 August 2024",
        "Mon, 19 Aug 2024",
    ],
)
def test_weekday_names_are_ignored(text: str) -> None:
    assert parse_date(text, now=LATER) == utc(2024, 8, 19)


def test_moroccan_first_of_month() -> None:
    assert parse_date("فاتح يناير 2024", now=LATER) == utc(2024, 1, 1)


FRENCH = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
GERMAN = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"


@pytest.mark.parametrize(("name", "month"), _months(FRENCH.split()) + _months(GERMAN.split()))
def test_french_and_german_month_names(name: str, month: int) -> None:
    assert parse_date(f"15 {name} 2024", now=LATER) == utc(2024, month, 15)
    assert parse_date(f"15. {name} 2024, 9:21 Uhr", now=LATER) == utc(2024, month, 15, 9, 21)


def test_a_french_printed_date_with_its_weekday_and_the_first_of_the_month() -> None:
    assert parse_date("jeudi 13 juin 2019", now=LATER) == utc(2019, 6, 13)
    assert parse_date("1er février 2020", now=LATER) == utc(2020, 2, 1)


SPANISH = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
PORTUGUESE = (
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"
)
ITALIAN = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
)


@pytest.mark.parametrize(
    ("name", "month"),
    _months(SPANISH.split()) + _months(PORTUGUESE.split()) + _months(ITALIAN.split()),
)
def test_spanish_portuguese_and_italian_month_names(name: str, month: int) -> None:
    assert parse_date(f"15 de {name} de 2024", now=LATER) == utc(2024, month, 15)
    assert parse_date(f"15 {name} 2024 10:30", now=LATER) == utc(2024, month, 15, 10, 30)


def test_a_spanish_printed_date_with_its_weekday_read_in_the_outlets_zone() -> None:
    """La Prensa (Mexico) prints only '&nbsp; / jueves 2 de abril de 2020'."""
    assert parse_date("/ jueves 2 de abril de 2020", tz="America/Mexico_City", now=LATER) == utc(
        2020, 4, 2, 6
    )
    assert parse_date("15 de julio del 2019", now=LATER) == utc(2019, 7, 15)


# --- 12-hour clock --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/08/2024 12:30 ص", utc(2024, 8, 21, 0, 30)),  # 12 ص is midnight
        ("21/08/2024 12:30 م", utc(2024, 8, 21, 12, 30)),  # 12 م is noon
        ("21/08/2024 09:05 ص", utc(2024, 8, 21, 9, 5)),
        ("21/08/2024 09:05 م", utc(2024, 8, 21, 21, 5)),
        ("21 أغسطس 2024 11:05 صباحاً", utc(2024, 8, 21, 11, 5)),
        ("21 أغسطس 2024 11:05 صباحا", utc(2024, 8, 21, 11, 5)),
        ("21 أغسطس 2024 02:15 مساءً", utc(2024, 8, 21, 14, 15)),
        ("21 أغسطس 2024 02:15 مساء", utc(2024, 8, 21, 14, 15)),
        ("21 أغسطس 2024 12:10 صباحاً", utc(2024, 8, 21, 0, 10)),
        ("21 أغسطس 2024م 12:10 مساءً", utc(2024, 8, 21, 12, 10)),  # م after the year: era
        ("21 أغسطس 2024 م", utc(2024, 8, 21)),
        ("August 21, 2024 2:35 PM", utc(2024, 8, 21, 14, 35)),
        ("August 21, 2024 12:05 am", utc(2024, 8, 21, 0, 5)),
    ],
)
def test_twelve_hour_clock(text: str, expected: datetime) -> None:
    assert parse_date(text, now=LATER) == expected


# --- Relative forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("منذ 3 ساعات", utc(2024, 8, 21, 9), True),
        ("منذ ٣ ساعات", utc(2024, 8, 21, 9), True),
        ("منذ ساعة", utc(2024, 8, 21, 11), True),
        ("منذ ساعتين", utc(2024, 8, 21, 10), True),
        ("منذ 11 ساعة", utc(2024, 8, 21, 1), True),
        ("منذ دقيقة", utc(2024, 8, 21, 11, 59), True),
        ("منذ دقيقتين", utc(2024, 8, 21, 11, 58), True),
        ("قبل 5 دقائق", utc(2024, 8, 21, 11, 55), True),
        ("منذ 30 ثانية", utc(2024, 8, 21, 11, 59, 30), True),
        ("قبل يومين", utc(2024, 8, 19, 12), False),
        ("منذ يوم", utc(2024, 8, 20, 12), False),
        ("منذ 3 أيام", utc(2024, 8, 18, 12), False),
        ("منذ أسبوع", utc(2024, 8, 14, 12), False),
        ("منذ أسبوعين", utc(2024, 8, 7, 12), False),
        ("منذ ثلاث ساعات", utc(2024, 8, 21, 9), True),
        ("منذ حوالي ساعة", utc(2024, 8, 21, 11), True),
        ("منذ ساعة و 20 دقيقة", utc(2024, 8, 21, 10, 40), True),
        ("نشر منذ 3 ساعات", utc(2024, 8, 21, 9), True),
        ("3 hours ago", utc(2024, 8, 21, 9), True),
        ("an hour ago", utc(2024, 8, 21, 11), True),
        ("2 days ago", utc(2024, 8, 19, 12), False),
    ],
)
def test_relative_forms(text: str, expected: datetime, has_time: bool) -> None:
    assert parse_date_detail(text, tz=CASA, now=NOW) == ParsedDate(expected, has_time)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # Casablanca is UTC+1 in August: local 10:30 is 09:30 UTC
        ("أمس 10:30", NOW, utc(2024, 8, 20, 9, 30)),
        ("أمس الساعة 10:30", NOW, utc(2024, 8, 20, 9, 30)),
        ("أمس، 10:30 مساءً", NOW, utc(2024, 8, 20, 21, 30)),
        ("البارحة 10:30", NOW, utc(2024, 8, 20, 9, 30)),
        ("اليوم 09:15", NOW, utc(2024, 8, 21, 8, 15)),
        ("اليوم - 09:15", NOW, utc(2024, 8, 21, 8, 15)),
        ("yesterday 10:30", NOW, utc(2024, 8, 20, 9, 30)),
        # 23:30 UTC is already 00:30 on the 21st in Casablanca: "today" is the 21st there
        ("اليوم 09:15", utc(2024, 8, 20, 23, 30), utc(2024, 8, 21, 8, 15)),
        ("أمس 23:00", utc(2024, 8, 20, 23, 30), utc(2024, 8, 20, 22, 0)),
        # explicit GMT: the day and the time are GMT's
        ("اليوم GMT 09:15", NOW, utc(2024, 8, 21, 9, 15)),
    ],
)
def test_yesterday_and_today_in_outlet_zone(text: str, now: datetime, expected: datetime) -> None:
    assert parse_date_detail(text, tz=CASA, now=now) == ParsedDate(expected, True)


def test_bare_yesterday_and_today_are_dates_without_time() -> None:
    # local midnight in Casablanca (UTC+1 in August)
    assert parse_date_detail("أمس", tz=CASA, now=NOW) == ParsedDate(utc(2024, 8, 19, 23), False)
    assert parse_date_detail("اليوم", tz=CASA, now=NOW) == ParsedDate(utc(2024, 8, 20, 23), False)


def test_absolute_date_wins_over_relative_words() -> None:
    assert parse_date("منذ 21 أغسطس 2024", now=LATER) == utc(2024, 8, 21)


# --- Feeds: RFC 822 and ISO 8601 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 20 Aug 2024 14:35:00 +0100", utc(2024, 8, 20, 13, 35)),
        ("Tue, 20 Aug 2024 14:35:00 GMT", utc(2024, 8, 20, 14, 35)),  # ignores tz
        ("Tue, 20 Aug 2024 14:35:00 UT", utc(2024, 8, 20, 14, 35)),
        ("Tue, 20 Aug 2024 14:35:00 -0400", utc(2024, 8, 20, 18, 35)),
        ("Tue, 20 Aug 2024 14:35:00 EDT", utc(2024, 8, 20, 18, 35)),
        ("20 Aug 2024 14:35 +0000", utc(2024, 8, 20, 14, 35)),
        ("Tue, 20 Aug 2024 14:35:00", utc(2024, 8, 20, 13, 35)),  # no zone: the outlet's
    ],
)
def test_rfc822(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=LATER) == expected


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2024-08-21T14:35:00+01:00", utc(2024, 8, 21, 13, 35), True),
        ("2024-08-21T14:35:00-04:00", utc(2024, 8, 21, 18, 35), True),
        ("2024-08-21T14:35:00+0300", utc(2024, 8, 21, 11, 35), True),
        ("2024-08-21T14:35:00.123456+00:00", utc(2024, 8, 21, 14, 35), True),
        ("2024-08-21T14:35:00Z", utc(2024, 8, 21, 14, 35), True),  # Z ignores tz
        ("2024-08-21T14:35:00", utc(2024, 8, 21, 13, 35), True),  # naive: local to tz
        ("2024-08-21 14:35", utc(2024, 8, 21, 13, 35), True),
        ("2024-08-21", utc(2024, 8, 20, 23, 0), False),  # local midnight
    ],
)
def test_iso8601(text: str, expected: datetime, has_time: bool) -> None:
    assert parse_date_detail(text, tz=CASA, now=LATER) == ParsedDate(expected, has_time)


# --- Numeric dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/08/2024", utc(2024, 8, 21)),
        ("21-08-2024", utc(2024, 8, 21)),
        ("21.08.2024", utc(2024, 8, 21)),
        ("2024/08/21", utc(2024, 8, 21)),
        ("05/08/2024", utc(2024, 8, 5)),  # day first, never May 8
        ("5/8/2024", utc(2024, 8, 5)),
        ("21/08/2024 - 14:35", utc(2024, 8, 21, 14, 35)),
        ("21/08/2024 14:35", utc(2024, 8, 21, 14, 35)),
        ("21-08-2024 14:35:20", utc(2024, 8, 21, 14, 35, 20)),
        ("2024/08/21 - 14:35", utc(2024, 8, 21, 14, 35)),
        ("14:35 - 21/08/2024", utc(2024, 8, 21, 14, 35)),
        ("تاريخ النشر: 21/08/2024 | 14:35", utc(2024, 8, 21, 14, 35)),
    ],
)
def test_numeric_dates(text: str, expected: datetime) -> None:
    assert parse_date(text, now=LATER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2/26/2015 7:11 AM PST BY TMZ STAFF", utc(2015, 2, 26, 15, 11)),  # only M/D is a date
        ("2/26/2015", utc(2015, 2, 26)),
        ("3/9/2015 7:11 PM EDT", utc(2015, 3, 9, 23, 11)),  # a US zone: US order
        ("3/9/2015 7:11 PM CST", utc(2015, 3, 10, 1, 11)),
        ("3/9/2015 7:11 PM GMT", utc(2015, 9, 3, 19, 11)),  # GMT says nothing: day first
        ("3/9/2015 19:11", utc(2015, 9, 3, 19, 11)),
        ("13/13/2015", None),
    ],
)
def test_numeric_dates_month_first_only_when_us(text: str, expected: datetime | None) -> None:
    assert parse_date(text, now=LATER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 OCT 2012 - 12:14 CET", utc(2012, 10, 27, 11, 14)),  # the label read literally
        ("27 OCT 2012 - 12:14 CEST", utc(2012, 10, 27, 10, 14)),
        ("Thu, 14 May 2020 17:55 BST", utc(2020, 5, 14, 16, 55)),
        ("14.05.2020 17:55 MESZ", utc(2020, 5, 14, 15, 55)),
        ("14 May 2020 17:55 EEST", utc(2020, 5, 14, 14, 55)),
        ("14 May 2020 17:55 WET", utc(2020, 5, 14, 17, 55)),
        ("3/9/2015 7:11 PM CET", utc(2015, 9, 3, 18, 11)),  # a European zone: day first
        ("14 May 2020 17:55 Western Cape", utc(2020, 5, 14, 15, 55)),  # a word, not a zone
    ],
)
def test_a_european_zone_abbreviation_after_the_time_gives_its_offset(
    text: str, expected: datetime
) -> None:
    assert parse_date(text, tz="Africa/Johannesburg", now=LATER) == expected


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("March 18 at 3:57 PM", date(2015, 3, 18), "2015-03-18 at 3:57 PM"),
        ("CNET Japan 3/9(木) 18:45配信", date(2017, 3, 9), "CNET Japan 2017-03-09(木) 18:45配信"),
        ("最終更新:3/9(木) 18:45", date(2017, 3, 9), "最終更新:2017-03-09(木) 18:45"),
        ("18/03 15:57", date(2015, 3, 18), "2015-03-18 15:57"),  # day first: the day agrees
        ("18. März, 15:57 Uhr", date(2015, 3, 18), "2015-03-18, 15:57 Uhr"),
        ("March 17 at 3:57 PM", date(2015, 3, 18), None),  # another day than the URL's
        ("3/9 18:45", date(2017, 3, 10), None),
        ("March 18", date(2015, 3, 18), None),  # no time: the URL's day says as much
    ],
)
def test_a_yearless_month_and_day_take_the_year_of_an_agreeing_day(
    text: str, day: date, expected: str | None
) -> None:
    assert with_year(text, day) == expected


def test_a_bracketed_cjk_weekday_stands_between_a_date_and_its_time() -> None:
    assert parse_date("2017/3/9(木) 18:45配信", tz="Asia/Tokyo", now=LATER) == utc(
        2017, 3, 9, 9, 45
    )
    assert parse_date("2020年1月16日（星期四） 08:30", tz="Asia/Shanghai", now=LATER) == utc(
        2020, 1, 16, 0, 30
    )


# --- Hijri ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 صفر 1446 هـ", utc(2024, 8, 19)),
        ("15 صفر 1446هـ", utc(2024, 8, 19)),
        ("١٥ صفر ١٤٤٦ هـ", utc(2024, 8, 19)),
        ("الاثنين 15 صفر 1446 هـ", utc(2024, 8, 19)),
        ("1 رمضان 1445 هـ", utc(2024, 3, 11)),
        ("1446/02/15 هـ", utc(2024, 8, 19)),
        ("15 صفر 1446 هـ 14:35", utc(2024, 8, 19, 14, 35)),
        # both calendars: the Gregorian date wins, wherever it stands
        ("16 صفر 1446 هـ - 19 أغسطس 2024", utc(2024, 8, 19)),
        ("19 أغسطس 2024 م الموافق 16 صفر 1446 هـ", utc(2024, 8, 19)),
        ("الاثنين 15 صفر 1446 هـ الموافق 19 أغسطس 2024 م", utc(2024, 8, 19)),
    ],
)
def test_hijri(text: str, expected: datetime) -> None:
    assert parse_date(text, now=LATER) == expected


HIJRI_MONTHS = [
    ("محرم", 1),
    ("صفر", 2),
    ("ربيع الأول", 3),
    ("ربيع الآخر", 4),
    ("ربيع الثاني", 4),
    ("جمادى الأولى", 5),
    ("جمادى الآخرة", 6),
    ("جمادى الثانية", 6),
    ("رجب", 7),
    ("شعبان", 8),
    ("رمضان", 9),
    ("شوال", 10),
    ("ذو القعدة", 11),
    ("ذو الحجة", 12),
]


@pytest.mark.parametrize(("name", "month"), HIJRI_MONTHS)
def test_hijri_month_names(name: str, month: int) -> None:
    expected = Hijri(1445, month, 10).to_gregorian()
    result = parse_date(f"10 {name} 1445 هـ", now=LATER)
    assert result == utc(expected.year, expected.month, expected.day)


# --- English --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("August 21, 2024", utc(2024, 8, 21)),
        ("Aug. 21, 2024", utc(2024, 8, 21)),
        ("21 August 2024 14:35", utc(2024, 8, 21, 14, 35)),
        ("21st August 2024", utc(2024, 8, 21)),
        ("Wednesday, August 21, 2024 at 2:35 pm", utc(2024, 8, 21, 14, 35)),
        ("Published on September 3, 2024 - 10:00", utc(2024, 9, 3, 10, 0)),
    ],
)
def test_english(text: str, expected: datetime) -> None:
    assert parse_date(text, now=LATER) == expected


# --- Dates inside other words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("نشر في 21 غشت 2024 على الساعة 14:35", utc(2024, 8, 21, 13, 35)),
        ("نشر في 21 غشت 2024 الساعة 14:35", utc(2024, 8, 21, 13, 35)),
        ("الرباط - آخر تحديث: الأربعاء 21 غشت 2024 - 14:35 | هسبريس", utc(2024, 8, 21, 13, 35)),
        ("نشر بتاريخ 21 من غشت 2024", utc(2024, 8, 20, 23, 0)),
    ],
)
def test_date_embedded_in_words(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=LATER) == expected


# --- Future dates ---------------------------------------------------------------------------


def test_more_than_a_day_ahead_is_rejected() -> None:
    assert parse_date("21/08/2024", now=utc(2024, 8, 19)) is None
    assert parse_date("2024-08-21T14:35:00Z", now=utc(2024, 8, 20, 14)) is None


def test_up_to_a_day_ahead_is_accepted() -> None:
    assert parse_date("21/08/2024", now=utc(2024, 8, 20, 12)) == utc(2024, 8, 21)
    assert parse_date("2024-08-21T14:35:00Z", now=utc(2024, 8, 20, 15)) == utc(2024, 8, 21, 14, 35)


# --- dateparser fallback and speed ----------------------------------------------------------


def test_dateparser_fallback_reads_odd_orders() -> None:
    assert parse_date("2024 أغسطس 21", now=LATER) == utc(2024, 8, 21)
    detail = parse_date_detail("2024 غشت 21 14:35", tz=CASA, now=LATER)
    assert detail == ParsedDate(utc(2024, 8, 21, 13, 35), True)


COMMON_FORMS = [row[0] for row in _fixture_rows()] + [
    "Tue, 20 Aug 2024 14:35:00 +0100",
    "2024-08-21T14:35:00Z",
    "21/08/2024 - 14:35",
    "August 21, 2024",
    "15 صفر 1446 هـ",
    "أمس 10:30",
    "منذ 3 ساعات",
    "نشر في 21 غشت 2024 على الساعة 14:35",
]


def test_common_forms_never_reach_dateparser(monkeypatch) -> None:
    """Our own regexes read every common form (dateparser is only the guarded fallback; its
    cost per call is in bench/bench_dates.py)."""
    def fail(*_args, **_kwargs):
        raise AssertionError("dateparser called for a common form")

    monkeypatch.setattr("dateparser.parse", fail)
    for text in COMMON_FORMS:  # the monkeypatched dateparser fails the test if reached
        parse_date(text, tz=CASA, now=LATER)


# --- Offsets written as GMT+N, and the "last update" stamp -----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", utc(2013, 8, 28, 10, 0)),
        ("21 غشت 2024 14:35 GMT+3", utc(2024, 8, 21, 11, 35)),
        ("21/08/2024 10:00 (GMT +1)", utc(2024, 8, 21, 9, 0)),
        ("21/08/2024 10:00 UTC-04:30", utc(2024, 8, 21, 14, 30)),
    ],
)
def test_gmt_offsets_and_last_update_stamps(text: str, expected: datetime) -> None:
    assert parse_date(text, tz=CASA, now=NOW.replace(year=2025)) == expected


# --- Other scripts and formats met on pages of other outlets ---------------------------------


@pytest.mark.parametrize(("text", "tz", "expected"), [
    ("20180619T055000+0900", "UTC", utc(2018, 6, 18, 20, 50)),  # ISO basic format (JSON-LD)
    ("20180619T0550Z", "UTC", utc(2018, 6, 19, 5, 50)),
    ("20200516T14:51:53Z", "UTC", utc(2020, 5, 16, 14, 51, 53)),  # basic day, extended clock
    ("2018年6月18日 10:01", "Asia/Tokyo", utc(2018, 6, 18, 1, 1)),  # Japanese
    ("2023年11月17日 20:52", "Asia/Shanghai", utc(2023, 11, 17, 12, 52)),  # Chinese
    ("2020년 3월 4일 09:30", "Asia/Seoul", utc(2020, 3, 4, 0, 30)),  # Korean
])
def test_cjk_and_iso_basic_dates(text: str, tz: str, expected: datetime) -> None:
    parsed = parse_date_detail(text, tz=tz, now=LATER)
    assert parsed == ParsedDate(expected, True)


def test_a_cjk_day_without_time_is_local_midnight() -> None:
    assert parse_date_detail("2018年6月20日（水）", tz="Asia/Tokyo", now=LATER) == ParsedDate(
        utc(2018, 6, 19, 15, 0), False
    )
