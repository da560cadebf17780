"""Near-duplicate lookup cost as the collection grows (10,000 then 100,000 stored articles).

Articles arrive at a steady rate (ARTICLES_PER_DAY), as a crawl archive grows, and are
written through the store's own write path (apply_writes: articles and their signatures).
A crawl's stories stage loads the signatures of a time bucket with one query the first time
an article needs it, then looks up in memory; both are measured for new articles published
at the end of the archive:

- bucket load: one query returning the signatures and anchors of a 4-day bucket (1,200
  articles here);
- lookup: the in-memory band and anchor lookup, reading the text of the stored candidates
  that could be the same story (judged on the summaries held in memory), and the check
  (`matches`), per article; with how many lookups read stored text, and how many articles.

    python bench/bench_near_duplicates.py [--sizes 10000 100000] [--uri MONGO_URI]

Without --uri (or NEWSCRAWL_TEST_MONGO_URI) an embedded nx-27017 server is started in a
temporary folder. Prints medians in ms and the ratio of the largest to the smallest size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.database import MongoTarget  # noqa: E402
from crawler.embedded import EmbeddedServer  # noqa: E402
from crawler.replica.corpus import default_corpus_path, load_corpus  # noqa: E402
from crawler.similarity import Fingerprint, lookup_buckets, matches, time_bucket  # noqa: E402
from crawler.store import ArticleWrite, Store, apply_writes  # noqa: E402
from pipelines.stories import StoriesPipeline  # noqa: E402

ARTICLES_PER_DAY = 300
START = datetime(2025, 1, 1, tzinfo=UTC)
SAMPLES = 40


def vocabulary() -> list[str]:
    words = []
    for article in load_corpus(default_corpus_path()):
        words.extend(article.body.split())
    return words


LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
CORPUS_SHARE = 0.75  # unrelated synthetic texts then score ~0.015 on median, as real news does


def synthetic_body(rng: random.Random, words: list[str]) -> str:
    """Unrelated news-like text: corpus words mixed with invented ones (names, places)."""
    return " ".join(
        rng.choice(words) if rng.random() < CORPUS_SHARE
        else "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7)))
        for _ in range(rng.randint(90, 200))
    )


def fill(store: Store, start: int, stop: int, rng: random.Random, words: list[str]) -> None:
    batch = []
    for i in range(start, stop):
        published = START + timedelta(days=i / ARTICLES_PER_DAY)
        url = f"https://bench.example/{i}"
        body = synthetic_body(rng, words)
        fingerprint = Fingerprint.of(url, "bench", body, published)
        batch.append(ArticleWrite(
            "insert", {"canonical_url": url, "outlet": "bench", "body": body,
                       "published_at": published, "story_id": url[-12:]},
            story_bucket=time_bucket(published), signature=fingerprint.signature,
            anchors=fingerprint.anchors, summary=fingerprint.summary))
        if len(batch) >= 1000 or i == stop - 1:
            apply_writes(store, batch)
            batch = []


async def time_lookups(store: Store, size: int, rng: random.Random,
                       words: list[str]) -> tuple[list[float], list[float]]:
    """ms per bucket load, and per lookup + verification, for new articles published at the
    archive's end (as one crawl's stories stage makes them)."""
    stage = StoriesPipeline(store=store)
    find_articles = store.find_articles

    def counted(urls, projection=None):
        reads.append(len(urls))
        return find_articles(urls, projection)

    reads: list[int] = []
    store.find_articles = counted
    newest = START + timedelta(days=size / ARTICLES_PER_DAY)
    loads, lookups = [], []
    for n in range(SAMPLES):
        published = newest - timedelta(days=rng.uniform(0, 8))
        fingerprint = Fingerprint.of(f"new-{n}", "bench", synthetic_body(rng, words), published)
        for bucket in lookup_buckets(published):
            if bucket not in stage.index.buckets:
                t0 = time.perf_counter()
                await stage.load_buckets([bucket])
                loads.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        candidates = await stage.candidates(fingerprint)
        matches(fingerprint, [c.fingerprint for c in candidates.values()])
        lookups.append((time.perf_counter() - t0) * 1000)
    store.find_articles = find_articles
    print(f"  {len(reads)} of {SAMPLES} lookups read stored text ({sum(reads)} articles)")
    return loads, lookups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--uri", default=os.environ.get("NEWSCRAWL_TEST_MONGO_URI"))
    args = parser.parse_args()
    server = None
    if args.uri:
        uri, label = args.uri, "external MongoDB"
    else:
        server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="nc-bench-")))
        uri, label = server.ensure_running(), "embedded nx-27017"
    store = Store(MongoTarget(uri, "nc_bench_neardup", embedded=server is not None))
    store.db.client.drop_database("nc_bench_neardup")
    store.ensure_indexes()
    rng, words = random.Random(7), vocabulary()
    filled, medians = 0, {}
    try:
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            fill(store, filled, size, rng, words)
            filled = size
            loads, lookups = asyncio.run(time_lookups(store, size, rng, words))
            medians[size] = statistics.median(lookups)
            print(f"{label}: {size:>7} articles (filled in {time.perf_counter() - t0:.0f}s): "
                  f"bucket load median {statistics.median(loads):.0f} ms ({len(loads)} "
                  f"buckets); lookup median {medians[size]:.2f} ms, p90 "
                  f"{statistics.quantiles(lookups, n=10)[-1]:.2f} ms, mean "
                  f"{statistics.fmean(lookups):.2f} ms", flush=True)
        small, large = min(medians), max(medians)
        print(f"lookup ratio {large}/{small}: {medians[large] / medians[small]:.2f}")
    finally:
        store.db.client.drop_database("nc_bench_neardup")
        if server:
            server.stop()


if __name__ == "__main__":
    main()
