"""`newscrawl query` at scale: p50/p95 of its common forms over a 100,000-article archive.

Each form is timed in-process as the command runs it (`ArticleQuery.page`, the table format's
fields), its parameters rotating over the rounds (outlets, topics, word pairs). Beside it, the
plain pymongo path: the same filter sent as one `find(filter).sort(newest first).limit(n)`,
what any MongoDB would be asked, timed on the same server. Run:

    python bench/bench_query.py [--articles 100000] [--home DIR] [--rounds 20] [--plain]

The archive (bench/archive.py) is built on the first run in DIR (default
$TMPDIR/newscrawl-archive-ARTICLES) and reused afterwards; the embedded server is stopped at the
end. `--uri` measures another MongoDB instead (the archive is built there in `newscrawl_archive`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.archive import default_home, embedded_store, open_archive  # noqa: E402
from crawler.database import MongoTarget  # noqa: E402
from crawler.items import INTERNAL_FIELDS  # noqa: E402
from crawler.query import ArticleQuery  # noqa: E402
from crawler.store import Store, newest_first  # noqa: E402

TABLE_FIELDS = ["published_at", "outlet", "section", "title"]  # `newscrawl query`'s table
OUTLETS = ["hespress", "le360", "alyaoum24", "hibapress", "barlamane", "akhbarona",
           "almaghribtoday", "arabstoday", "casablancatoday", "algeriatoday", "libyatoday",
           "alsaudiatoday", "emiratesvoice", "moroccoworldnews"]
TOPICS = ["security", "politics", "economy", "sports"]
# Two-word searches a reader of Moroccan news types, rare to common (share of the archive
# matching both words is printed with the results).
WORD_PAIRS = ["وزير الداخلية", "البنك المركزي", "حادث سير", "المخدرات ميناء", "أسعار النفط",
              "الشرطة طنجة", "كأس العالم", "ارتفاع الأسعار", "توقيف مشتبه", "الأمن الوطني"]


@dataclass
class Form:
    name: str
    make: Callable[[int, datetime], dict[str, Any]]  # round, archive end -> ArticleQuery args


FORMS = [
    Form("`--outlet X --section security` newest 20",
         lambda i, end: {"outlets": [OUTLETS[i % len(OUTLETS)]], "sections": ["security"]}),
    Form("`--search` two words, newest 20",
         lambda i, end: {"search": WORD_PAIRS[i % len(WORD_PAIRS)]}),
    Form("`--unique-stories` newest 20", lambda i, end: {"unique_stories": True}),
    Form("`--since 1d` newest 20", lambda i, end: {"since": end - timedelta(days=1)}),
    Form("`--topic X` newest 20", lambda i, end: {"topics": [TOPICS[i % len(TOPICS)]]}),
    Form("`--since 1d --limit 0` (all of a day)",
         lambda i, end: {"since": end - timedelta(days=1), "limit": 0}),
    Form("`--until 90d` newest 20 (a time range)",
         lambda i, end: {"until": end - timedelta(days=90 + i)}),
    Form("`--outlet X` page 50 (skip 980) + has_more",
         lambda i, end: {"outlets": [OUTLETS[i % len(OUTLETS)]], "skip": 980}),
    Form("`--unique-stories` page 10 + has_more",
         lambda i, end: {"unique_stories": True, "skip": 180}),
]


def make_query(args: dict[str, Any]) -> ArticleQuery | None:
    """The query as `newscrawl query --format table` builds it (None: this version lacks it)."""
    known = ArticleQuery.__dataclass_fields__
    if any(name not in known for name in args):
        return None
    if "fields" in known:
        args = {**args, "fields": TABLE_FIELDS}
    return ArticleQuery(**args)


def run_query(query: ArticleQuery, store: Store) -> int:
    return len(query.page(store).articles if hasattr(query, "page") else query.run(store))


def run_plain(query: ArticleQuery, store: Store) -> int:
    """One find with the whole filter, sorted newest first, as any MongoDB would be asked."""
    hidden = {"_id": 0, **{name: 0 for name in INTERNAL_FIELDS}}
    cursor = newest_first(store.articles.find(query.filter(), hidden))
    if getattr(query, "skip", 0):
        cursor = cursor.skip(query.skip)
    if query.unique_stories:  # no server-side "newest of each story": read until enough
        seen: set[str] = set()
        for article in cursor:
            seen.add(article.get("story_id") or article.get("canonical_url"))
            if len(seen) >= query.limit + getattr(query, "skip", 0):
                break
        return len(seen)
    return len(list(cursor.limit(query.limit + 1) if query.limit else cursor))


def percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) == 1:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18]


def measure(store: Store, end: datetime, rounds: int, runner: Callable, label: str,
            forms: list[Form]) -> None:
    print(f"\n{label}\n\n| form | p50 ms | p95 ms | max ms | articles |\n"
          "| --- | ---: | ---: | ---: | ---: |", flush=True)
    for form in forms:
        if make_query(form.make(0, end)) is None:
            print(f"| {form.name} | n/a | n/a | n/a | |", flush=True)
            continue
        runner(make_query(form.make(rounds, end)), store)  # warm-up, untimed
        samples, counts = [], []
        for i in range(rounds):
            query = make_query(form.make(i, end))
            started = time.perf_counter()
            counts.append(runner(query, store))
            samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples)
        print(f"| {form.name} | {p50:.0f} | {p95:.0f} | {max(samples):.0f} | "
              f"{statistics.median(counts):.0f} |", flush=True)


def search_detail(store: Store, rounds: int) -> None:
    """`--search` cost against how many articles hold both words."""
    total = store.articles.estimated_document_count()
    print("\n`--search` newest 20, by word pair\n\n| words | articles with both | share | "
          "p50 ms |\n| --- | ---: | ---: | ---: |", flush=True)
    for pair in WORD_PAIRS:
        query = make_query({"search": pair})
        # count_documents of a `$text` filter answers 0 on the embedded server
        matched = sum(1 for _ in store.articles.find(query.filter(), {"_id": 1}))
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            run_query(query, store)
            samples.append((time.perf_counter() - started) * 1000)
        print(f"| {pair} | {matched} | {matched / total:.1%} | {statistics.median(samples):.0f} "
              "|", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--uri", default=os.environ.get("NEWSCRAWL_TEST_MONGO_URI"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--plain", action="store_true",
                        help="also time the plain pymongo path (slow on the embedded server)")
    parser.add_argument("--plain-rounds", type=int, default=3)
    parser.add_argument("--forms", help="comma-separated numbers of the forms to run (1-based)")
    parser.add_argument("--search-detail", action="store_true",
                        help="also time each word pair and count the articles it matches")
    args = parser.parse_args()
    server = None
    if args.uri:
        store = Store(MongoTarget(args.uri, "newscrawl_archive", embedded=False),
                      timeout_ms=120000)
        where = "external MongoDB"
    else:
        home = args.home or default_home(args.articles)
        store, server = embedded_store(home)  # long timeouts: plain scans take a while
        where = f"embedded nx-27017 in {home}"
    forms = FORMS if not args.forms else [FORMS[int(n) - 1] for n in args.forms.split(",")]
    try:
        info = open_archive(store, args.articles)
        started = time.perf_counter()
        store.ensure_indexes()  # as every crawl does: indexes this version declares
        indexing = time.perf_counter() - started
        size = f", {server.data_size() / 1e6:.0f} MB on disk" if server else ""
        print(f"{where}: {info['articles']} articles up to {info['end']:%Y-%m-%d %H:%M}Z (built "
              f"in {info['build_seconds']:.0f} s{size}; indexes checked in {indexing:.0f} s); "
              f"load average {os.getloadavg()[0]:.1f}")
        end = info["end"]
        measure(store, end, args.rounds, run_query, "ArticleQuery (what `newscrawl query` runs)",
                forms)
        if args.plain:
            measure(store, end, args.plain_rounds, run_plain,
                    "plain pymongo path (one find with the whole filter)", forms)
        if args.search_detail:
            search_detail(store, 3)
    finally:
        store.close()
        if server:
            server.stop()


if __name__ == "__main__":
    main()
