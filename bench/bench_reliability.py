"""Fault injection, measured: what an interrupted crawl, a restarted embedded server, gzip bombs
and repeated crawls do, with this code or another checkout's (`--code DIR`, e.g. an unpacked
`git archive main`, to get the figures from before a change).

    python bench/bench_reliability.py gap      [--code DIR] [--articles 120]
    python bench/bench_reliability.py restart  [--code DIR]
    python bench/bench_reliability.py bombs    [--code DIR]
    python bench/bench_reliability.py serverlog [--code DIR] [--crawls 3]

Each crawl is the `newscrawl` console script in its own NEWSCRAWL_HOME under a temporary
folder; the replica site (with its fault knobs) is always this checkout's. `--code` only puts
DIR first on the crawl's PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pymongo  # noqa: E402

from crawler.replica.corpus import default_corpus_path, load_corpus  # noqa: E402
from crawler.replica.faults import Faults  # noqa: E402
from crawler.replica.server import ReplicaServer  # noqa: E402

NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
LISTING = "/36-في-الأخبار-أيضا"
PASSWORD = "s3cret-Pw0rd"


def environment(home: Path, code: str | None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), **extra}
    for name in ("NEWSCRAWL_MONGO_URI", "NEWSCRAWL_CONFIG"):
        if name not in extra:
            env.pop(name, None)
    if code:
        env["PYTHONPATH"] = code
    return env


def newscrawl(*args: str, env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run([NEWSCRAWL, *args], env=env, capture_output=True, text=True,
                          timeout=1800)
    if check and proc.returncode:
        sys.exit(f"newscrawl {' '.join(args)} failed: {proc.stderr[-500:]}")
    return proc


def embedded_uri(home: Path) -> str:
    state = json.loads((home / "db" / "server.json").read_text())
    return f"mongodb://127.0.0.1:{state['port']}/newscrawl"


def wait_for(predicate, timeout: float = 300) -> None:
    from tests.conftest import wait_until

    wait_until(predicate, timeout, "the crawl to store articles")


def gap(args: argparse.Namespace, tmp: Path) -> None:
    """Kill a crawl while it walks a long listing, crawl again, count what is stored."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_interrupted_crawl import security_corpus

    corpus = security_corpus(tmp / "corpus.jsonl", args.articles)
    home = tmp / "home"
    env = environment(home, args.code)
    newscrawl("db", "start", env=env, check=True)
    db = pymongo.MongoClient(embedded_uri(home)).newscrawl
    faults = Faults(latency_ms=2000, latency_paths={LISTING})
    with ReplicaServer(load_corpus(tmp / "corpus.jsonl"), faults=faults) as replica:
        crawl = [NEWSCRAWL, "crawl", "almaghribtoday", "--section", "security", "--replica",
                 replica.url, "-s", "NEWSCRAWL_STORE_BATCH=5", "-s", "NEWSCRAWL_STORE_FLUSH_S=0.3"]
        first = subprocess.Popen(crawl, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        wait_for(lambda: db.articles.estimated_document_count() >= args.kill_at)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = db.articles.count_documents({})
        pages_read = sum(n for p, n in replica.request_log.snapshot().items()
                         if p.startswith(LISTING))
        replica.faults = Faults()
        replica.request_log.clear()
        second = subprocess.run(crawl, env=env, capture_output=True, text=True)
        again = sum(n for p, n in replica.request_log.snapshot().items()
                    if p.startswith(LISTING))
    stored = db.articles.count_documents({})
    distinct = len(db.articles.distinct("canonical_url"))
    print(f"corpus {len(corpus)} articles ({-(-len(corpus) // 10)} listing pages); killed at "
          f"{killed_at} stored after {pages_read} listing pages; rerun (exit "
          f"{second.returncode}) read {again} listing pages; stored {stored} "
          f"({distinct} distinct), missing {len(corpus) - stored}")
    newscrawl("db", "stop", env=env)


def restart(args: argparse.Namespace, tmp: Path) -> None:
    """Restart the embedded server while a crawl writes to it; count what was spooled."""
    home = tmp / "home"
    env = environment(home, args.code, NEWSCRAWL_MONGO_TIMEOUT_MS="1000")
    newscrawl("db", "start", env=env, check=True)
    uri = embedded_uri(home)
    db = pymongo.MongoClient(uri).newscrawl
    articles = load_corpus(default_corpus_path())
    with ReplicaServer(articles, faults=Faults(latency_ms=120)) as replica:
        crawl = subprocess.Popen(
            [NEWSCRAWL, "crawl", "almaghribtoday", "--replica", replica.url, "--stats-file",
             str(tmp / "stats.json"), "-s", "NEWSCRAWL_STORE_BATCH=5", "-s",
             "NEWSCRAWL_STORE_FLUSH_S=0.3", "-s", "NEWSCRAWL_STORE_RETRIES=8"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: db.articles.estimated_document_count() >= 5)
        newscrawl("db", "stop", env=env, check=True)
        newscrawl("db", "start", env=env, check=True)
        crawl.wait()
    counts = json.loads((tmp / "stats.json").read_text())[0]["counts"]
    total = sum(a.outlet == "almaghribtoday" for a in articles)
    stored = pymongo.MongoClient(embedded_uri(home)).newscrawl.articles.count_documents({})
    print(f"address {uri} -> {embedded_uri(home)}; crawl exit {crawl.returncode}; "
          f"stored {stored} of {total}, spooled {counts['spooled']}")
    newscrawl("db", "stop", env=env)


def bombs(args: argparse.Namespace, tmp: Path) -> None:
    """Peak memory of a crawl fed a 200 MB gzip bomb, one kind at a time."""
    articles = load_corpus(default_corpus_path())
    security = [a for a in articles if a.outlet == "almaghribtoday" and a.section == "security"]
    kinds = {  # name: (bombed paths, sitemaps of the section)
        "sitemap with Content-Encoding": ({"/bomb-sitemap.xml"}, "/bomb-sitemap.xml"),
        "sitemap.xml.gz": ({"/bomb-sitemap.xml"}, "/bomb-sitemap.xml.gz"),
        "article with Content-Encoding": ({security[0].path}, "/no-sitemap.xml"),
    }
    report = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode;"
              " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
    for name, (paths, sitemap) in kinds.items():
        home = tmp / name.replace(" ", "-")
        home.mkdir()
        config = home / "newscrawl.toml"
        config.write_text(f'[outlets.almaghribtoday.sections.security]\nsitemaps = ["{sitemap}"]\n')
        env = environment(home, args.code, NEWSCRAWL_CONFIG=str(config))
        with ReplicaServer(articles, faults=Faults(bomb_paths=paths, bomb_mb=200)) as replica:
            proc = subprocess.run(
                [sys.executable, "-c", report, NEWSCRAWL, "crawl", "almaghribtoday", "--section",
                 "security", "--replica", replica.url, "--stats-file", str(home / "stats.json")],
                env=env, capture_output=True, text=True)
        peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
        stats = json.loads((home / "stats.json").read_text())[0]
        dropped = {k: v for k, v in stats["stats"].items() if k.startswith("dropped/")}
        print(f"{name}: peak {peak:.0f} MB, stored {stats['counts']['stored']}, "
              f"errors {stats['counts']['errors']}, dropped {dropped or 'nothing'}")
        newscrawl("db", "stop", env=env)


def serverlog(args: argparse.Namespace, tmp: Path) -> None:
    """The embedded server's log after N crawls, one of them with a PLAIN login."""
    home = tmp / "home"
    env = environment(home, args.code)
    newscrawl("db", "start", env=env, check=True)
    port = json.loads((home / "db" / "server.json").read_text())["port"]
    plain = f"mongodb://reader:{PASSWORD}@127.0.0.1:{port}/newscrawl?authMechanism=PLAIN"
    with ReplicaServer(load_corpus(default_corpus_path())) as replica:
        for n in range(args.crawls):
            login = {"NEWSCRAWL_MONGO_URI": plain} if n == 0 else {}
            newscrawl("crawl", "almaghribtoday", "--replica", replica.url,
                      env={**env, **login})
    newscrawl("db", "stop", env=env)
    logs = sorted((home / "db").glob("nx-27017.log*"))
    text = "".join(p.read_text(errors="replace") for p in logs)
    modes = ", ".join(f"{p.name} {oct(p.stat().st_mode & 0o777)}" for p in logs)
    print(f"{args.crawls} crawls: server log {sum(p.stat().st_size for p in logs)} bytes, "
          f"{len(text.splitlines())} lines, {text.count('Traceback')} tracebacks, password "
          f"{text.count(PASSWORD)} times; {modes}; db folder "
          f"{oct((home / 'db').stat().st_mode & 0o777)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["gap", "restart", "bombs", "serverlog"])
    parser.add_argument("--code", help="another checkout to run the crawls with")
    parser.add_argument("--articles", type=int, default=120, help="gap: corpus size")
    parser.add_argument("--kill-at", type=int, default=20, help="gap: stored when killed")
    parser.add_argument("--crawls", type=int, default=3, help="serverlog: crawls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reliability-") as tmp:
        globals()[args.what](args, Path(tmp))


if __name__ == "__main__":
    main()
