"""Shared fixtures: a real MongoDB-protocol server, a real replica site, the real CLI.

Every test that uses MongoDB runs against the embedded nx-27017 server (started here on a free
port) and, when NEWSCRAWL_TEST_MONGO_URI is set, against that server too. Each test gets its
own database, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pymongo
import pytest

from crawler.database import MongoTarget
from crawler.embedded import EmbeddedServer
from crawler.store import Store

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, *,
               interval: float = 0.1, abort: Callable[[], str | None] | None = None) -> Any:
    """Poll until predicate() returns something true, and return it.

    `abort` is asked between polls; a message from it fails the wait at once (a process that
    the test waits on has exited, say). Tests wait on conditions this way, never on a fixed
    sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if abort is not None and (reason := abort()):
            raise AssertionError(f"{reason} while waiting for {what}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def with_database(uri: str, database: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One embedded server for the whole session, in its own data folder."""
    server = EmbeddedServer(tmp_path_factory.mktemp("embedded-home"))
    uri = server.ensure_running()
    yield uri
    server.stop()


def _server_params() -> list[str]:
    return ["embedded"] + (["external"] if os.environ.get("NEWSCRAWL_TEST_MONGO_URI") else [])


@contextlib.contextmanager
def fresh_database(server: str, embedded_uri: str) -> Iterator[str]:
    """A URI naming a new database on the embedded (or the external test) server, dropped
    afterwards."""
    base = embedded_uri if server == "embedded" else os.environ["NEWSCRAWL_TEST_MONGO_URI"]
    database = f"nc_test_{uuid.uuid4().hex[:10]}"
    uri = with_database(base, database)
    yield uri
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=3000)
    try:
        client.drop_database(database)
    except pymongo.errors.PyMongoError:
        pass
    finally:
        client.close()


@pytest.fixture(params=_server_params())
def mongo_uri(request: pytest.FixtureRequest, embedded_server: str) -> Iterator[str]:
    """A URI naming a fresh database for this test."""
    with fresh_database(request.param, embedded_server) as uri:
        yield uri


@pytest.fixture
def store(mongo_uri: str) -> Iterator[Store]:
    """A Store on this test's fresh database, its indexes made."""
    store = Store(MongoTarget(mongo_uri, mongo_uri.rsplit("/", 1)[1], embedded=False))
    store.ensure_indexes()
    yield store
    store.close()


def newscrawl_env(home: Path, mongo_uri: str) -> dict[str, str]:
    """The environment of a newscrawl process with its own home and database."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), "NEWSCRAWL_MONGO_URI": mongo_uri}
    env.pop("NEWSCRAWL_CONFIG", None)
    return env


@dataclass
class SharedCrawlEnv:
    """A home and a database shared by the tests of one module (that only read them)."""

    env: dict[str, str]
    db: pymongo.database.Database

    def cli(self, *args: str, **kwargs: Any) -> CliResult:
        return run_cli(*args, env=self.env, **kwargs)


@pytest.fixture(scope="module", params=_server_params())
def module_env(request: pytest.FixtureRequest, embedded_server: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedCrawlEnv]:
    """Like `nc_env`, once per module: for an expensive state (a crawl) that several tests
    only read."""
    with fresh_database(request.param, embedded_server) as uri:
        home = tmp_path_factory.mktemp("module-home")
        with pymongo.MongoClient(uri, tz_aware=True) as client:
            yield SharedCrawlEnv(newscrawl_env(home, uri), client.get_default_database())


@pytest.fixture
def mongo_db(mongo_uri: str) -> Iterator[pymongo.database.Database]:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    yield client.get_default_database()
    client.close()


@pytest.fixture
def nc_env(tmp_path: Path, mongo_uri: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for newscrawl: its own home and database (also applied in-process)."""
    env = newscrawl_env(tmp_path / "home", mongo_uri)
    monkeypatch.setenv("NEWSCRAWL_HOME", env["NEWSCRAWL_HOME"])
    monkeypatch.setenv("NEWSCRAWL_MONGO_URI", mongo_uri)
    monkeypatch.delenv("NEWSCRAWL_CONFIG", raising=False)
    return env


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str], cwd: Path | None = None,
            timeout: float = 300) -> CliResult:
    """Run the installed `newscrawl` console script."""
    proc = subprocess.run(
        [NEWSCRAWL, *args], env=env, cwd=cwd or REPO, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(nc_env: dict[str, str]):
    def call(*args: str, **kwargs) -> CliResult:
        return run_cli(*args, env=kwargs.pop("env", nc_env), **kwargs)

    return call


@pytest.fixture
def replica_server():
    """Start a replica site over a corpus; stopped after the test."""
    from crawler.replica.corpus import load_corpus
    from crawler.replica.server import ReplicaServer

    servers = []

    def start(corpus: Path, **kwargs) -> ReplicaServer:
        server = ReplicaServer(load_corpus(corpus), **kwargs)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
