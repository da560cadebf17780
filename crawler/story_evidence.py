"""Are two reports one story? The evidence beyond shared wording, and the decision rule.

Candidates come from the LSH band index and the anchors (crawler.similarity); this module
decides. Character 5-gram overlap alone cannot: on our labelled sets (bench/bench_stories.py)
a rewrite in other words scores 0.02-0.13 while a different arrest by the same police in the
same town, told in the same communiqué phrases, scores up to 0.30. What tells them apart is what
a reader checks:

- figures: the counts, amounts, weights and ages of the event, in digits or in words.
  "4 أطنان و220 كيلوغراما", "4220 كيلوغراما", "طنين و340", "خمسة أشخاص" and "ستمائة لتر" are
  read as values (tolerance 2%: "2300 kg" for 2340; 20% for a figure given as approximate,
  "أزيد من أربعة أطنان", "قرابة طن"). Dates and years are not figures ("طنين" is 2000 kg,
  not a year); small counts are (27 migrants is not 78 packages).
- places: towns, provinces, districts and crossings from a list (crawler/data/places.toml);
  Arabic has no capitals to find names by, and a place list is what reporters' datelines use.
  Two things count: whether the places agree, and how many specific ones both name (a town,
  its district and the beach; big cities, countries and regions are named by too many stories).
- moments: the days a report dates things to ("الخميس"), with the half of the day when it
  says it ("صباح الخميس"). Two reports that name days but no common one, or a common day in
  other halves (morning, evening; noon may be either), tell of two events: a fatal accident
  "صباح الخميس" near Tiznit and another "مساء الخميس" there, in the same gendarmerie phrases.
  In the labelled sets no same-story pair disagrees so (0 of 122 within the window), 299 of
  1,385 different-story pairs do.
- goods: the kind of drug or contraband a report names (crawler.goods: cannabis, cocaine,
  pills, alcohol...). Two reports naming kinds and none in common tell of two seizures:
  ecstasy in a coach and cannabis resin in a lorry at one port on one day, in the same
  customs phrases. Only the disagreement counts (-1 .. 0): in the sets no same-story pair
  within the window disagrees (0 of 122), 65 of 1,385 different-story pairs do, and 35 of
  them name the same kind (two seizures of resin by one gendarmerie), so agreeing says little.
- rare words: the stems both reports use that Arabic uses less than once per million words
  (a name, a drug, a district the place list lacks), counted up to three, each in its bare
  form (a pronoun suffix and a plural ending off: اسطبلاتهم is اسطبلات). A free rewrite
  keeps few words, but the rare ones are what it cannot say otherwise. Rarity is read from
  a table of the common stems (crawler/data/common_words_ar.txt.gz, 33,060 stems, 90 KB,
  derived from wordfreq's Arabic list, CC-BY-SA 4.0: see crawler/data/README.md), not from
  the archive: the decision must not change as the archive grows or between two crawls.
- topic: two reports with topics and no topic in common are two stories (a veto).
- time: only reports published within two days of each other are compared (WINDOW).

An agreement is -1 (both cite some and share none of theirs) .. +1 (the one citing fewer
shares all of them), 0 when either cites none; shared places are 0 .. 1 (three or more);
moments -1, 0 or +1 (moments_agreement); rare words 0 .. 1; goods -1 .. 0. The score

    score = W_TEXT * jaccard + W_FIGURES * figures + W_PLACES * places
            + W_SHARED_PLACES * shared_places + W_MOMENTS * moments + W_RARE * rare
            + W_GOODS * goods + BIAS

is a logistic regression fitted on the tune part of the labelled sets (`python
bench/bench_stories.py --fit`; the held-out parts never), with a wrong join weighed as five
missed ones: a wrong join merges two stories for good (and every later article of either),
while a missed join is often repaired by a third report that matches both. A pair is one
story when the score is positive; a copy (jaccard >= COPY_THRESHOLD) always is. The hours
between two reports were a feature of the first rule; within the two days compared they told
nothing (the fit gave them no weight, then the wrong sign), so they are left out.

The error it trades, measured in bench/RESULTS.md: no two different stories of the sets are
joined (0 of 24,188 pairs), and a rewrite joins its story when it keeps a figure (in any
spelling), two specific places or three rare words with some of the wording; a rewrite that
keeps none of them (a commentary naming only the city, figures rounded away) is still missed
(20 of 120 rewrite pairs of the assembled set, 17 of the 75 held-out ones). The closest
different-story pair scores -0.36 (a theft of solar panels and one of railway copper wire by
the same police in one town, sharing its jargon: سيارة نفعية, المتلاشيات). Two different
events in the same small town with the same figures within two days would be joined unless
their reports date them to other days or halves of a day; one report of an event that names
the wrong day (or the day it was reported, not the day it happened) would be kept apart
from the others by the days alone only with little else in common (W_MOMENTS is a third of
W_FIGURES).
"""

from __future__ import annotations

import gzip
import math
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from crawler.goods import goods_disagreement, goods_of
from crawler.text import content_stems, has_digit, normalize_arabic, normalized_tokens

# Fitted by `python bench/bench_stories.py --fit` on the tune part (see bench/RESULTS.md).
W_TEXT = 13.84
W_FIGURES = 4.13
W_PLACES = 1.97
W_SHARED_PLACES = 5.29
W_MOMENTS = 1.88
W_RARE = 3.05
W_GOODS = 2.28
BIAS = -6.78

FIGURE_TOLERANCE = 0.02  # "2300 كيلوغرام" is the 2340 kg of the communiqué
# A figure given as approximate ("أزيد من أربعة أطنان", "قرابة طن") agrees with any within 20%.
APPROXIMATE_TOLERANCE = 0.2

_SCALES = {"الاف": 1e3, "الفا": 1e3, "الف": 1e3, "ملايين": 1e6, "مليونا": 1e6, "مليون": 1e6,
           "ملايير": 1e9, "مليارات": 1e9, "مليارا": 1e9, "مليار": 1e9,
           "اطنان": 1e3, "طنا": 1e3, "طن": 1e3}  # normalized spellings; tonnes in kilograms
_SCALE = "|".join(_SCALES)
_NUMBER = re.compile(
    rf"(\d+(?:[.,]\d+)*)(?:\s+({_SCALE})(?!\w)(?:\s+و\s?(\d+)(?:\s+({_SCALE})(?!\w))?)?)?")
_WORD_UNITS = {"طنين": 2e3, "طن": 1e3, "مليارين": 2e9, "مليارا": 1e9, "مليار": 1e9,
               "مليونين": 2e6, "مليونا": 1e6, "مليون": 1e6, "الفين": 2e3, "الف": 1e3}
_WORD_NUMBER = re.compile(  # "طنين و340 كيلوغراما", "مليون و450 ألف"
    rf"(?<!\w)({'|'.join(_WORD_UNITS)})\s+و\s?(\d+)(?:\s+({_SCALE})(?!\w))?")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_MONTHS = ("يناير فبراير مارس ابريل ماي مايو يونيو يوليوز يوليو غشت اغسطس شتنبر سبتمبر اكتوبر "
           "نونبر نوفمبر دجنبر ديسمبر").split()
_DATE_AFTER = re.compile(rf"\s*(?:(?:الى|و)\s*\d+\s*)?(?:{'|'.join(_MONTHS)})(?!\w)")
# What a count is of, so that "حجز 2000 قرص" is a figure while "سنة 2000" is a year: the
# units and goods of security reports (normalized; the plural or accusative ending follows).
_COUNTED_AFTER = re.compile(
    r"\s*(?:قرص|اقراص|كيلوغرام|كلغ|كيلو|غرام|لتر|طن|درهم|دولار|اورو|يورو|شخص|اشخاص|مهاجر"
    r"|مرشح|موقوف|قنين|علب|رزم|صفيح|وحده|وحدات|حبه|حبات|خرطوش|طلق|راس|هكتار|متر)")
_APPROXIMATE_BEFORE = re.compile(  # normalized: "أزيد من", "ما يقارب", "قرابة" ... + figure
    r"(?:ازيد من|اكثر من|اقل من|ما يزيد (?:عن|علي)|ما يفوق|يفوق|ما يقارب|يقارب|قرابه|حوالي|نحو"
    r"|زهاء|ما لا يقل عن)\s+$")


def _number_words() -> dict[str, tuple[str, int]]:
    """Normalized number words: word -> (kind, value); kinds unit, ten, hundred."""
    units = {"اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3,
             "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7,
             "سبعة": 7, "ثمان": 8, "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10,
             "عشرة": 10}
    tens = {"عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40,
            "أربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70,
            "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90}
    hundreds = {"مائة": 100, "مئة": 100, "مائتان": 200, "مائتين": 200, "مائتي": 200,
                "مئتان": 200, "مئتين": 200, "مئتي": 200}
    for name, value in units.items():
        if 3 <= value <= 9 and not name.endswith("ة"):
            hundreds[name + "مائة"] = hundreds[name + "مئة"] = value * 100  # ستمائة
    words: dict[str, tuple[str, int]] = {}
    for kind, table in (("unit", units), ("ten", tens), ("hundred", hundreds)):
        for name, value in table.items():
            words[normalize_arabic(name)] = (kind, value)
            if kind == "unit" and value > 2:  # "الموقوفون الثلاثة" (not الاثنين: Monday)
                words["ال" + normalize_arabic(name)] = (kind, value)
    return words


_NUMBER_WORDS = _number_words()
_HUNDRED = normalize_arabic("مائة"), normalize_arabic("مئة")
_TEEN = normalize_arabic("عشر"), normalize_arabic("عشرة")
# Arabic says units before tens and hundreds first: مائة وخمسة وعشرون (125).
_FOLLOWS = {("unit", "ten"), ("hundred", "unit"), ("hundred", "ten")}
# A scale word with no number before it is one or two of its unit: "حجز طن" (1000 kg),
# "ألف زائر", "طنين"; unless a figure follows ("طن و150 كيلوغراما", read as one figure).
# Written back as a count and its scale, so that "طنين" (2000 kg) is not taken for a year.
_BARE_SCALES = {normalize_arabic(word): normalize_arabic(value) for word, value in (
    ("طن", "1 طن"), ("طنا", "1 طن"), ("ألف", "1 ألف"), ("ألفا", "1 ألف"), ("طنين", "2 طن"),
    ("الطنين", "2 طن"), ("ألفين", "2 ألف"))}  # "ما يفوق الطنين"
_AND_DIGITS = re.compile(r"\s+و\s?\d")
# The words a number or a bare scale may start with (ب: بستمائة).
_STARTERS = frozenset([*_NUMBER_WORDS, *("ب" + w for w in _NUMBER_WORDS if len(w) > 3),
                       *_BARE_SCALES])


def _number_word(word: str, joined: bool) -> tuple[str, int] | None:
    """(kind, value) of a number word, with its proclitic: و joins it to the number before
    (`joined`: that is what is asked), ب attaches it to the word before (بستمائة; not a
    short one: كمية is no ك + مئة)."""
    if joined:
        return _NUMBER_WORDS.get(word[1:]) if word.startswith("و") else None
    found = _NUMBER_WORDS.get(word)
    if found is None and word.startswith("ب") and len(word) > 4:
        found = _NUMBER_WORDS.get(word[1:])
    return found


def _stands_alone(text: str, word: tuple[int, int]) -> bool:
    """A scale word (its start and end in the text) with no number before it and no figure
    after it."""
    before = text[max(0, word[0] - 12):word[0]].split()
    if before and (before[-1][-1:].isdigit() or _number_word(before[-1], joined=False)):
        return False
    return not _AND_DIGITS.match(text, word[1])


def _spelled_out(text: str, words: list[str]) -> str:
    """The text with its spelled-out numbers written in digits ("خمسة وعشرون" 25,
    "ستمائة" 600, "ثلاثة عشر" 13), so that figures are read the same however they are written;
    scale words are left to the digit reading ("ستة آلاف" is "6 الاف", 6000). `words`: the
    text's tokens, to skip a text with none of the words below at C speed."""
    if _STARTERS.isdisjoint(words):
        return text
    out: list[str] = []
    position = 0  # of the text copied out so far
    cursor = 0  # of the words looked at so far
    for i in [i for i, word in enumerate(words) if word in _STARTERS]:
        if (found := _token_at(text, words[i], cursor)) is None:
            continue  # read with the number before it
        cursor = found[1]
        first = _number_word(words[i], joined=False)
        if first is None:
            if (bare := _BARE_SCALES.get(words[i])) and _stands_alone(text, found):
                out.append(text[position:found[0]])  # "حجز طن" is 1000 kg
                out.append(bare)
                position = found[1]
            continue
        (kind, value), end, j = first, found[1], i + 1
        while j < len(words) and (after := _token_at(text, words[j], end)) is not None and (
                text[end:after[0]].strip() == ""):
            word = words[j]
            part = _number_word(word, joined=True)
            if kind == "unit" and 3 <= value <= 9 and word in _TEEN:
                kind, value = "teen", value + 10
            elif kind == "unit" and 3 <= value <= 9 and word in _HUNDRED:
                kind, value = "hundred", value * 100
            elif part is not None and (kind, part[0]) in _FOLLOWS:
                kind, value = part[0], value + part[1]
            else:
                break
            end, j = after[1], j + 1
        start = found[0] + (1 if words[i] not in _NUMBER_WORDS else 0)
        out.append(text[position:start])
        out.append(str(value))
        position = cursor = end
    out.append(text[position:])
    return "".join(out)


def _token_at(text: str, token: str, start: int) -> tuple[int, int] | None:
    """Where a token (crawler.text.normalized_tokens) is next in the text after `start`, as
    (start, end): where no letter or digit touches it (str.isalnum is the tokens' class).
    A regex a token took a compilation for every new word after a number word."""
    at = text.find(token, start)
    while at >= 0:
        end = at + len(token)
        if not (at and text[at - 1].isalnum()) and not text[end:end + 1].isalnum():
            return at, end
        at = text.find(token, at + 1)
    return None


def _value(raw: str) -> float:
    if _THOUSANDS.fullmatch(raw):  # 770.000 or 1,450,000
        return float(re.sub(r"[.,]", "", raw))
    return float(raw.replace(",", "."))


def figures_of(text: str) -> frozenset[float]:
    """The numbers that describe the event, as values, in digits or words; not years, not
    days of a month."""
    return _figures(normalize_arabic(text))[0]


def read_text(text: str) -> tuple[frozenset[float], frozenset[float], frozenset[str],
                                  frozenset[str], frozenset[str], frozenset[str]]:
    """The figures of a text, those of them it gives as approximate only ("أزيد من"), the
    places it names, the moments it dates things to (moments_of), its rare words
    (rare_words) and the kinds of goods it names (crawler.goods)."""
    normalized = normalize_arabic(text)
    words = normalized_tokens(normalized)
    return read_normalized(normalized, words, content_stems(words))


def read_normalized(text: str, words: list[str], stems: list[str]) -> tuple[
        frozenset[float], frozenset[float], frozenset[str], frozenset[str], frozenset[str],
        frozenset[str]]:
    """read_text of a text normalized already (crawler.text.normalize_arabic), given with its
    tokens (crawler.text.tokens) and content stems (crawler.text.content_stems): what a
    caller that reads the text otherwise has at hand."""
    return (*_figures(text, words), _places(words), moments_of(text, words),
            rare_words(stems), goods_of(stems))


def _figures(text: str, words: list[str] | None = None) -> tuple[frozenset[float],
                                                                 frozenset[float]]:
    """The figures of a normalized text, and those of them given as approximate."""
    found: set[float] = set()
    approximate: set[float] = set()
    exact: set[float] = set()

    def spelled(match: re.Match[str]) -> str:
        found.add(_WORD_UNITS[match[1]] + float(match[2]) * _SCALES.get(match[3] or "", 1))
        return " "

    if words is None:
        words = normalized_tokens(text)
    text = _spelled_out(text, words)
    if not _WORD_UNITS.keys().isdisjoint(words):
        text = _WORD_NUMBER.sub(spelled, text)
    for match in _NUMBER.finditer(text):
        value = _value(match[1])
        if match[2]:
            value *= _SCALES[match[2]]
            if match[3]:
                value += float(match[3]) * _SCALES.get(match[4] or "", 1)
        elif (value < 2 or _DATE_AFTER.match(text, match.end())
              or (1900 <= value <= 2100 and not _COUNTED_AFTER.match(text, match.end()))):
            continue
        found.add(value)
        if _APPROXIMATE_BEFORE.search(text, max(0, match.start() - 20), match.start()):
            approximate.add(value)
        else:
            exact.add(value)
    return frozenset(found), frozenset(approximate - exact)


MAX_RARE = 32  # rare words kept of an article (the first in sorted order: the same sample)


@cache
def _common_stems() -> frozenset[str]:
    """Stems of the words used once per million or more (bench/make_common_words.py)."""
    raw = resources.files("crawler").joinpath("data/common_words_ar.txt.gz").read_bytes()
    return frozenset(line for line in gzip.decompress(raw).decode("utf-8").splitlines()
                     if line and not line.startswith("#"))


def rare_words(stems: Iterable[str]) -> frozenset[str]:
    """Of a text's content stems (crawler.text.content_stems), those of words Arabic uses less
    than once per million: names, products, places the list lacks ("ريفوتريل", "لازاري");
    not figures ("و400"), not stems of two letters; at most MAX_RARE of them. Each is kept
    in its bare form (_bare): اسطبلات and اسطبلاتهم, شكاية and شكايات, موكليه and موكليها
    are one word to a reader, and a rewrite seldom keeps the form it was given."""
    found = set(stems).difference(_common_stems())  # at C speed: most words are common
    return frozenset(sorted({_bare(s) for s in found
                             if len(s) > 2 and (s.isalpha() or not has_digit(s))})[
        :MAX_RARE])


# "و400" (of "27 ألفا و400") is a figure, not a word (a word of letters has no digit:
# str.isalpha answers first, at C speed)


_DAYS = ("السبت", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه")  # normalized
# The half of the day a report dates its event to; noon ("ظهر", "زوال") may be told as either.
_HALVES = {"فجر": "morning", "صباح": "morning", "صبيحه": "morning",
           "مساء": "evening", "عشيه": "evening", "ليله": "evening", "ليل": "evening"}
_DAY_SET = frozenset(_DAYS)
_HALF_BEFORE = re.compile(rf"(?<!\w)[وف]?({'|'.join(_HALVES)})\s+(?:(?:يوم|امس|اليوم)\s+)?$")


@cache
def _day(day: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){day}(?!\w)")


def moments_of(text: str, words: Iterable[str] | None = None) -> frozenset[str]:
    """The days a normalized text dates things to ("الخميس"), with the half of the day when
    it says it ("الخميس/morning" for "صباح الخميس", "صباح يوم الخميس"). `words`: the
    text's tokens, when at hand (a set lookup finds the days named at C speed)."""
    found: set[str] = set()
    named = _DAY_SET.intersection(normalized_tokens(text) if words is None else words)
    for day in named:  # most texts name one day or none
        for match in _day(day).finditer(text):
            half = _HALF_BEFORE.search(text, max(0, match.start() - 24), match.start())
            found.add(f"{day}/{_HALVES[half[1]]}" if half else day)
    return frozenset(found)


@cache
def _place_names() -> dict[str, list[list[str]]]:
    """The normalized place names by the forms their first word takes in a text, proclitics
    included: {"طنجه": [["طنجه"], ["طنجه", "المتوسط"]], "بطنجه": ..., "للناظور": ...}. The
    article stays: الجديدة is a town, جديدة "new" (so words are not stemmed here)."""
    by_form: dict[str, list[list[str]]] = {}
    for group in _place_groups().values():
        for name in group:
            words = normalize_arabic(name).split()
            for form in _written_forms(words[0]):
                by_form.setdefault(form, []).append(words)
    return by_form


@cache
def _place_groups() -> dict[str, list[str]]:
    raw = resources.files("crawler").joinpath("data/places.toml").read_text(encoding="utf-8")
    groups = tomllib.loads(raw)
    groups.pop("widely_named")
    return groups


@cache
def _widely_named() -> frozenset[str]:
    raw = resources.files("crawler").joinpath("data/places.toml").read_text(encoding="utf-8")
    return frozenset(normalize_arabic(name) for name in tomllib.loads(raw)["widely_named"])


def specific_places(places: Iterable[str]) -> set[str]:
    """The places that point at few stories (not a big city, a country or a region)."""
    return set(places) - _widely_named()


def _written_forms(word: str) -> set[str]:
    """A word with the proclitics it may carry: طنجه, بطنجه, وبطنجه...; الناظور, للناظور."""
    forms = set()
    for conjunction in ("", "و", "ف"):
        forms.update(conjunction + p + word for p in ("", "ب", "ل", "ك"))
        if word.startswith("ال"):
            forms.add(conjunction + "لل" + word[2:])
    return forms


def places_of(text: str) -> frozenset[str]:
    """The listed places a text names (normalized); "طنجة المتوسط" also names "طنجة"."""
    return _places(normalized_tokens(normalize_arabic(text)))


def _places(words: list[str]) -> frozenset[str]:
    """The listed places named by a normalized text given as its tokens."""
    by_form = _place_names()
    found = set()
    for i, word in enumerate(words):
        for name in by_form.get(word, ()):
            if words[i + 1:i + len(name)] == name[1:]:
                found.add(" ".join(name))
    return frozenset(found)


@dataclass(frozen=True)
class Evidence:
    """What one article offers beyond its wording."""

    figures: frozenset[float] = frozenset()
    places: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    approximate: frozenset[float] = frozenset()  # the figures given as approximate only
    moments: frozenset[str] = frozenset()  # days (and halves of days) named: moments_of
    rare: frozenset[str] = frozenset()  # rare words (stems): rare_words
    goods: frozenset[str] = frozenset()  # kinds of goods named: crawler.goods

    FIELDS = ("figures", "places", "topics", "approximate", "moments", "rare", "goods")

    def to_document(self) -> dict[str, list]:
        """As stored beside the article's signature (lists, sorted; empty ones left out)."""
        return {name: sorted(values) for name in self.FIELDS if (values := getattr(self, name))}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Evidence:
        """Read back; stored text is untrusted: only numbers and strings are kept."""
        return cls.unpack(cls.pack(doc))

    @classmethod
    def pack(cls, doc: Mapping[str, Any]) -> tuple[tuple, ...]:
        """A stored evidence document as tuples in FIELDS order, its words interned: what an
        index holds of thousands of stored articles (a third of the memory of Evidence
        objects; the same places, topics and words recur from article to article)."""
        def read(name: str) -> tuple:
            values = doc.get(name)
            if not isinstance(values, list):
                return ()
            if name in _WORD_FIELDS:
                return tuple(sys.intern(v) for v in values[:MAX_STORED] if isinstance(v, str))
            return tuple(v for v in values[:MAX_STORED]
                         if isinstance(v, int | float) and not isinstance(v, bool))
        return tuple(read(name) for name in cls.FIELDS)

    @classmethod
    def unpack(cls, packed: tuple[tuple, ...]) -> Evidence:
        return cls(*(frozenset(values) for values in packed))


MAX_STORED = 200  # values of one kind read back from a stored document, at most
_WORD_FIELDS = frozenset({"places", "topics", "moments", "rare", "goods"})


def figures_agreement(a: frozenset[float], b: frozenset[float],
                      approximate: frozenset[float] = frozenset()) -> float:
    """-1 (none shared) .. +1 (all of the shorter list shared); 0 when either has none.
    `approximate`: figures of either list given as approximate. Two figures agree within
    FIGURE_TOLERANCE of the larger (APPROXIMATE_TOLERANCE when either is approximate); the
    loops are written out (every candidate an article meets is judged so: a function call a
    pair of figures was most of the judging)."""
    if not a or not b:
        return 0.0
    small, large = sorted((a, b), key=len)
    shared = 0
    for x in small:
        x_approximate, x_size = x in approximate, abs(x)
        for y in large:
            tolerance = (APPROXIMATE_TOLERANCE if x_approximate or y in approximate
                         else FIGURE_TOLERANCE)
            if abs(x - y) <= tolerance * max(x_size, abs(y)):
                shared += 1
                break
    return 2 * shared / len(small) - 1


def places_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / min(len(a), len(b)) - 1


def places_shared(a: frozenset[str], b: frozenset[str]) -> float:
    """How many specific places both name, 0 .. 1 for three or more: a town and its district,
    the port and the destination weigh more than the town alone; big cities, countries and
    regions do not count (two stories of one day may well share "الرباط" and "باريس"). A
    place inside another one both name counts once (طنجه within طنجه المتوسط)."""
    shared = specific_places(a & b)
    distinct = [p for p in shared if not any(p != q and p in q.split() for q in shared)]
    return min(len(distinct), 3) / 3


def moments_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """-1 when both date things and name no common day, or name one but in another half of
    it (one says "صباح الخميس", the other "مساء الخميس" only); +1 when they name a common day
    and no other half of it; 0 when either names none."""
    if not a or not b:
        return 0.0
    days_a, days_b = {m.split("/")[0] for m in a}, {m.split("/")[0] for m in b}
    for day in days_a & days_b:
        halves_a = {m for m in a if m.startswith(day + "/")}
        halves_b = {m for m in b if m.startswith(day + "/")}
        if not (halves_a and halves_b) or halves_a & halves_b:
            return 1.0
    return -1.0


def rare_shared(a: frozenset[str], b: frozenset[str]) -> float:
    """How many rare words both use, 0 .. 1 for three or more (as places_shared); the words
    are bare forms (rare_words), so a word counts in any of its inflections."""
    return min(len(a & b), 3) / 3


_PRONOUN_SUFFIXES = ("هما", "هم", "ها", "ه")  # normalized: ة is ه
_NUMBER_SUFFIXES = ("ات", "ون", "ين", "ا")
_SUFFIXES = _PRONOUN_SUFFIXES + _NUMBER_SUFFIXES


def _bare(stem: str) -> str:
    """A stem without one pronoun suffix then one plural or case ending, if what is left has
    four letters or more (ملتمساتها -> ملتمس, مهلوسا -> مهلوس; شيرا stays)."""
    if not stem.endswith(_SUFFIXES):  # most words: one test at C speed
        return stem
    for suffixes in (_PRONOUN_SUFFIXES, _NUMBER_SUFFIXES):
        for suffix in suffixes:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 4:
                stem = stem[:-len(suffix)]
                break
    return stem


@dataclass(frozen=True)
class PairEvidence:
    similarity: float  # exact Jaccard of the 5-gram shingles
    figures: float
    places: float
    shared_places: float
    topics_disagree: bool
    moments: float = 0.0
    rare: float = 0.0
    goods: float = 0.0

    def features(self) -> tuple[float, ...]:
        return (self.similarity, self.figures, self.places, self.shared_places, self.moments,
                self.rare, self.goods)


def pair_evidence(similarity: float, a: Evidence, b: Evidence) -> PairEvidence:
    return PairEvidence(
        similarity, figures_agreement(a.figures, b.figures, a.approximate | b.approximate),
        places_agreement(a.places, b.places), places_shared(a.places, b.places),
        bool(a.topics and b.topics and not a.topics & b.topics),
        moments_agreement(a.moments, b.moments), rare_shared(a.rare, b.rare),
        goods_disagreement(a.goods, b.goods))


def story_score(pair: PairEvidence) -> float:
    """Log-odds that the two reports are one story (see the module docstring)."""
    if pair.topics_disagree:
        return -math.inf
    return (W_TEXT * pair.similarity + W_FIGURES * pair.figures + W_PLACES * pair.places
            + W_SHARED_PLACES * pair.shared_places + W_MOMENTS * pair.moments
            + W_RARE * pair.rare + W_GOODS * pair.goods + BIAS)


def same_story(pair: PairEvidence) -> bool:
    return story_score(pair) > 0
