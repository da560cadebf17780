"""Near duplicates across outlets on real Moroccan security news (tests/fixtures/stories):
copies share a story, different stories never do, rewrites of one story mostly do."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import datetime

import pytest

from crawler.database import MongoTarget
from crawler.items import Article
from crawler.similarity import Fingerprint, best_match, jaccard, key_figures
from crawler.store import Store, apply_writes
from pipelines.normalize import NormalizePipeline
from pipelines.store import as_write
from pipelines.stories import StoriesPipeline
from spiders.almaghribtoday import OUTLET
from tests.conftest import FIXTURES

ROWS = [json.loads(line) for line in
        (FIXTURES / "stories" / "moroccan-security-stories.jsonl").read_text().splitlines()]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def article_of(row: dict) -> Article:
    article = Article(
        url=f"https://example.org/{row['id']}", outlet=row["source_url"].split("/")[2],
        title=row["title"], body=row["body"], published_at=instant(row["published"]),
    )
    return NormalizePipeline(outlet=OUTLET).process_item(article)


def story_ids(store: Store, stored: dict[str, Article]) -> dict[str, str]:
    """The story ids as stored (merges update earlier articles in the database)."""
    return {row_id: store.find_article(a.canonical_url, {"story_id": 1})["story_id"]
            for row_id, a in stored.items()}


def store_in_order(store: Store) -> dict[str, Article]:
    """Run the stories stage over the rows in publication order, storing each batch."""
    stage = StoriesPipeline(store=store)
    stored = {}

    async def run():
        for row in sorted(ROWS, key=lambda r: r["published"]):
            article = await stage.process_item(article_of(row))
            apply_writes(store, [as_write(article)])
            stored[row["id"]] = article
    asyncio.run(run())
    return stored


def pairs(predicate):
    return [(a["id"], b["id"]) for a, b in itertools.combinations(ROWS, 2) if predicate(a, b)]


def copy_pairs():
    return pairs(lambda a, b: a["id"] == b.get("same_article_as") or
                 b["id"] == a.get("same_article_as"))


@pytest.fixture
def store(mongo_uri):
    store = Store(MongoTarget(mongo_uri, mongo_uri.rsplit("/", 1)[1], embedded=False))
    store.ensure_indexes()
    yield store
    store.close()


def test_copies_share_a_story_and_different_stories_never_do(store):
    stored = store_in_order(store)
    story = story_ids(store, stored)
    assert copy_pairs(), "the fixture holds a page variant of one article"
    for a, b in copy_pairs():
        assert story[a] == story[b]
        later = max((a, b), key=lambda i: next(r["published"] for r in ROWS if r["id"] == i))
        assert stored[later].duplicate_of or stored[a].duplicate_of or stored[b].duplicate_of
    label = {r["id"]: r["story"] for r in ROWS}
    for a, b in pairs(lambda a, b: a["story"] != b["story"]):
        assert story[a] != story[b], (a, b, label[a], label[b])


def test_rewrite_recall_is_reported(store, capsys):
    story = story_ids(store, store_in_order(store))
    same = pairs(lambda a, b: a["story"] == b["story"])
    found = [p for p in same if story[p[0]] == story[p[1]]]
    recall = len(found) / len(same)
    with capsys.disabled():
        print(f"\nstory recall on rewrites: {len(found)}/{len(same)} pairs = {recall:.0%}")
    assert recall >= 0.7


def test_detection_works_across_processes_via_stored_postings(store):
    """A fresh stage (another run, process or machine) finds the story through MongoDB."""
    rows = sorted(ROWS, key=lambda r: r["published"])
    b2 = next(r for r in rows if r["id"] == "B2")
    variant = next(r for r in rows if r["id"] == "B2-page-variant")

    async def run():
        first = await StoriesPipeline(store=store).process_item(article_of(b2))
        apply_writes(store, [as_write(first)])
        second = await StoriesPipeline(store=store).process_item(article_of(variant))
        return first, second
    first, second = asyncio.run(run())
    assert second.story_id == first.story_id
    assert second.duplicate_of == first.canonical_url


def test_copies_stored_by_concurrent_crawls_are_joined_when_they_close(store):
    """Two crawls each process one copy before either is stored: neither sees the other
    then; the late join at close links them (one story, the later copy points at the
    other, never both at each other), with one signature query per time bucket."""
    by_id = {r["id"]: r for r in ROWS}
    first, second = StoriesPipeline(store=store), StoriesPipeline(store=store)
    queries = []
    signatures_in = store.story_signatures_in

    def counted(bucket):
        queries.append(bucket)
        return signatures_in(bucket)

    async def run():
        a = await first.process_item(article_of(by_id["B2"]))
        b = await second.process_item(article_of(by_id["B2-page-variant"]))
        assert a.story_id != b.story_id  # neither saw the other
        apply_writes(store, [as_write(a)])
        apply_writes(store, [as_write(b)])
        store.story_signatures_in = counted
        await first.join_late_copies()
        await second.join_late_copies()
        return a, b
    a, b = asyncio.run(run())
    assert len(queries) == len(set(queries)) * 2 <= 4  # each crawl: one per bucket
    doc_a = store.find_article(a.canonical_url)
    doc_b = store.find_article(b.canonical_url)
    assert doc_a["story_id"] == doc_b["story_id"]
    pointers = [doc_a.get("duplicate_of", ""), doc_b.get("duplicate_of", "")]
    assert sorted(pointers) == ["", a.canonical_url]  # same instant: the first URL is original


def test_a_database_written_before_story_signatures_is_migrated(store):
    """Older databases kept 32 postings per article in `story_bands` and a signature of
    another scheme in each article: ensure_indexes files signatures computed from the bodies,
    and stories are found again."""
    from crawler.similarity import Fingerprint, time_bucket

    b2 = next(r for r in ROWS if r["id"] == "B2")
    old = article_of(b2)
    fingerprint = Fingerprint.of(old.canonical_url, old.outlet, old.body, old.published_at)
    old.story_id = "oldstory"
    store.articles.insert_one({**old.to_document(), "minhash": list(range(64))})
    bucket = time_bucket(old.published_at)
    store.db["story_bands"].insert_many([{"key": f"{band}:0123456789abcdef:{bucket}",
                                          "canonical_url": old.canonical_url}
                                         for band in range(32)])
    store.ensure_indexes()
    assert "story_bands" not in store.db.list_collection_names()
    assert store.story_signatures_in(bucket) == [(old.canonical_url, fingerprint.signature)]
    variant = next(r for r in ROWS if r["id"] == "B2-page-variant")
    found = asyncio.run(StoriesPipeline(store=store).process_item(article_of(variant)))
    assert found.story_id == "oldstory" and found.duplicate_of == old.canonical_url


def test_different_stories_on_one_theme_are_kept_apart_by_their_figures():
    by_id = {r["id"]: r for r in ROWS}
    c2, c6 = by_id["C2"], by_id["C6"]
    fp2 = Fingerprint.of("c2", "a", c2["body"], instant(c2["published"]))
    fp6 = Fingerprint.of("c6", "b", c6["body"], instant(c6["published"]))
    assert jaccard(fp2.shingles, fp6.shingles) > 0.14  # similar words ...
    assert not key_figures(c2["body"]) & key_figures(c6["body"])  # ... different counts
    assert best_match(fp6, [fp2]) is None


def test_candidates_outside_the_time_window_are_ignored():
    b2 = next(r for r in ROWS if r["id"] == "B2")
    now = instant(b2["published"])
    fp = Fingerprint.of("x", "a", b2["body"], now)
    old = Fingerprint.of("y", "b", b2["body"], now.replace(year=now.year - 1))
    assert best_match(fp, [old]) is None
    assert best_match(fp, [Fingerprint.of("z", "b", b2["body"], now)]).is_copy


def test_the_stories_set_holds_what_these_tests_rely_on():
    """Unique ids, UTC dates, stories told by several outlets, and a copy of one text."""
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    outlets_by_story: dict[str, set[str]] = {}
    for row in ROWS:
        assert instant(row["published"]).utcoffset().total_seconds() == 0, row["id"]
        assert len(row["body"]) > 200 and row["title"], row["id"]
        outlets_by_story.setdefault(row["story"], set()).add(row["source_url"].split("/")[2])
    assert sum(len(outlets) >= 2 for outlets in outlets_by_story.values()) >= 3
    ids = {row["id"] for row in ROWS}
    variants = [row["id"] for row in ROWS if row["id"].endswith("-page-variant")]
    assert variants and all(v.removesuffix("-page-variant") in ids for v in variants)
