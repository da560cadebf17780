"""Search insensitive to Arabic spelling variants, topics across sections, and revisions of a
re-fetched article — each through a real crawl of the replica into a real server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.server import ReplicaServer
from crawler.topics import load_rules, topics_of
from tests.conftest import SharedCrawlEnv, run_cli

CORPUS = default_corpus_path()


@pytest.fixture(scope="module")
def crawled(module_env: SharedCrawlEnv) -> SharedCrawlEnv:
    """One crawl of almaghribtoday's replica, read by every search and topic test."""
    replica = ReplicaServer(load_corpus(CORPUS))
    replica.start()
    try:
        result = module_env.cli("crawl", "almaghribtoday", "--replica", replica.url)
    finally:
        replica.stop()
    assert result.code == 0, result.err
    return module_env


def search(crawled: SharedCrawlEnv, text: str) -> list[str]:
    out = crawled.cli("query", "--search", text, "--limit", "0", "--format", "jsonl",
                      "--fields", "canonical_url")
    assert out.code == 0, out.err
    return sorted(json.loads(line)["canonical_url"] for line in out.out.splitlines())


@pytest.mark.parametrize("variants", [
    ["المخدرات", "المُخَدِّرات", "المخـــدرات", "مخدرات", "والمخدرات", "وبالمخدرات"],
    ["الأمن الوطني", "الامن الوطنى", "الأَمْن الوَطَنِيّ", "الأمـن الوطـني"],
    ["إحباط", "احباط", "اِحْبَاط"],
    ["الشرطة القضائية", "الشرطه القضائيه", "شرطة قضائية", "وبالشرطة القضائية"],
])
def test_search_ignores_hamza_diacritics_tatweel_and_proclitics(crawled, variants):
    results = [search(crawled, v) for v in variants]
    assert results[0], f"no article mentions {variants[0]}"
    for variant, found in zip(variants, results, strict=True):
        assert found == results[0], variant


def test_search_needs_every_word(crawled):
    both = set(search(crawled, "الشرطة طنجة"))
    assert both
    assert both <= set(search(crawled, "الشرطة")) and both <= set(search(crawled, "طنجة"))
    assert search(crawled, "الشرطة كلمةغيرموجودة") == []


def test_security_topic_spans_sections(crawled):
    out = crawled.cli("query", "--topic", "security", "--limit", "0", "--format", "jsonl",
                      "--fields", "title,section")
    assert out.code == 0, out.err
    records = [json.loads(line) for line in out.out.splitlines()]
    # exactly the corpus articles that the shipped rules tag, read from the corpus itself
    rules = load_rules({})
    expected = {a.title for a in load_corpus(CORPUS) if a.outlet == "almaghribtoday"
                and "security" in topics_of(f"{a.title} {a.body}", rules)}
    assert {r["title"] for r in records} == expected
    assert {r["section"] for r in records} > {"security"}  # arrests filed under other sections
    security_section = crawled.db.articles.count_documents({"section": "security"})
    tagged = crawled.db.articles.count_documents({"section": "security", "topics": "security"})
    assert tagged == security_section > 0


def test_an_empty_result_names_the_filter_that_matched_nothing(crawled):
    """A misspelt outlet, section or topic says so instead of showing an empty table alone."""
    out = crawled.cli("query", "--outlet", "almaghribtodya", "--section", "securty",
                      "--topic", "securty")
    assert out.code == 0, out.err
    assert out.out.split()[-2:] == ["0", "article(s)"]
    assert "no stored article has outlet 'almaghribtodya'" in out.err
    assert "no stored article has section 'securty'" in out.err
    assert "no topic is named 'securty' (topics: security," in out.err
    stories = crawled.cli("stories", "--outlet", "almaghribtodya", "--since", "3650d")
    assert "no stored article has outlet 'almaghribtodya'" in stories.err
    # a filter that matches stored articles, and a query that finds some, warn of nothing
    empty = crawled.cli("query", "--outlet", "almaghribtoday", "--search", "كلمةغيرموجودة")
    assert empty.out.split()[-2:] == ["0", "article(s)"] and empty.err == ""
    found = crawled.cli("query", "--outlet", "almaghribtoday", "--topic", "security")
    assert int(found.out.split()[-2]) > 0 and found.err == ""


def test_an_empty_result_with_a_broken_configuration_says_topics_went_unchecked(crawled,
                                                                               tmp_path):
    config = tmp_path / "newscrawl.toml"
    config.write_text("[topics.weather]\nbogus = 1\n", encoding="utf-8")
    out = run_cli("query", "--topic", "securty", env={**crawled.env,
                                                       "NEWSCRAWL_CONFIG": str(config)})
    assert out.out.split()[-2:] == ["0", "article(s)"]
    assert "topic names not checked" in out.err and "bogus" in out.err


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
