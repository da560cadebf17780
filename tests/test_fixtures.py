"""Fundus-style extraction fixtures: every outlet's saved pages give the stored fields that the
page was made from, through `crawler.offline.extract_article` (page object + validate, normalize
and timestamps stages; no network, no database).

`tests/fixtures/<spider>/<name>.html` is a saved page; `<name>.json` the expected subset of the
stored article (its `url` is also the URL the page was saved from). The expected values are the
ground truth (corpus record, the real article's text), written by tests/fixtures/generate.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.offline import extract_article
from crawler.run import spider_names

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPIDERS = spider_names()
CASES = sorted(
    path for path in FIXTURES.glob("*/*.json") if path.parent.name in SPIDERS
)
FURNITURE = (  # text of page furniture that must never reach a stored body
    "قد يهمك", "آخر تحديث GMT", "Maintained and developed", "شروط النشر", "مقالات ذات صلة",
    "اقرأ أيضا", "الأكثر قراءة", "أضف تعليقك", "شارك هذا المقال", "جميع الحقوق محفوظة",
    "Related posts",
    "Leave a comment", "Read also", "مواضيع ذات صلة", "تعليقات الزوار", "googletag",
)


def stored_value(article, field: str):
    value = getattr(article, field)
    if field in ("published_at", "updated_at", "crawled_at") and value is not None:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_page_gives_the_stored_fields(case: Path):
    want = json.loads(case.read_text(encoding="utf-8"))
    html = case.with_suffix(".html").read_bytes()
    article = extract_article(html, url=want["url"], spider=case.parent.name)
    got = {field: stored_value(article, field) for field in want}
    assert got == want
    for marker in FURNITURE:
        assert marker not in article.body, f"furniture {marker!r} in the body"


def test_every_outlet_has_fixtures():
    covered = {path.parent.name for path in CASES}
    assert set(SPIDERS) <= covered, f"outlets without fixtures: {set(SPIDERS) - covered}"


def test_almaghribtoday_has_the_real_amp_no_jsonld_and_windows_1256_pages():
    names = {path.stem for path in CASES if path.parent.name == "almaghribtoday"}
    assert {"real-2025-hammouchi", "amp", "no-jsonld", "windows-1256"} <= names
    real = (FIXTURES / "almaghribtoday" / "real-2025-hammouchi.html").read_text(encoding="utf-8")
    # the page carries the real furniture whose dates must not be taken for the article's
    assert "آخر تحديث GMT 14:10:54" in real and "GMT 17:30 2018" in real
    assert "قد يهمك أيضــ" in real and "Maintained and developed by Arabs Today Group" in real
    legacy = (FIXTURES / "almaghribtoday" / "windows-1256.html").read_bytes()
    assert b'charset="windows-1256"' in legacy
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    no_jsonld = json.loads((FIXTURES / "almaghribtoday" / "no-jsonld.json").read_text("utf-8"))
    assert no_jsonld["date_source"] == "meta"
