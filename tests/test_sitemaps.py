"""Sitemaps and Google News sitemaps: the fields Scrapy's own sitemap class drops are read, and
an entry older than the crawl's horizon, already stored, or in another language is skipped
before it is fetched (a test counts the replica's requests)."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import UTC, datetime, timedelta

from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from crawler.catalogue import module_outlets
from crawler.feeds import parse_feed
from crawler.replica.corpus import articles_from_records
from crawler.replica.sites import arc
from crawler.replica.sites.base import Site, news_sitemap
from crawler.spiderloader import module_spider
from crawler.urls import canonicalize_url
from spiders.le360 import OUTLET as LE360

Le360Spider = module_spider(module_outlets()["le360"])

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
 xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://ar.le360.ma/societe/a_AAAAAAAAAAAAAAAAAAAAAAAAAA/</loc>
<image:image><image:loc>https://ar.le360.ma/i.jpg</image:loc><image:title>صورة</image:title></image:image>
<news:news><news:publication><news:name>Le360</news:name><news:language>ar</news:language>
</news:publication><news:publication_date>{fresh}</news:publication_date>
<news:title>خبر جديد</news:title></news:news></url>
<url><loc>https://ar.le360.ma/societe/b_BBBBBBBBBBBBBBBBBBBBBBBBBB/</loc>
<news:news><news:publication><news:name>Le360</news:name><news:language>ar</news:language>
</news:publication><news:publication_date>{old}</news:publication_date>
<news:title>خبر قديم</news:title></news:news></url>
<url><loc>https://ar.le360.ma/societe/c_CCCCCCCCCCCCCCCCCCCCCCCCCC/</loc>
<news:news><news:publication><news:name>Le360</news:name><news:language>fr</news:language>
</news:publication><news:publication_date>{fresh}</news:publication_date>
<news:title>Une brève en français</news:title></news:news></url>
</urlset>"""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+01:00")


def sitemap_body(now: datetime) -> bytes:
    fresh, old = iso(now - timedelta(hours=5)), iso(now - timedelta(days=30))
    return NEWS_SITEMAP.format(fresh=fresh, old=old).encode()


# --- parsing ---


def test_news_sitemap_fields_are_read_and_image_titles_ignored():
    now = datetime.now(UTC)
    entries = parse_feed(sitemap_body(now))
    assert [e.title for e in entries] == ["خبر جديد", "خبر قديم", "Une brève en français"]
    assert [e.language for e in entries] == ["ar", "ar", "fr"]
    assert entries[0].published_raw == iso(now - timedelta(hours=5))
    assert {e.source for e in entries} == {"sitemap"} and not entries[0].is_sitemap_index


def test_gzipped_sitemap_and_sitemap_index():
    now = datetime.now(UTC)
    assert len(parse_feed(gzip.compress(sitemap_body(now)))) == 3
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://ar.le360.ma/sitemap-2026-11.xml</loc><lastmod>2026-11-28</lastmod></sitemap>
</sitemapindex>"""
    (entry,) = parse_feed(index)
    assert entry.is_sitemap_index and entry.published_raw == "2026-11-28"
    assert parse_feed(b"\x1f\x8b not really gzip") == []


def test_replica_news_sitemap_is_a_google_news_sitemap():
    record = {"outlet": "le360", "section": "security", "title": "عنوان الخبر",
              "body": "نص الخبر.", "published": "2026-11-20T10:00:00Z"}
    articles = articles_from_records([record], outlets={"le360": LE360})
    site = Site.build(LE360, articles)
    (entry,) = parse_feed(news_sitemap(site, site.articles).encode())
    assert entry.title == "عنوان الخبر" and entry.language == "ar"
    assert entry.published_raw == "2026-11-20T11:00:00+01:00"  # local time, with its offset
    page = arc.render(site, "/sitemap-news/", {})
    assert page.status == 200 and "<news:publication_date>" in page.body


# --- skipping before fetching (the spider alone) ---


def parse(spider, body: bytes, url: str = "https://ar.le360.ma/sitemap-news/") -> list:
    response = XmlResponse(url=url, body=body)

    async def collect():
        return [r async for r in spider.parse_feed(response, section="latest")]

    return asyncio.run(collect())


def le360_spider(**kwargs) -> Le360Spider:
    crawler = get_crawler(Le360Spider, {})
    crawler.spider = spider = Le360Spider.from_crawler(crawler, full=True, **kwargs)
    return spider


def test_old_and_other_language_entries_are_not_requested():
    spider = le360_spider(max_age_days=7)
    requests = parse(spider, sitemap_body(datetime.now(UTC)))
    assert [r.url for r in requests] == ["https://ar.le360.ma/societe/a_AAAAAAAAAAAAAAAAAAAAAAAAAA/"]
    assert requests[0].meta["discovered_title"] == "خبر جديد"
    assert requests[0].meta["discovered_date"][0] == "sitemap"
    assert requests[0].cb_kwargs == {"section": "security"}  # filed by its path
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/feed_entries_too_old") == 1
    assert stats.get_value("newscrawl/feed_entries_other_language") == 1
    assert len(parse(le360_spider(), sitemap_body(datetime.now(UTC)))) == 2  # no horizon


def test_child_sitemaps_last_changed_before_the_horizon_are_not_requested():
    now = datetime.now(UTC)
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://ar.le360.ma/sitemap-new.xml</loc><lastmod>{iso(now)}</lastmod></sitemap>
<sitemap><loc>https://ar.le360.ma/sitemap-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
<sitemap><loc>https://ar.le360.ma/sitemap-undated.xml</loc></sitemap>
</sitemapindex>""".encode()
    spider = le360_spider(max_age_days=7)
    urls = [r.url for r in parse(spider, index, url="https://ar.le360.ma/sitemap.xml")]
    assert urls == ["https://ar.le360.ma/sitemap-new.xml", "https://ar.le360.ma/sitemap-undated.xml"]
    assert spider.crawler.stats.get_value("newscrawl/sitemaps_too_old") == 1


# --- the crawl, counting the replica's requests ---


def test_old_or_stored_news_sitemap_entries_are_never_fetched(
    cli, replica_server, tmp_path, mongo_db, nc_env
):
    now = datetime.now(UTC).replace(microsecond=0)
    records = [
        {"outlet": "le360", "section": "security", "title": title,
         "body": (f"{title}، حسب ما أفاد به بلاغ للمديرية العامة للأمن الوطني.\n\n"
                  "وأوضح البلاغ أن الأبحاث متواصلة تحت إشراف النيابة العامة المختصة."),
         "published": (now - age).isoformat()}
        for title, age in [
            ("خبر نشر قبل شهر خارج أفق الزحف", timedelta(days=30)),
            ("خبر مخزن سلفا في قاعدة البيانات", timedelta(days=2)),
            ("خبر جديد نشر أمس", timedelta(days=1)),
        ]
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                      encoding="utf-8")
    replica = replica_server(corpus)
    old, stored, fresh = (a.path for a in sorted(replica.sites["le360"].articles,
                                                 key=lambda a: a.published))
    mongo_db.articles.insert_one({
        "canonical_url": canonicalize_url(LE360.absolute(stored)), "outlet": "le360",
        "title": records[1]["title"], "published_at": now - timedelta(days=2),
    })
    config = tmp_path / "newscrawl.toml"  # the section reads only the news sitemap
    config.write_text(
        '[outlets.le360.sections.latest]\nfeeds = []\nsitemaps = ["/sitemap-news/"]\n'
    )
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    stats_file = tmp_path / "stats.json"
    result = cli("crawl", "le360", "--section", "latest", "--replica", replica.url,
                 "-s", "NEWSCRAWL_MAX_AGE_DAYS=7", "--stats-file", str(stats_file), env=env)
    assert result.code == 0, result.err
    log = replica.request_log.snapshot()
    assert log.get("/sitemap-news/") == 1
    assert replica.requests_for(old) == 0  # older than the horizon
    assert replica.requests_for(stored) == 0  # already stored
    assert replica.requests_for(fresh) == 1
    assert sum(n for path, n in log.items() if "_" in path and path.startswith("/societe/")) == 1
    stats = json.loads(stats_file.read_text())[0]["stats"]
    assert stats["newscrawl/feed_entries_too_old"] == 1
    assert stats["newscrawl/links_already_stored"] == 1
    assert mongo_db.articles.count_documents({"outlet": "le360"}) == 2
    assert mongo_db.articles.find_one({"title": records[2]["title"]})["section"] == "security"
