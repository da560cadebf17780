"""Search insensitive to Arabic spelling variants, topics across sections, and revisions of a
re-fetched article — each through a real crawl of the replica into a real server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.topics import load_rules, topics_of

CORPUS = default_corpus_path()


@pytest.fixture
def crawled(cli, replica_server, mongo_db):
    replica = replica_server(CORPUS)
    result = cli("crawl", "almaghribtoday", "--replica", replica.url)
    assert result.code == 0, result.err
    return mongo_db


def search(cli, text: str) -> list[str]:
    out = cli("query", "--search", text, "--limit", "0", "--format", "jsonl",
              "--fields", "canonical_url")
    assert out.code == 0, out.err
    return sorted(json.loads(line)["canonical_url"] for line in out.out.splitlines())


@pytest.mark.parametrize("variants", [
    ["المخدرات", "المُخَدِّرات", "المخـــدرات", "مخدرات", "والمخدرات"],
    ["الأمن الوطني", "الامن الوطنى", "الأَمْن الوَطَنِيّ", "الأمـن الوطـني"],
    ["إحباط", "احباط", "اِحْبَاط"],
    ["الشرطة القضائية", "الشرطه القضائيه", "شرطة قضائية"],
])
def test_search_ignores_hamza_diacritics_tatweel_and_proclitics(crawled, cli, variants):
    results = [search(cli, v) for v in variants]
    assert results[0], f"no article mentions {variants[0]}"
    for variant, found in zip(variants, results, strict=True):
        assert found == results[0], variant


def test_search_needs_every_word(crawled, cli):
    both = set(search(cli, "الشرطة طنجة"))
    assert both <= set(search(cli, "الشرطة")) and both <= set(search(cli, "طنجة"))
    assert search(cli, "الشرطة كلمةغيرموجودة") == []


def test_security_topic_spans_sections(crawled, cli):
    out = cli("query", "--topic", "security", "--limit", "0", "--format", "jsonl",
              "--fields", "section,topics")
    records = [json.loads(line) for line in out.out.splitlines()]
    sections = {r["section"] for r in records}
    assert "security" in sections
    assert all("security" in r["topics"] for r in records)
    security_section = crawled.articles.count_documents({"section": "security"})
    tagged = crawled.articles.count_documents({"section": "security", "topics": "security"})
    assert tagged == security_section


def test_user_topic_rules_override_the_shipped_ones():
    rules = load_rules({"security": {"enabled": False}, "weather": {"keywords": ["أمطار*"]}})
    assert "security" not in rules
    assert topics_of("تساقطات مطرية وأمطارغزيرة", rules) == ["weather"]
    assert topics_of("الشرطة توقف مشتبها فيه", rules) == []


def test_revision_is_stored_when_an_article_changes(cli, replica_server, mongo_db, tmp_path):
    articles = [a for a in load_corpus(CORPUS) if a.outlet == "almaghribtoday"]
    first = replica_server(CORPUS)
    assert cli("crawl", "almaghribtoday", "--section", "sports", "--replica", first.url).code == 0
    target = next(a for a in articles if a.section == "sports")
    stored = mongo_db.articles.find_one({"title": target.title})
    assert stored["revisions"] == [] and stored["updated_at"] is None
    first.stop()

    changed = [replace(a, body=a.body + "\n\nتحديث: أعلنت العصبة الاحترافية موعد المباراة المقبلة.")
               if a is target else a for a in articles]
    from crawler.replica.server import ReplicaServer

    second = ReplicaServer(changed)
    second.start()
    try:
        result = cli("crawl", "almaghribtoday", "--section", "sports", "--full",
                     "--replica", second.url)
    finally:
        second.stop()
    assert result.code == 0, result.err
    revised = mongo_db.articles.find_one({"title": target.title})
    assert revised["body"].endswith("موعد المباراة المقبلة.")
    assert len(revised["revisions"]) == 1
    assert revised["revisions"][0]["body"] == stored["body"]
    assert isinstance(revised["updated_at"], datetime)
    assert revised["published_at"] == stored["published_at"]
    unchanged = mongo_db.articles.find_one({"section": "sports", "title": {"$ne": target.title}})
    assert unchanged["revisions"] == [] and unchanged["updated_at"] is None
    assert mongo_db.articles.count_documents({"section": "sports"}) == sum(
        a.section == "sports" and a.outlet == "almaghribtoday" for a in articles)
