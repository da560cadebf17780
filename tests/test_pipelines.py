"""Each pipeline stage on its own (the stages that need MongoDB get a real server)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from scrapy.utils.test import get_crawler

from crawler.catalogue import module_outlets
from crawler.database import MongoTarget
from crawler.items import Article
from crawler.jsonio import to_jsonable
from crawler.spiderloader import module_spider
from crawler.store import ArticleWrite, Store, apply_writes
from pipelines.base import ArticleDropped
from pipelines.dedupe import DedupePipeline
from pipelines.limit import LimitPipeline
from pipelines.normalize import NormalizePipeline, content_hash
from pipelines.store import StorePipeline, as_write
from pipelines.stories import StoriesPipeline
from pipelines.timestamps import TimestampsPipeline, pick_date
from pipelines.topics import TopicsPipeline
from pipelines.validate import ValidatePipeline
from spiders.almaghribtoday import OUTLET

AlmaghribtodaySpider = module_spider(module_outlets()["almaghribtoday"])

BODY = ("أوقفت عناصر الشرطة القضائية بمدينة طنجة شخصا يبلغ من العمر 34 سنة للاشتباه في تورطه "
        "في حيازة وترويج المخدرات.\n\nوجرى إخضاع المشتبه فيه لتدبير الحراسة النظرية.")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def article(**changes) -> Article:
    base = Article(url="https://www.almaghribtoday.net/36/101500-توقيف-مروج", outlet=OUTLET.key,
                   title="المغرب اليوم - توقيف مروج مخدرات بطنجة", body=BODY)
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_crawler_stages_count_drops_by_reason():
    crawler = get_crawler(AlmaghribtodaySpider)
    crawler.spider = crawler._create_spider()
    stage = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(ArticleDropped) as dropped:
        stage.process_item(article(title=" "))
    assert dropped.value.reason == "missing_title"


@pytest.mark.parametrize("field, reason", [
    ("url", "missing_url"), ("title", "missing_title"), ("body", "missing_body"),
])
def test_validate_drops_with_a_reason(field, reason):
    with pytest.raises(ArticleDropped) as dropped:
        ValidatePipeline(outlet=OUTLET).process_item(article(**{field: ""}))
    assert dropped.value.reason == reason


def test_validate_drops_teasers():
    with pytest.raises(ArticleDropped) as dropped:
        ValidatePipeline(outlet=OUTLET).process_item(article(body="نص قصير"))
    assert dropped.value.reason == "body_too_short"


def test_normalize_cleans_display_text_and_computes_keys():
    raw = article(
        title="المغرب اليوم -  توقيف\u00a0مروج   مخدرات بطنجة\u200f",
        body="  " + BODY.replace("\n\n", "\n\n\n\n") + "\n\n  ",
        url="https://www.almaghribtoday.net/amp/36/101500-توقيف-مروج?utm_source=x",
    )
    item = NormalizePipeline(outlet=OUTLET).process_item(raw)
    assert item.title == "توقيف مروج مخدرات بطنجة"
    assert item.body == BODY
    assert item.canonical_url == (
        "https://almaghribtoday.net/36/101500-%D8%AA%D9%88%D9%82%D9%8A%D9%81-"
        "%D9%85%D8%B1%D9%88%D8%AC")
    assert item.content_hash == content_hash(BODY)
    assert "شرطه" in item.search_text.split()  # stem of القضائية's neighbour الشرطة


def test_normalize_drops_a_title_that_was_only_the_site_name():
    with pytest.raises(ArticleDropped):
        NormalizePipeline(outlet=OUTLET).process_item(article(title="المغرب اليوم -"))


def test_same_body_with_other_spacing_or_hamza_has_the_same_hash():
    assert content_hash("إحباط  محاولة تهريب") == content_hash("احباط محاولة تهريب")


def test_timestamps_prefer_trusted_sources_and_precision():
    candidates = [("jsonld", "2026-11-19"), ("feed", "Thu, 19 Nov 2026 14:35:00 GMT")]
    instant, source, raw = pick_date(candidates, tz="UTC", now=NOW)
    assert (instant, source) == (datetime(2026, 11, 19, 14, 35, tzinfo=UTC), "feed")
    candidates = [("meta", "2026-11-19T09:00:00Z"), ("feed", "Thu, 19 Nov 2026 14:35:00 GMT")]
    assert pick_date(candidates, tz="UTC", now=NOW)[1] == "meta"
    assert pick_date([("selector", "آخر تحديث GMT 14:10:54")], tz="UTC", now=NOW) is None


def test_timestamps_use_the_outlet_timezone():
    casablanca = type(OUTLET)(**{**OUTLET.__dict__, "timezone": "Africa/Casablanca"})
    item = TimestampsPipeline(outlet=casablanca).process_item(
        article(date_candidates=[("selector", "الثلاثاء 20 غشت 2024 - 14:35")]))
    assert item.published_at == datetime(2024, 8, 20, 13, 35, tzinfo=UTC)
    assert item.published_at_raw == "الثلاثاء 20 غشت 2024 - 14:35"
    assert item.date_source == "selector"
    assert item.crawled_at.tzinfo is UTC


def test_timestamps_keep_an_undated_article_and_count_it():
    crawler = get_crawler(AlmaghribtodaySpider)
    crawler.spider = crawler._create_spider()
    item = TimestampsPipeline.from_crawler(crawler).process_item(article())
    assert item.published_at is None
    assert crawler.stats.get_value("newscrawl/missing_published_at") == 1


def normalized(**changes) -> Article:
    return NormalizePipeline(outlet=OUTLET).process_item(article(**changes))


def test_dedupe_url_tiers_and_alternates(store):
    stage = DedupePipeline(store=store, outlet=OUTLET)
    first = asyncio.run(stage.process_item(normalized()))
    assert first.action == "insert"
    with pytest.raises(ArticleDropped) as dropped:
        asyncio.run(stage.process_item(normalized()))
    assert dropped.value.reason == "duplicate_url"
    amp = asyncio.run(stage.process_item(
        normalized(url="https://www.almaghribtoday.net/amp/36/101500-توقيف-مروج")))
    assert (amp.action, amp.action_target) == ("alternate", first.canonical_url)
    copy = asyncio.run(stage.process_item(
        normalized(url="https://www.almaghribtoday.net/314/101500-نسخة")))
    assert (copy.action, copy.action_target) == ("alternate", first.canonical_url)


def test_dedupe_copies_in_flight_together_see_each_other(store):
    """Items go through dedupe concurrently and their lookups are batched: of two copies
    (same URL, or same body at another URL) in flight at once, one is stored."""
    stage = DedupePipeline(store=store, outlet=OUTLET)
    other_url = "https://www.almaghribtoday.net/36/101501-نسخة"

    async def run():
        return await asyncio.gather(
            stage.process_item(normalized()), stage.process_item(normalized(url=other_url)),
            stage.process_item(normalized()), return_exceptions=True)
    first, copy, again = asyncio.run(run())
    assert first.action == "insert"
    assert (copy.action, copy.action_target) == ("alternate", first.canonical_url)
    assert isinstance(again, ArticleDropped) and again.reason == "duplicate_url"


def test_dedupe_trusts_discovery_and_the_unique_index_catches_a_race(store):
    """A URL the spider found unstored is not looked up again; if another crawl stored it
    in between, the insert is refused by the unique index and counted, never stored twice."""
    crawler = get_crawler(AlmaghribtodaySpider)
    crawler.spider = crawler._create_spider()
    item = normalized()
    crawler.spider.unstored.add(item.canonical_url)  # as `unseen()` records it
    apply_writes(store, [as_write(normalized())])  # ... then another crawl stores it
    found = asyncio.run(DedupePipeline(crawler, store=store, outlet=OUTLET).process_item(item))
    assert found.action == "insert"
    report = apply_writes(store, [as_write(found)])
    assert (report.stored, report.duplicates) == (0, 1)
    assert store.articles.count_documents({}) == 1


def test_dedupe_against_the_store_revisions_and_unchanged(store):
    apply_writes(store, [as_write(normalized(published_at=NOW))])
    stage = DedupePipeline(store=store, outlet=OUTLET)
    with pytest.raises(ArticleDropped) as dropped:
        asyncio.run(stage.process_item(normalized()))
    assert dropped.value.reason == "already_stored"
    changed = asyncio.run(DedupePipeline(store=store, outlet=OUTLET).process_item(
        normalized(body=BODY + "\n\nوأحيل على النيابة العامة.")))
    assert changed.action == "revise" and changed.previous_version["body"] == BODY
    apply_writes(store, [as_write(changed)])
    doc = store.find_article(changed.canonical_url)
    assert doc["body"].endswith("النيابة العامة.") and len(doc["revisions"]) == 1
    assert isinstance(doc["updated_at"], datetime) and doc["published_at"] == NOW
    assert doc["revisions"][0]["body"] == BODY
    assert store.articles.count_documents({}) == 1
    same_body = asyncio.run(DedupePipeline(store=store, outlet=OUTLET).process_item(
        normalized(url="https://www.almaghribtoday.net/36/999999-مكرر",
                   body=BODY + "\n\nوأحيل على النيابة العامة.")))
    assert same_body.action == "alternate"


def test_revisions_are_bounded(store):
    apply_writes(store, [as_write(normalized())])
    for n in range(12):
        item = asyncio.run(DedupePipeline(store=store, outlet=OUTLET).process_item(
            normalized(body=f"{BODY}\n\nتحديث رقم {n} على الخبر."))
        )
        apply_writes(store, [as_write(item)])
    doc = store.find_article(item.canonical_url)
    assert len(doc["revisions"]) == 10
    assert "تحديث رقم 10" in doc["revisions"][-1]["body"]


def test_topics_stage_tags_security_news():
    item = TopicsPipeline(rules=None, outlet=OUTLET).process_item(normalized())
    assert item.topics == ["security"]


def test_the_limit_stage_lets_through_at_most_the_item_count():
    crawler = get_crawler(AlmaghribtodaySpider, {"CLOSESPIDER_ITEMCOUNT": 2})
    stage = LimitPipeline.from_crawler(crawler)
    stage.process_item(article())
    stage.process_item(article())
    with pytest.raises(ArticleDropped) as dropped:
        stage.process_item(article())
    assert dropped.value.reason == "max_items"
    unlimited = LimitPipeline.from_crawler(get_crawler(AlmaghribtodaySpider))
    for _ in range(5):
        unlimited.process_item(article())


def test_one_store_per_crawl_shared_by_spider_and_stages_and_closed_with_the_engine(mongo_uri,
                                                                                    monkeypatch):
    from pymongo.errors import InvalidOperation
    from scrapy import signals

    from crawler.crawl_store import crawl_store

    monkeypatch.setenv("NEWSCRAWL_MONGO_URI", mongo_uri)
    crawler = get_crawler(AlmaghribtodaySpider)
    crawler.spider = crawler._create_spider()
    stages = [cls.from_crawler(crawler) for cls in (DedupePipeline, StoriesPipeline,
                                                    StorePipeline)]
    store = crawl_store(crawler)
    assert all(stage.store is store for stage in stages)
    store.ping()
    other = get_crawler(AlmaghribtodaySpider)
    assert crawl_store(other) is not store  # another crawl, another store
    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    with pytest.raises(InvalidOperation):
        store.articles.find_one({})
    crawl_store(other).close()


def test_articles_a_crawl_stored_itself_stay_unseen_for_it(mongo_uri, monkeypatch, store):
    """A feed's articles stored by this crawl before it reads listing page 1 must not make
    the page look "all stored" (that ended pagination and lost articles); the next crawl
    sees them stored."""
    from crawler.crawl_store import crawl_store

    monkeypatch.setenv("NEWSCRAWL_MONGO_URI", mongo_uri)
    links = [f"https://www.almaghribtoday.net/36/10150{n}-x" for n in range(3)]

    def spider():
        crawler = get_crawler(AlmaghribtodaySpider)
        crawler.spider = crawler._create_spider()
        return crawler.spider

    this_crawl = spider()
    assert asyncio.run(this_crawl.unseen(links)) == links
    apply_writes(store, [as_write(normalized(url=u, body=f"{BODY} {u}")) for u in links[:2]])
    assert asyncio.run(this_crawl.unseen(links)) == links
    next_crawl = spider()
    assert asyncio.run(next_crawl.unseen(links)) == links[2:]
    for crawl in (this_crawl, next_crawl):
        crawl_store(crawl.crawler).close()


def test_store_batches_and_spools_when_the_database_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSCRAWL_HOME", str(tmp_path))
    dead = Store(MongoTarget("mongodb://127.0.0.1:9/x", "x", embedded=False), timeout_ms=200)
    crawler = get_crawler(AlmaghribtodaySpider, {
        "NEWSCRAWL_STORE_RETRIES": 1, "NEWSCRAWL_STORE_BACKOFF_S": 0.01,
        "NEWSCRAWL_STORE_BATCH": 2, "NEWSCRAWL_RUN_ID": "unit"})
    crawler.spider = crawler._create_spider()
    stage = StorePipeline(crawler, store=dead)

    async def run():
        await stage.open_spider()
        for n in range(3):
            await stage.process_item(normalized(url=f"https://www.almaghribtoday.net/36/10150{n}-x"))
        await stage.close_spider()
    asyncio.run(run())
    lines = (tmp_path / "spool" / "almaghribtoday-unit.jsonl").read_text().splitlines()
    assert len(lines) == 3 and stage.spooled == 3
    assert json.loads(lines[0])["document"]["title"] == "توقيف مروج مخدرات بطنجة"
    assert crawler.stats.get_value("newscrawl/spooled") == 3


def test_a_write_spooled_before_story_signatures_is_replayed_with_a_signature():
    """Spool files written before story_signatures carry band keys and the former signature
    in the document: the replayed write is filed under the same bucket, signed anew."""
    from crawler.similarity import Fingerprint

    item = normalized(published_at=NOW)
    document = {**to_jsonable(item.to_document()), "minhash": list(range(64))}
    old = {"action": "insert", "document": document, "target": "", "previous": None,
           "band_keys": [f"{band}:0123456789abcdef:9999" for band in range(32)]}
    write = ArticleWrite.from_json(json.loads(json.dumps(old)))
    assert write.story_bucket == 9999 and "minhash" not in write.document
    assert write.signature == Fingerprint.from_document(item.to_document()).signature


def test_store_writes_in_batches(store):
    crawler = get_crawler(AlmaghribtodaySpider, {"NEWSCRAWL_STORE_BATCH": 2})
    crawler.spider = crawler._create_spider()
    stage = StorePipeline(crawler, store=store)

    async def run():
        await stage.open_spider()
        for n in range(5):
            await stage.process_item(normalized(url=f"https://www.almaghribtoday.net/36/10150{n}-x",
                                                body=f"{BODY} {n}"))
            if n == 1:
                assert store.articles.count_documents({}) == 2  # a full batch is written
        await stage.close_spider()
    asyncio.run(run())
    assert store.articles.count_documents({}) == 5
    assert crawler.stats.get_value("newscrawl/stored") == 5
