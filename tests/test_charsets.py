"""Issue 8, point 8: pages served with the wrong charset label are stored readable, never
garbled. The replica lies about the charset of two sections; the real spider crawls them into a
real MongoDB-protocol server through the installed `newscrawl` console script."""

from __future__ import annotations

import pytest

from crawler.extraction.decoding import is_garbled
from crawler.replica import Faults
from crawler.replica.corpus import default_corpus_path, load_corpus

CORPUS = default_corpus_path()
SECTIONS = {"security": "/36/", "politics": "/451/"}
EXPECTED = {
    (a.title, a.section) for a in load_corpus(CORPUS)
    if a.outlet == "almaghribtoday" and a.section in SECTIONS
}


def test_mislabelled_pages_are_stored_readable(cli, replica_server, mongo_db):
    replica = replica_server(CORPUS, faults=Faults(
        cp1256_as_utf8_paths={SECTIONS["security"]},  # windows-1256 bytes said to be UTF-8
        utf8_as_cp1256_paths={SECTIONS["politics"]},  # UTF-8 bytes said to be windows-1256
    ))
    result = cli("crawl", "almaghribtoday", "--replica", replica.url,
                 "--section", "security", "--section", "politics")
    assert result.code == 0, result.err
    stored = list(mongo_db.articles.find({}, {"title": 1, "body": 1, "section": 1}))
    assert {(d["title"], d["section"]) for d in stored} == EXPECTED
    for doc in stored:
        assert not is_garbled(doc["title"], doc["body"])
        assert "\ufffd" not in doc["title"] + doc["body"]
        assert "ط§ظ„" not in doc["body"]  # "ال" read as windows-1256


def test_charset_lie_knobs_are_checked_like_the_others():
    faults = Faults.from_dict({"cp1256_as_utf8_paths": ["/36/"], "utf8_as_cp1256_paths": []})
    assert faults.mislabels("/36/100500-x") and not faults.mislabels_utf8("/36/100500-x")
    assert faults.to_dict()["cp1256_as_utf8_paths"] == ["/36/"]
    for bad in ({"cp1256_as_utf8_paths": "/36/"}, {"utf8_as_cp1256_paths": ["36/"]}):
        with pytest.raises(ValueError, match="paths"):
            Faults.from_dict(bad)
