"""Are two reports one story? The evidence beyond shared wording, and the decision rule.

Candidates come from the LSH band index (crawler.similarity); this module decides. Character
5-gram overlap alone cannot: on our labelled sets (bench/bench_stories.py) a rewrite in other
words scores 0.05-0.13 while a different arrest by the same police in the same town, told in
the same communiqué phrases, scores up to 0.30. What tells them apart is what a reader checks:

- figures: the counts, amounts, weights and ages of the event. "4 أطنان و220 كيلوغراما",
  "4220 كيلوغراما" and "طنين و340" are read as values (tolerance 2%: "2300 kg" for 2340).
  Dates and years are not figures; small counts are (27 migrants is not 78 packages).
- places: towns, provinces, districts and crossings from a list (crawler/data/places.toml);
  Arabic has no capitals to find names by, and a place list is what reporters' datelines use.
- time: reports of one event come within hours; the further apart, the more evidence needed.
- topic: two reports with topics and no topic in common are two stories (a veto).

Each agreement is -1 (both cite some and share none of theirs) .. +1 (the one citing fewer
shares all of them), 0 when either cites none. The score

    score = W_TEXT * jaccard + W_FIGURES * figures + W_PLACES * places + W_GAP * days + BIAS

is a logistic regression fitted on the tune part of the labelled sets (`python
bench/bench_stories.py --fit`; the held-out parts never), with a wrong join weighed as five
missed ones: a wrong join merges two stories for good (and every later article of either),
while a missed join is often repaired by a third report that matches both. A pair is one
story when the score is positive; a copy (jaccard >= COPY_THRESHOLD) always is.

The error it trades, measured in bench/RESULTS.md: no two different stories of the sets are
joined (the old 5-gram threshold joined 11 pairs of them), and every rewrite that keeps the
figures or most of the wording joins its story; but a rewrite written freely (a commentary on
the event, a brief without numbers) shares a place and 0.06-0.13 of the wording with its story
and no figure, scores about 0 and is missed half of the time. Two different events with the
same figures, places and wording within two days would be joined (not met in the sets).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from crawler.text import normalize_arabic

# Fitted by `python bench/bench_stories.py --fit` on the tune part (see bench/RESULTS.md).
W_TEXT = 23.71
W_FIGURES = 5.55
W_PLACES = 2.95
W_GAP = -1.37  # per day between the two publications
BIAS = -5.05

FIGURE_TOLERANCE = 0.02  # "ما يزيد عن 2300 كيلوغرام" is the 2340 kg of the communiqué

_SCALES = {"الاف": 1e3, "الفا": 1e3, "الف": 1e3, "ملايين": 1e6, "مليون": 1e6, "مليار": 1e9,
           "اطنان": 1e3, "طنا": 1e3, "طن": 1e3}  # normalized spellings; tonnes in kilograms
_SCALE = "|".join(_SCALES)
_NUMBER = re.compile(
    rf"(\d+(?:[.,]\d+)*)(?:\s+({_SCALE})(?!\w)(?:\s+و\s?(\d+)(?:\s+({_SCALE})(?!\w))?)?)?")
_WORD_UNITS = {"طنين": 2e3, "طن": 1e3, "مليونين": 2e6, "مليون": 1e6, "الفين": 2e3, "الف": 1e3}
_WORD_NUMBER = re.compile(  # "طنين و340 كيلوغراما", "مليون و450 ألف"
    rf"(?<!\w)({'|'.join(_WORD_UNITS)})\s+و\s?(\d+)(?:\s+({_SCALE})(?!\w))?")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_WORD = re.compile(r"[^\W_]+")
_MONTHS = ("يناير فبراير مارس ابريل ماي مايو يونيو يوليوز يوليو غشت اغسطس شتنبر سبتمبر اكتوبر "
           "نونبر نوفمبر دجنبر ديسمبر").split()
_DATE_AFTER = re.compile(rf"\s*(?:(?:الى|و)\s*\d+\s*)?(?:{'|'.join(_MONTHS)})(?!\w)")


def _value(raw: str) -> float:
    if _THOUSANDS.fullmatch(raw):  # 770.000 or 1,450,000
        return float(re.sub(r"[.,]", "", raw))
    return float(raw.replace(",", "."))


def figures_of(text: str) -> frozenset[float]:
    """The numbers that describe the event, as values; not years, not days of a month."""
    return _figures(normalize_arabic(text))


def _figures(text: str) -> frozenset[float]:
    found: set[float] = set()

    def spelled(match: re.Match[str]) -> str:
        found.add(_WORD_UNITS[match[1]] + float(match[2]) * _SCALES.get(match[3] or "", 1))
        return " "

    text = _WORD_NUMBER.sub(spelled, text)
    for match in _NUMBER.finditer(text):
        value = _value(match[1])
        if match[2]:
            value *= _SCALES[match[2]]
            if match[3]:
                value += float(match[3]) * _SCALES.get(match[4] or "", 1)
        elif value < 2 or 1900 <= value <= 2100 or _DATE_AFTER.match(text, match.end()):
            continue
        found.add(value)
    return frozenset(found)


@cache
def _place_names() -> dict[str, list[list[str]]]:
    """The normalized place names by first word: {"طنجه": [["طنجه"], ["طنجه", "المتوسط"]]}."""
    raw = resources.files("crawler").joinpath("data/places.toml").read_text(encoding="utf-8")
    by_first: dict[str, list[list[str]]] = {}
    for group in tomllib.loads(raw).values():
        for name in group:
            words = normalize_arabic(name).split()
            by_first.setdefault(words[0], []).append(words)
    return by_first


def _bare(word: str) -> list[str]:
    """The word and what it may be without its proclitics: بطنجه -> طنجه, للناظور -> الناظور."""
    forms = [word]
    for conjunction in ("", "و", "ف"):
        if conjunction and not word.startswith(conjunction):
            continue
        rest = word[len(conjunction):]
        if rest.startswith("لل"):
            forms.append("ال" + rest[2:])
        if rest[:1] in ("ب", "ل", "ك"):
            forms.append(rest[1:])
        forms.append(rest)
    return forms


def places_of(text: str) -> frozenset[str]:
    """The listed places a text names (normalized); "طنجة المتوسط" also names "طنجة"."""
    return _places(normalize_arabic(text))


def _places(text: str) -> frozenset[str]:
    by_first = _place_names()
    words = _WORD.findall(text)
    found = set()
    for i, word in enumerate(words):
        for first in _bare(word):
            for name in by_first.get(first, ()):
                if words[i + 1:i + len(name)] == name[1:]:
                    found.add(" ".join(name))
    return frozenset(found)


@dataclass(frozen=True)
class Evidence:
    """What one article offers beyond its wording."""

    figures: frozenset[float] = frozenset()
    places: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str, topics: tuple[str, ...] | list[str] = ()) -> Evidence:
        normalized = normalize_arabic(text)
        return cls(_figures(normalized), _places(normalized), frozenset(topics))


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= FIGURE_TOLERANCE * max(abs(x), abs(y))


def figures_agreement(a: frozenset[float], b: frozenset[float]) -> float:
    """-1 (none shared) .. +1 (all of the shorter list shared); 0 when either has none."""
    if not a or not b:
        return 0.0
    small, large = sorted((a, b), key=len)
    shared = sum(1 for x in small if any(_close(x, y) for y in large))
    return 2 * shared / len(small) - 1


def places_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / min(len(a), len(b)) - 1


@dataclass(frozen=True)
class PairEvidence:
    similarity: float  # exact Jaccard of the 5-gram shingles
    figures: float
    places: float
    days: float  # between the publications
    topics_disagree: bool

    def features(self) -> tuple[float, float, float, float]:
        return (self.similarity, self.figures, self.places, self.days)


def pair_evidence(similarity: float, a: Evidence, b: Evidence, days: float) -> PairEvidence:
    return PairEvidence(
        similarity, figures_agreement(a.figures, b.figures), places_agreement(a.places, b.places),
        abs(days), bool(a.topics and b.topics and not a.topics & b.topics))


def story_score(pair: PairEvidence) -> float:
    """Log-odds that the two reports are one story (see the module docstring)."""
    if pair.topics_disagree:
        return -math.inf
    return (W_TEXT * pair.similarity + W_FIGURES * pair.figures + W_PLACES * pair.places
            + W_GAP * pair.days + BIAS)


def same_story(pair: PairEvidence) -> bool:
    return story_score(pair) > 0
