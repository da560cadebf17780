"""The outlets: every spider is listed, declared as data, served by the replica in its family's
template, and its listings, feeds and sitemaps lead the spider to exactly its articles."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.browser import BrowserUnavailable, find_browser
from crawler.feeds import parse_feed
from crawler.replica import sites
from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.server import ReplicaServer
from crawler.run import spider_class, spider_names
from crawler.urls import canonicalize_url
from tests.conftest import run_cli

ARABS_TODAY = {"almaghribtoday", "arabstoday", "casablancatoday", "algeriatoday", "libyatoday",
               "alsaudiatoday", "emiratesvoice"}
MOROCCAN = {"hespress", "le360", "alyaoum24", "hibapress", "akhbarona", "barlamane",
            "moroccoworldnews"}
CORPUS = load_corpus(default_corpus_path())


@pytest.fixture(scope="module")
def replica():
    server = ReplicaServer(CORPUS)
    yield server


def fetch(replica: ReplicaServer, outlet, url: str):
    """The replica's response to a URL of the outlet, as Scrapy would see it (no sockets)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    answer = replica.handle("GET", target, {"x-newscrawl-host": parts.hostname}, b"")
    cls = XmlResponse if "xml" in answer.content_type else HtmlResponse
    return answer.status, cls(url=url, body=answer.body, headers={
        "Content-Type": answer.content_type})


def spider_of(key: str):
    cls = spider_class(key)
    crawler = get_crawler(cls, {"NEWSCRAWL_BROWSER": False})
    crawler.spider = spider = cls.from_crawler(crawler, full=True)
    return spider


def test_newscrawl_outlets_lists_every_outlet_with_sections():
    result = run_cli("outlets", "--format", "json",
                     env={k: v for k, v in os.environ.items() if k != "NEWSCRAWL_CONFIG"})
    assert result.code == 0, result.err
    listed = {o["spider"]: o for o in json.loads(result.out)}
    assert len(listed) >= 12
    assert ARABS_TODAY | MOROCCAN <= set(listed)
    for key, outlet in listed.items():
        assert outlet["sections"], key
        assert "security" in outlet["sections"], key
        urls = [u for s in outlet["sections"].values()
                for u in s["listings"] + s["feeds"] + s["sitemaps"]]
        assert urls and all(u.startswith(outlet["base_url"]) for u in urls), key
    table = run_cli("outlets", env=dict(os.environ))
    assert table.code == 0 and "hespress" in table.out


def test_outlets_are_data_of_their_family():
    assert set(sites.outlets()) == set(spider_names())  # the replica serves every outlet
    for key in spider_names():
        outlet = spider_class(key).outlet
        sites.template_for(outlet)  # a template renders it
        if key in ARABS_TODAY:
            # the template prints GMT: times are read as UTC whatever the site's country
            assert (outlet.template, outlet.timezone) == ("arabstoday", "UTC")
        else:
            assert outlet.timezone == "Africa/Casablanca", key
    assert spider_class("moroccoworldnews").outlet.language == "en"
    assert {spider_class(k).outlet.template for k in MOROCCAN} == {
        "wordpress", "arc", "akhbarona"}
    scripted = [(k, s) for k in spider_names()
                for s, section in spider_class(k).outlet.sections.items() if section.browser]
    assert scripted == [("hespress", "politics")]


def test_the_bundled_corpus_covers_every_outlet():
    per_outlet = Counter(a.outlet for a in CORPUS)
    assert all(per_outlet[key] >= 3 for key in spider_names()), per_outlet
    assert sum(1 for a in CORPUS if a.outlet == "almaghribtoday") == 72
    for article in CORPUS:
        outlet = spider_class(article.outlet).outlet
        for path in (article.path, *article.duplicate_paths):
            assert outlet.article_regex.search(path), (article.outlet, path)
    # for the dedupe tests: a syndicated copy (same text, another outlet, minutes apart)...
    bodies = {}
    for article in CORPUS:
        bodies.setdefault(article.body, []).append(article)
    syndicated = [group for group in bodies.values() if len({a.outlet for a in group}) > 1]
    assert any({"almaghribtoday", "casablancatoday"} == {a.outlet for a in group}
               and abs(group[0].published - group[1].published).total_seconds() < 3600
               and group[0].section == "security" for group in syndicated)
    # ...and one article reachable at a second path
    assert any(a.duplicate_paths for a in CORPUS if a.outlet != "almaghribtoday")


@pytest.mark.parametrize("key", sorted(MOROCCAN | ARABS_TODAY))
def test_replica_leads_the_spider_to_exactly_its_articles(replica, key):
    spider = spider_of(key)
    outlet = spider.outlet
    site = replica.sites[key]
    assert fetch(replica, outlet, outlet.absolute("/robots.txt"))[0] == 200
    assert fetch(replica, outlet, outlet.absolute("/"))[0] == 200
    for name, section in outlet.sections.items():
        for listing in section.listings:
            status, response = fetch(replica, outlet, outlet.absolute(listing))
            assert status == 200, (key, listing)
            # canonical forms: the template links a section's newest article by its AMP URL
            found = {canonicalize_url(u) for u in spider.listing_links(response)}
            first_page = {canonicalize_url(outlet.absolute(p)) for a in site.in_section(name)[:10]
                          for p in (a.path, *a.duplicate_paths)}
            if section.browser:  # links only appear once the page's script has run
                assert found == set(), (key, name)
            elif first_page:  # (an empty section's page only has other sections' links)
                assert found == first_page, (key, name)
        for feed in section.feeds + section.sitemaps:
            status, response = fetch(replica, outlet, outlet.absolute(feed))
            assert status == 200, (key, feed)
            entries = parse_feed(response.body)
            assert entries, (key, feed)
            assert all(spider.is_article_url(e.url) for e in entries), (key, feed)
    article = site.articles[0]
    assert fetch(replica, outlet, outlet.absolute(article.path))[0] == 200


def test_demo_crawls_four_templates_and_the_scripted_section(cli, mongo_db):
    try:
        find_browser()
    except BrowserUnavailable as exc:
        if os.environ.get("NEWSCRAWL_REQUIRE_BROWSER"):  # set by .ci/run
            pytest.fail(f"NEWSCRAWL_REQUIRE_BROWSER is set but {exc}")
        pytest.skip(f"the scripted section needs Chromium ({exc})")
    demo = cli("demo", "--show", "0")
    assert demo.code == 0, demo.err
    stored = Counter(d["outlet"] for d in mongo_db.articles.find({}, {"outlet": 1}))
    assert set(stored) == set(spider_names())
    templates = {spider_class(k).outlet.template for k in stored}
    assert {"arabstoday", "wordpress", "arc", "akhbarona"} <= templates
    politics = mongo_db.articles.count_documents({"outlet": "hespress", "section": "politics"})
    assert politics == sum(1 for a in CORPUS if (a.outlet, a.section) == ("hespress", "politics"))
