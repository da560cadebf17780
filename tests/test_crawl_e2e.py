"""End to end: the real spider crawls the replica site into a real MongoDB-protocol server,
through the installed `newscrawl` console script (and `scrapy crawl`)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pymongo
import pytest

from crawler.items import STORED_FIELDS
from crawler.replica.corpus import default_corpus_path, load_corpus
from tests.conftest import REPO

CORPUS = default_corpus_path()
# the bundled corpus also serves other outlets; these tests crawl almaghribtoday's part
ALMAGHRIB = [a for a in load_corpus(CORPUS) if a.outlet == "almaghribtoday"]
SECURITY = sum(1 for a in ALMAGHRIB if a.section == "security")


def crawl(cli, replica, *args: str, tmp_path=None):
    stats = (tmp_path / "stats.json") if tmp_path else None
    extra = ["--stats-file", str(stats)] if stats else []
    result = cli("crawl", "almaghribtoday", "--replica", replica.url, *extra, *args)
    return result, (json.loads(stats.read_text())[0] if stats and stats.exists() else None)


def test_demo_stores_the_corpus_and_query_prints_jsonl(cli, mongo_db):
    demo = cli("demo")
    assert demo.code == 0, demo.err
    assert mongo_db.articles.count_documents({}) >= 60
    assert "crawl summary" in demo.out

    out = cli("query", "--outlet", "almaghribtoday", "--section", "security",
              "--format", "jsonl", "--limit", "0")
    assert out.code == 0, out.err
    lines = out.out.splitlines()
    assert len(lines) == SECURITY
    records = [json.loads(line) for line in lines]
    for record in records:
        assert list(record) == list(STORED_FIELDS)
        assert record["published_at"].endswith("Z")
        assert record["crawled_at"].endswith("Z")
        datetime.fromisoformat(record["published_at"].replace("Z", "+00:00"))
        assert record["section"] == "security"
        assert any("\u0600" <= ch <= "\u06ff" for ch in record["title"])
        assert "المغرب اليوم" not in record["title"]
        assert "قد يهمك" not in record["body"]
    published = [r["published_at"] for r in records]
    assert published == sorted(published, reverse=True)  # newest first


def test_second_crawl_stores_nothing_and_stops_paginating_early(
    cli, replica_server, tmp_path, mongo_db
):
    replica = replica_server(CORPUS)
    first, stats1 = crawl(cli, replica, "--max-pages", "10", tmp_path=tmp_path)
    assert first.code == 0, first.err
    stored = mongo_db.articles.count_documents({})
    assert stored == len(ALMAGHRIB)
    assert stats1["counts"]["stored"] == stored

    replica.request_log.clear()
    second, stats2 = crawl(cli, replica, "--max-pages", "10", tmp_path=tmp_path)
    assert second.code == 0, second.err
    assert stats2["counts"]["stored"] == 0
    assert mongo_db.articles.count_documents({}) == stored
    assert stats2["stats"]["newscrawl/pagination_stopped_early"] >= 1
    # no listing page 2 and no article page is fetched the second time
    assert replica.request_log.requests_for("/36/") == 0
    assert not any("page=2" in path for path in replica.request_log.snapshot())
    assert stats2["stats"]["newscrawl/listing_pages"] < stats1["stats"]["newscrawl/listing_pages"]


def test_one_article_at_amp_and_canonical_url_is_stored_once(cli, replica_server, mongo_db):
    replica = replica_server(CORPUS)
    result, _ = crawl(cli, replica, "--section", "security", "--section", "latest")
    assert result.code == 0, result.err
    with_alternates = list(mongo_db.articles.find({"alternate_urls": {"$size": 1}}))
    assert with_alternates, "the AMP copy should be recorded as an alternate URL"
    urls = [with_alternates[0]["url"], *with_alternates[0]["alternate_urls"]]
    assert any("/amp/" in u for u in urls) and any("/amp/" not in u for u in urls)
    titles = [d["title"] for d in mongo_db.articles.find({}, {"title": 1})]
    assert len(titles) == len(set(titles))


def test_scrapy_crawl_from_the_repository_root_behaves_the_same(
    nc_env, replica_server, mongo_db, cli, tmp_path
):
    replica = replica_server(CORPUS)
    exported = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "almaghribtoday", "-a", "section=security",
         "-s", f"NEWSCRAWL_REPLICA_URL={replica.url}", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "DOWNLOAD_DELAY=0", "-O", str(exported)],
        cwd=REPO, env=nc_env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    sections = mongo_db.articles.distinct("section")
    assert sections == ["security"]
    assert mongo_db.articles.count_documents({}) == SECURITY

    # -O exports what `newscrawl query --format jsonl` prints: the stored fields, in order
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    queried = cli("query", "--limit", "0", "--format", "jsonl")
    assert queried.code == 0, queried.err
    stored = {r["canonical_url"]: r for r in map(json.loads, queried.out.splitlines())}
    assert len(lines) == len(stored) == SECURITY
    for line in lines:
        assert list(line) == list(stored[line["canonical_url"]])
        for name in ("url", "title", "body", "published_at", "crawled_at", "date_source"):
            assert line[name] == stored[line["canonical_url"]][name], name


def test_unknown_spider_and_section_are_one_line_errors(cli):
    for args, needle in [
        (("crawl", "nosuchspider"), "unknown spider 'nosuchspider'"),
        (("crawl", "almaghribtoday", "--section", "weather"), "unknown section 'weather'"),
    ]:
        result = cli(*args)
        assert result.code == 2
        assert needle in result.err
        assert "Traceback" not in result.err + result.out
        assert len(result.err.strip().splitlines()) == 1


def test_unreachable_mongo_uri_is_a_one_line_error(cli, nc_env):
    env = {**nc_env, "NEWSCRAWL_MONGO_URI": "mongodb://127.0.0.1:9/newscrawl",
           "NEWSCRAWL_MONGO_TIMEOUT_MS": "500"}
    for args in (("crawl", "almaghribtoday"), ("query",), ("db", "status")):
        result = cli(*args, env=env)
        assert result.code == 1, (args, result.err)
        assert "cannot reach MongoDB at mongodb://127.0.0.1:9/newscrawl" in result.err
        assert "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_credentials_never_appear_in_errors(cli, nc_env):
    env = {**nc_env, "NEWSCRAWL_MONGO_URI": "mongodb://reader:s3cret@127.0.0.1:9/newscrawl",
           "NEWSCRAWL_MONGO_TIMEOUT_MS": "500"}
    result = cli("query", env=env)
    assert result.code == 1
    assert "s3cret" not in result.err and "reader:***@" in result.err


def test_malformed_corpus_line_is_named(cli, tmp_path):
    corpus = tmp_path / "bad.jsonl"
    good = CORPUS.read_text(encoding="utf-8").splitlines()[0]
    corpus.write_text(good + "\n" + '{"outlet": "almaghribtoday", "title": \n', encoding="utf-8")
    result = cli("demo", "--corpus", str(corpus))
    assert result.code == 2
    assert f"{corpus}:2:" in result.err
    assert "Traceback" not in result.err


def test_bad_query_values_are_one_line_errors(cli):
    result = cli("query", "--since", "last tuesday")
    assert result.code == 2 and "--since" in result.err and "Traceback" not in result.err
    result = cli("query", "--fields", "title,colour")
    assert result.code == 2 and "colour" in result.err


def test_query_filters_and_formats(cli, replica_server, mongo_db):
    replica = replica_server(CORPUS)
    assert crawl(cli, replica)[0].code == 0
    newest = mongo_db.articles.find_one(sort=[("published_at", pymongo.DESCENDING)])
    since = newest["published_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    one = cli("query", "--since", since, "--format", "jsonl", "--fields", "title,published_at")
    assert [json.loads(line)["title"] for line in one.out.splitlines()] == [newest["title"]]
    everything = cli("query", "--since", "3650d", "--limit", "0", "--format", "csv",
                     "--fields", "canonical_url,title")
    rows = everything.out.strip().splitlines()
    assert rows[0] == "canonical_url,title"
    assert len(rows) == 1 + mongo_db.articles.count_documents({})
    table = cli("query", "--outlet", "almaghribtoday", "--limit", "3")
    assert table.code == 0 and "3 article(s)" in table.out


@pytest.mark.parametrize("name", ["real-2025-hammouchi", "no-jsonld", "windows-1256", "amp"])
def test_extract_a_saved_almaghribtoday_page(cli, name):
    from tests.conftest import FIXTURES

    page = FIXTURES / "almaghribtoday" / f"{name}.html"
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    result = cli("extract", str(page), "--spider", "almaghribtoday", "--url", expected["url"])
    assert result.code == 0, result.err
    article = json.loads(result.out)
    assert list(article) == list(STORED_FIELDS)
    for field in ("title", "body", "published_at", "date_source"):
        assert article[field] == expected[field], field
    if "dateline" in expected:
        assert article["dateline"] == expected["dateline"]
    for furniture in ("آخر تحديث", "قد يهمك", "GMT", "Arabs Today Group", "تعليق", "شارك"):
        assert furniture not in article["body"]
    assert not article["title"].startswith("المغرب اليوم")


def test_max_items_stores_at_most_that_many(cli, replica_server, tmp_path, mongo_db):
    """Scrapy closes the spider after N items, but more are in flight by then: they are
    dropped with a reason, not stored."""
    replica = replica_server(CORPUS)
    result, stats = crawl(cli, replica, "--max-items", "5", "-s", "NEWSCRAWL_STORE_BATCH=2",
                          tmp_path=tmp_path)
    assert result.code == 0, result.err
    assert mongo_db.articles.count_documents({}) == 5
    assert stats["counts"]["stored"] == 5
    assert stats["stats"]["finish_reason"] == "closespider_itemcount"
    assert stats["stats"]["item_scraped_count"] == 5
    # every article page fetched is stored or dropped with a reason (max_items: in flight)
    dropped = sum(v for k, v in stats["stats"].items() if k.startswith("dropped/"))
    assert 5 + dropped == stats["stats"]["newscrawl/article_pages"]


def test_a_delay_set_with_s_holds_on_a_replica(cli, replica_server, tmp_path, nc_env):
    """`crawl --replica` and `demo` turn the politeness delay off, but not over a delay the
    user set with -s (to slow a replica crawl down, e.g. to try a job's timeout)."""
    replica = replica_server(CORPUS)
    log = tmp_path / "crawl.log"
    result, _ = crawl(cli, replica, "--section", "politics", "-s", "DOWNLOAD_DELAY=0.01",
                      "--log-file", str(log))
    assert result.code == 0, result.err
    assert "'DOWNLOAD_DELAY': '0.01'" in log.read_text()  # Scrapy's "Overridden settings"

    corpus = tmp_path / "almaghribtoday.jsonl"
    corpus.write_text("".join(line for line in CORPUS.read_text("utf-8").splitlines(True)
                              if '"outlet": "almaghribtoday"' in line), "utf-8")
    demo = cli("demo", "--corpus", str(corpus), "-s", "DOWNLOAD_DELAY=0.01")
    assert demo.code == 0, demo.err
    [demo_log] = (Path(nc_env["NEWSCRAWL_HOME"]) / "logs").glob("*.log")  # the crawl's is apart
    assert "'DOWNLOAD_DELAY': '0.01'" in demo_log.read_text()
