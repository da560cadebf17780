"""What one scheduled crawl costs a crawl node: wall time, CPU, memory and database writes.

The figures behind the capacity arithmetic of the README ("Several machines"). Each round, on
a fresh database: a first crawl of almaghribtoday's security section (every article new), then
a re-crawl that finds nothing new (what most scheduled runs are). Each crawl is the process the
local executor starts, `newscrawl crawl ... --replica URL` (a Scrapyd node runs the same crawl
through `scrapy crawl`), against the bundled replica site, with the embedded server.

A crawl that stores new articles also loads, once, the near-duplicate signatures of their time
buckets (pipelines/stories.py), however many outlets filed them: `--window N` files N random
signatures (with anchors and summaries) in one bucket and measures that load as the stories
stage does it (the query, then the in-memory index), in this process: what each signature of
a run's window costs.

    python bench/bench_crawl_run.py [--rounds 3] [--window 40000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pymongo import MongoClient  # noqa: E402

from crawler.database import MongoTarget  # noqa: E402
from crawler.embedded import EmbeddedServer  # noqa: E402
from crawler.replica.corpus import default_corpus_path, load_corpus  # noqa: E402
from crawler.replica.server import ReplicaServer  # noqa: E402
from crawler.similarity import NUM_PERM, BandIndex  # noqa: E402
from crawler.store import Store, signature_document  # noqa: E402

NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process (the database server)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(replica: str, env: dict[str, str], stats: Path, server_pid: int) -> dict[str, float]:
    cpu, db_cpu, started = children_cpu(), cpu_of(server_pid), time.monotonic()
    done = subprocess.run([NEWSCRAWL, "crawl", "almaghribtoday", "--section", "security",
                           "--replica", replica, "--stats-file", str(stats)], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}): {done.stderr[-500:]}")
    result = json.loads(stats.read_text())[0]
    return {"wall_s": wall, "cpu_s": children_cpu() - cpu, "db_cpu_s": cpu_of(server_pid) - db_cpu,
            "crawl_s": result["stats"].get("elapsed_time_seconds", 0.0),
            "rss_mb": result["stats"].get("memusage/max", 0) / 2**20,
            "pages": result["counts"]["pages"], "stored": result["counts"]["stored"]}


def window_load(uri: str, size: int, server_pid: int, rounds: int) -> dict[str, float]:
    """Load a bucket of `size` stored signatures as the stories stage does; medians. Each is
    filed, like an article, under anchors: two figures and two places (of 500), with the
    summary a news article has on median (Fingerprint.summary: four figures, two places, a
    topic, a day and six rare words)."""
    rng = random.Random(7)
    places = [f"مكان{n}" for n in range(500)]
    rare = [f"نادر{n}" for n in range(5000)]
    store = Store(MongoTarget(uri, uri.rsplit("/", 1)[1], embedded=False))
    store.ensure_indexes()
    bucket = 2500

    def filed(n: int) -> dict:
        figures = [float(rng.randrange(100, 100000)) for _ in range(2)]
        named = rng.sample(places, 2)
        summary = {"published": 1.7e9 + n, "figures": sorted([*figures, 3.0, 27.0]),
                   "places": sorted(named), "topics": ["security"], "moments": ["الخميس"],
                   "rare": sorted(rng.sample(rare, 6))}
        return signature_document(f"https://bench.example/{n}", bucket,
                                  [rng.getrandbits(32) for _ in range(NUM_PERM)],
                                  figures + named, summary)

    for start in range(0, size, 1000):
        store.story_signatures.insert_many([filed(n)
                                            for n in range(start, min(start + 1000, size))])
    loads = []
    for _ in range(rounds):
        wall, cpu, db_cpu = time.monotonic(), time.process_time(), cpu_of(server_pid)
        entries = store.story_signatures_in(bucket)
        query_wall, query_cpu = time.monotonic() - wall, time.process_time() - cpu
        db_cpu = cpu_of(server_pid) - db_cpu
        cpu = time.process_time()
        index = BandIndex()
        index.add_bucket(bucket, entries)
        index_cpu = time.process_time() - cpu
        assert len(index.signatures) == size
        loads.append({"query_wall_s": query_wall, "query_cpu_s": query_cpu,
                      "db_cpu_s": db_cpu, "index_cpu_s": index_cpu})
        del index
    tracemalloc.start()  # memory apart: tracing slows the CPU figures above
    index = BandIndex()
    index.add_bucket(bucket, entries)
    index_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    store.close()
    return {"index_mb": index_mb,
            **{key: statistics.median(load[key] for load in loads) for key in loads[0]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=0,
                        help="also load a bucket of this many stored signatures")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="nc-bench-run-"))
    server = EmbeddedServer(home)
    uri = server.ensure_running()
    server_pid = server.state().pid
    replica = ReplicaServer(load_corpus(default_corpus_path()))
    replica.start()
    client = MongoClient(uri)
    runs: dict[str, list[dict[str, float]]] = {"first crawl": [], "re-crawl": []}
    writes = []
    window = None
    try:
        for n in range(args.rounds):
            database = f"bench_run_{n}"
            env = {**os.environ, "NEWSCRAWL_HOME": str(home),
                   "NEWSCRAWL_MONGO_URI": uri.rsplit("/", 1)[0] + "/" + database}
            env.pop("NEWSCRAWL_CONFIG", None)
            runs["first crawl"].append(crawl(replica.url, env, home / "s.json", server_pid))
            db = client[database]
            stored = runs["first crawl"][-1]["stored"]
            docs = (db["articles"].count_documents({})
                    + db["story_signatures"].count_documents({}))
            writes.append(docs / max(stored, 1))
            runs["re-crawl"].append(crawl(replica.url, env, home / "s.json", server_pid))
            client.drop_database(database)
        if args.window:
            window = window_load(uri.rsplit("/", 1)[0] + "/bench_window", args.window,
                                 server_pid, args.rounds)
            client.drop_database("bench_window")
    finally:
        client.close()
        replica.stop()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"{args.rounds} rounds, medians (load average now {os.getloadavg()[0]:.1f})")
    print(f"{'run':<12} {'wall s':>7} {'crawl s':>8} {'CPU s':>6} {'DB CPU s':>9} "
          f"{'RSS MB':>7} {'pages':>6} {'stored':>7}")
    for name, values in runs.items():
        med = {key: statistics.median(v[key] for v in values) for key in values[0]}
        print(f"{name:<12} {med['wall_s']:7.1f} {med['crawl_s']:8.1f} {med['cpu_s']:6.1f} "
              f"{med['db_cpu_s']:9.1f} {med['rss_mb']:7.0f} {med['pages']:6.0f} "
              f"{med['stored']:7.0f}")
    print(f"documents written per stored article (article + near-duplicate signature): "
          f"{statistics.median(writes):.1f}")
    if window:
        per = 1e6 / args.window
        print(f"a bucket of {args.window} signatures, loaded as the stories stage does "
              f"(medians of {args.rounds}): query {window['query_wall_s']:.1f} s wall, "
              f"{window['query_cpu_s']:.1f} CPU s here and {window['db_cpu_s']:.1f} in the "
              f"server; in-memory index {window['index_cpu_s']:.1f} CPU s, "
              f"{window['index_mb']:.0f} MB")
        print(f"per signature: {window['query_cpu_s'] * per + window['index_cpu_s'] * per:.0f} "
              f"µs CPU in the crawl, {window['db_cpu_s'] * per:.0f} µs in the server, "
              f"{window['index_mb'] * 2**20 / args.window / 1024:.1f} KB of memory")


if __name__ == "__main__":
    main()
