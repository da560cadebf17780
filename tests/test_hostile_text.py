"""Hostile crawled text stays inert: control characters (C0/C1 except tab and newline, bidi
overrides) are stripped when an article is cleaned and escaped again wherever text is printed;
CSV cells that a spreadsheet would run are neutralized."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, datetime

import pytest

from crawler.replica.corpus import default_corpus_path
from crawler.terminal import TERMINAL_CONTROLS, EscapeControlsFilter, csv_cell, escape_controls
from crawler.text import clean_display_text

ESC_TITLE = "\x1b]0;owned\x07\x1b[2J عنوان \u202eمقلوب\u202c \x9b31m خبر"
FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"]


def controls_in(text: str) -> list[str]:
    return TERMINAL_CONTROLS.findall(text)


# --- cleaning at normalization ---


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x80", "\x9b", "\x9f",
                                  "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2069"])
def test_display_text_drops_control_characters(char):
    assert clean_display_text(f"خبر{char}عاجل") == "خبرعاجل"


def test_display_text_keeps_text_tabs_and_line_breaks():
    cleaned = clean_display_text(ESC_TITLE)
    assert controls_in(cleaned) == []
    assert "عنوان" in cleaned and "مقلوب" in cleaned and "]0;owned" in cleaned
    assert clean_display_text("سطر\tأول\r\nسطر ثان\x85ثالث") == "سطر أول\nسطر ثان\nثالث"
    assert clean_display_text("مي\u200cخواهم") == "مي\u200cخواهم"  # ZWNJ inside a word stays


# --- escaping at output ---


def test_escape_controls_shows_every_control_and_nothing_else():
    assert escape_controls("a\x1b[2Jb\u202ec\td\ne") == "a\\u001b[2Jb\\u202ec\td\ne"
    arabic = "توقيف شاب بوادي زم، متورط في ابتزاز"
    assert escape_controls(arabic) == arabic


def test_log_messages_quoting_crawled_text_are_escaped():
    record = logging.LogRecord("crawler.spider", logging.WARNING, __file__, 1,
                               "no entries in feed %s titled %s", None, None)
    record.args = ("https://x/feed", ESC_TITLE)
    assert EscapeControlsFilter().filter(record)
    assert controls_in(record.getMessage()) == [] and "\\u001b]0;owned" in record.getMessage()


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cell_neutralizes_formulas(formula):
    assert csv_cell(formula) == "'" + formula
    assert csv_cell("2026-11-27T08:26:00Z") == "2026-11-27T08:26:00Z"


@pytest.fixture
def hostile_article(mongo_db):
    """An article as an older version (or another tool) may have stored it: not cleaned."""
    doc = {
        "canonical_url": "https://almaghribtoday.net/36/101010-x", "url": "https://x/1",
        "outlet": "almaghribtoday", "section": "security", "title": ESC_TITLE,
        "body": "فقرة\x1b[31m حمراء\n\nفقرة \u2066معزولة\u2069", "summary": FORMULAS[0],
        "authors": ["=cmd|' /C calc'!A0"], "published_at": datetime(2026, 11, 27, 8, 26,
                                                                      tzinfo=UTC),
        "crawled_at": datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
    }
    mongo_db.articles.insert_one(dict(doc))
    return doc


def test_query_table_escapes_controls(cli, nc_env, hostile_article):
    out = cli("query", "--fields", "title,summary", env={**nc_env, "COLUMNS": "300"}).out
    assert controls_in(out) == []
    assert "\\u001b]0;owned" in out and "\\u202e" in out and "عنوان" in out
    assert "[2J" in out  # shown, not obeyed


def test_query_csv_escapes_controls_and_neutralizes_formulas(cli, hostile_article):
    out = cli("query", "--format", "csv", "--fields", "title,summary,authors,body").out
    assert controls_in(out) == []
    header, row = list(csv.reader(io.StringIO(out)))
    cells = dict(zip(header, row, strict=True))
    assert cells["summary"] == "'" + FORMULAS[0]
    assert cells["title"].startswith("\\u001b]0;owned")
    assert cells["authors"] == escape_controls(json.dumps(hostile_article["authors"]))
    assert not cells["authors"].startswith("=")  # the JSON list starts with `[`


def test_query_jsonl_escapes_controls_and_keeps_the_text(cli, hostile_article):
    out = cli("query", "--format", "jsonl", "--fields", "title,body").out
    assert controls_in(out) == []
    record = json.loads(out)
    assert record["title"] == ESC_TITLE  # a JSON reader gets the very same text back
    assert record["body"] == hostile_article["body"]


def test_crawled_controls_are_stripped_before_storing_and_never_printed(
    cli, replica_server, tmp_path, mongo_db
):
    base = next(json.loads(line) for line in default_corpus_path().read_text("utf-8").splitlines()
                if line.strip() and json.loads(line)["outlet"] == "almaghribtoday"
                and json.loads(line)["section"] == "security")
    record = {**base, "title": ESC_TITLE, "dateline": "الرباط\x1b[8m - \u202eالمغرب اليوم",
              "body": base["body"] + "\n\nفقرة\x07 أخيرة \x9b0m تروي ما قالته"
              " المديرية العامة للأمن الوطني عن الموقوفين وعن المحجوزات في هذه القضية."}
    corpus = tmp_path / "hostile.jsonl"
    corpus.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    replica = replica_server(corpus)

    crawl = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
                "--verbose")  # Scrapy's log on stderr too
    assert crawl.code == 0, crawl.err
    assert controls_in(crawl.out + crawl.err) == []
    (stored,) = list(mongo_db.articles.find({}))
    for field in ("title", "body", "dateline", "summary"):
        assert controls_in(stored[field]) == [], field
    assert "عنوان" in stored["title"] and "فقرة أخيرة" in stored["body"]

    for form in ("table", "csv", "jsonl"):
        shown = cli("query", "--format", form, "--fields", "title,body,dateline")
        assert shown.code == 0 and "عنوان" in shown.out
        assert controls_in(shown.out) == [], form
