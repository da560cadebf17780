"""`newscrawl stories` reading cost as the archive grows (10,000 then 100,000 articles).

Articles arrive at ARTICLES_PER_DAY; one story in seven is told by 2-4 outlets within hours.
Times the reading of crawler/stories.py (StoryQuery.run for --since 2d and 7d, read_story for
`stories show`) at the archive's end: it reads the window's articles through the published_at
index, so its cost should follow the window, not the archive. Run:

    python bench/bench_stories_read.py [--sizes 10000 100000] [--uri MONGO_URI]

Without --uri (or NEWSCRAWL_TEST_MONGO_URI) an embedded nx-27017 server is started in a
temporary folder. Prints medians in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import bench_store, uri_option_default  # noqa: E402
from crawler.store import Store  # noqa: E402
from crawler.stories import StoryQuery, read_story  # noqa: E402

ARTICLES_PER_DAY = 300
START = datetime(2025, 1, 1, tzinfo=UTC)
OUTLETS = ["almaghribtoday", "hespress", "le360", "alyaoum24", "hibapress", "barlamane",
           "akhbarona", "casablancatoday"]
SAMPLES = 15


def fill(store: Store, start: int, size: int, rng: random.Random) -> tuple[datetime, int]:
    """Articles start..size (a little more: the last story is whole); the archive's end."""
    batch, n = [], start
    while n < size:
        published = START + timedelta(days=n / ARTICLES_PER_DAY)
        told_by = rng.sample(OUTLETS, rng.choice([2, 3, 4])) if rng.random() < 0.15 else [
            rng.choice(OUTLETS)]
        story = n  # the index of its first article: unique
        for k, outlet in enumerate(told_by):
            batch.append({
                "canonical_url": f"https://bench.example/{n}", "outlet": outlet,
                "section": "security", "title": f"عنوان الخبر {story}",
                "published_at": published + timedelta(minutes=40 * k),
                "story_id": f"{story:016x}", "topics": ["security"] if story % 2 else [],
                "duplicate_of": "" if k != 1 else f"https://bench.example/{n - 1}",
            })
            n += 1
        if len(batch) >= 1000 or n >= size:
            store.articles.insert_many(batch, ordered=False)
            batch = []
    return START + timedelta(days=n / ARTICLES_PER_DAY), n


def median_ms(action, samples: int = SAMPLES) -> tuple[float, object]:
    costs, result = [], None
    for _ in range(samples):
        t0 = time.perf_counter()
        result = action()
        costs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(costs), result


def measure(store: Store, end: datetime) -> None:
    for days in (2, 7):
        query = StoryQuery(since=end - timedelta(days=days))
        ms, found = median_ms(lambda q=query: q.run(store))
        print(f"  stories --since {days}d: median {ms:.0f} ms ({len(found)} stories shown)",
              flush=True)
    query = StoryQuery(since=end - timedelta(days=7), topics=["security"], outlets=["hespress"],
                       min_outlets=3)
    ms, found = median_ms(lambda: query.run(store))
    print(f"  stories --since 7d --topic security --outlet hespress --min-outlets 3: "
          f"median {ms:.0f} ms", flush=True)
    story_id = found[0].story_id if found else f"{1:016x}"
    ms, _ = median_ms(lambda: read_story(store, story_id))
    print(f"  stories show: median {ms:.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--uri", default=uri_option_default())
    args = parser.parse_args()
    with bench_store(args.uri, "nc_bench_stories") as (store, label):
        filled, rng = 0, random.Random(7)
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            end, filled = fill(store, filled, size, rng)
            print(f"{label}: {size} articles (filled in {time.perf_counter() - t0:.0f}s)",
                  flush=True)
            measure(store, end)


if __name__ == "__main__":
    main()
