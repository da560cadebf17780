"""The benchmark archive (bench/archive.py) stores what the pipelines would for the same text."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bench.archive import ArchiveGenerator, builtin_outlets
from crawler.items import STORED_FIELDS, Article
from crawler.text import search_terms
from crawler.topics import load_rules, topics_of
from pipelines.normalize import content_hash

END = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return list(ArchiveGenerator(builtin_outlets(), seed=7).documents(800, END))


def test_derived_fields_are_the_pipelines(documents):
    rules = load_rules()
    for doc in documents[::5]:
        assert doc["search_text"] == search_terms(doc["title"], doc["summary"], doc["body"])
        assert doc["topics"] == topics_of(" ".join((doc["title"], doc["summary"], doc["body"])),
                                          rules)
        assert doc["content_hash"] == content_hash(doc["body"])


def test_documents_look_like_a_year_of_fourteen_outlets(documents):
    assert list(documents[0]) == list(Article().to_document())
    assert set(STORED_FIELDS) <= set(documents[0])
    outlets = Counter(d["outlet"] for d in documents)
    assert len(outlets) == 14
    published = [d["published_at"] for d in documents]
    assert published == sorted(published) and END - timedelta(days=366) < published[0]
    assert max(published) <= END
    assert len({d["canonical_url"] for d in documents}) == len(documents)
    assert sum("security" in d["topics"] for d in documents) > len(documents) / 10
    for doc in documents:
        assert doc["section"] in next(o for o in builtin_outlets()
                                      if o.key == doc["outlet"]).sections


def test_some_stories_span_outlets_and_some_articles_are_copies(documents):
    stories: dict[str, list[dict]] = {}
    for doc in documents:
        stories.setdefault(doc["story_id"], []).append(doc)
    shared = [s for s in stories.values() if len(s) > 1]
    assert len(shared) > len(stories) / 10
    for story in shared:
        assert len({d["outlet"] for d in story}) == len(story)
        assert story[-1]["published_at"] - story[0]["published_at"] <= timedelta(days=2)
    copies = [d for d in documents if d["duplicate_of"]]
    assert copies
    first = {s[0]["canonical_url"]: s[0] for s in stories.values()}
    for copy in copies:
        assert first[copy["duplicate_of"]]["body"] == copy["body"]
