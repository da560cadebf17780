"""The checks a real page's expected values define, shared by its tests and the benchmark.

An expectation file (`tests/fixtures/real/NAME.json`) names the page's `url`, `title`,
`published_at` (ISO-8601, with `published_at_alternatives` that are also right), the starts of
its first and last paragraphs, and `boilerplate`: page furniture that must not be in the body.
Text is compared after decoding entities and collapsing whitespace. Five checks per page:
title, instant, first paragraph, last paragraph, no furniture.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CHECKS = ("title", "published", "first_paragraph", "last_paragraph", "no_furniture")


@dataclass(frozen=True)
class Extracted:
    """What an extractor made of a page: enough for the checks."""

    title: str
    published_at: datetime | None  # aware
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def same_text(text: str) -> str:
    return " ".join(html.unescape(text or "").split())


def instant(value: str) -> datetime:
    """An expected instant: ISO-8601 (`Z` allowed), notes after a space ignored."""
    found = datetime.fromisoformat(value.split(" (")[0].strip().replace("Z", "+00:00"))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def accepted_instants(expected: dict[str, Any]) -> list[datetime]:
    values = [expected["published_at"], *expected.get("published_at_alternatives", [])]
    return [instant(v) for v in values]


def check(expected: dict[str, Any], got: Extracted) -> dict[str, bool]:
    """Each check's verdict for one page."""
    paragraphs = [same_text(p) for p in got.paragraphs if same_text(p)]
    body = " ".join(paragraphs)
    published = got.published_at
    return {
        "title": same_text(got.title) == same_text(expected["title"]),
        "published": published is not None and any(
            abs((published - want).total_seconds()) < 60 for want in accepted_instants(expected)
        ),
        "first_paragraph": bool(paragraphs)
        and paragraphs[0].startswith(same_text(expected["first_paragraph_start"])),
        "last_paragraph": bool(paragraphs)
        and paragraphs[-1].startswith(same_text(expected["last_paragraph_start"])),
        "no_furniture": bool(paragraphs) and not any(
            same_text(b) in body for b in expected.get("boilerplate", [])
        ),
    }


def ours(html: bytes, url: str, spider: str | None = None) -> Extracted:
    """The generic path (or a spider's, when named): page object and cleaning stages."""
    from crawler.offline import extract_article
    from pipelines.base import ArticleDropped

    try:
        article = extract_article(html, url=url, spider=spider)
    except ArticleDropped:
        return Extracted("", None, [])
    return Extracted(article.title, article.published_at, article.body.split("\n\n"))


def trafilatura_extracted(html: bytes, url: str, zone: str = "UTC") -> Extracted:
    """trafilatura's best reading: metadata on, htmldate's extensive search with times and
    offsets; a time without an offset is read in `zone` (the zone our path assumes)."""
    from zoneinfo import ZoneInfo

    import trafilatura

    result = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={
            "extensive_search": True, "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if result is None:
        return Extracted("", None, [])
    published = None
    if result.date:
        published = datetime.fromisoformat(result.date)
        if published.tzinfo is None:
            published = published.replace(tzinfo=ZoneInfo(zone))
    paragraphs = [p for p in (result.text or "").splitlines() if p.strip()]
    return Extracted(result.title or "", published, paragraphs)
