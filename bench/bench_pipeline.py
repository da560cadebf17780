"""Pipeline cost per article, stage by stage, on the bundled corpus's almaghribtoday pages.

Pages are rendered by the replica site (no sockets); every stage is the real one, and the
dedupe, stories and store stages talk to a real server (embedded nx-27017 unless --uri).
Articles go through one at a time, so a stage's database round trips are not overlapped or
batched as in a crawl. Two figures per stage: the time it takes (wall) and the CPU time this
process spends in it (the crawl's own cost; the database server's is not counted).

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
from crawler.extraction import ArticlePage  # noqa: E402
from crawler.replica.corpus import default_corpus_path, load_corpus  # noqa: E402
from crawler.replica.server import ReplicaServer  # noqa: E402
from crawler.store import Store, apply_writes  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.normalize import NormalizePipeline  # noqa: E402
from pipelines.store import as_write  # noqa: E402
from pipelines.stories import StoriesPipeline  # noqa: E402
from pipelines.timestamps import TimestampsPipeline  # noqa: E402
from pipelines.topics import TopicsPipeline  # noqa: E402
from pipelines.validate import ValidatePipeline  # noqa: E402
from spiders.almaghribtoday import OUTLET  # noqa: E402


def pages() -> list[tuple[str, bytes]]:
    articles = [a for a in load_corpus(default_corpus_path()) if a.outlet == "almaghribtoday"]
    replica = ReplicaServer(articles)
    host = {"x-newscrawl-host": "www.almaghribtoday.net"}
    out = []
    for article in articles:
        response = replica.handle("GET", quote(article.path), host, b"")
        out.append((OUTLET.absolute(article.path), response.body))
    return out


Costs = dict[str, list[tuple[float, float]]]  # stage -> (wall, cpu) seconds per article


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float], count: int = 1) -> tuple[float, float]:
    wall, cpu = clocks()
    return (wall - start[0]) / count, (cpu - start[1]) / count


async def run_round(store: Store, rendered: list[tuple[str, bytes]]) -> Costs:
    stages = {
        "extract": None,
        "validate": ValidatePipeline(outlet=OUTLET),
        "normalize": NormalizePipeline(outlet=OUTLET),
        "timestamps": TimestampsPipeline(outlet=OUTLET),
        "dedupe": DedupePipeline(store=store, outlet=OUTLET),
        "topics": TopicsPipeline(rules=None, outlet=OUTLET),  # before stories: evidence
        "stories": StoriesPipeline(store=store, outlet=OUTLET),
    }
    costs: Costs = {name: [] for name in [*stages, "store (batch/50)"]}
    writes = []
    for url, body in rendered:
        start = clocks()
        response = HtmlResponse(url=url, body=body)
        item = ArticlePage.from_response(response, OUTLET).to_article()
        costs["extract"].append(since(start))
        for name, stage in list(stages.items())[1:]:
            start = clocks()
            result = stage.process_item(item)
            item = await result if asyncio.iscoroutine(result) else result
            costs[name].append(since(start))
        writes.append(as_write(item))
    for first in range(0, len(writes), 50):
        batch = writes[first:first + 50]
        start = clocks()
        apply_writes(store, batch)
        costs["store (batch/50)"].extend([since(start, len(batch))] * len(batch))
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
    totals: Costs = {}
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
    print(f"  {'stage':<18} {'wall':>8} {'cpu':>8}")
    overall = [0.0, 0.0]
    for name, values in totals.items():
        medians = [statistics.median(v[k] for v in values) * 1000 for k in (0, 1)]
        overall = [a + b for a, b in zip(overall, medians, strict=True)]
        print(f"  {name:<18} {medians[0]:8.2f} {medians[1]:8.2f}")
    print(f"  {'total':<18} {overall[0]:8.2f} {overall[1]:8.2f}")
    pipeline = [o - statistics.median(v[k] for v in totals["extract"]) * 1000
                for k, o in enumerate(overall)]
    print(f"  {'pipeline stages':<18} {pipeline[0]:8.2f} {pipeline[1]:8.2f}")


if __name__ == "__main__":
    main()
