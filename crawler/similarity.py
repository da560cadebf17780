"""Near duplicates across outlets: which stored articles tell the same story.

MinHash-LSH over character 5-grams of the content words (normalized, stemmed, no
stopwords, which halves the similarity of unrelated texts). Band keys carry a time bucket, so
a lookup only meets articles published within a few days, and its cost does not grow with the
collection. Each article is also filed under its anchors, its most specific figures ("4220
kg", "6350 pills") and places ("بني شيكر", "مطار ابن بطوطة"): a rewrite in other words keeps
them while sharing too little wording to meet its story in a band. And the signatures of
the lookup buckets are scanned for any that agrees on SCAN_AGREEING values (a rewrite's
wording may fall in no band by luck). A crawl holds these
postings for the buckets it touches in memory (BandIndex: loaded from the store once per
bucket, one query for all its signatures and anchors, then kept current with what the crawl
stores), so a lookup costs no database round trip. Beside each signature the index keeps
what the decision reads besides the wording (figures, places, topics, publication time: an
article's summary, stored with its signature): a stored candidate's text is read only when
the decision could be "same story" with the highest similarity its signature allows
(`BandIndex.worth_reading`), so an article filed under a common place or amount costs no
database read.

Candidates are then verified (`matches`, the one place of the decision): at or above
COPY_THRESHOLD of exact 5-gram Jaccard similarity a candidate is a copy (syndicated or lightly
edited: same story, `duplicate_of`); below it, crawler.story_evidence weighs the wording with
the figures, places, topics and publication times of both reports to decide whether it is a
rewrite of the same story.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from crawler.story_evidence import (
    Evidence,
    pair_evidence,
    read_normalized,
    same_story,
    specific_places,
)
from crawler.text import Words, content_words

SHINGLE = 5
BANDS, ROWS = 32, 2  # 64 permutations; P(candidate) 0.52 at J=0.15, 0.87 at 0.25, 1.0 at 0.8
NUM_PERM = BANDS * ROWS
SEED = 20241107
BUCKET = timedelta(days=4)  # band keys name a 4-day bucket; a lookup reads two of them
WINDOW = timedelta(days=2)  # always covered: the article's bucket and the nearer neighbour
COPY_THRESHOLD = 0.6
PREFILTER = 0.08  # signature estimate below which a candidate of unknown summary is not read
ANCHOR_FIGURES = ANCHOR_PLACES = 3  # at most, per article (see anchors_of)
# An anchor filed by more articles of a bucket than this points at no story ("27 عاما",
# a district in every crime report): it is not looked up (see BandIndex.sharing_a_key).
ANCHOR_POSTINGS = 8
# Besides the band keys, the signatures of the lookup buckets are scanned (one numpy
# comparison): any article agreeing on this many of the NUM_PERM values (estimate 0.078) is a
# candidate too, wherever its agreeing values fall (two in one band is luck: P 0.55 at J 0.16).
# Unrelated news (J ~0.015) agrees so with P 0.003: ~7 candidates a lookup at 2,400 articles
# in the window, each judged in memory (BandIndex.worth_reading) before any read.
SCAN_AGREEING = 5
# A candidate whose signature agrees on k of the NUM_PERM values has an exact similarity
# below SIMILARITY_BOUND[k] but with this probability (one-sided Clopper-Pearson bound).
BOUND_MISS = 0.01
FIGURE_SLOT, PLACE_SLOT = BANDS, BANDS + 1  # a key's slot in its bucket, after the bands
SLOTS = BANDS + 2
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def content_text(body: str) -> str:
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
    hashes = np.sort(_mix64(hashes))
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]  # np.unique: 10x slower


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
    images = np.multiply.outer(_A, hashes)  # a row a permutation: each minimum reads one row
    images += _B[:, None]
    return images.min(axis=1).tolist()


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Jaccard similarity estimated from two signatures (std ~0.04 near 0.15)."""
    if len(a) != len(b) or not len(a):
        return 1.0  # no comparable signature: let the exact check decide
    return int(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def _similarity_bounds(n: int, miss: float) -> list[float]:
    """For k agreeing values of n: the similarity p at which P(at most k agree) = miss."""
    def at_most(k: int, p: float) -> float:
        return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))

    bounds = []
    for k in range(n + 1):
        low, high = k / n, 1.0
        for _ in range(40):
            middle = (low + high) / 2
            low, high = (middle, high) if at_most(k, middle) > miss else (low, middle)
        bounds.append(high if k < n else 1.0)
    return bounds


SIMILARITY_BOUND = _similarity_bounds(NUM_PERM, BOUND_MISS)  # 0 of 64: 0.070; 5: 0.18


def could_match(estimate: float, a: Evidence, b: Evidence) -> bool:
    """Whether two articles could be one story (a copy, or `same_story`) given their evidence
    and the signature estimate of their similarity, taken at its upper bound: the exact check
    needs the candidate's text (a database read for a stored one), this needs nothing more
    than the index holds. The score rises with similarity, so a pair this rejects is one the
    exact check would reject too, unless its similarity lies above the bound (BOUND_MISS)."""
    upper = SIMILARITY_BOUND[min(NUM_PERM, max(0, round(estimate * NUM_PERM)))]
    return upper >= COPY_THRESHOLD or same_story(pair_evidence(upper, a, b))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (as `shingles_of` gives them)."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def time_bucket(moment: datetime) -> int:
    """The time bucket an article published at `moment` is filed under."""
    return int((moment - _EPOCH) / BUCKET)


def lookup_buckets(moment: datetime) -> tuple[int, int]:
    """The article's bucket and the neighbour nearer to it: together >= WINDOW each side."""
    position = (moment - _EPOCH) / BUCKET
    bucket = int(position)
    return bucket, bucket - 1 if position - bucket < 0.5 else bucket + 1


Anchor = float | str  # a figure's value or a place's normalized name


def anchors_of(figures: Iterable[float], places: Iterable[str]) -> list[Anchor]:
    """What an article is filed under besides its bands: its most specific figures and places.
    A rewrite in other words keeps "4220 kg", "140 victims" or "بني شيكر"; "27 years old",
    "300000" or "الدار البيضاء" would meet any story (crawler.story_evidence.specific_places):
    a figure needs two significant digits and three figures (ages and counts of people are
    under a hundred)."""
    def digits(value: float) -> int:  # significant digits: 4220 has 3, 300000 has 1
        return len(f"{value:.12g}".replace(".", "").strip("0"))

    specific = sorted((f for f in figures if f >= 100 and digits(f) >= 2),
                      key=lambda f: (-digits(f), -f))
    return [*specific[:ANCHOR_FIGURES], *sorted(specific_places(places))[:ANCHOR_PLACES]]


# Keys are integers (a tuple took twice the memory): time bucket and slot above 64 bits of
# payload. A band's slot is its number and its payload its rows (32 bits each); a figure's slot
# is FIGURE_SLOT and its payload a point of the two-digit grid near the figure (see
# anchor_keys); a place's slot is PLACE_SLOT and its payload a hash of its name.

def band_keys(sig: Sequence[int], bucket: int) -> list[int]:
    """The band keys of a signature in one time bucket."""
    values = sig.tolist() if isinstance(sig, np.ndarray) else sig
    base = bucket * SLOTS
    if ROWS == 2 and len(values) == NUM_PERM:  # the same keys, in one comprehension
        return [(base + band) << 64 | high << 32 | low
                for band, (high, low) in enumerate(zip(values[::2], values[1::2], strict=True))]
    keys = []
    for band in range(BANDS):
        key = base + band
        for value in values[band * ROWS:(band + 1) * ROWS]:
            key = key << 32 | value
        keys.append(key)
    return keys


def _grid_points(value: float, filed: bool) -> list[tuple[int, int]]:
    """Points (exponent, mantissa) of the grid of two significant digits near `value`: the
    nearest one to look up, the two around it to file under, so that two figures half a grid
    step apart or less (0.5-5% of their value) always meet: "2300 kg" and the communiqué's
    2340, "15 ألف" and 14800."""
    exponent = math.floor(math.log10(value)) - 1
    scaled = value / 10 ** exponent
    if scaled < 10:  # log10 rounded up (999.9999...)
        exponent, scaled = exponent - 1, scaled * 10
    points = [round(scaled)] if not filed else [math.floor(scaled), math.floor(scaled) + 1]
    return [(exponent + 1, 10) if p >= 100 else (exponent, p) for p in points]


def anchor_keys(anchors: Iterable[Anchor], bucket: int, filed: bool = True) -> list[int]:
    """The keys of anchors (as `anchors_of` picks them) in one time bucket: to file an
    article under, or (`filed=False`) to look up."""
    figures = (bucket * SLOTS + FIGURE_SLOT) << 64
    places = (bucket * SLOTS + PLACE_SLOT) << 64
    keys = []
    for anchor in anchors:
        if isinstance(anchor, str):
            keys.append(places | _place_hash(anchor))
        elif anchor > 0:
            keys.extend(figures | (exponent + 512) << 8 | mantissa
                        for exponent, mantissa in dict.fromkeys(_grid_points(anchor, filed)))
    return keys


@lru_cache(maxsize=4096)  # a few hundred places, each hashed for every article naming it
def _place_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class BandIndex:
    """LSH band and anchor postings held in memory, time bucket by time bucket.

    A crawl adds the stored signatures and anchors of a bucket once (`add_bucket`), then each
    article it processes (`add`); `sharing_a_key` then answers without a database round trip,
    and `worth_reading` tells which stored candidates could be the same story.
    """

    def __init__(self) -> None:
        self.buckets: set[int] = set()
        # band key -> canonical URL, or a list of them when several share it (most keys have
        # one: a list for every key took 45% of the memory)
        self.postings: dict[int, str | list[str]] = {}
        self.signatures: dict[str, np.ndarray] = {}  # canonical URL -> signature
        # canonical URL -> (publication timestamp, evidence or Evidence.pack of it), when its
        # summary is known
        self.known: dict[str, tuple[float, Evidence | tuple]] = {}
        # bucket -> its articles' canonical URLs and their signatures as rows (grown by
        # doubling; the first len(urls) rows are filled), for `similar`
        self.rows: dict[int, tuple[list[str], np.ndarray]] = {}

    def add(self, canonical_url: str, sig: Sequence[int], bucket: int,
            anchors: Iterable[Anchor] = (), summary: Mapping[str, Any] | None = None) -> None:
        """File an article under its keys; `anchors`: as `anchors_of` picks them; `summary`:
        as Fingerprint.summary gives it (None for a signature stored before summaries were)."""
        if canonical_url in self.signatures:
            return
        self.signatures[canonical_url] = row = np.asarray(sig, dtype=np.uint32)
        urls, matrix = self.rows.get(bucket, ([], np.empty((0, NUM_PERM), dtype=np.uint32)))
        if len(row) == NUM_PERM:
            if len(urls) == len(matrix):
                matrix = np.resize(matrix, (max(64, 2 * len(matrix)), NUM_PERM))
            matrix[len(urls)] = row
            urls.append(canonical_url)
            self.rows[bucket] = (urls, matrix)
        if summary is not None and isinstance(published := summary.get("published"),
                                              int | float):
            self.known[canonical_url] = (float(published), Evidence.pack(summary))
        for key in band_keys(sig, bucket) + anchor_keys(anchors, bucket):
            found = self.postings.get(key)
            if found is None:
                self.postings[key] = canonical_url
            elif isinstance(found, str):
                self.postings[key] = [found, canonical_url]
            else:
                found.append(canonical_url)

    def know(self, canonical_url: str, published: datetime, evidence: Evidence) -> None:
        """What `add` reads from a summary, for an article at hand (this crawl's)."""
        self.known[canonical_url] = (published.timestamp(), evidence)

    def add_bucket(self, bucket: int, entries: Iterable[tuple]) -> None:
        """The stored (canonical URL, signature, anchors[, summary]) of one bucket."""
        self.buckets.add(bucket)
        for url, sig, anchors, *summary in entries:
            self.add(url, sig, bucket, anchors, *summary)

    def sharing_a_key(self, sig: Sequence[int], published: datetime,
                      anchors: Iterable[Anchor] = ()) -> dict[str, float]:
        """Articles sharing a band or an anchor with this one in its lookup buckets (its own
        and the nearer neighbour), with the similarity their signatures suggest: compare it
        `worth_reading` before reading their text. A rewrite in other words keeps figures
        and places while its signature looks unlike: an anchor counts unless more than
        ANCHOR_POSTINGS articles of the bucket share it."""
        by_band: set[str] = set()
        by_anchor: set[str] = set()
        for bucket in lookup_buckets(published):
            for urls in map(self.postings.get, band_keys(sig, bucket)):
                if urls is not None:  # most keys have no posting
                    by_band.update((urls,) if isinstance(urls, str) else urls)
            for key in anchor_keys(anchors, bucket, filed=False):
                urls = self.postings.get(key, ())
                if isinstance(urls, str):
                    by_anchor.add(urls)
                elif len(urls) <= ANCHOR_POSTINGS:
                    by_anchor.update(urls)
        query = np.asarray(sig)  # once, not once a candidate
        found = {url: estimated_jaccard(query, self.signatures[url])
                 for url in by_band | by_anchor}
        return {**self.similar(sig, published), **found}

    def similar(self, sig: Sequence[int], published: datetime) -> dict[str, float]:
        """The articles of the lookup buckets whose signatures agree with this one on
        SCAN_AGREEING values or more, with their estimates."""
        row = np.asarray(sig, dtype=np.uint32)
        found: dict[str, float] = {}
        if len(row) != NUM_PERM:
            return found
        for bucket in lookup_buckets(published):
            urls, matrix = self.rows.get(bucket, ((), None))
            if not urls:
                continue
            agreeing = (matrix[:len(urls)] == row).sum(axis=1, dtype=np.uint8)
            for i in np.flatnonzero(agreeing >= SCAN_AGREEING).tolist():
                found[urls[i]] = int(agreeing[i]) / NUM_PERM
        return found

    def worth_reading(self, url: str, estimate: float, published: datetime,
                      evidence: Evidence) -> bool:
        """Whether a candidate (`estimate`: from `sharing_a_key`) could tell the same story as
        an article published at `published` with this evidence (`could_match`), judged on
        the summary the index holds; one filed without a summary, when its signature looks
        similar (PREFILTER)."""
        known = self.known.get(url)
        if known is None:
            return estimate >= PREFILTER
        when, other = known
        if abs(when - published.timestamp()) > WINDOW.total_seconds():
            return False
        if not isinstance(other, Evidence):
            other = Evidence.unpack(other)
        return could_match(estimate, evidence, other)


@dataclass
class Fingerprint:
    """What near-duplicate detection knows of one article."""

    canonical_url: str
    outlet: str
    published: datetime
    content: str  # content_text(body)
    evidence: Evidence  # figures, places and topics (crawler.story_evidence)
    signature: list[int] = field(default_factory=list)

    # The fields of an article a fingerprint is made from (the projection for stored ones).
    FIELDS = ("canonical_url", "outlet", "title", "body", "topics", "published_at",
              "crawled_at")

    @cached_property
    def shingles(self) -> np.ndarray:
        return shingles_of(self.content)

    def compact(self) -> Fingerprint:
        """The same fingerprint without its shingles (nine tenths of its memory); they are
        cut again from `content` when it is compared. (dataclasses.replace, which this
        spells out, read the fields' definitions at every call.)"""
        return Fingerprint(self.canonical_url, self.outlet, self.published, self.content,
                           self.evidence, self.signature)

    @property
    def summary(self) -> dict[str, Any]:
        """What the index keeps of this article besides its signature (BandIndex.add), stored
        with it: its publication time (a timestamp) and its evidence."""
        return {"published": self.published.timestamp(), **self.evidence.to_document()}

    @cached_property
    def anchors(self) -> list[Anchor]:
        """The figures and places this article is filed and looked up under."""
        return anchors_of(self.evidence.figures, self.evidence.places)

    @classmethod
    def of(cls, canonical_url: str, outlet: str, body: str, published: datetime, *,
           title: str = "", topics: Sequence[str] = (),
           sig: Sequence[int] | None = None) -> Fingerprint:
        """The signature is of the body alone; figures and places are read in the title too
        (a rewrite's headline often names the town its body leaves out). `sig`: the signature
        when it is known already (it is the costly part)."""
        return cls.of_words(canonical_url, outlet, Words.of(body), published,
                            title=Words.of(title), topics=topics, sig=sig)

    @classmethod
    def of_words(cls, canonical_url: str, outlet: str, body: Words, published: datetime, *,
                 title: Words, topics: Sequence[str] = (),
                 sig: Sequence[int] | None = None) -> Fingerprint:
        """of() for texts analysed already (an item's `words`: not normalized twice)."""
        body_stems = content_words(body)
        figures, approximate, places, moments, rare, goods = read_normalized(
            f"{title.key}\n{body.key}", [*title.tokens, *body.tokens],
            content_words(title) + body_stems)
        evidence = Evidence(figures, places, frozenset(topics), approximate, moments, rare,
                            goods)
        fingerprint = cls(canonical_url, outlet, published, " ".join(body_stems), evidence)
        fingerprint.signature = list(sig) if sig is not None else signature(fingerprint.shingles)
        return fingerprint

    @classmethod
    def from_document(cls, doc: Mapping[str, Any],
                      sig: Sequence[int] | None = None) -> Fingerprint:
        """The fingerprint of an article given as its FIELDS (a stored document or an item)."""
        return cls.of(doc["canonical_url"], doc.get("outlet") or "", doc.get("body") or "",
                      published_of(doc), title=doc.get("title") or "",
                      topics=doc.get("topics") or (), sig=sig)


# compact() names every field: a new one must be added there too
assert [f.name for f in fields(Fingerprint)] == ["canonical_url", "outlet", "published",
                                                 "content", "evidence", "signature"]


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
        if not is_copy and not same_story(
            pair_evidence(similarity, article.evidence, other.evidence)
        ):
            continue
        found.append(Match(other.canonical_url, similarity, is_copy))
    return sorted(found, key=lambda m: m.similarity, reverse=True)


def new_story_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]
