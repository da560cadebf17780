"""How fast the dashboard answers on a big archive: every page and API call, on the embedded
server, through a real `newscrawl web` process.

The archive comes from bench/archive.py (built once and reused); this script adds a year-like
run history (14 jobs every 30 minutes, as the scheduler writes them) and a schedule file, starts
`newscrawl web` on it, waits until the overview's 30-day counts are ready (reported: what it
costs once at start), then requests each URL `--repeat` times in turn and prints the median,
p90 and worst time of each.

    python bench/bench_web.py --articles 100000   # builds or reuses $TMPDIR/newscrawl-web-bench-N
    python bench/bench_web.py --articles 100000 --runs 20000 --repeat 15
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.archive import builtin_outlets, embedded_store, open_archive  # noqa: E402
from crawler.store import Store  # noqa: E402
from scheduler.history import RunHistory  # noqa: E402

NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
RUNS_META = "bench_runs"
BUDGET_MS = 300


def build_runs(store: Store, count: int, jobs: list[tuple[str, str]]) -> int:
    """`count` finished runs of `jobs`, newest now, one job every 30 minutes each."""
    meta = store.db[RUNS_META].find_one({"_id": "runs"})
    if meta and meta.get("count") == count:
        return count
    store.db.drop_collection("runs")
    store.db.drop_collection(RUNS_META)
    RunHistory(store.db).ensure_indexes()
    rng = random.Random(20261201)
    now = datetime.now(UTC).replace(microsecond=0)
    batch: list[dict[str, Any]] = []
    for i in range(count):
        name, spider = jobs[i % len(jobs)]
        started = now - timedelta(minutes=30 * (i // len(jobs)) + 2 * (i % len(jobs)) + 5)
        status = rng.choices(["ok", "degraded", "failed", "timeout"], [88, 6, 5, 1])[0]
        stored = 0 if status in ("failed", "timeout") else rng.randint(0, 12)
        run_id = f"{i:012x}"
        batch.append({
            "_id": run_id, "run_id": run_id, "job": name, "spider": spider,
            "sections": ["security"], "trigger": "schedule", "attempt": 1, "max_attempts": 3,
            "scheduled_at": started, "started_at": started,
            "ended_at": started + timedelta(seconds=40), "duration_s": 40.0, "status": status,
            "exit_code": 0 if status in ("ok", "degraded") else 1, "host": "crawler-1",
            "scheduler_pid": 4242, "scheduler_id": "bench", "lease_owner": "bench",
            "command": ["newscrawl", "crawl", spider, "--section", "security"],
            "log_file": f"/var/lib/newscrawl/jobs/{name}/{run_id}.log",
            "pages": rng.randint(3, 40), "errors": rng.randint(0, 2),
            "items": {"scraped": stored + 3, "stored": stored, "duplicates": 3,
                      "dropped": 1, "dropped_by_reason": {"already_stored": 1},
                      "missing_published_at": 0, "spooled": 0},
            "finish_reason": "finished", "health": [], "reason": None,
            "log_tail": [f"2026-11-30 12:00:{s:02d} [scrapy.core.engine] INFO: line {s}"
                         for s in range(40)],
            "output_tail": [],
        })
        if len(batch) == 1000:
            store.db.runs.insert_many(batch)
            batch = []
    if batch:
        store.db.runs.insert_many(batch)
    store.db[RUNS_META].insert_one({"_id": "runs", "count": count})
    return count


def request(base: str, path: str) -> tuple[int, float, bytes]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, elapsed, body


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def targets(store: Store, jobs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, path) of every page and API call, with real values from the archive."""
    article = store.articles.find_one({"duplicate_of": {"$gt": ""}},  # a story of several
                                      {"canonical_url": 1, "story_id": 1})
    url = quote(article["canonical_url"], safe="")
    run_id = store.db.runs.find_one({}, {"_id": 1}, sort=[("started_at", -1)])["_id"]
    job = jobs[3][0]
    filters = [
        ("newest", ""), ("outlet", "outlet=hespress"),
        ("outlet+section", "outlet=almaghribtoday&section=security"),
        ("topic", "topic=security"), ("search", "search=" + quote("الشرطة")),
        ("since+until", "since=7d&until=3d"), ("unique stories", "unique_stories=true"),
        ("page 50", "page=50"),
    ]
    paths = [("overview /", "/")]
    paths += [(f"runs /runs {label}", path) for label, path in (
        ("", "/runs"), ("job", f"/runs?job={job}"), ("status", "/runs?status=failed"),
        ("since+until", "/runs?since=3d&until=2d"), ("page 20", "/runs?page=20"))]
    paths += [("run /runs/ID", f"/runs/{run_id}")]
    paths += [(f"articles /articles {label}", "/articles" + (f"?{q}" if q else ""))
              for label, q in filters]
    paths += [("article /article?url=", f"/article?url={url}")]
    paths += [(f"API /api/articles {label}", "/api/articles" + (f"?{q}" if q else ""))
              for label, q in filters]
    paths += [("API /api/article", f"/api/article?url={url}"),
              ("API /api/stories/ID", f"/api/stories/{quote(article['story_id'])}"),
              ("API /api/runs", "/api/runs"), ("API /api/runs?job", f"/api/runs?job={job}"),
              ("API /api/runs/ID", f"/api/runs/{run_id}"), ("API /api/jobs", "/api/jobs"),
              ("API /api/outlets", "/api/outlets")]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    home = args.home or Path(tempfile.gettempdir()) / f"newscrawl-web-bench-{args.articles}"
    store, server = embedded_store(home)
    outlets = builtin_outlets()
    jobs = [(f"{o.key}-security", o.key) for o in outlets]
    config = Path(tempfile.mkdtemp(prefix="bench-web-")) / "schedule.toml"
    config.write_text("".join(
        f'[[jobs]]\nname = "{name}"\nspider = "{spider}"\nsections = ["security"]\n'
        f'interval = "30m"\n\n' for name, spider in jobs))
    web = None
    try:
        info = open_archive(store, args.articles)
        store.ensure_indexes()  # those of this version of the code
        build_runs(store, args.runs, jobs)
        paths = targets(store, jobs)
        env = {**os.environ, "NEWSCRAWL_HOME": str(home)}
        for name in ("NEWSCRAWL_MONGO_URI", "NEWSCRAWL_CONFIG", "NEWSCRAWL_WEB_TOKEN"):
            env.pop(name, None)
        log = config.parent / "web.log"
        started = time.perf_counter()
        web = subprocess.Popen([NEWSCRAWL, "web", "--port", "0", "--config", str(config)],
                               env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
        base = wait_for(lambda: (m := re.search(r"serving (http://\S+?)/", log.read_text()))
                        and m[1], 300, "the dashboard")
        wait_for(lambda: request(base, "/static/dashboard.css")[0] == 200, 300, "an answer")
        serving = time.perf_counter() - started
        wait_for(lambda: json.loads(request(base, "/api/outlets")[2])["counting"] is False,
                 900, "the 30-day counts")
        counted = time.perf_counter() - started
        print(f"archive: {info['articles']} articles, {args.runs} runs; `newscrawl web` "
              f"answered after {serving:.1f} s, 30-day counts ready after {counted:.1f} s")
        for _label, path in paths:  # one warm-up each
            request(base, path)
        times: dict[str, list[float]] = {label: [] for label, _ in paths}
        for _ in range(args.repeat):
            for label, path in paths:
                status, elapsed, _body = request(base, path)
                if status != 200:
                    raise SystemExit(f"{path}: HTTP {status}")
                times[label].append(elapsed)
        print("\n| request | median ms | p90 ms | worst ms |\n| --- | ---: | ---: | ---: |")
        over = []
        for label, values in times.items():
            values.sort()
            p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
            print(f"| {label} | {statistics.median(values):.0f} | {p90:.0f} | "
                  f"{values[-1]:.0f} |")
            if statistics.median(values) > BUDGET_MS:
                over.append(label)
        print(f"\nmedian over {BUDGET_MS} ms: {', '.join(over) or 'none'}")
    finally:
        if web is not None:
            web.send_signal(signal.SIGINT)
            web.wait(timeout=60)
        store.close()
        server.stop()


if __name__ == "__main__":
    main()
