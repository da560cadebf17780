"""ArticleQuery on a real server gives what a brute-force filter over the same articles gives.

The articles come from the benchmark archive generator (fourteen outlets, stories across
outlets, topics, Arabic search text), plus undated articles and articles published at the same
instant, stored through the store's write path; every query shape is checked against Python.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pymongo
import pytest
from conftest import with_database

import crawler.query as query_module
from bench.archive import ArchiveGenerator, builtin_outlets
from crawler.database import MongoTarget
from crawler.query import ArticleQuery
from crawler.store import Store
from crawler.text import light_stem, tokens

END = datetime(2026, 11, 30, 12, tzinfo=UTC)
OLDEST = datetime.min.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    docs = list(ArchiveGenerator(builtin_outlets(), seed=11, signatures=False)
                .documents(700, END))
    for doc in docs[100:106]:  # undated: sorted last, outside any time range
        doc["published_at"] = None
    for earlier, later in zip(docs[300:310:2], docs[301:311:2], strict=True):
        later["published_at"] = earlier["published_at"]  # same instant: crawled_at decides
    return docs


@pytest.fixture(scope="module", params=["embedded"] + (
    ["external"] if os.environ.get("NEWSCRAWL_TEST_MONGO_URI") else []))
def store(request, embedded_server: str, documents: list[dict]) -> Iterator[Store]:
    base = embedded_server if request.param == "embedded" else os.environ[
        "NEWSCRAWL_TEST_MONGO_URI"]
    database = f"nc_test_query_{uuid.uuid4().hex[:8]}"
    store = Store(MongoTarget(with_database(base, database), database, embedded=False))
    store.ensure_indexes()
    for start in range(0, len(documents), 200):
        store.insert_articles([dict(d) for d in documents[start:start + 200]])
    yield store
    try:
        store.client.drop_database(database)
    except pymongo.errors.PyMongoError:
        pass
    store.close()


def brute_force(docs: list[dict], query: ArticleQuery) -> tuple[list[str], bool]:
    """Canonical URLs of the page, and whether more follow, filtered and sorted in Python."""
    words = {light_stem(t) for t in tokens(query.search)}

    def keep(doc: dict) -> bool:
        published = doc["published_at"]
        return ((not query.outlets or doc["outlet"] in query.outlets)
                and (not query.sections or doc["section"] in query.sections)
                and (not query.topics or bool(set(query.topics) & set(doc["topics"])))
                and (not query.since or (published is not None and published >= query.since))
                and (not query.until or (published is not None and published <= query.until))
                and words <= set(doc["search_text"].split()))

    rows = sorted((d for d in docs if keep(d)), reverse=True,
                  key=lambda d: (d["published_at"] or OLDEST, d["crawled_at"]))
    if query.unique_stories:
        stories: dict[str, dict] = {}
        for doc in rows:
            stories.setdefault(doc["story_id"] or doc["canonical_url"], doc)
        rows = list(stories.values())
    if not query.limit:
        return [d["canonical_url"] for d in rows[query.skip:]], False
    page = rows[query.skip:query.skip + query.limit]
    return [d["canonical_url"] for d in page], len(rows) > query.skip + query.limit


def check(store: Store, documents: list[dict], **spec) -> list[dict]:
    query = ArticleQuery(**spec)
    page = query.page(store)
    assert ([a["canonical_url"] for a in page.articles], page.has_more) == brute_force(
        documents, query), spec
    return page.articles


DAY = timedelta(days=1)
SHAPES = [
    {},
    {"limit": 0},
    {"outlets": ["hespress"]},
    {"outlets": ["le360"], "sections": ["security"]},
    {"outlets": ["le360", "hespress"], "sections": ["security", "latest"]},
    {"sections": ["economy"], "limit": 50},
    {"topics": ["security"]},
    {"topics": ["sports", "economy"], "limit": 0},
    {"outlets": ["alyaoum24"], "topics": ["security"]},
    {"since": END - 30 * DAY},
    {"since": END - 5 * DAY, "limit": 0},
    {"since": END - 40 * DAY, "outlets": ["hespress"], "limit": 0},
    {"until": END - 60 * DAY},
    {"until": END - 200 * DAY, "limit": 5},
    {"since": END - 120 * DAY, "until": END - 100 * DAY, "limit": 0},
    {"until": END - 400 * DAY},  # before the oldest article
    {"since": END + DAY},  # after the newest
    {"search": "الشرطة"},
    {"search": "الأمن الوطني", "limit": 0},
    {"search": "الشرطة", "outlets": ["hespress"], "since": END - 90 * DAY},
    {"unique_stories": True},
    {"unique_stories": True, "limit": 0},
    {"unique_stories": True, "since": END - 20 * DAY, "limit": 0},
    {"unique_stories": True, "topics": ["security"], "until": END - 10 * DAY},
    {"topics": ["sports"], "until": END - 90 * DAY},
    {"topics": ["security", "economy"], "until": END - 30 * DAY, "limit": 0},
    {"outlets": ["hespress", "le360"], "until": END - 50 * DAY, "skip": 7},
    {"outlets": ["hespress"], "sections": ["security"], "until": END - 50 * DAY, "skip": 3},
    {"search": "الشرطة", "until": END - 45 * DAY, "since": END - 200 * DAY, "limit": 0},
]


SEARCHES = [
    {"search": "الشرطة", "skip": 4},
    {"search": "الشرطة", "unique_stories": True, "skip": 2},
    {"search": "الشرطة", "until": END - 45 * DAY},
    {"search": "الأمن الوطني", "topics": ["security"], "until": END - 20 * DAY, "limit": 0},
    {"search": "absentword"},
]


@pytest.mark.parametrize("spec", SHAPES, ids=[str(i) for i in range(len(SHAPES))])
def test_every_filter_shape_matches_brute_force(store, documents, spec):
    articles = check(store, documents, **spec)
    assert all("search_text" not in a and "minhash" not in a and "_id" not in a
               for a in articles)


@pytest.mark.parametrize("rare", [0, 10_000], ids=["walk-testing-words", "all-matches-sorted"])
@pytest.mark.parametrize("spec", SEARCHES, ids=[str(i) for i in range(len(SEARCHES))])
def test_both_search_roads_give_the_same_pages(store, documents, spec, rare, monkeypatch):
    """Whether the words are common (the walk tests them) or rare (all matches sorted here)."""
    monkeypatch.setattr(query_module, "RARE_MATCHES", rare)
    articles = check(store, documents, **spec)
    assert all("search_text" not in a and "minhash" not in a and "_id" not in a
               for a in articles)


@pytest.mark.parametrize("spec", [
    {"outlets": ["hespress"]},
    {"topics": ["security"], "since": END - 200 * DAY},
    {"until": END - 100 * DAY},
    {"topics": ["security"], "until": END - 60 * DAY},
    {"outlets": ["le360", "alyaoum24"], "until": END - 30 * DAY},
    {"unique_stories": True},
    {"unique_stories": True, "sections": ["security"]},
], ids=["outlet", "topic-since", "until", "topic-until", "outlets-until", "stories",
        "stories-section"])
def test_pages_follow_each_other_without_gap_or_repeat(store, documents, spec):
    everything, _ = brute_force(documents, ArticleQuery(limit=0, **spec))
    pages, skip = [], 0
    while True:
        page = ArticleQuery(limit=17, skip=skip, **spec).page(store)
        pages.extend(a["canonical_url"] for a in page.articles)
        assert page.has_more == (len(pages) < len(everything))
        if not page.has_more:
            break
        skip += 17
    assert pages == everything


def test_undated_articles_come_last_and_only_without_a_time_range(store, documents):
    urls = [a["canonical_url"] for a in ArticleQuery(limit=0).run(store)]
    undated = {d["canonical_url"] for d in documents if d["published_at"] is None}
    assert set(urls[-len(undated):]) == undated
    ranged = ArticleQuery(limit=0, until=END).run(store)
    assert not undated & {a["canonical_url"] for a in ranged}


def test_fields_returns_only_those_fields(store, documents):
    spec = {"unique_stories": True, "since": END - 60 * DAY, "limit": 10}
    whole = check(store, documents, **spec)
    narrow = ArticleQuery(fields=["title", "outlet"], **spec).run(store)
    assert narrow == [{"title": a["title"], "outlet": a["outlet"]} for a in whole]


def test_dates_compare_to_the_millisecond(store, documents):
    dated = sorted((d for d in documents if d["published_at"]), key=lambda d: d["published_at"])
    instant = dated[len(dated) // 2]["published_at"]
    after = ArticleQuery(since=instant + timedelta(milliseconds=1), limit=0).run(store)
    assert dated[len(dated) // 2]["canonical_url"] not in {a["canonical_url"] for a in after}
    check(store, documents, since=instant, limit=0)
    check(store, documents, until=instant - timedelta(milliseconds=1), limit=0)
