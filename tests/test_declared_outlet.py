"""An outlet declared in newscrawl.toml, with no spider module: `newscrawl outlets` names the
file it comes from, `newscrawl crawl` and `scrapy crawl` store its articles, the scheduler runs
it and judges its health, and `newscrawl query` finds what was stored.

The site is a replica outlet the replica knows only through the declaration (template
"generic"), with nothing but a news sitemap; the articles are eight of the bundled corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from urllib.parse import unquote

import pytest

from crawler.catalogue import read_configuration
from crawler.replica.corpus import articles_from_records, default_corpus_path
from crawler.replica.server import ReplicaServer
from tests.conftest import REPO, run_cli

DECLARATION = """
[outlets.akhbar]
title = "أخبار المثال"
base_url = "https://www.akhbar.example"
timezone = "Africa/Casablanca"

[outlets.akhbar.sections.latest]
sitemaps = ["/news-sitemap.xml"]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(config file, replica server, corpus articles) for the declared outlet `akhbar`."""
    config = tmp_path_factory.mktemp("akhbar") / "newscrawl.toml"
    config.write_text(DECLARATION, encoding="utf-8")
    outlet = read_configuration(config).outlets["akhbar"]
    lines = default_corpus_path().read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    records = [
        {"outlet": "akhbar", "section": "latest", "title": r["title"], "body": r["body"],
         "published": r["published"]}
        for r in records if r["outlet"] == "almaghribtoday" and r["section"] == "security"
    ][:8]
    articles = articles_from_records(records, outlets={"akhbar": outlet})
    with ReplicaServer(articles, outlets={"akhbar": outlet}) as server:
        yield config, server, articles


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_listed_crawled_and_queried(cli, nc_env, site):
    config, server, articles = site
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    listed = cli("outlets", "--format", "json", env=env)
    assert listed.code == 0, listed.err
    akhbar = next(o for o in json.loads(listed.out) if o["spider"] == "akhbar")
    assert akhbar["declared_in"] == str(config) and akhbar["timezone"] == "Africa/Casablanca"
    assert akhbar["sections"]["latest"]["sitemaps"] == [
        "https://www.akhbar.example/news-sitemap.xml"]
    hespress = next(o for o in json.loads(listed.out) if o["spider"] == "hespress")
    assert hespress["declared_in"] == "spiders/hespress.py"

    crawled = cli("crawl", "akhbar", "--replica", server.url, env=env)
    assert crawled.code == 0, crawled.err
    assert server.requests_for("/news-sitemap.xml") == 1

    out = cli("query", "--outlet", "akhbar", "--format", "jsonl", "--limit", "0", env=env)
    assert out.code == 0, out.err
    stored = {r["title"]: r for r in map(json.loads, out.out.splitlines())}
    assert set(stored) == {a.title for a in articles}
    for article in articles:
        record = stored[article.title]
        assert record["outlet"] == "akhbar" and record["section"] == "latest"
        assert unquote(record["url"]) == "https://www.akhbar.example" + article.path
        assert instant(record["published_at"]) == article.published
        assert article.paragraphs[0] in record["body"]


def test_run_by_the_scheduler(nc_env, mongo_db, site):
    config, server, articles = site
    schedule = config.parent / "schedule.toml"
    schedule.write_text(DECLARATION + f"""
[[jobs]]
name = "akhbar-latest"
spider = "akhbar"
sections = ["latest"]
interval = "1h"
timeout = "3m"
args = ["--replica", "{server.url}"]
""", encoding="utf-8")
    listed = run_cli("schedule", "list", "--config", str(schedule), env=nc_env)
    assert listed.code == 0 and "akhbar-latest" in listed.out, listed.err
    run = run_cli("schedule", "trigger", "akhbar-latest", "--config", str(schedule), env=nc_env)
    assert run.code == 0, run.err + run.out
    (record,) = mongo_db["runs"].find({"job": "akhbar-latest"})
    assert record["status"] == "ok" and record["items"]["stored"] == len(articles)
    assert mongo_db.articles.count_documents({"outlet": "akhbar"}) == len(articles)
    health = run_cli("schedule", "health", "--json", "--config", str(schedule), env=nc_env)
    assert health.code == 0, health.err
    (job,) = [j for j in json.loads(health.out) if j["job"] == "akhbar-latest"]
    assert job["state"] == "healthy" and job["last_status"] == "ok"


def test_scrapy_crawl_from_the_repository_root(nc_env, mongo_db, site):
    config, server, articles = site
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "akhbar" in listed.stdout.split(), listed.stderr[-2000:]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "akhbar",
         "-s", f"NEWSCRAWL_REPLICA_URL={server.url}", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "DOWNLOAD_DELAY=0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert mongo_db.articles.count_documents({"outlet": "akhbar"}) == len(articles)
