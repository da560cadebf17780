"""Stopping the database in the middle of a crawl loses no article: each one is stored after
a retry, or spooled and written back by `newscrawl db replay`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pymongo
import pytest

from crawler.embedded import EmbeddedServer, _free_port
from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.faults import Faults
from tests.conftest import NEWSCRAWL, REPO, run_cli, wait_until

CORPUS = default_corpus_path()
TOTAL = sum(a.outlet == "almaghribtoday" for a in load_corpus(CORPUS))  # the crawled outlet
FAST_STORE = ["-s", "NEWSCRAWL_STORE_BATCH=5", "-s", "NEWSCRAWL_STORE_FLUSH_S=0.3",
              # two pages at a time: the crawl outlasts a database stop even on a loaded machine
              "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


def start_nx(data: Path, port: int) -> subprocess.Popen:
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nx_27017.nx_27017", "--data-dir", str(data), "-p", str(port),
         "--pid-file", str(data / "nx.pid"), "--log-file", str(data / "nx.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}", serverSelectionTimeoutMS=200)

    def answers() -> bool:
        try:
            return bool(client.admin.command("ping"))
        except pymongo.errors.PyMongoError:
            return False

    wait_until(answers, 20, "nx-27017 to answer")
    return proc


def stored_count(uri: str) -> int | None:
    try:
        with pymongo.MongoClient(uri, serverSelectionTimeoutMS=1000) as client:
            return client.get_default_database().articles.count_documents({})
    except pymongo.errors.PyMongoError:
        return None


def wait_for_count(uri: str, at_least: int, timeout: float = 120) -> int:
    return wait_until(lambda: (n := stored_count(uri)) is not None and n >= at_least and n,
                      timeout, f"{at_least} stored articles")


def wait_for_outage_in_log(log: Path) -> None:
    """Hold the database down until the crawl has met the outage, so the test is about one."""
    wait_until(lambda: log.exists() and re.search(r"(write|lookup) failed", log.read_text(
        encoding="utf-8")), 60, "the crawl to meet the outage (a failed write or lookup in "
        "its log)")


def slow_crawl(env: dict[str, str], replica_url: str, stats: Path, *settings: str):
    return subprocess.Popen(
        [NEWSCRAWL, "crawl", "almaghribtoday", "--replica", replica_url, "--stats-file",
         str(stats), "--log-file", str(stats.with_suffix(".log")), *FAST_STORE, *settings],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def slow_replica(replica_server):
    # 72 articles, two at a time, 300 ms each: about 11 s of storing, a wide window for the
    # database to go away in mid-crawl (a faster crawl could finish before `db stop` returns)
    return replica_server(CORPUS, faults=Faults(latency_ms=300))


def test_database_restarted_mid_crawl_every_article_stored_after_retries(
    tmp_path, slow_replica
):
    port = _free_port()
    uri = f"mongodb://127.0.0.1:{port}/newscrawl"
    server = start_nx(tmp_path / "db", port)
    env = {**os.environ, "NEWSCRAWL_HOME": str(tmp_path / "home"), "NEWSCRAWL_MONGO_URI": uri,
           "NEWSCRAWL_MONGO_TIMEOUT_MS": "1000"}
    crawl = slow_crawl(env, slow_replica.url, tmp_path / "stats.json",
                       "-s", "NEWSCRAWL_STORE_RETRIES=8", "-s", "NEWSCRAWL_STORE_BACKOFF_S=0.5")
    try:
        wait_for_count(uri, 5)
        server.send_signal(signal.SIGKILL)
        server.wait()
        wait_for_outage_in_log(tmp_path / "stats.log")
        server = start_nx(tmp_path / "db", port)
        out, err = crawl.communicate(timeout=300)
        assert crawl.returncode == 0, err[-2000:]
        stats = json.loads((tmp_path / "stats.json").read_text())[0]
        assert stats["counts"]["spooled"] == 0
        noticed = stats["stats"].get("newscrawl/store_retries", 0) + stats["stats"].get(
            "newscrawl/lookup_errors", 0)
        assert noticed >= 1  # the outage happened while the crawl was talking to the store
        assert wait_for_count(uri, TOTAL, timeout=5) == TOTAL
    finally:
        crawl.kill()
        server.kill()


@pytest.fixture
def embedded(tmp_path):
    """A home whose embedded server is running: (home, env, uri); stopped afterwards."""
    home = tmp_path / "home"
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), "NEWSCRAWL_MONGO_TIMEOUT_MS": "1000"}
    env.pop("NEWSCRAWL_MONGO_URI", None)
    assert run_cli("db", "start", env=env).code == 0
    yield home, env, EmbeddedServer(home).state().uri
    run_cli("db", "stop", env=env)


def test_database_gone_for_good_articles_are_spooled_then_replayed(
    tmp_path, slow_replica, embedded
):
    home, env, uri = embedded
    crawl = slow_crawl(env, slow_replica.url, tmp_path / "stats.json",
                       "-s", "NEWSCRAWL_STORE_RETRIES=1", "-s", "NEWSCRAWL_STORE_BACKOFF_S=0.2")
    try:
        stored_before_stop = wait_for_count(uri, 5)
        assert run_cli("db", "stop", env=env).code == 0
        out, err = crawl.communicate(timeout=300)
    finally:
        crawl.kill()
    assert crawl.returncode == 1
    assert "spooled to" in err and "newscrawl db replay" in err
    assert "Traceback" not in err
    stats = json.loads((tmp_path / "stats.json").read_text())[0]
    spooled = stats["counts"]["spooled"]
    assert spooled > 0
    spool_files = list((home / "spool").glob("*.jsonl"))
    assert sum(len(p.read_text().splitlines()) for p in spool_files) == spooled

    replay = run_cli("db", "replay", env=env)
    assert replay.code == 0, replay.err
    assert stored_before_stop <= wait_for_count(EmbeddedServer(home).state().uri, TOTAL, 10)
    client = pymongo.MongoClient(EmbeddedServer(home).state().uri)
    assert client.newscrawl.articles.count_documents({}) == TOTAL
    assert not list((home / "spool").glob("*.jsonl"))


def test_embedded_server_restarted_mid_crawl_the_crawl_reconnects(
    tmp_path, slow_replica, embedded
):
    home, env, uri = embedded
    crawl = slow_crawl(env, slow_replica.url, tmp_path / "stats.json",
                       "-s", "NEWSCRAWL_STORE_RETRIES=8", "-s", "NEWSCRAWL_STORE_BACKOFF_S=0.5")
    try:
        wait_for_count(uri, 5)
        assert run_cli("db", "stop", env=env).code == 0
        wait_for_outage_in_log(tmp_path / "stats.log")
        assert run_cli("db", "start", env=env).code == 0
        assert EmbeddedServer(home).state().uri == uri  # the same address again
        out, err = crawl.communicate(timeout=300)
    finally:
        crawl.kill()
    assert crawl.returncode == 0, err[-2000:]
    stats = json.loads((tmp_path / "stats.json").read_text())[0]
    assert stats["counts"]["spooled"] == 0
    assert not list((home / "spool").glob("*.jsonl"))
    noticed = stats["stats"].get("newscrawl/store_retries", 0) + stats["stats"].get(
        "newscrawl/lookup_errors", 0)
    assert noticed >= 1  # the crawl was talking to the store while it was down
    assert wait_for_count(uri, TOTAL, timeout=5) == TOTAL
