"""The dashboard's guards, with real processes: a token for any bind beyond the loopback, on
every request; "run now" only from a logged-in session with its CSRF token, through
`newscrawl schedule trigger` (a real crawl of the replica, recorded in `runs`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymongo
import pytest

from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.server import ReplicaServer
from tests.conftest import run_cli, with_database
from tests.test_web import Tab, WebServer, chromium, get, newscrawl_env, wait_for

TOKEN = "s3cret-token-for-the-tests-0123456789"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@dataclass
class Guarded:
    url: str
    db: pymongo.database.Database
    env: dict[str, str]


@pytest.fixture(scope="module")
def guarded(embedded_server: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Guarded]:
    """`newscrawl web --host 0.0.0.0` with NEWSCRAWL_WEB_TOKEN, and one job over a replica."""
    base = tmp_path_factory.mktemp("web-guarded")
    (base / "home").mkdir()
    database = f"nc_test_webg_{uuid.uuid4().hex[:8]}"
    uri = with_database(embedded_server, database)
    env = newscrawl_env(base / "home", uri)
    lines = [line for line in default_corpus_path().read_text().splitlines()
             if json.loads(line)["outlet"] == "almaghribtoday"
             and json.loads(line)["section"] == "security"][:3]
    corpus = base / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    replica = ReplicaServer(load_corpus(corpus))
    config = base / "schedule.toml"
    config.write_text(f'[[jobs]]\nname = "tiny"\nspider = "almaghribtoday"\n'
                      f'sections = ["security"]\ninterval = "1h"\ntimeout = "150s"\n'
                      f'retries = 0\nargs = ["--replica", "{replica.start()}"]\n')
    server = WebServer({**env, "NEWSCRAWL_WEB_TOKEN": TOKEN}, "--host", "0.0.0.0",
                       "--config", str(config), log=base / "web.log")
    client = pymongo.MongoClient(uri, tz_aware=True)
    try:
        yield Guarded(server.url, client[database], env)
    finally:
        server.stop()
        replica.stop()
        client.drop_database(database)
        client.close()


def test_listening_beyond_the_loopback_needs_a_long_token(tmp_path, embedded_server):
    env = newscrawl_env(tmp_path, with_database(embedded_server, "nc_test_unused"))
    refused = run_cli("web", "--host", "0.0.0.0", "--port", "0", env=env)
    assert refused.code == 2
    assert refused.err.strip() == ("newscrawl: --host 0.0.0.0: listening beyond this machine "
                                   "needs a token (--token or NEWSCRAWL_WEB_TOKEN)")
    short = run_cli("web", "--host", "0.0.0.0", "--port", "0", "--token", "abc", env=env)
    assert short.code == 2 and "at least 16 characters" in short.err
    assert "Traceback" not in refused.err + short.err


def test_every_request_without_the_token_is_refused(guarded):
    for path in ("/api/articles", "/api/runs", "/api/jobs", "/api/openapi.json"):
        assert get(guarded.url + path).status == 401, path
        wrong = get(guarded.url + path, headers={"Authorization": "Bearer " + TOKEN[:-1]})
        assert wrong.status == 401, path
        right = get(guarded.url + path, headers={"Authorization": "Bearer " + TOKEN})
        assert right.status == 200, path
    for path in ("/", "/runs", "/articles?outlet=hespress"):
        reply = get(guarded.url + path)
        assert reply.status == 303 and reply.headers["location"].startswith("/login?next=%2F")
        assert "<table" not in reply.body
    assert get(guarded.url + "/static/dashboard.css").status == 200
    wrong = get(guarded.url + "/login", data=f"token={TOKEN[:-1]}".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong.status == 401 and "wrong token" in wrong.body and "set-cookie" not in (
        wrong.headers)
    assert get(guarded.url + "/jobs/tiny/run", data=b"csrf=anything").status == 401


def finished_runs(db: pymongo.database.Database) -> list[dict[str, Any]]:
    return [r for r in db.runs.find({"job": "tiny"}) if r.get("status") != "running"]


def test_run_now_needs_a_session_and_its_csrf_token_then_records_a_run(guarded, browser):
    tab = Tab(browser)
    try:
        page = tab.open(guarded.url + "/runs")
        assert page.url.startswith(guarded.url + "/login?next=")
        page.fill("input[name=token]", TOKEN)
        page.click("form.login button")
        page.wait_for_url(guarded.url + "/runs")
        cookie = next(c for c in tab.context.cookies() if c["name"] == "newscrawl_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert TOKEN not in cookie["value"]

        page = tab.open(guarded.url + "/")
        run_now = page.locator('tr[data-job="tiny"] form.run-now')
        csrf = run_now.locator("input[name=csrf]").get_attribute("value")
        assert csrf
        post = page.request.post  # the browser's own cookies go with these requests
        assert post(guarded.url + "/jobs/tiny/run", form={}, max_redirects=0).status == 403
        assert post(guarded.url + "/jobs/tiny/run", form={"csrf": csrf[::-1]},
                    max_redirects=0).status == 403
        assert post(guarded.url + "/jobs/tiny/run", form={"csrf": csrf}, max_redirects=0,
                    headers={"Origin": "http://evil.example"}).status == 403
        assert post(guarded.url + "/jobs/nope/run", form={"csrf": csrf},
                    max_redirects=0).status == 404
        assert guarded.db.runs.count_documents({}) == 0  # nothing was started

        run_now.locator("button").click()
        page.wait_for_url(guarded.url + "/runs?job=tiny&started=tiny")
        assert "Started a run of tiny" in page.locator("#started").inner_text()
        runs = wait_for(lambda: finished_runs(guarded.db), 300, "the triggered run to end")
        assert [(r["status"], r["trigger"], r["items"]["stored"]) for r in runs] == [
            ("ok", "manual", 3)]
        page = tab.open(guarded.url + "/runs?job=tiny")
        assert page.locator(f'tr[data-run="{runs[0]["_id"]}"] td.run-status').inner_text() == (
            "ok")
        page.click("form.logout button")
        page.wait_for_url(guarded.url + "/login")
        assert get(guarded.url + "/api/runs").status == 401
    finally:
        tab.close()


def test_the_command_line_starts_without_the_web_libraries():
    """Importing the command line stays light: FastAPI and uvicorn load inside `web` only."""
    import subprocess
    import sys

    code = ("import sys, crawler.cli; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'jinja2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True).stdout
    assert out.strip() == "[]"
