"""Near duplicates across outlets: which stored articles tell the same story.

MinHash-LSH over character 5-grams of the content words (normalized, stemmed, no
stopwords, which halves the similarity of unrelated texts). Band keys carry a time bucket, so
a lookup only meets articles published within a few days, and its cost does not grow with the
collection. A crawl holds the band postings of the buckets it touches in memory (BandIndex:
loaded from the store once per bucket, one query for all its signatures, then kept current
with what the crawl stores), so a lookup costs no database round trip. Candidates whose
signatures look similar are then verified on their exact 5-gram Jaccard similarity (`matches`,
the one place of the decision):

- at or above COPY_THRESHOLD: a copy (syndicated or lightly edited): same story, `duplicate_of`;
- at or above STORY_THRESHOLD: a rewrite of the same story, unless the two texts cite key
  figures and share none (two reports on one event with different counts are two stories).

Thresholds were set on a set of real Moroccan security stories (tests/fixtures/stories:
rewrites of one story score 0.11-0.45, copies 0.83, different stories on one theme up to 0.23,
unrelated news 0.015 on median).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from crawler.text import Words, content_words, normalize_arabic

SHINGLE = 5
BANDS, ROWS = 32, 2  # 64 permutations; P(candidate) 0.52 at J=0.15, 0.87 at 0.25, 1.0 at 0.8
NUM_PERM = BANDS * ROWS
SEED = 20241107
BUCKET = timedelta(days=4)  # band keys name a 4-day bucket; a lookup reads two of them
WINDOW = timedelta(days=2)  # always covered: the article's bucket and the nearer neighbour
COPY_THRESHOLD = 0.6
STORY_THRESHOLD = 0.14
PREFILTER = 0.08  # signature estimate below which a candidate's body is not even fetched

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def content_text(body: str | Words) -> str:
    """The content words of a text, stemmed, joined by spaces: what shingles are cut from."""
    return " ".join(content_words(body))


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every bit of the input moves about half of the output's."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


# Each 5-gram's code points c0..c4 are read as the polynomial c0*P^4 + ... + c4 (mod 2^64),
# computed for all 5-grams at once from shifted slices of the text, then mixed.
_POWERS = np.array([pow(0x100000001B3, k, 1 << 64) for k in range(SHINGLE - 1, -1, -1)],
                   dtype=np.uint64)


def shingles_of(text: str) -> np.ndarray:
    """The character 5-grams of a content text (the whole text when it is shorter), each as a
    64-bit hash, sorted and unique: a set computed for all of them at once in numpy (a Python
    set of strings took 10x the time and memory). Two distinct 5-grams share a hash with
    probability 2^-64, so Jaccard similarities are exact in practice."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if not len(points):
        return np.empty(0, dtype=np.uint64)
    count = max(len(points) - SHINGLE + 1, 1)
    width = min(len(points), SHINGLE)
    hashes = np.zeros(count, dtype=np.uint64)
    for offset, power in enumerate(_POWERS[-width:]):
        hashes += points[offset:offset + count] * power
    hashes = np.sort(_mix64(hashes))  # then unique: np.unique (hash based) took 3x longer
    distinct = np.empty(len(hashes), dtype=bool)
    distinct[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=distinct[1:])
    return hashes[distinct]


def shingles(body: str) -> np.ndarray:
    return shingles_of(content_text(body))


# NUM_PERM hash functions h -> a*h + b (mod 2^32, a odd: a permutation of the 32-bit values)
# over a shingle's already mixed hash: datasketch's "affine32" scheme, drawn once.
_RANDOM = np.random.default_rng(SEED)
_A = (_RANDOM.integers(0, 1 << 31, NUM_PERM, dtype=np.uint64) * 2 + 1).astype(np.uint32)
_B = _RANDOM.integers(0, 1 << 32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
_EMPTY_SIGNATURE = [0xFFFFFFFF] * NUM_PERM


def signature(shingle_hashes: np.ndarray) -> list[int]:
    """The MinHash signature of a shingle set: under each of the NUM_PERM permutations, the
    least image of a shingle's hash (its upper 32 bits). All shingles at once in numpy:
    datasketch took 5x the time (it takes the hashes one by one in Python) and 40 MB of
    memory to import (scipy)."""
    if not len(shingle_hashes):
        return list(_EMPTY_SIGNATURE)
    hashes = (shingle_hashes >> np.uint64(32)).astype(np.uint32)
    images = hashes[:, None] * _A
    images += _B  # in place: one array of len(hashes) x NUM_PERM, not two
    return images.min(axis=0).tolist()


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Jaccard similarity estimated from two signatures (std ~0.04 near 0.15)."""
    if len(a) != len(b) or not len(a):
        return 1.0  # no comparable signature: let the exact check decide
    return int(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (as `shingles_of` gives them)."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def key_figures(body: str | Words) -> set[str]:
    """Numbers that identify an event (counts, amounts): not days, not years."""
    figures = set()
    key = body.key if isinstance(body, Words) else normalize_arabic(body)
    for raw in _NUMBER.findall(key):
        digits = re.sub(r"[.,]", "", raw)
        value = int(digits) if digits.isdigit() else 0
        if value <= 31 or 1900 <= value <= 2100:
            continue
        figures.add(raw.replace(",", "."))
    return figures


def figures_conflict(a: set[str], b: set[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


def time_bucket(moment: datetime) -> int:
    """The time bucket an article published at `moment` is filed under."""
    return int((moment - _EPOCH) / BUCKET)


def lookup_buckets(moment: datetime) -> tuple[int, int]:
    """The article's bucket and the neighbour nearer to it: together >= WINDOW each side."""
    position = (moment - _EPOCH) / BUCKET
    bucket = int(position)
    return bucket, bucket - 1 if position - bucket < 0.5 else bucket + 1


def band_keys(sig: Sequence[int], bucket: int) -> list[int]:
    """The keys an article of this time bucket is filed under: bucket, band and the band's
    rows (32 bits each) packed in one integer (a tuple took twice the memory)."""
    values = sig.tolist() if isinstance(sig, np.ndarray) else sig
    keys = []
    for band in range(BANDS):
        key = bucket * BANDS + band
        for value in values[band * ROWS:(band + 1) * ROWS]:
            key = key << 32 | value
        keys.append(key)
    return keys


def lookup_keys(sig: Sequence[int], published: datetime) -> list[int]:
    """The keys to look up: the article's bucket and its nearer neighbour."""
    return [key for bucket in lookup_buckets(published) for key in band_keys(sig, bucket)]


class BandIndex:
    """LSH postings held in memory, time bucket by time bucket.

    A crawl adds the stored signatures of a bucket once (`add_bucket`), then each article it
    processes (`add`); `sharing_a_band` then answers without a database round trip.
    """

    def __init__(self) -> None:
        self.buckets: set[int] = set()
        # band key -> canonical URL, or a list of them when several share it (most keys have
        # one: a list for every key took 45% of the memory)
        self.postings: dict[int, str | list[str]] = {}
        self.signatures: dict[str, np.ndarray] = {}  # canonical URL -> signature

    def add(self, canonical_url: str, sig: Sequence[int], bucket: int) -> None:
        if canonical_url in self.signatures:
            return
        self.signatures[canonical_url] = np.asarray(sig, dtype=np.uint32)
        for key in band_keys(sig, bucket):
            found = self.postings.get(key)
            if found is None:
                self.postings[key] = canonical_url
            elif isinstance(found, str):
                self.postings[key] = [found, canonical_url]
            else:
                found.append(canonical_url)

    def add_bucket(self, bucket: int, entries: list[tuple[str, Sequence[int]]]) -> None:
        """The stored (canonical URL, signature) pairs of one bucket."""
        self.buckets.add(bucket)
        for url, sig in entries:
            self.add(url, sig, bucket)

    def sharing_a_band(self, sig: Sequence[int], published: datetime) -> dict[str, float]:
        """Articles filed under one of the lookup keys of `sig`, with the similarity their
        signatures suggest (compare it with PREFILTER before reading their text)."""
        found: set[str] = set()
        for key in lookup_keys(sig, published):
            urls = self.postings.get(key, ())
            found.update((urls,) if isinstance(urls, str) else urls)
        return {url: estimated_jaccard(sig, self.signatures[url]) for url in found}


@dataclass
class Fingerprint:
    """What near-duplicate detection knows of one article."""

    canonical_url: str
    outlet: str
    published: datetime
    content: str  # content_text(body)
    figures: set[str]
    signature: list[int] = field(default_factory=list)

    # The fields of an article a fingerprint is made from (the projection for stored ones).
    FIELDS = ("canonical_url", "outlet", "body", "published_at", "crawled_at")

    @cached_property
    def shingles(self) -> np.ndarray:
        return shingles_of(self.content)

    def compact(self) -> Fingerprint:
        """The same fingerprint without its shingles (nine tenths of its memory); they are
        cut again from `content` when it is compared."""
        return replace(self)

    @classmethod
    def of(cls, canonical_url: str, outlet: str, body: str | Words, published: datetime,
           sig: Sequence[int] | None = None) -> Fingerprint:
        """`body`: its text or its words; `sig`: the signature when it is known already (it
        is the costly part)."""
        words = body if isinstance(body, Words) else Words.of(body)
        fingerprint = cls(canonical_url, outlet, published, content_text(words),
                          key_figures(words))
        fingerprint.signature = list(sig) if sig is not None else signature(fingerprint.shingles)
        return fingerprint

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], sig: Sequence[int] | None = None,
                      words: Words | None = None) -> Fingerprint:
        """The fingerprint of an article given as its FIELDS (a stored document or an item);
        `words`: its body's, when they are known already."""
        return cls.of(doc["canonical_url"], doc.get("outlet") or "",
                      words or doc.get("body") or "", published_of(doc), sig)


def published_of(doc: Mapping[str, Any]) -> datetime:
    """The instant an article is compared and filed by: published, else crawled, else now."""
    return doc.get("published_at") or doc.get("crawled_at") or datetime.now(UTC)


@dataclass(frozen=True)
class Match:
    canonical_url: str
    similarity: float
    is_copy: bool


def matches(article: Fingerprint, candidates: list[Fingerprint]) -> list[Match]:
    """Every candidate that tells the same story, most similar first."""
    found = []
    for other in candidates:
        if other.canonical_url == article.canonical_url:
            continue
        if abs(other.published - article.published) > WINDOW:
            continue
        similarity = jaccard(article.shingles, other.shingles)
        is_copy = similarity >= COPY_THRESHOLD
        if not is_copy and (
            similarity < STORY_THRESHOLD or figures_conflict(article.figures, other.figures)
        ):
            continue
        found.append(Match(other.canonical_url, similarity, is_copy))
    return sorted(found, key=lambda m: m.similarity, reverse=True)


def best_match(article: Fingerprint, candidates: list[Fingerprint]) -> Match | None:
    found = matches(article, candidates)
    return found[0] if found else None


def new_story_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]
