"""The embedded server: started on demand, shared by concurrent processes, recovered after a
crash (kill -9 leaves its state and pid files behind)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pymongo
import pytest

from crawler.embedded import LOG_MAX_BYTES, EmbeddedServer, _is_nx_process
from crawler.store import Store
from tests.conftest import run_cli, wait_until

ENSURE = "from crawler.embedded import EmbeddedServer; print(EmbeddedServer().ensure_running())"


@pytest.fixture
def home(tmp_path):
    yield tmp_path
    EmbeddedServer(tmp_path).stop()


def ensure_in_subprocess(home) -> str:
    env = {**os.environ, "NEWSCRAWL_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-c", ENSURE], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_concurrent_processes_share_one_server(home):
    with ThreadPoolExecutor(4) as pool:
        uris = list(pool.map(lambda _: ensure_in_subprocess(home), range(4)))
    assert len(set(uris)) == 1
    state = EmbeddedServer(home).state()
    assert state is not None and state.uri == uris[0]
    servers = subprocess.run(["pgrep", "-f", f"crawler.embedded serve .*{home}"],
                             capture_output=True, text=True).stdout.split()
    assert len(servers) == 1
    client = pymongo.MongoClient(uris[0], serverSelectionTimeoutMS=3000)
    client.newscrawl.probe.insert_one({"ok": 1})
    assert client.newscrawl.probe.count_documents({}) == 1


def test_a_killed_server_is_restarted_and_keeps_its_data(home):
    server = EmbeddedServer(home)
    uri = server.ensure_running()
    pymongo.MongoClient(uri).newscrawl.articles.insert_one({"canonical_url": "x"})
    pid = server.state().pid
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not _is_nx_process(pid), 5, "the killed server to be gone", interval=0.05)
    # the state file and nx's pid file are left behind, as after a crash
    assert server.state_file.exists()
    assert json.loads(server.state_file.read_text())["pid"] == pid
    uri2 = ensure_in_subprocess(home)
    assert EmbeddedServer(home).state().pid != pid
    client = pymongo.MongoClient(uri2, serverSelectionTimeoutMS=3000)
    assert client.newscrawl.articles.count_documents({"canonical_url": "x"}) == 1


def test_db_commands(home):
    env = {**os.environ, "NEWSCRAWL_HOME": str(home)}
    env.pop("NEWSCRAWL_MONGO_URI", None)
    status = run_cli("db", "status", env=env)
    assert status.code == 0 and "not running" in status.out
    started = run_cli("db", "start", env=env)
    assert started.code == 0 and "mongodb://127.0.0.1:" in started.out
    status = run_cli("db", "status", env=env)
    assert "pid:" in status.out and "articles: 0" in status.out and "MB" in status.out
    assert run_cli("db", "stop", env=env).code == 0
    assert EmbeddedServer(home).state() is None


def test_db_start_refuses_when_an_external_uri_is_set(home):
    env = {**os.environ, "NEWSCRAWL_HOME": str(home),
           "NEWSCRAWL_MONGO_URI": "mongodb://127.0.0.1:9/x"}
    result = run_cli("db", "start", env=env)
    assert result.code == 2 and "NEWSCRAWL_MONGO_URI is set" in result.err


# --- a stable address, a quiet bounded log, private files ---


def test_a_restarted_server_listens_at_the_same_address(home):
    server = EmbeddedServer(home)
    first = server.ensure_running()
    assert server.stop()
    assert EmbeddedServer(home).ensure_running() == first
    assert server.recorded_port() == int(first.rsplit(":", 1)[1].split("/")[0])


def test_the_server_log_is_quiet_bounded_and_private(home):
    server = EmbeddedServer(home)
    client = pymongo.MongoClient(server.ensure_running(), serverSelectionTimeoutMS=3000)
    probe = client.newscrawl.probe
    probe.insert_one({"search_text": "كلمة"})
    probe.create_index([("search_text", "text")])
    for _ in range(3):  # ordinary work logs nothing...
        client.newscrawl.articles.insert_one({"canonical_url": "x", "payload": "s3cret"})
        client.newscrawl.articles.find_one({"canonical_url": "x"})
    assert server.log_file.read_bytes() == b""
    # ...and errors (the embedded server refuses a second text index with a traceback) rotate
    while not server.log_file.with_name(server.log_file.name + ".1").exists():
        with pytest.raises(pymongo.errors.OperationFailure):
            probe.create_index([("search_text", "text")])
    for _ in range(50):
        with pytest.raises(pymongo.errors.OperationFailure):
            probe.create_index([("search_text", "text")])
    logs = sorted(server.root.glob("nx-27017.log*"))
    assert [p.name for p in logs] == ["nx-27017.log", "nx-27017.log.1"]
    assert all(p.stat().st_size <= LOG_MAX_BYTES for p in logs)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in logs)
    assert stat.S_IMODE(server.root.stat().st_mode) == 0o700


def test_ensure_indexes_twice_leaves_the_server_log_empty(home, monkeypatch):
    monkeypatch.delenv("NEWSCRAWL_MONGO_URI", raising=False)
    monkeypatch.setenv("NEWSCRAWL_HOME", str(home))
    Store().articles.insert_one({"canonical_url": "y", "search_text": "كلمة"})
    for _ in range(2):  # each crawl used to log a traceback about the text index
        store = Store()
        store.ensure_indexes()
        store.close()
    assert EmbeddedServer(home).log_file.read_bytes() == b""
    found = Store().articles.find({"$text": {"$search": "كلمة"}}, {"_id": 0, "canonical_url": 1})
    assert [doc["canonical_url"] for doc in found] == ["y"]
