"""JSON-LD: the NewsArticle object a page declares about itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from parsel import Selector

ARTICLE_TYPES = {
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "WebPage",
}


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _objects(item)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _objects(value["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)}


def find_article(selector: Selector) -> dict[str, Any]:
    """The page's article object ({} when none): NewsArticle first, a plain WebPage last."""
    candidates: list[dict[str, Any]] = []
    for raw in selector.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw.strip())
        except ValueError:
            data = _first_value(raw.strip())
            if data is None:
                continue  # broken JSON-LD is common; the other sources still count
        candidates.extend(o for o in _objects(data) if _types(o) & ARTICLE_TYPES)
    candidates.sort(key=lambda o: "WebPage" in _types(o))
    return candidates[0] if candidates else {}


def _first_value(raw: str) -> Any:
    """The first complete JSON value of a block with junk after it (one closing brace too
    many): the object the page meant, its date included; None when even that is broken."""
    try:
        return json.JSONDecoder().raw_decode(raw)[0]
    except ValueError:
        return None


def names(value: Any) -> list[str]:
    """Author/publisher names from a string, an object or a list of either."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return names(value.get("name", ""))
    if isinstance(value, list):
        return [n for item in value for n in names(item)]
    return []


def urls(value: Any) -> list[str]:
    """Image URLs from a string, an ImageObject or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return urls(value.get("url") or value.get("contentUrl") or "")
    if isinstance(value, list):
        return [u for item in value for u in urls(item)]
    return []


def text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and value:
        return text(value[0])
    return ""
