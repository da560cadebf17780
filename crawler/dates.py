"""Read the dates Arabic news pages and feeds print, as aware UTC datetimes.

How it works, in order:

1. ``_normalize`` folds the text into one spelling: ASCII digits, no tatweel, harakat or
   direction marks, one alef, ``ة`` -> ``ه``, lower case, commas as spaces, weekday names gone.
   The month-name tables go through the same folding, so they match whatever the site typed.
2. Our own regexes read absolute dates (day month year in any month family: English, French,
   German, Spanish, Portuguese, Italian; numeric, ISO 8601, RFC 822, the ``GMT hh:mm year
   weekday, day month`` list form, Hijri),
   with a clock time next to them. A Gregorian date wins over a Hijri one. Numeric dates are
   day first, read month first only when that alone makes a date ("2/26/2015") or when the
   time names a US zone ("3/9/2015 7:11 AM EST"; GMT or UTC says nothing of the order). A
   zone abbreviation after the time, US or European ("12:14 CET", "17:55 BST"), gives its
   fixed offset.
3. Relative forms (``منذ 3 ساعات``, ``أمس 10:30``, ``3 hours ago``) are read against ``now``.
4. Only then dateparser gets a try, and only on text that names a month and a year: it
   invents today's date for a bare time ("آخر تحديث GMT 14:10:54"), which must give None.

Naive local times are read in the outlet's IANA zone through zoneinfo, never a fixed offset:
Africa/Casablanca is UTC+1 except during Ramadan, when it is UTC+0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from hijridate import Hijri

from crawler.text import FOLD_TABLE

__all__ = ["ParsedDate", "parse_date", "parse_date_detail", "with_year"]

# A page may be a little ahead of the crawler's clock (or of the zone we assume); a date
# further ahead than this is a misreading, not an article.
_FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed instant and whether the text gave a clock time (not just a day)."""

    instant: datetime  # timezone-aware, tzinfo=UTC
    has_time: bool  # False: a bare date (read as local midnight) or "2 days ago"


# --- 1. Normalization -----------------------------------------------------------------------

# The matching fold of crawler.text (letter variants, digits, marks, tatweel, invisibles), plus
# what only separates the parts of a date.
_CHAR_MAP = {
    **FOLD_TABLE,
    **str.maketrans({
        **dict.fromkeys("–—−", "-"),
        **dict.fromkeys(",،", " "),  # commas only separate: "August 21, 2024", "2018 ,16"
    }),
}


def _fold(text: str) -> str:
    """Character-level folding, shared by input text and the name tables below."""
    return " ".join(text.translate(_CHAR_MAP).lower().split())  # split() also eats NBSP


def _alternation(names: Iterable[str]) -> str:
    """Regex alternation of folded names, longest first so "ماي" cannot cut "مايو" short."""
    folded = {_fold(name) for name in names}
    ordered = sorted(folded, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, name.split())) for name in ordered)


_WEEKDAYS = (
    "الأحد الإثنين الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت "
    "أحد إثنين اثنين ثلاثاء أربعاء خميس جمعة سبت "
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun"
).split()
_WEEKDAY_RE = re.compile(rf"(?<!\w)(?:{_alternation(_WEEKDAYS)})(?!\w)\.?")


# A Japanese or Chinese weekday in brackets after the date: "3/9(木) 18:45", "（星期四）".
_CJK_WEEKDAY_RE = re.compile(
    r"[(（](?:[月火水木金土日]|周[一二三四五六日天]|星期[一二三四五六日天])[)）]"
)


def _normalize(text: str) -> str:
    """Fold the text and drop weekday names, which only get in the way of the date."""
    text = _WEEKDAY_RE.sub(" ", _fold(text))
    if "(" in text or "（" in text:
        text = _CJK_WEEKDAY_RE.sub(" ", text)
    return " ".join(text.split())


# --- Month names ----------------------------------------------------------------------------

# Every family a site may use: standard/Egyptian, Maghrebi, Levantine, Algerian/Tunisian, English.
_GREGORIAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "april", "apr"),
    5: ("مايو", "ماي", "أيار", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "يوليوز", "تموز", "جويلية", "july", "jul"),
    8: ("أغسطس", "غشت", "آب", "أوت", "august", "aug"),
    9: ("سبتمبر", "شتنبر", "أيلول", "september", "sept", "sep"),
    10: ("أكتوبر", "تشرين الأول", "تشرين أول", "october", "oct"),
    11: ("نوفمبر", "نونبر", "تشرين الثاني", "تشرين ثاني", "november", "nov"),
    12: ("ديسمبر", "دجنبر", "كانون الأول", "كانون أول", "december", "dec"),
}
_HIJRI_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("محرم", "المحرم"),
    2: ("صفر",),
    3: ("ربيع الأول", "ربيع أول"),
    4: ("ربيع الآخر", "ربيع الثاني", "ربيع ثاني"),
    5: ("جمادى الأولى", "جمادى الأول"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"),
    12: ("ذو الحجة", "ذي الحجة"),
}
# French, German, Spanish, Portuguese and Italian names ("jeudi 13 juin 2019", "14. Januar
# 2020", "jueves 2 de abril de 2020", "3 aprile 2020"), with and without accents; kept apart so
# the English name stays the one dateparser is given.
_EUROPEAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("janvier", "janv", "januar", "jänner", "enero", "janeiro", "gennaio"),
    2: ("février", "fevrier", "févr", "fevr", "februar", "febrero", "fevereiro", "febbraio"),
    3: ("mars", "märz", "maerz", "marzo", "março", "marco"),
    4: ("avril", "avr", "abril", "aprile"),
    5: ("mai", "mayo", "maio", "maggio"),
    6: ("juin", "juni", "junio", "junho", "giugno"),
    7: ("juillet", "juil", "juli", "julio", "julho", "luglio"),
    8: ("août", "aout", "agosto"),
    9: ("septembre", "septiembre", "setiembre", "setembro", "settembre"),
    10: ("octobre", "oktober", "octubre", "outubro", "ottobre"),
    11: ("novembre", "noviembre", "novembro"),
    12: ("décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dezembro", "dicembre"),
}
# folded name -> (is_hijri, month number)
_MONTHS: dict[str, tuple[bool, int]] = {
    **{_fold(n): (False, m) for m, names in _GREGORIAN_MONTHS.items() for n in names},
    **{_fold(n): (False, m) for m, names in _EUROPEAN_MONTHS.items() for n in names},
    **{_fold(n): (True, m) for m, names in _HIJRI_MONTHS.items() for n in names},
}
_MONTH_NAMES = _alternation(_MONTHS)
_MONTH_NAME_RE = re.compile(rf"(?<!\w)(?:{_MONTH_NAMES})(?!\w)")

# --- 2. Absolute dates ----------------------------------------------------------------------

# A month, optionally paired with its other name: "كانون الثاني / يناير", "آب (أغسطس)".
_MONTH = (
    rf"(?<!\w)(?P<month>{_MONTH_NAMES})(?!\w)\.?"
    rf"(?:\s*[/(-]\s*(?:{_MONTH_NAMES})(?!\w)\.?\s*\)?)?"
)
# "فاتح" is the Maghrebi "first of": "فاتح يناير 2024"; French writes the first "1er".
_DAY = r"(?<![\d:])(?:(?P<day>\d{1,2})(?:st|nd|rd|th|er)?|(?P<first>فاتح))(?!\d)"
# Era after the year, folded: م/ميلادية (Gregorian), هـ/هجرية (Hijri).
_YEAR = r"(?<!\d)(?P<year>\d{4})(?!\d)(?:\s*(?P<era>هجريه|هجري|ه|ميلاديه|ميلادي|م)(?!\w))?"
_S = r"[\s./-]*"  # between the words of a textual date: "21 غشت 2024", "21-Aug-2024"


@dataclass(frozen=True)
class _DateForm:
    pattern: re.Pattern[str]
    time_before: bool = False  # the GMT list form prints its time before the date
    day_first: bool = False  # numeric day/month/year, read month first only as US text


_DATE_FORMS = (
    # 21 غشت 2024, 16 كانون الثاني / يناير 2018, 15 صفر 1446 هـ, 21st of August 2024,
    # 2 de abril de 2020 (Spanish and Portuguese join the parts with "de")
    _DateForm(re.compile(
        rf"{_DAY}{_S}(?:(?:of|من|de)\s+)?(?:شهر\s+)?{_MONTH}{_S}(?:del?\s+)?{_YEAR}"
    )),
    # August 21, 2024
    _DateForm(re.compile(rf"{_MONTH}{_S}{_DAY}{_S}{_YEAR}")),
    # almaghribtoday lists: "GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير"
    _DateForm(re.compile(rf"{_YEAR}\s+{_DAY}\s*{_MONTH}"), time_before=True),
    # 2024-08-21 (ISO 8601), 2024/08/21
    _DateForm(
        re.compile(
            r"(?<!\d)(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)"
            r"(?:\s*(?P<era>ه|م)(?!\w))?"
        )
    ),
    # 2018年6月18日, 2020년 3월 4일 (Chinese, Japanese, Korean)
    _DateForm(
        re.compile(
            r"(?<!\d)(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})"
            r"\s*[日일]"
        )
    ),
    # 21/08/2024, 21-08-2024, 21.08.2024 -- day first (always on Arabic sites), unless only
    # month first makes a date ("2/26/2015") or a US zone follows the time ("… 7:11 AM PST")
    _DateForm(
        re.compile(
            r"(?<![\d:])(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})"
            r"(?!\d)(?:\s*(?P<era>ه|م)(?!\w))?"
        ),
        day_first=True,
    ),
)

# RFC 822 names these US zones; their offsets are fixed by the RFC itself.
_RFC822_ZONES = {"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6}
_RFC822_ZONES |= {"pst": -8, "pdt": -7}
_US_ZONES = frozenset(_RFC822_ZONES)  # a time so marked is US text: its dates are month first
# European abbreviations printed after a time ("12:14 CET", "17:55 BST", German "MEZ"): each
# names one offset, read literally as the US ones are ("CET" printed in summer is still +1).
_EUROPEAN_ZONES = {"wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3}
_EUROPEAN_ZONES |= {"mez": 1, "mesz": 2}
_NAMED_ZONES = _RFC822_ZONES | _EUROPEAN_ZONES

# A clock time, with its 12-hour marker and its zone when printed.
_TIME = (
    r"(?:(?P<zone_before>gmt|utc)\s*)?"
    r"(?<![\d:])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?![\d:])"
    r"(?:\s*(?P<ampm>صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?!\w))?"
    r"(?:\s*(?P<zone>\(?\s*(?:gmt|utc)\s*[+-]\d{1,2}(?::?\d{2})?\s*\)?"  # (GMT+0400), GMT+3
    rf"|gmt|utc|ut|z|[+-]\d{{2}}:?\d{{2}}|{_alternation(_NAMED_ZONES)}"
    r"|بتوقيت\s+(?:غرينتش|جرينتش|غرينيتش))(?![\w:]))?"
)
# What may stand between a date and its time: "- 14:35", "T14:35", "على الساعة 14:35".
_GAP_WORDS = _alternation(["على الساعة", "في الساعة", "الساعة", "في", "at"])
_GAP = rf"(?:\s*(?:{_GAP_WORDS}|[-|@t]))*\s*"
# After a full date, "آخر تحديث" (last update) too: "الأحد 04 آب 2013، آخر تحديث 02:21".
# (Not after "اليوم": "المغرب اليوم - آخر تحديث GMT 14:10" is a site name and its clock.)
_DATE_GAP = rf"(?:\s*(?:{_GAP_WORDS}|{_alternation(['آخر تحديث'])}|[-|@t]))*\s*"
_TIME_AFTER = re.compile(_DATE_GAP + _TIME)
_TIME_BEFORE = re.compile(_TIME + r"[\s|-]*$")
_TIME_ANYWHERE = re.compile(_TIME)

_OFFSET_RE = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?")


def _explicit_zone(text: str | None) -> tzinfo | None:
    """The zone a time names itself (GMT, Z, +0100, EST, CET); None means local to the outlet."""
    if not text:
        return None
    text = text.strip("() ").removeprefix("gmt").removeprefix("utc").strip()
    if offset := _OFFSET_RE.fullmatch(text):
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    if text in _NAMED_ZONES:
        return timezone(timedelta(hours=_NAMED_ZONES[text]))
    return UTC  # gmt, utc, ut, z, بتوقيت غرينتش


def _clock(match: re.Match[str]) -> tuple[time, tzinfo | None] | None:
    """The time of day a _TIME match holds, and its explicit zone; None if it is no time."""
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    ampm = match["ampm"]
    if ampm and 1 <= hour <= 12:  # 12 ص is midnight, 12 م is noon
        pm = ampm in ("م", "مساء", "pm", "p.m.")
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second), _explicit_zone(match["zone"] or match["zone_before"])


def _calendar_date(match: re.Match[str], month_first: bool = False) -> tuple[date, bool] | None:
    """The Gregorian date a date-form match names, and whether it was written as Hijri
    (`month_first`: a numeric day/month read the US way round, month/day)."""
    year = int(match["year"])
    day = 1 if match.groupdict().get("first") else int(match["day"])
    month_text = match["month"]
    if month_first:
        day, month_text = int(month_text), str(day)
    if month_text.isdigit():
        hijri, month = (match.groupdict().get("era") or "").startswith("ه"), int(month_text)
    else:
        hijri, month = _MONTHS[" ".join(month_text.split())]
    try:
        if hijri:
            return Hijri(year, month, day).to_gregorian(), True
        if 1900 <= year <= 2100:
            return date(year, month, day), False
    except (ValueError, OverflowError):  # 31 صفر, a year outside Umm al-Qura tables
        pass
    return None


def _absolute(norm: str, local: ZoneInfo) -> ParsedDate | None:
    """The first Gregorian date in the text (else the first Hijri one), with its time."""
    best: tuple[tuple[bool, int], date, re.Match[str], _DateForm] | None = None
    for form in _DATE_FORMS:
        for match in form.pattern.finditer(norm):
            found = _calendar_date(match)
            if found is None and form.day_first and not match["era"]:
                found = _calendar_date(match, month_first=True)  # "2/26/2015": US order
            if found is None:
                continue
            day, hijri = found
            key = (hijri, match.start())
            if best is None or key < best[0]:
                best = (key, day, match, form)
    if best is None:
        return None
    _, day, match, form = best

    if form.time_before:
        clock_match = _TIME_BEFORE.search(norm, 0, match.start())
    else:
        clock_match = _TIME_AFTER.match(norm, match.end())
        if clock_match is None:  # "14:35 - 21/08/2024", only when the time opens the text
            clock_match = _TIME_BEFORE.match(norm, 0, match.start())
    clock = _clock(clock_match) if clock_match else None
    if clock is None:
        return ParsedDate(datetime.combine(day, time(), local).astimezone(UTC), False)
    clock_time, zone = clock
    if form.day_first and (clock_match["zone"] or "") in _US_ZONES and not match["era"]:
        day = (_calendar_date(match, month_first=True) or (day,))[0]  # "3/9/2015 … EDT": US
    return ParsedDate(datetime.combine(day, clock_time, zone or local).astimezone(UTC), True)


# A month and day printed without a year, then a clock time: "March 18 at 3:57 PM", "18. März,
# 15:57", "3/9(木) 18:45配信".
_YEARLESS = re.compile(
    rf"(?<!\w)(?P<name>{_MONTH_NAMES})(?!\w)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
    rf"|(?<![\d/.:])(?P<first>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?"
    rf"(?P<named>{_MONTH_NAMES})(?!\w)"
    r"|(?<![\d/.-])(?<!\d:)(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?!\d)(?![/.:]\d)",
    re.I,
)
_CLOCK_NEXT = re.compile(r"\D{0,8}?(?<!\d)\d{1,2}:\d\d(?!\d)")


def with_year(text: str, day: date) -> str | None:
    """`text` with a month and day printed without a year (a clock time after them) written as
    `day` in ISO form, when they name `day`'s month and day (numbers in either order: the
    agreement settles it), so that it reads as a date; else None. `day` comes from elsewhere
    on the page (its URL): a date line that leaves out the year it was printed in."""
    for match in _YEARLESS.finditer(text):
        if not _CLOCK_NEXT.match(text, match.end()):
            continue
        if name := match["name"] or match["named"]:
            hijri, month = _MONTHS.get(" ".join(_fold(name).split()), (True, 0))
            pairs = [] if hijri else [(month, int(match["day"] or match["first"]))]
        else:
            first, second = int(match["a"]), int(match["b"])
            pairs = [(first, second), (second, first)]
        if (day.month, day.day) in pairs:
            return f"{text[:match.start()]}{day.isoformat()}{text[match.end():]}"
    return None


# --- 3. Relative dates ----------------------------------------------------------------------

_SECOND, _MINUTE, _HOUR = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)
_DAY_SPAN, _WEEK = timedelta(days=1), timedelta(weeks=1)
# unit word -> (step, count it implies without a number; None: a number is required)
_UNITS: dict[str, tuple[timedelta, int | None]] = {
    _fold(word): unit
    for words, unit in (
        (("ثانية",), (_SECOND, 1)),
        (("ثانيتين", "ثانيتان"), (_SECOND, 2)),
        (("ثوان", "ثواني"), (_SECOND, None)),
        (("دقيقة",), (_MINUTE, 1)),
        (("دقيقتين", "دقيقتان"), (_MINUTE, 2)),
        (("دقائق",), (_MINUTE, None)),
        (("ساعة",), (_HOUR, 1)),
        (("ساعتين", "ساعتان"), (_HOUR, 2)),
        (("ساعات",), (_HOUR, None)),
        (("يوم",), (_DAY_SPAN, 1)),
        (("يومين", "يومان"), (_DAY_SPAN, 2)),
        (("أيام",), (_DAY_SPAN, None)),
        (("أسبوع",), (_WEEK, 1)),
        (("أسبوعين", "أسبوعان"), (_WEEK, 2)),
        (("أسابيع",), (_WEEK, None)),
    )
    for word in words
}
# "two" is always written as a dual (ساعتين), and اثنين is also a weekday name.
_NUMBER_WORDS = {
    _fold(word): n
    for n, words in (
        (1, ("واحد", "واحدة")),
        (3, ("ثلاث", "ثلاثة")),
        (4, ("أربع", "أربعة")),
        (5, ("خمس", "خمسة")),
        (6, ("ست", "ستة")),
        (7, ("سبع", "سبعة")),
        (8, ("ثمان", "ثماني", "ثمانية")),
        (9, ("تسع", "تسعة")),
        (10, ("عشر", "عشرة")),
    )
    for word in words
}
_COUNT, _UNIT = rf"\d+|{_alternation(_NUMBER_WORDS)}", _alternation(_UNITS)
_QUANTITY_RE = re.compile(rf"(?:(?P<count>{_COUNT})\s*)?(?P<unit>{_UNIT})(?!\w)")
_QUANTITY = rf"(?:(?:{_COUNT})\s*)?(?:{_UNIT})(?!\w)"
# منذ 3 ساعات, قبل يومين, منذ حوالي ساعة, منذ ساعة و 20 دقيقة
_RELATIVE_RE = re.compile(
    rf"(?<!\w)(?:منذ|قبل)\s+(?:حوالي\s+|نحو\s+)?(?P<span>{_QUANTITY}(?:\s*و\s*{_QUANTITY})*)"
)
_ENGLISH_AGO_RE = re.compile(
    r"(?<!\w)(?P<count>\d+|an?|one)\s+(?P<unit>second|sec|minute|min|hour|hr|day|week)s?\s+ago\b"
)
_ENGLISH_UNITS = {"second": _SECOND, "sec": _SECOND, "minute": _MINUTE, "min": _MINUTE}
_ENGLISH_UNITS |= {"hour": _HOUR, "hr": _HOUR, "day": _DAY_SPAN, "week": _WEEK}

# أمس 10:30, اليوم 09:15 -- with a time only: "اليوم" alone is an everyday word (المغرب اليوم).
_YESTERDAY = {_fold(word) for word in ("أمس", "البارحة", "yesterday")}
_DAY_WORDS = _alternation([*_YESTERDAY, "اليوم", "today"])
_DAY_WORD_RE = re.compile(rf"(?<!\w)(?P<word>{_DAY_WORDS}){_GAP}{_TIME}")
_BARE_DAY_WORD_RE = re.compile(_DAY_WORDS)  # only when it is the whole text


def _relative(norm: str, now: datetime) -> ParsedDate | None:
    """Read "منذ 3 ساعات" or "3 hours ago" as now minus the span (has_time: finer than a day)."""
    total, finest = timedelta(), _WEEK
    if english := _ENGLISH_AGO_RE.search(norm):
        count = english["count"]
        step = _ENGLISH_UNITS[english["unit"]]
        total, finest = step * (int(count) if count.isdigit() else 1), step
    elif arabic := _RELATIVE_RE.search(norm):
        for part in _QUANTITY_RE.finditer(arabic["span"]):
            step, implied = _UNITS[part["unit"]]
            count_text = part["count"]
            if count_text:
                count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
            elif implied is None:  # "منذ ساعات": some hours ago, too vague
                return None
            else:
                count = implied
            total, finest = total + step * count, min(finest, step)
    else:
        return None
    return ParsedDate(now - total, finest < _DAY_SPAN)


def _day_word(norm: str, now: datetime, local: ZoneInfo) -> ParsedDate | None:
    """Read "أمس 10:30" as yesterday (by the outlet's calendar) at that local time."""
    if match := _DAY_WORD_RE.search(norm):
        clock = _clock(match)
        if clock is None:
            return None
        clock_time, zone = clock
        zone = zone or local
        day = now.astimezone(zone).date()
        if match["word"] in _YESTERDAY:
            day -= _DAY_SPAN
        return ParsedDate(datetime.combine(day, clock_time, zone).astimezone(UTC), True)
    if _BARE_DAY_WORD_RE.fullmatch(norm):
        day = now.astimezone(local).date()
        if norm in _YESTERDAY:
            day -= _DAY_SPAN
        return ParsedDate(datetime.combine(day, time(), local).astimezone(UTC), False)
    return None


# --- 4. dateparser, guarded -----------------------------------------------------------------

_YEAR_TOKEN_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ARABIC_WORD_RE = re.compile(r"[\u0600-\u06ff]+")
_ENGLISH_MONTH = {  # month -> "january", ...: the longest ASCII name
    n: max((name for name in names if name.isascii()), key=len)
    for n, names in _GREGORIAN_MONTHS.items()
}
_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],  # never fill in today's day, month or year
    "PARSERS": ["absolute-time"],  # no timestamps, no relative guesses
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


def _with_dateparser(norm: str, local: ZoneInfo) -> ParsedDate | None:
    """Last resort for odd word orders ("2024 أغسطس 21").

    Only for short text naming a Gregorian month and a year. Month names are rewritten in
    English first, so one dateparser language serves every Arabic month family (dateparser
    itself refuses ar-MA and ar-LB in one call). dateparser gives the day; the time is ours.
    """
    if len(norm) > 100 or not _YEAR_TOKEN_RE.search(norm):
        return None
    names = [_MONTHS[" ".join(m.split())] for m in _MONTH_NAME_RE.findall(norm)]
    if not names or any(hijri for hijri, _ in names):
        return None
    clock_match = _TIME_ANYWHERE.search(norm)
    text = _TIME_ANYWHERE.sub(" ", norm)
    text = _MONTH_NAME_RE.sub(
        lambda m: " " + _ENGLISH_MONTH[_MONTHS[" ".join(m[0].split())][1]] + " ", text
    )
    text = " ".join(_ARABIC_WORD_RE.sub(" ", text).split())

    import dateparser  # slow to import (~0.15 s) and rarely needed

    found = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    if found is None:
        return None
    clock = _clock(clock_match) if clock_match else None
    clock_time, zone = clock or (time(), None)
    instant = datetime.combine(found.date(), clock_time, zone or local).astimezone(UTC)
    return ParsedDate(instant, clock is not None)


# --- Public API -----------------------------------------------------------------------------


# ISO 8601's basic format, which some JSON-LD carries: "20180619T055000+0900", also with the
# clock in the extended form ("20200516T14:51:53Z").
_ISO_BASIC = re.compile(
    r"(\d{4})(\d{2})(\d{2})T(\d{2}):?(\d{2})(?::?(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
    re.I,
)


def _extended(text: str) -> str:
    """An ISO basic-format timestamp in the extended form the readers below know."""
    match = _ISO_BASIC.fullmatch(text.strip())
    if not match:
        return text
    year, month, day, hour, minute, second, zone = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}{zone or ''}"


def utc_now() -> datetime:
    """Now, in UTC, to the millisecond: the precision a BSON date keeps, so an instant set in
    a crawl is the same before and after MongoDB stores it."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def parse_date_detail(
    text: str | None, *, tz: str = "UTC", now: datetime | None = None
) -> ParsedDate | None:
    """Parse a printed date; also say whether it carried a time, so callers can prefer
    the more precise of two sources.

    ``tz`` is the outlet's IANA zone for naive local times (a time marked GMT/UTC/Z or with
    an offset ignores it). ``now`` (default: the current time; naive means UTC) anchors
    relative forms; an instant more than a day after it is rejected as a misreading.
    """
    if not text or not isinstance(text, str):
        return None
    local = ZoneInfo(tz)
    now = datetime.now(UTC) if now is None else now
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    norm = _normalize(_extended(text))
    parsed = (
        _absolute(norm, local)
        or _relative(norm, now)
        or _day_word(norm, now, local)
        or _with_dateparser(norm, local)
    )
    if parsed is None or parsed.instant > now + _FUTURE_SLACK:
        return None
    return parsed


def parse_date(
    text: str | None, *, tz: str = "UTC", now: datetime | None = None
) -> datetime | None:
    """Parse a printed date into an aware UTC datetime, or None when no date can be read."""
    parsed = parse_date_detail(text, tz=tz, now=now)
    return parsed.instant if parsed else None
