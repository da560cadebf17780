"""Reading stored articles: the filters behind `newscrawl query` (indexed fields first)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.store import Store, newest_first
from crawler.text import normalize_arabic

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
        for word in normalize_arabic(self.search).split():
            clauses.append({"search_text": {"$regex": re.escape(word)}})
        if not clauses:
            return {}
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def run(self, store: Store) -> list[dict[str, Any]]:
        cursor = newest_first(store.articles.find(self.filter(), {"_id": 0, "search_text": 0}))
        if self.limit:
            cursor = cursor.limit(self.limit)
        return list(cursor)
