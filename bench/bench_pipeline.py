"""Pipeline cost per article, stage by stage, on the bundled corpus's almaghribtoday pages.

Pages are rendered by the replica site (no sockets); every stage is the real one, and the
dedupe, stories and store stages talk to a real server (embedded nx-27017 unless --uri).

    python bench/bench_pipeline.py [--uri MONGO_URI] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse  # noqa: E402

from crawler.database import MongoTarget  # noqa: E402
from crawler.embedded import EmbeddedServer  # noqa: E402
from crawler.replica.corpus import default_corpus_path, load_corpus  # noqa: E402
from crawler.replica.server import ReplicaServer  # noqa: E402
from crawler.store import Store  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.normalize import NormalizePipeline  # noqa: E402
from pipelines.store import as_write  # noqa: E402
from pipelines.stories import StoriesPipeline  # noqa: E402
from pipelines.timestamps import TimestampsPipeline  # noqa: E402
from pipelines.topics import TopicsPipeline  # noqa: E402
from pipelines.validate import ValidatePipeline  # noqa: E402
from spiders.almaghribtoday import OUTLET, AlmaghribtodaySpider  # noqa: E402


def pages() -> list[tuple[str, bytes]]:
    articles = [a for a in load_corpus(default_corpus_path()) if a.outlet == "almaghribtoday"]
    replica = ReplicaServer(articles)
    host = {"x-newscrawl-host": "www.almaghribtoday.net"}
    out = []
    for article in articles:
        response = replica.handle("GET", quote(article.path), host, b"")
        out.append((OUTLET.absolute(article.path), response.body))
    return out


async def run_round(store: Store, rendered: list[tuple[str, bytes]]) -> dict[str, list[float]]:
    stages = {
        "extract": None,
        "validate": ValidatePipeline(outlet=OUTLET),
        "normalize": NormalizePipeline(outlet=OUTLET),
        "timestamps": TimestampsPipeline(outlet=OUTLET),
        "dedupe": DedupePipeline(store=store, outlet=OUTLET),
        "stories": StoriesPipeline(store=store, outlet=OUTLET),
        "topics": TopicsPipeline(rules=None, outlet=OUTLET),
    }
    costs: dict[str, list[float]] = {name: [] for name in [*stages, "store (batch/50)"]}
    writes = []
    for url, body in rendered:
        t0 = time.perf_counter()
        response = HtmlResponse(url=url, body=body)
        item = AlmaghribtodaySpider.page_class.from_response(response, OUTLET).to_article()
        costs["extract"].append(time.perf_counter() - t0)
        for name, stage in list(stages.items())[1:]:
            t0 = time.perf_counter()
            result = stage.process_item(item)
            item = await result if asyncio.iscoroutine(result) else result
            costs[name].append(time.perf_counter() - t0)
        writes.append(as_write(item))
    from crawler.store import apply_writes

    for start in range(0, len(writes), 50):
        batch = writes[start:start + 50]
        t0 = time.perf_counter()
        apply_writes(store, batch)
        costs["store (batch/50)"].extend([(time.perf_counter() - t0) / len(batch)] * len(batch))
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", default=os.environ.get("NEWSCRAWL_TEST_MONGO_URI"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = None
    if args.uri:
        uri, label = args.uri, "external MongoDB"
    else:
        server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="nc-bench-")))
        uri, label = server.ensure_running(), "embedded nx-27017"
    rendered = pages()
    totals: dict[str, list[float]] = {}
    try:
        for _ in range(args.rounds):  # each round on a fresh database: all articles are new
            store = Store(MongoTarget(uri, "nc_bench_pipeline", embedded=server is not None))
            store.db.client.drop_database("nc_bench_pipeline")
            store.ensure_indexes()
            for name, values in asyncio.run(run_round(store, rendered)).items():
                totals.setdefault(name, []).extend(values)
            store.db.client.drop_database("nc_bench_pipeline")
    finally:
        if server:
            server.stop()
    print(f"{label}, {len(rendered)} articles x {args.rounds} rounds, median ms per article:")
    overall = 0.0
    for name, values in totals.items():
        median = statistics.median(values) * 1000
        overall += median
        print(f"  {name:<18} {median:8.2f}")
    print(f"  {'total':<18} {overall:8.2f}")


if __name__ == "__main__":
    main()
