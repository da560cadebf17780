"""Reading stored articles: the filters behind `newscrawl query` (indexed fields first)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.items import INTERNAL_FIELDS
from crawler.store import Store, newest_first
from crawler.text import light_stem, tokens

RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class QueryError(ValueError):
    """A bad filter value; the message names the option."""


def parse_instant(value: str, option: str, *, now: datetime | None = None) -> datetime:
    """An ISO date/instant (naive = UTC) or a relative age such as 2d, 6h, 30m, 1w."""
    now = now or datetime.now(UTC)
    if match := RELATIVE.match(value):
        return now - timedelta(**{UNITS[match[2].lower()]: float(match[1])})
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"{option}: {value!r} is neither an ISO date (2026-11-01, 2026-11-01T08:00Z) "
            "nor an age (30m, 6h, 2d, 1w)"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass
class ArticleQuery:
    outlets: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""
    topics: list[str] = field(default_factory=list)
    limit: int = 20
    unique_stories: bool = False  # one article per story_id (the newest)

    def filter(self) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = []
        if self.outlets:
            clauses.append({"outlet": {"$in": self.outlets}})
        if self.sections:
            clauses.append({"section": {"$in": self.sections}})
        if self.since or self.until:
            span: dict[str, Any] = {}
            if self.since:
                span["$gte"] = self.since
            if self.until:
                span["$lte"] = self.until
            clauses.append({"published_at": span})
        if self.topics:
            clauses.append({"topics": {"$in": self.topics}})
        if words := [light_stem(t) for t in tokens(self.search)]:
            # every word must occur (quoted terms are ANDed); stems match any proclitic form
            clauses.append({"$text": {"$search": " ".join(f'"{w}"' for w in words)}})
        if not clauses:
            return {}
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def run(self, store: Store) -> list[dict[str, Any]]:
        hidden = {"_id": 0, **{name: 0 for name in INTERNAL_FIELDS}}
        cursor = newest_first(store.articles.find(self.filter(), hidden))
        if not self.unique_stories:
            return list(cursor.limit(self.limit) if self.limit else cursor)
        seen: set[str] = set()
        articles = []
        for article in cursor:
            story = article.get("story_id") or article.get("canonical_url")
            if story not in seen:
                seen.add(story)
                articles.append(article)
                if self.limit and len(articles) >= self.limit:
                    break
        return articles
