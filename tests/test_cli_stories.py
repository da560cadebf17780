"""`newscrawl stories` on a real replica crawl: almaghribtoday reports a hashish seizure at
Tanger Med, casablancatoday copies it, hespress rewrites it; alyaoum24 reports another seizure
by the same police and customs at the same port the next day (a different story)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pymongo
import pytest

from crawler.terminal import TERMINAL_CONTROLS
from tests.conftest import FIXTURES, run_cli, with_database
from tests.test_hostile_text import ESC_TITLE

CORPUS = FIXTURES / "stories" / "replica-one-story.jsonl"
SINCE = ("--since", "2026-09-01")


@pytest.fixture(scope="module")
def crawled(embedded_server, tmp_path_factory):
    """One real crawl of the corpus (every outlet through the replica), read by every test."""
    database = f"nc_test_{uuid.uuid4().hex[:10]}"
    uri = with_database(embedded_server, database)
    home = tmp_path_factory.mktemp("stories-home")
    env = {**os.environ, "NEWSCRAWL_HOME": str(home), "NEWSCRAWL_MONGO_URI": uri}
    env.pop("NEWSCRAWL_CONFIG", None)
    demo = run_cli("demo", "--corpus", str(CORPUS), env=env)
    assert demo.code == 0, demo.err + demo.out
    client = pymongo.MongoClient(uri, tz_aware=True)
    yield env, client[database]
    client.drop_database(database)
    client.close()


def run_cli_jsonl(env, *args):
    result = run_cli("stories", "--format", "jsonl", *args, env=env)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def stories_jsonl(env, *args):
    return run_cli_jsonl(env, *SINCE, *args)


def test_three_outlets_one_story_and_the_other_seizure_apart(crawled):
    env, db = crawled
    assert db.articles.count_documents({}) == 7  # every corpus article was crawled and stored
    found = stories_jsonl(env)
    assert len(found) == 1  # the other seizure is a story of one outlet: below --min-outlets 2
    story = found[0]
    assert story["outlets"] == ["almaghribtoday", "casablancatoday", "hespress"]
    assert story["articles"] == 3
    assert story["first_outlet"] == "almaghribtoday"
    assert story["first_published_at"] == "2026-09-06T10:42:00Z"
    assert story["first_title"].startswith("إحباط محاولة تهريب أزيد من أربعة أطنان")
    other = db.articles.find_one({"outlet": "alyaoum24"})
    assert other["story_id"] != story["story_id"]
    # plain MongoDB data: any client groups articles by story_id
    assert db.articles.count_documents({"story_id": story["story_id"]}) == 3


def test_show_is_the_timeline_with_copy_and_rewrite(crawled):
    env, _ = crawled
    story_id = stories_jsonl(env)[0]["story_id"]
    timeline = run_cli("stories", "show", story_id, "--format", "jsonl", env=env)
    assert timeline.code == 0, timeline.err
    rows = [json.loads(line) for line in timeline.out.splitlines()]
    assert [(r["outlet"], r["kind"]) for r in rows] == [
        ("almaghribtoday", "first"), ("casablancatoday", "copy"), ("hespress", "rewrite")]
    assert rows[1]["duplicate_of"] == rows[0]["canonical_url"]
    assert [r["published_at"] for r in rows] == [
        "2026-09-06T10:42:00Z", "2026-09-06T11:22:00Z", "2026-09-06T12:15:00Z"]

    table = run_cli("stories", "show", story_id, env={**env, "COLUMNS": "200"})
    assert table.code == 0, table.err
    lines = [line for line in table.out.splitlines() if "2026-09-06" in line]
    assert [("copy" in line, "rewrite" in line) for line in lines] == [
        (False, False), (True, False), (False, True)]
    assert "hespress" in lines[2] and "3 article(s) from 3 outlet(s)" in table.out


def test_filters_and_table(crawled):
    env, _ = crawled
    assert len(stories_jsonl(env, "--min-outlets", "1")) == 5  # the 4 others stand alone
    assert stories_jsonl(env, "--outlet", "alyaoum24") == []
    assert len(stories_jsonl(env, "--outlet", "alyaoum24", "--min-outlets", "1")) == 1
    assert len(stories_jsonl(env, "--outlet", "hespress", "--topic", "security")) == 1
    assert stories_jsonl(env, "--topic", "sports") == []
    assert stories_jsonl(env, "--since", "2026-09-10") == []  # the story ended before
    # a window that holds only part of the story still shows all of it
    for window in (("--since", "2026-09-06T12:00Z"),
                   ("--since", "2026-09-01", "--until", "2026-09-06T11:00Z")):
        [story] = run_cli_jsonl(env, *window)
        assert story["articles"] == 3 and story["first_published_at"] == "2026-09-06T10:42:00Z"
    table = run_cli("stories", *SINCE, env={**env, "COLUMNS": "250"})
    assert table.code == 0, table.err
    row = next(line for line in table.out.splitlines() if "casablancatoday" in line)
    assert "2026-09-06 10:42" in row and "almaghribtoday" in row and " 3 " in row
    assert "1 story" in table.out


def test_bad_input_is_one_line_and_exit_2(crawled):
    env, _ = crawled
    bad = run_cli("stories", "--since", "yesterday", env=env)
    assert bad.code == 2 and bad.err.startswith("newscrawl: --since:"), bad.err
    assert "Traceback" not in bad.err
    missing = run_cli("stories", "show", "0123456789abcdef", env=env)
    assert missing.code == 2 and missing.err.startswith("newscrawl: no story"), missing.err


def test_crawled_text_is_escaped_in_every_format(cli, nc_env, mongo_db):
    """Titles and outlets stored unclean (by an older version or another tool) never drive
    the terminal: controls are shown as \\uXXXX, and a JSON reader gets the text back."""
    published = datetime(2026, 11, 27, 8, 26, tzinfo=UTC)
    mongo_db.articles.insert_many([
        {"canonical_url": f"https://{outlet}.example/{n}", "url": f"https://{outlet}.example/{n}",
         "outlet": outlet, "title": ESC_TITLE, "story_id": "hostilestory0000",
         "published_at": published + timedelta(minutes=n)}
        for n, outlet in enumerate(["almaghribtoday", "hespress\x1b[8m"])])
    wide = {**nc_env, "COLUMNS": "300"}
    since = ("--since", "2026-11-26")
    shown = {
        "table": cli("stories", *since, env=wide),
        "jsonl": cli("stories", *since, "--format", "jsonl"),
        "show table": cli("stories", "show", "hostilestory0000", env=wide),
        "show jsonl": cli("stories", "show", "hostilestory0000", "--format", "jsonl"),
    }
    for form, result in shown.items():
        assert result.code == 0, (form, result.err)
        assert TERMINAL_CONTROLS.findall(result.out) == [], form
        assert "\\u001b]0;owned" in result.out and "عنوان" in result.out, form
    assert json.loads(shown["jsonl"].out)["first_title"] == ESC_TITLE
    rows = [json.loads(line) for line in shown["show jsonl"].out.splitlines()]
    assert [r["outlet"] for r in rows] == ["almaghribtoday", "hespress\x1b[8m"]
