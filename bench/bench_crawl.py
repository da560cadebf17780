"""Crawl throughput with and without the item pipelines, side by side, on the replica site.

Two crawls, each run with `-s ITEM_PIPELINES={}` (fetch and extract only) and without (every
stage, into MongoDB), alternated, every run on a fresh NEWSCRAWL_HOME with its own embedded
server (started before the clock starts, stopped after):

- single: one outlet, `newscrawl crawl almaghribtoday --section security --replica URL
  --max-pages 100` over a generated corpus of distinct security articles, AutoThrottle off,
  no delay, 16 concurrent requests (16 per domain);
- outlets: all fourteen outlets' security sections in one process, as `newscrawl demo` runs
  them (crawler.run.run_crawls), same settings, over a generated corpus shared among them.

Reported per crawl (medians of the rounds): the crawl's time (first "Spider opened" to last
"Spider closed" in the log) and the whole command's, time off / time on, articles stored,
peak memory (Scrapy's `memusage/max`, sampled every 0.5 s, and the process's peak RSS from
wait4), the close (seconds between "Closing spider" and "Spider closed"), and the CPU seconds
of the crawl process, the embedded server and the replica site (served by this process).

    python bench/bench_crawl.py [--rounds 3] [--articles 600] [--crawls single outlets]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
FAST = {"AUTOTHROTTLE_ENABLED": "false", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
MEASURE = {"MEMUSAGE_CHECK_INTERVAL_SECONDS": "0.5",
           "LOG_FORMAT": "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"}
NO_PIPELINES = {"ITEM_PIPELINES": "{}"}
MAX_PAGES = 100
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
CORPUS_SHARE = 0.75  # unrelated texts then score ~0.015 Jaccard on median, as real news does
WORDS = 130  # the real security stories of tests/fixtures/stories: 500-1,000 characters


# --- the corpus ---


def vocabulary() -> list[str]:
    from crawler.replica.corpus import default_corpus_path, load_corpus

    return [w for a in load_corpus(default_corpus_path()) for w in a.body.split()]


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    """News-like words: corpus words mixed with invented ones (names, places)."""
    return " ".join(
        rng.choice(words) if rng.random() < CORPUS_SHARE
        else "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7)))
        for _ in range(length)
    )


def write_corpus(path: Path, outlets: list[str], count: int, words_per_article: int,
                 seed: int = 9) -> Path:
    """`count` distinct security articles spread over `outlets`, one an hour back from now,
    of about `words_per_article` words in 3-6 paragraphs."""
    rng, words = random.Random(seed), vocabulary()
    newest = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    records = []
    for n in range(count):
        paragraphs = rng.randint(3, 6)
        length = round(words_per_article * rng.uniform(0.6, 1.4) / paragraphs)
        body = "\n\n".join(sentence(rng, words, length) for _ in range(paragraphs))
        records.append({
            "outlet": outlets[n % len(outlets)], "section": "security",
            "title": f"{sentence(rng, words, rng.randint(6, 10))} {n}", "body": body,
            "published": (newest - timedelta(hours=n)).isoformat(),
        })
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


# --- one crawl ---


def environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "NEWSCRAWL_HOME": str(home)}
    for name in ("NEWSCRAWL_MONGO_URI", "NEWSCRAWL_CONFIG"):
        env.pop(name, None)
    return env


def settings_args(pipelines: bool) -> list[str]:
    settings = {**FAST, **MEASURE, **({} if pipelines else NO_PIPELINES)}
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def single_command(replica: str, pipelines: bool, stats: Path, log: Path) -> list[str]:
    return [NEWSCRAWL, "crawl", "almaghribtoday", "--section", "security", "--replica", replica,
            "--max-pages", str(MAX_PAGES), *settings_args(pipelines), "--stats-file", str(stats),
            "--log-file", str(log)]


def outlets_command(replica: str, pipelines: bool, stats: Path, log: Path) -> list[str]:
    return [sys.executable, __file__, "--run-outlets", replica, "--stats-file", str(stats),
            "--log-file", str(log), *([] if pipelines else ["--no-pipelines"])]


def log_times(log: Path) -> tuple[float, float]:
    """(crawl, close) seconds from the log: first "Spider opened" to last "Spider closed", and
    the longest time between a "Closing spider" and the next "Spider closed"."""
    stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")
    opened: list[datetime] = []
    closing: list[datetime] = []
    closed: list[datetime] = []
    longest_close = 0.0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = stamp.match(line)
        if not found:
            continue
        when = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S.%f")
        if "] INFO: Spider opened" in line:
            opened.append(when)
        elif "] INFO: Closing spider (" in line:
            closing.append(when)
        elif "] INFO: Spider closed (" in line and closing:
            closed.append(when)
            longest_close = max(longest_close, (when - closing.pop(0)).total_seconds())
    return (max(closed) - min(opened)).total_seconds(), longest_close


def server_cpu_seconds(home: Path) -> float:
    """CPU time the embedded server of this NEWSCRAWL_HOME has used so far."""
    from crawler.embedded import EmbeddedServer

    state = EmbeddedServer(home).state()
    fields = Path(f"/proc/{state.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_one(command_of, replica: str, pipelines: bool) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="nc-bench-crawl-"))
    env = environment(home)
    stats_file, log = home / "stats.json", home / "crawl.log"
    try:
        subprocess.run([NEWSCRAWL, "db", "start"], env=env, check=True, capture_output=True)
        started, replica_cpu = time.perf_counter(), time.process_time()
        proc = subprocess.Popen(command_of(replica, pipelines, stats_file, log), env=env,
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        replica_cpu = time.process_time() - replica_cpu  # this process serves the replica
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"crawl failed ({proc.returncode}): {proc.stderr.read().decode()}")
        results = json.loads(stats_file.read_text())
        crawl, close = log_times(log)
        return {
            "wall_s": wall,
            "crawl_s": crawl,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "db_cpu_s": server_cpu_seconds(home),
            "replica_cpu_s": replica_cpu,
            "scraped": sum(r["stats"].get("item_scraped_count", 0) for r in results),
            "stored": sum(r["counts"]["stored"] for r in results),
            "memusage_mb": max(r["stats"].get("memusage/max", 0) for r in results) / 2**20,
            "maxrss_mb": usage.ru_maxrss / 1024,
            "close_s": close,
        }
    finally:
        subprocess.run([NEWSCRAWL, "db", "stop"], env=env, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def measure(name: str, command_of, replica: str, rounds: int) -> dict[str, dict[str, float]]:
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for n in range(rounds):
        for pipelines in ((False, True) if n % 2 == 0 else (True, False)):  # alternated
            result = run_one(command_of, replica, pipelines)
            runs[pipelines].append(result)
            print(f"  {name} round {n + 1} pipelines {'on ' if pipelines else 'off'}: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in result.items()), flush=True)
    return {("on" if p else "off"): {k: statistics.median(r[k] for r in results)
                                     for k in results[0]}
            for p, results in runs.items()}


def report(name: str, medians: dict[str, dict[str, float]]) -> None:
    off, on = medians["off"], medians["on"]
    print(f"{name}: crawl time off {off['crawl_s']:.1f} s, on {on['crawl_s']:.1f} s, "
          f"off/on {off['crawl_s'] / on['crawl_s']:.2f} (whole command {off['wall_s']:.1f} s / "
          f"{on['wall_s']:.1f} s, {off['wall_s'] / on['wall_s']:.2f}); "
          f"scraped {on['scraped']:.0f}, "
          f"stored {on['stored']:.0f}; memusage/max off {off['memusage_mb']:.0f} MB, "
          f"on {on['memusage_mb']:.0f} MB (peak RSS {off['maxrss_mb']:.0f} / "
          f"{on['maxrss_mb']:.0f} MB); close off {off['close_s']:.1f} s, on {on['close_s']:.1f} s; "
          f"CPU s crawl off {off['cpu_s']:.1f}, on {on['cpu_s']:.1f}, database off "
          f"{off['db_cpu_s']:.1f}, on {on['db_cpu_s']:.1f}, replica off "
          f"{off['replica_cpu_s']:.1f}, on {on['replica_cpu_s']:.1f}", flush=True)


# --- the fourteen-outlet crawl, in the subprocess ---


def run_outlets(replica: str, stats_file: Path, log_file: Path, pipelines: bool) -> None:
    from crawler.cli.crawl import write_stats
    from crawler.run import CrawlRequest, run_crawls, spider_names

    overrides = {"NEWSCRAWL_REPLICA_URL": replica, **FAST, **MEASURE,
                 **({} if pipelines else NO_PIPELINES)}
    requests = [CrawlRequest(name, sections=["security"], max_pages=MAX_PAGES)
                for name in spider_names()]
    write_stats(stats_file, run_crawls(requests, overrides, log_file=log_file))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--words", type=int, default=WORDS, help="words per article, on average")
    parser.add_argument("--crawls", nargs="+", choices=("single", "outlets"),
                        default=["single", "outlets"])
    parser.add_argument("--run-outlets", metavar="REPLICA_URL", help=argparse.SUPPRESS)
    parser.add_argument("--stats-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-pipelines", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_outlets:
        run_outlets(args.run_outlets, args.stats_file, args.log_file, not args.no_pipelines)
        return

    from crawler.replica.corpus import load_corpus
    from crawler.replica.server import ReplicaServer
    from crawler.run import spider_names

    folder = Path(tempfile.mkdtemp(prefix="nc-bench-corpus-"))
    crawls = {
        "single": (["almaghribtoday"], single_command),
        "outlets": (spider_names(), outlets_command),
    }
    try:
        for name in args.crawls:
            outlets, command_of = crawls[name]
            corpus = write_corpus(folder / f"{name}.jsonl", outlets, args.articles, args.words)
            with ReplicaServer(load_corpus(corpus)) as replica:
                print(f"{name}: {args.articles} articles of {len(outlets)} outlet(s), "
                      f"~{args.words} words each, {args.rounds} rounds each way", flush=True)
                report(name, measure(name, command_of, replica.url, args.rounds))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
