"""`newscrawl web` as a real process over a database filled by real replica crawls and scheduler
runs, driven by a real Chromium (Playwright): every page, the charts, the filters, the escaping
of hostile titles, and the JSON API against `newscrawl query --format jsonl`.

The crawl, the runs and the dashboard are shared by the whole module (the tests only read).
`NEWSCRAWL_UPDATE_SCREENSHOTS=1 pytest tests/test_web.py -k screenshots` rewrites docs/*.png.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pymongo
import pytest

from crawler.browser import CHROMIUM_ARGS, BrowserUnavailable, find_browser
from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.server import ReplicaServer
from tests.conftest import NEWSCRAWL, REPO, run_cli, wait_until, with_database

HOSTILE_TITLE = ('تحذير <script>window.__pwned = 1</script> <img src=x '
                 'onerror="window.__pwned = 2"> من روابط مزيفة')
HOSTILE_BODY = (
    "أوقفت عناصر الشرطة بمدينة طنجة، مساء أمس، شخصا يشتبه في تورطه في قرصنة مواقع إلكترونية "
    "ونشر برامج خبيثة عبر روابط مزيفة تصل إلى الهواتف.\n\n"
    "وأفاد مصدر أمني أن الموقوف كان يستدرج ضحاياه برسائل تحمل عناوين مثيرة، قبل أن يستولي على "
    "بياناتهم الشخصية وأرقام بطاقاتهم البنكية.\n\n"
    "وقد جرى وضع المشتبه فيه تحت تدبير الحراسة النظرية رهن إشارة البحث القضائي الذي تشرف عليه "
    "النيابة العامة المختصة، للكشف عن باقي الأفعال المنسوبة إليه.")
ADDED_PARAGRAPH = "تحديث: أحالت النيابة العامة الملف على قاضي التحقيق لتعميق البحث."
SCREENSHOTS = REPO / "docs"


# --- the data: a corpus, replica crawls, scheduler runs ---

def corpus_records(now: datetime) -> list[dict[str, Any]]:
    """almaghribtoday's security articles (and four politics ones) and hespress's security ones
    from the bundled corpus, dated over the last three weeks, plus a hostile title and a syndicated
    copy (same body at hespress: one story)."""
    bundled = [json.loads(line) for line in default_corpus_path().read_text().splitlines()]
    records = [r for r in bundled if (r["outlet"], r["section"]) in (
        ("almaghribtoday", "security"), ("hespress", "security"))]
    records += [r for r in bundled if (r["outlet"], r["section"]) == (
        "almaghribtoday", "politics")][:4]
    original = next(r for r in records if r["outlet"] == "almaghribtoday")
    records.append({"outlet": "almaghribtoday", "section": "security",
                    "title": HOSTILE_TITLE, "body": HOSTILE_BODY})
    records.append({"outlet": "hespress", "section": "security",
                    "title": original["title"] + " (نقلا عن المغرب اليوم)",
                    "body": original["body"]})
    for i, record in enumerate(records):
        record.pop("url_path", None)
        record.pop("duplicate_paths", None)
        published = (now - timedelta(hours=5 + 11 * i)).replace(second=0, microsecond=0)
        record["published"] = published.strftime("%Y-%m-%dT%H:%M:00Z")
    # a copy is looked for among the articles published within days of it
    copied = datetime.strptime(original["published"], "%Y-%m-%dT%H:%M:00Z") - timedelta(hours=1)
    records[-1]["published"] = copied.strftime("%Y-%m-%dT%H:%M:00Z")
    return records


def write_corpus(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def schedule_toml(replica_url: str) -> str:
    def job(name: str, spider: str, sections: list[str], replica: str) -> str:
        return (f'[[jobs]]\nname = "{name}"\nspider = "{spider}"\n'
                f"sections = {json.dumps(sections)}\ninterval = \"1h\"\ntimeout = \"150s\"\n"
                f'retries = 0\nargs = ["--replica", "{replica}"]\n\n')

    return ('[scheduler]\nlease_ttl_s = "30s"\n\n'
            + job("maghrib", "almaghribtoday", ["security", "politics"], replica_url)
            + "full = true\n\n"
            + job("hespress", "hespress", ["security"], replica_url)
            + job("broken", "casablancatoday", ["security"], f"http://127.0.0.1:{closed_port()}")
            + job("idle", "almaghribtoday", ["sports"], replica_url))


@dataclass
class Archive:
    uri: str
    env: dict[str, str]
    config: Path
    records: list[dict[str, Any]]
    revised_title: str
    db: pymongo.database.Database


def newscrawl_env(home: Path, uri: str) -> dict[str, str]:
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), "NEWSCRAWL_MONGO_URI": uri}
    for name in ("NEWSCRAWL_CONFIG", "NEWSCRAWL_WEB_TOKEN"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def archive(embedded_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Three scheduled jobs triggered over a replica; then `maghrib` again (a full crawl)
    after one of its articles changed: a revision, and the unchanged ones dropped."""
    base = tmp_path_factory.mktemp("web")
    database = f"nc_test_web_{uuid.uuid4().hex[:8]}"
    uri = with_database(embedded_server, database)
    env = newscrawl_env(base / "home", uri)
    (base / "home").mkdir()
    records = corpus_records(datetime.now(UTC))
    replica = ReplicaServer(load_corpus(write_corpus(base / "corpus.jsonl", records)))
    url = replica.start()
    client = pymongo.MongoClient(uri, tz_aware=True)
    try:
        config = base / "schedule.toml"
        config.write_text(schedule_toml(url))
        for job, code in (("maghrib", 0), ("hespress", 0), ("broken", 1)):
            result = run_cli("schedule", "trigger", job, "--config", str(config), env=env)
            assert result.code == code, f"{job}: {result.out}\n{result.err}"
        # the same address now serves one article with a paragraph more: a revision
        target = next(r for r in records if r["outlet"] == "almaghribtoday"
                      and r["section"] == "security" and r["title"] != HOSTILE_TITLE
                      and r["body"] != records[-1]["body"])
        revised = [dict(r, body=r["body"] + "\n\n" + ADDED_PARAGRAPH) if r is target else r
                   for r in records]
        replica.stop()
        replica = ReplicaServer(load_corpus(write_corpus(base / "revised.jsonl", revised)),
                                port=replica.port)
        replica.start()
        result = run_cli("schedule", "trigger", "maghrib", "--config", str(config), env=env)
        assert result.code == 0, f"{result.out}\n{result.err}"
        yield Archive(uri, env, config, records, target["title"], client[database])
    finally:
        replica.stop()
        client.drop_database(database)
        client.close()


# --- the dashboard process ---

class WebServer:
    """A `newscrawl web` process; its URL is read from its first line of output."""

    def __init__(self, env: dict[str, str], *args: str, log: Path):
        self.log_path = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([NEWSCRAWL, "web", "--port", "0", *args], env=env,
                                         cwd=REPO, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        match = wait_for(lambda: re.search(r"serving (http://\S+?)/", self.log()), 90,
                         "the dashboard's address", self)
        self.url = match[1].replace("0.0.0.0", "127.0.0.1")
        wait_for(lambda: get(self.url + "/static/dashboard.css").status == 200, 30,
                 "the dashboard to answer", self)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_for(predicate: Callable[[], Any], timeout: float, what: str,
             server: WebServer | None = None) -> Any:
    """conftest.wait_until, failing at once (with its log) if the web server exits."""
    def exited() -> str | None:
        if server is None or server.proc.poll() is None:
            return None
        return f"newscrawl web exited ({server.proc.returncode}):\n{server.log()}"

    return wait_until(predicate, timeout, what, abort=exited)
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> Reply:
    """One HTTP request that follows no redirect (urllib's default handler is bypassed)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("POST" if data is not None else "GET", path or "/", body=data,
                     headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read().decode("utf-8", "replace"))
    except OSError:
        return Reply(0, {}, "")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def dashboard(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`newscrawl web` on 127.0.0.1 without a token, over the archive; its base URL."""
    server = WebServer(archive.env, "--config", str(archive.config),
                       log=tmp_path_factory.mktemp("web-log") / "web.log")
    try:
        wait_for(lambda: get(server.url + "/api/outlets").json().get("counting") is False, 60,
                 "the articles per day to be counted", server)
        yield server.url
    finally:
        server.stop()


# --- the browser ---

def chromium_path() -> str | None:
    try:
        return find_browser().executable
    except BrowserUnavailable as exc:
        if os.environ.get("NEWSCRAWL_REQUIRE_BROWSER"):  # set by .ci/run
            pytest.fail(f"NEWSCRAWL_REQUIRE_BROWSER is set but {exc}")
        pytest.skip(f"no Chromium on this machine ({exc})")


def chromium() -> Iterator[Any]:
    """Debian's (or Playwright's) Chromium through Playwright, headless, for one module."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


class Tab:
    """A browser page that records console errors, page errors and failed requests."""

    def __init__(self, browser: Any, width: int = 1300):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._request_failed)

    def open(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and
                                                                   response.status)
        self.page.wait_for_load_state("load")
        return self.page

    def _request_failed(self, request) -> None:
        # a request the browser itself abandoned (a navigation away mid-load) is not a fault
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def close(self) -> None:
        self.context.close()
        assert self.problems == [], self.problems


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    tab = Tab(browser)
    yield tab
    tab.close()


def rows(page: Any, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def drawn_pixels(page: Any, selector: str) -> int:
    """Non-transparent pixels of a canvas: > 0 once Chart.js has drawn on it."""
    return page.eval_on_selector(selector, """canvas => {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i]) drawn++; }
        return drawn;
    }""")


def stored(archive: Archive, outlet: str | None = None) -> list[dict[str, Any]]:
    query = {"outlet": outlet} if outlet else {}
    return list(archive.db.articles.find(query, {"_id": 0, "minhash": 0, "search_text": 0}))


# --- overview ---

def test_overview_shows_each_jobs_state_and_each_outlets_articles(archive, dashboard, tab):
    page = tab.open(dashboard + "/")
    assert page.locator("#article-total").inner_text() == str(len(archive.records))
    states = {job: page.locator(f'tr[data-job="{job}"] td.state .status').first.inner_text()
              for job in ("maghrib", "hespress", "broken", "idle")}
    assert states == {"maghrib": "healthy", "hespress": "healthy", "broken": "failing",
                      "idle": "never run"}
    assert "UTC" in page.locator('tr[data-job="maghrib"] td.last-success').inner_text()
    assert page.locator('tr[data-job="broken"] td.last-success').inner_text() == "never"
    assert page.locator('tr[data-job="idle"] td.next-run').inner_text() == (
        "not scheduled yet")  # no scheduler has run: `schedule list` says the same
    for outlet in ("almaghribtoday", "hespress"):
        expected = [r for r in archive.records if r["outlet"] == outlet]
        row = page.locator(f'tr[data-outlet="{outlet}"]')
        assert row.locator("td.count").inner_text() == str(len(expected))
        newest = max(expected, key=lambda r: r["published"])
        assert row.locator("td.newest").inner_text().strip() == newest["title"]
        assert row.locator("td.newest").get_attribute("dir") == "rtl"
    assert page.locator('tr[data-outlet="le360"] td.count').inner_text() == "0"


def test_overview_charts_draw_the_stored_counts(archive, dashboard, tab):
    page = tab.open(dashboard + "/")
    page.wait_for_function("() => Chart.getChart(document.getElementById('outlets-chart'))")
    assert drawn_pixels(page, "#outlets-chart") > 1000
    per_day = dict(page.evaluate("""() => Chart.getChart(document.getElementById(
        'outlets-chart')).data.datasets.map(d => [d.label, d.data])"""))
    labels = page.evaluate("() => Chart.getChart(document.getElementById("
                           "'outlets-chart')).data.labels")
    expected: dict[str, Counter[str]] = {}
    for record in archive.records:
        expected.setdefault(record["outlet"], Counter())[record["published"][5:10]] += 1
    assert set(per_day) == set(expected)
    for outlet, days in expected.items():
        assert dict(zip(labels, per_day[outlet], strict=True)) == {
            label: days.get(label, 0) for label in labels}
    maghrib = 'canvas.job-chart[data-job="maghrib"]'
    assert drawn_pixels(page, maghrib) > 50
    bars = page.eval_on_selector(maghrib, "c => Chart.getChart(c).data.datasets[0].data")
    security_politics = [r for r in archive.records if r["outlet"] == "almaghribtoday"]
    assert bars == [len(security_politics), 0]  # the second run found nothing new
    assert page.eval_on_selector('canvas.job-chart[data-job="broken"]',
                                 "c => Chart.getChart(c).data.datasets[0].data") == [0]


# --- runs ---

def test_runs_are_listed_newest_first_and_filter_by_job_status_and_time(archive, dashboard,
                                                                         tab):
    page = tab.open(dashboard + "/runs")
    assert rows(page, "#runs tbody td.job") == ["maghrib", "broken", "hespress", "maghrib"]
    page.select_option("#run-filters select[name=job]", "maghrib")
    page.click("#run-filters button")
    page.wait_for_url(re.compile(r"job=maghrib"))
    assert rows(page, "#runs tbody td.job") == ["maghrib", "maghrib"]
    page.select_option("#run-filters select[name=job]", "")
    page.select_option("#run-filters select[name=status]", "failed")
    page.click("#run-filters button")
    page.wait_for_url(re.compile(r"status=failed"))
    assert rows(page, "#runs tbody td.job") == ["broken"]
    first = archive.db.runs.find_one({"job": "maghrib"}, sort=[("started_at", 1)])
    since = (first["started_at"] + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = first["ended_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    page = tab.open(dashboard + "/runs?" + urlencode({"since": since}))
    assert rows(page, "#runs tbody td.job") == ["maghrib", "broken", "hespress"]
    page = tab.open(dashboard + "/runs?" + urlencode({"until": until}))
    assert rows(page, "#runs tbody td.job") == ["maghrib"]
    page = tab.open(dashboard + "/runs?" + urlencode({"since": since, "until": until}))
    assert page.locator("#no-runs").count() == 1
    page = tab.open(dashboard + "/runs?limit=2")
    assert rows(page, "#runs tbody td.job") == ["maghrib", "broken"]
    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert rows(page, "#runs tbody td.job") == ["hespress", "maghrib"]
    assert page.locator("a[rel=next]").count() == 0


def test_a_runs_page_shows_counts_drops_health_host_and_log(archive, dashboard, tab):
    run = archive.db.runs.find_one({"job": "maghrib"}, sort=[("started_at", 1)])
    page = tab.open(dashboard + "/runs")
    page.click(f'tr[data-run="{run["_id"]}"] a')
    page.wait_for_url(re.compile(f"/runs/{run['_id']}"))
    assert "ok" in page.locator("#run-status").inner_text()
    counts = {name: page.locator(f'tr[data-count="{name}"] td').inner_text()
              for name in ("scraped", "stored", "duplicates", "dropped")}
    assert counts["stored"] == str(run["items"]["stored"]) == str(
        len([r for r in archive.records if r["outlet"] == "almaghribtoday"]))
    assert counts["dropped"] == str(run["items"]["dropped"])
    assert page.locator("#run-host").inner_text().startswith(run["host"])
    assert page.locator("#signals").inner_text() == "none"
    log_tail = page.locator("#log-tail").inner_text()
    assert log_tail and log_tail.splitlines()[-1] == run["log_tail"][-1]
    second = archive.db.runs.find_one({"job": "maghrib"}, sort=[("started_at", -1)])
    page = tab.open(dashboard + f"/runs/{second['_id']}")
    dropped = second["items"]["dropped_by_reason"]
    assert dropped.get("already_stored")  # the full crawl met the unchanged articles again
    for reason, count in dropped.items():
        assert f"{reason}\t{count}" in page.locator("#dropped").inner_text()
    failed = archive.db.runs.find_one({"job": "broken"})
    page = tab.open(dashboard + f"/runs/{failed['_id']}")
    assert "failed" in page.locator("#run-status").inner_text()
    assert failed["reason"] in page.locator("#run-status").inner_text()


# --- articles ---

def test_articles_filter_like_query_and_page_through(archive, dashboard, tab):
    newest_first = sorted(archive.records, key=lambda r: r["published"], reverse=True)
    page = tab.open(dashboard + "/articles")
    assert rows(page, "#articles td.title") == [r["title"] for r in newest_first[:20]]
    assert page.locator("#articles td.title").first.get_attribute("dir") == "rtl"
    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert rows(page, "#articles td.title") == [r["title"] for r in newest_first[20:40]]
    assert page.locator("a[rel=next]").count() == 0
    page.click("a[rel=prev]")
    page.wait_for_url(re.compile(r"/articles$"))
    assert rows(page, "#articles td.title") == [r["title"] for r in newest_first[:20]]

    page = tab.open(dashboard + "/articles")
    page.select_option("#article-filters select[name=outlet]", "hespress")
    page.click("#article-filters button")
    page.wait_for_url(re.compile(r"outlet=hespress"))
    hespress = [r["title"] for r in newest_first if r["outlet"] == "hespress"]
    assert rows(page, "#articles td.title") == hespress
    page.fill("#article-filters input[name=search]", "خبيثة")  # in the hostile article only
    page.select_option("#article-filters select[name=outlet]", "")
    page.click("#article-filters button")
    page.wait_for_url(re.compile(r"search="))
    assert rows(page, "#articles td.title") == [HOSTILE_TITLE]
    page = tab.open(dashboard + "/articles?section=politics&limit=3")
    assert rows(page, "#articles td.section") == ["politics"] * 3
    assert page.locator("a[rel=next]").count() == 1
    reply = get(dashboard + "/articles?since=soon")
    assert reply.status == 400 and "since: &#39;soon&#39; is neither" in reply.body


def test_an_articles_page_shows_its_text_fields_date_revisions_and_story(archive, dashboard,
                                                                        tab):
    revised = archive.db.articles.find_one({"title": archive.revised_title})
    page = tab.open(dashboard + "/articles?outlet=almaghribtoday&section=security&limit=100")
    page.get_by_role("link", name=archive.revised_title, exact=True).click()
    page.wait_for_url(re.compile(r"/article\?url="))
    assert page.locator("#article").get_attribute("dir") == "rtl"
    assert page.locator("#article-title").inner_text() == archive.revised_title
    paragraphs = page.locator("#article-body p").all_inner_texts()
    assert paragraphs == [p for p in revised["body"].split("\n\n") if p.strip()]
    shown = {name: page.locator(f'tr[data-field="{name}"] td').inner_text()
             for name in ("outlet", "section", "canonical_url", "published_at", "date_source",
                          "story_id", "run_id")}
    assert shown["canonical_url"] == revised["canonical_url"]
    assert shown["published_at"] == revised["published_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert shown["date_source"] == revised["date_source"]
    from crawler.items import STORED_FIELDS

    assert page.locator("#fields tr[data-field]").count() == len(STORED_FIELDS)
    assert f"({revised['date_source']})" in page.locator("#date-source").inner_text()
    assert page.locator("#revisions .added").inner_text() == ADDED_PARAGRAPH
    assert "no other article" in page.locator("#story").inner_text()

    copy = archive.db.articles.find_one({"title": archive.records[-1]["title"]})
    original = archive.db.articles.find_one({"outlet": "almaghribtoday", "body": copy["body"]})
    assert copy["story_id"] == original["story_id"]  # the syndicated copy joined the story
    page = tab.open(dashboard + "/article?url=" + quote(original["canonical_url"], safe=""))
    link = page.locator(f'a[href="{original["url"]}"]')
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert page.locator("#story li a").all_inner_texts() == [copy["title"]]
    page.locator("#story li a").click()
    page.wait_for_function("t => document.getElementById('article-title').innerText === t",
                           arg=copy["title"])
    assert page.locator("#story li a").all_inner_texts() == [original["title"]]


def test_a_hostile_title_is_shown_as_text_and_runs_nothing(archive, dashboard, tab):
    page = tab.open(dashboard + "/articles?" + urlencode({"search": "الخبيثة"}))
    assert page.locator("#articles td.title").inner_text() == HOSTILE_TITLE
    page.locator("#articles td.title a").click()
    page.wait_for_url(re.compile(r"/article\?url="))
    assert page.locator("#article-title").inner_text() == HOSTILE_TITLE
    assert page.locator("#article img, #articles img, main script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    page = tab.open(dashboard + "/")
    assert page.evaluate("() => window.__pwned") is None


# --- the API ---

def cli_jsonl(archive: Archive, *args: str) -> list[dict[str, Any]]:
    result = run_cli("query", *args, "--format", "jsonl", env=archive.env)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


@pytest.mark.parametrize("params, options", [
    ({}, []),
    ({"outlet": "hespress"}, ["--outlet", "hespress"]),
    ({"section": "politics", "limit": 3}, ["--section", "politics", "--limit", "3"]),
    ({"topic": "security", "limit": 50}, ["--topic", "security", "--limit", "50"]),
    ({"search": "الشرطة", "limit": 50}, ["--search", "الشرطة", "--limit", "50"]),
    ({"since": "10d", "until": "3d", "limit": 50}, ["--since", "10d", "--until", "3d",
                                                    "--limit", "50"]),
    ({"unique_stories": "true", "limit": 100}, ["--unique-stories", "--limit", "100"]),
])
def test_api_articles_are_what_query_jsonl_prints(archive, dashboard, params, options):
    reply = get(dashboard + "/api/articles?" + urlencode(params))
    assert reply.status == 200
    assert reply.json()["articles"] == cli_jsonl(archive, *options)


def test_api_pages_follow_on_and_single_views_match(archive, dashboard):
    everything = cli_jsonl(archive, "--limit", "0")
    first = get(dashboard + "/api/articles?limit=12").json()
    assert first["has_more"] is True and first["articles"] == everything[:12]
    second = get(dashboard + first["next"]).json()
    assert second["page"] == 2 and second["articles"] == everything[12:24]
    last = get(dashboard + second["next"]).json()
    assert last["articles"] == everything[24:] and last["has_more"] is False
    assert last["next"] is None
    one = everything[3]
    reply = get(dashboard + "/api/article?" + urlencode({"url": one["canonical_url"]}))
    assert reply.json() == one
    story = get(dashboard + "/api/stories/" + quote(one["story_id"])).json()
    assert one in story["articles"]
    assert get(dashboard + "/api/article?url=https%3A%2F%2Fnowhere.example%2F").status == 404
    assert get(dashboard + "/api/articles?since=soon").status == 400
    assert "since" in get(dashboard + "/api/articles?since=soon").json()["detail"]


def test_api_runs_jobs_and_outlets(archive, dashboard):
    result = run_cli("schedule", "history", "--json", "-n", "20", env=archive.env)
    assert result.code == 0, result.err
    listed = [{k: v for k, v in run.items() if k not in ("log_tail", "output_tail", "command")}
              for run in json.loads(result.out)]
    assert get(dashboard + "/api/runs?limit=20").json()["runs"] == listed
    failed = get(dashboard + "/api/runs?status=failed").json()["runs"]
    assert [r["job"] for r in failed] == ["broken"]
    run = get(dashboard + "/api/runs/" + failed[0]["_id"]).json()
    assert run == next(r for r in json.loads(result.out) if r["_id"] == run["_id"])
    jobs = {j["job"]: j for j in get(dashboard + "/api/jobs").json()["jobs"]}
    health = run_cli("schedule", "health", "--json", "--config", str(archive.config),
                     env=archive.env)
    for expected in json.loads(health.out):
        assert jobs[expected["job"]]["state"] == expected["state"]
        assert jobs[expected["job"]]["last_success"] == expected["last_success"]
    outlets = {o["outlet"]: o for o in get(dashboard + "/api/outlets").json()["outlets"]}
    assert sum(outlets["hespress"]["per_day"]) == len(
        [r for r in archive.records if r["outlet"] == "hespress"])
    spec = get(dashboard + "/api/openapi.json").json()
    assert {"/api/articles", "/api/article", "/api/runs", "/api/runs/{run_id}", "/api/jobs",
            "/api/outlets", "/api/stories/{story_id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/articles"]["get"]["parameters"]}
    assert {"outlet", "section", "topic", "since", "until", "search", "unique_stories",
            "limit", "page"} <= names


# --- what a page never shows, what every response carries ---

def test_pages_carry_the_security_headers_and_never_the_database_uri(archive, dashboard):
    article = archive.db.articles.find_one({})
    run = archive.db.runs.find_one({})
    address = archive.uri.split("//", 1)[1].split("/", 1)[0]  # host:port of the database
    for path in ("/", "/runs", f"/runs/{run['_id']}", "/articles",
                 "/article?url=" + quote(article["canonical_url"], safe=""),
                 "/api/articles", "/api/runs", "/api/jobs", "/api/outlets"):
        reply = get(dashboard + path)
        assert reply.status == 200, path
        assert "script-src 'self'" in reply.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert address not in reply.body and "mongodb://" not in reply.body, path
    assert "<script>" not in get(dashboard + "/").body.split('id="chart-data">', 1)[1].split(
        "</script>", 1)[0]
    assert get(dashboard + "/", headers={"Host": "evil.example"}).status == 400
    assert get(dashboard + "/jobs/maghrib/run", data=b"csrf=x").status == 403


def test_screenshots(archive, dashboard, browser):
    """Takes the README's pictures; written to docs/ with NEWSCRAWL_UPDATE_SCREENSHOTS=1."""
    target = SCREENSHOTS if os.environ.get("NEWSCRAWL_UPDATE_SCREENSHOTS") else None
    article = archive.db.articles.find_one({"title": archive.revised_title})
    tab = Tab(browser, width=1280)
    second = archive.db.runs.find_one({"job": "maghrib"}, sort=[("started_at", -1)])
    try:
        for name, path in (("overview", "/"), ("run", f"/runs/{second['_id']}"),
                           ("article", "/article?url=" + quote(article["canonical_url"],
                                                               safe=""))):
            page = tab.open(dashboard + path)
            if name == "overview":
                page.wait_for_function(
                    "() => Chart.getChart(document.getElementById('outlets-chart'))")
            picture = page.screenshot(full_page=name != "article")
            assert picture[:8] == b"\x89PNG\r\n\x1a\n"
            if target:
                target.mkdir(exist_ok=True)
                (target / f"dashboard-{name}.png").write_bytes(picture)
    finally:
        tab.close()
