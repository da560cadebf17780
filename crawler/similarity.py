"""Near duplicates across outlets: which stored articles tell the same story.

MinHash-LSH (datasketch) over character 5-grams of the content words (normalized, stemmed, no
stopwords, which halves the similarity of unrelated texts). Band keys carry a time bucket, so
a lookup only meets articles published within a few days, and its cost does not grow with the
collection. Postings live in their own collection with a scalar indexed `key`: the embedded
server scans for `$in` and for array fields, but answers an indexed equality in ~1 ms.
Each article is also filed under its three most specific figures ("f:4220:<bucket>"): a rewrite
in other words keeps them while sharing too little wording to meet its story in a band.
Candidates whose signatures look similar are then verified: at or above COPY_THRESHOLD of
exact 5-gram Jaccard similarity a candidate is a copy (syndicated or lightly edited: same
story, `duplicate_of`); below it, crawler.story_evidence weighs the wording with the figures,
places, topics and publication times of both reports to decide whether it is a rewrite of the
same story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from datasketch import MinHash

from crawler.story_evidence import Evidence, pair_evidence, same_story
from crawler.text import content_words

SHINGLE = 5
BANDS, ROWS = 32, 2  # 64 permutations; P(candidate) 0.52 at J=0.15, 0.87 at 0.25, 1.0 at 0.8
NUM_PERM = BANDS * ROWS
SEED = 20241107
BUCKET = timedelta(days=4)  # band keys name a 4-day bucket; a lookup reads two of them
WINDOW = timedelta(days=2)  # always covered: the article's bucket and the nearer neighbour
COPY_THRESHOLD = 0.6
PREFILTER = 0.08  # signature estimate below which a candidate's body is not even fetched
FIGURE_KEYS = 3  # postings per article for its most specific figures (see _figure_keys)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def shingles(body: str) -> set[str]:
    text = " ".join(content_words(body))
    return {text[i:i + SHINGLE] for i in range(max(len(text) - SHINGLE + 1, 1))} if text else set()


def signature(shingle_set: set[str]) -> list[int]:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in shingle_set])
    return [int(v) for v in minhash.hashvalues]


def estimated_jaccard(a: list[int], b: list[int]) -> float:
    """Jaccard similarity estimated from two signatures (std ~0.04 near 0.15)."""
    if len(a) != len(b) or not a:
        return 1.0  # no comparable signature: let the exact check decide
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _bucket(moment: datetime) -> int:
    return int((moment - _EPOCH) / BUCKET)


def _lookup_buckets(moment: datetime) -> tuple[int, int]:
    """The article's bucket and the neighbour nearer to it: together >= WINDOW each side."""
    position = (moment - _EPOCH) / BUCKET
    bucket = int(position)
    return bucket, bucket - 1 if position - bucket < 0.5 else bucket + 1


def _band_hashes(sig: list[int]) -> list[str]:
    values = np.asarray(sig, dtype=np.uint32)
    return [
        hashlib.blake2b(values[b * ROWS:(b + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for b in range(BANDS)
    ]


def _figure_keys(figures: Iterable[float]) -> list[str]:
    """Keys of the article's most specific figures: a rewrite in other words keeps "4220 kg" or
    "6350 pills" while sharing too little wording to meet the other report in a band."""
    def digits(value: float) -> int:  # significant digits: 4220 has 3, 300000 has 1
        return len(f"{value:g}".replace(".", "").strip("0"))

    specific = sorted((f for f in figures if digits(f) >= 2), key=lambda f: (-digits(f), -f))
    return [f"f:{f:g}" for f in specific[:FIGURE_KEYS]]


def band_keys(sig: list[int], published: datetime, figures: Iterable[float] = ()) -> list[str]:
    """The keys this article is filed under: its bands in its own time bucket; its figures in
    its bucket and the nearer neighbour, so that they are looked up in one bucket only."""
    bucket = _bucket(published)
    return [f"{b}:{h}:{bucket}" for b, h in enumerate(_band_hashes(sig))] + [
        f"{key}:{k}" for k in _lookup_buckets(published) for key in _figure_keys(figures)]


def lookup_keys(sig: list[int], published: datetime, figures: Iterable[float] = ()) -> list[str]:
    """The keys to look up: bands in the article's bucket and its nearer neighbour (together
    at least WINDOW each side), figures in its own bucket (they were filed in two)."""
    hashes = _band_hashes(sig)
    bucket = _bucket(published)
    return [f"{b}:{h}:{k}" for k in _lookup_buckets(published) for b, h in enumerate(hashes)] + [
        f"{key}:{bucket}" for key in _figure_keys(figures)]


@dataclass
class Fingerprint:
    """What near-duplicate detection knows of one article."""

    canonical_url: str
    outlet: str
    published: datetime
    shingles: set[str]
    evidence: Evidence
    signature: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, canonical_url: str, outlet: str, body: str, published: datetime, *,
           title: str = "", topics: list[str] | tuple[str, ...] = ()) -> Fingerprint:
        """The signature is of the body alone; figures and places are read in the title too
        (a rewrite's headline often names the town its body leaves out)."""
        sh = shingles(body)
        evidence = Evidence.of(f"{title}\n{body}", topics)
        return cls(canonical_url, outlet, published, sh, evidence, signature(sh))


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
        days = (other.published - article.published) / timedelta(days=1)
        if not is_copy and not same_story(
            pair_evidence(similarity, article.evidence, other.evidence, days)
        ):
            continue
        found.append(Match(other.canonical_url, similarity, is_copy))
    return sorted(found, key=lambda m: m.similarity, reverse=True)


def best_match(article: Fingerprint, candidates: list[Fingerprint]) -> Match | None:
    found = matches(article, candidates)
    return found[0] if found else None


def new_story_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]
