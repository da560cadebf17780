"""The embedded server: started on demand, shared by concurrent processes, recovered after a
crash (kill -9 leaves its state and pid files behind)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pymongo
import pytest

from crawler.embedded import EmbeddedServer, _is_nx_process
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
    servers = subprocess.run(["pgrep", "-f", f"nx_27017.*{home}"], capture_output=True,
                             text=True).stdout.split()
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
