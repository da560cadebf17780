"""Reading stored articles: the filters behind `newscrawl query` and its pages, newest first.

Every query is one index-ordered walk, newest first, in growing pages (`sort` + `skip` +
`limit`), so it reads about as many articles as it returns, on any MongoDB and on the embedded
server alike. Shapes were chosen by measurement at 100,000 articles (bench/bench_query.py):

- equality filters are flat (`{"outlet": {"$eq": x}, "section": ...}`): a compound index on
  (outlet, section, published_at, crawled_at) answers them in order; the embedded server
  evaluates `$and` and `$or` in Python over the whole collection, and `$in` (kept for several
  values and for the `topics` array) with a scan of the sorted index;
- the time range is not sent as a filter: the walk stops at the first article older than
  `since`, and starts at the first one no newer than `until` (found by galloping `skip`
  probes). The embedded server answers any date comparison with a full scan of the
  collection (and compares whole seconds only); this reads a few index entries instead and
  compares exactly;
- only the fields asked for travel (`fields`), and `has_more` comes from one article more.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from crawler.items import INTERNAL_FIELDS
from crawler.store import Store, newest_first
from crawler.text import light_stem, tokens

RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
FIRST_PAGE = 32  # articles the walk reads first at least; each next read doubles, up to
MAX_PAGE = 512
STORY_SPREAD = 1.5  # articles read per story wanted, at first (stories have 1.3 on average)
GALLOP = 64  # first skip probed when looking for where `until` starts


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


def _one_of(values: list[str]) -> dict[str, Any]:
    distinct = list(dict.fromkeys(values))
    return {"$eq": distinct[0]} if len(distinct) == 1 else {"$in": distinct}


@dataclass
class Page:
    articles: list[dict[str, Any]]
    has_more: bool  # at least one more article (or story) follows this page


@dataclass
class ArticleQuery:
    outlets: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""
    topics: list[str] = field(default_factory=list)
    limit: int = 20  # 0: all
    unique_stories: bool = False  # one article per story_id (the newest)
    skip: int = 0  # articles (stories, with unique_stories) before this page: page N = N-1 * limit
    fields: list[str] | None = None  # stored fields to return (None: every shown field)

    def filter(self, *, dates: bool = True) -> dict[str, Any]:
        """The MongoDB filter; `dates=False` leaves out the time range (the walk applies it)."""
        query: dict[str, Any] = {}
        if self.outlets:
            query["outlet"] = _one_of(self.outlets)
        if self.sections:
            query["section"] = _one_of(self.sections)
        if self.topics:
            # an array field: `$eq` would compare the whole array on the embedded server
            query["topics"] = {"$in": list(dict.fromkeys(self.topics))}
        if dates and (self.since or self.until):
            span: dict[str, Any] = {}
            if self.since:
                span["$gte"] = self.since
            if self.until:
                span["$lte"] = self.until
            query["published_at"] = span
        if words := [light_stem(t) for t in tokens(self.search)]:
            # every word must occur (quoted terms are ANDed); stems match any proclitic form
            query["$text"] = {"$search": " ".join(f'"{w}"' for w in words)}
        return query

    def run(self, store: Store) -> list[dict[str, Any]]:
        return self.page(store).articles

    def page(self, store: Store) -> Page:
        """`limit` articles after the first `skip`, and whether more follow."""
        rows = self._walk(store)
        if self.unique_stories:
            rows = islice(self._newest_of_each_story(rows), self.skip, None)
        if not self.limit:
            return Page([self._shown(a) for a in rows], False)
        found = list(islice(rows, self.limit + 1))
        return Page([self._shown(a) for a in found[:self.limit]], len(found) > self.limit)

    # --- the walk ---

    def _projection(self) -> dict[str, int]:
        if self.fields is None:
            return {"_id": 0, **{name: 0 for name in INTERNAL_FIELDS}}
        return {"_id": 0, **{name: 1 for name in (*self.fields, *self._needed())}}

    def _needed(self) -> tuple[str, ...]:
        """Fields the walk reads besides the ones asked for."""
        return ("published_at", "story_id", "canonical_url") if self.unique_stories else (
            ("published_at",) if self.since or self.until else ())

    def _shown(self, article: dict[str, Any]) -> dict[str, Any]:
        if self.fields is not None:
            for name in set(self._needed()) - set(self.fields):
                article.pop(name, None)
        return article

    def _cursor(self, store: Store, query: dict[str, Any], projection: dict[str, int],
                skip: int, limit: int):
        return newest_first(store.articles.find(query, projection)).skip(skip).limit(limit)

    def _walk(self, store: Store) -> Iterator[dict[str, Any]]:
        """Matching articles, newest first, read in growing pages; the time range applied."""
        query, projection = self.filter(dates=False), self._projection()
        position = self._first_at_or_before_until(store, query) if self.until else 0
        if self.unique_stories:  # copies of a story are passed over as the walk goes
            size = max(int((self.skip + self.limit) * STORY_SPREAD), FIRST_PAGE)
        else:
            position += self.skip  # the server passes over them in its index
            size = self.limit + 1 if self.limit else FIRST_PAGE
        size = min(size, MAX_PAGE)
        while True:
            batch = list(self._cursor(store, query, projection, position, size))
            for article in batch:
                published = article.get("published_at")
                if self.since and (published is None or published < self.since):
                    return
                if self.until and (published is None or published > self.until):
                    if published is None:
                        return
                    continue  # only when articles were stored since the probe
                yield article
            if len(batch) < size:
                return
            position += size
            size = min(size * 2, MAX_PAGE)

    def _first_at_or_before_until(self, store: Store, query: dict[str, Any]) -> int:
        """Position (newest first) of the first article published at or before `until`."""
        def reached(position: int) -> bool:
            doc = next(iter(self._cursor(store, query, {"_id": 0, "published_at": 1},
                                         position, 1)), None)
            if doc is None or doc.get("published_at") is None:
                return True  # past the end, or among the undated (sorted last)
            return doc["published_at"] <= self.until

        if reached(0):
            return 0
        before, after = 0, GALLOP
        while not reached(after):
            before, after = after, after * 4
        while after - before > 1:  # before: newer than `until`; after: reached
            middle = (before + after) // 2
            before, after = (before, middle) if reached(middle) else (middle, after)
        return after

    @staticmethod
    def _newest_of_each_story(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for article in rows:
            story = article.get("story_id") or article.get("canonical_url")
            if story not in seen:
                seen.add(story)
                yield article
