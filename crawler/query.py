"""Reading stored articles: the filters behind `newscrawl query` and its pages, newest first.

A query is one walk over `articles` newest first, in pages (`sort` + `skip` + `limit`), that
reads about as many articles as it returns, on any MongoDB and on the embedded server alike.
The shapes were chosen by measuring them at 100,000 articles (bench/bench_query.py):

- equality filters are flat (`{"outlet": {"$eq": x}, "section": ...}`), so that the indexes
  (outlet, section, published_at, crawled_at) and its kin answer them in order; the embedded
  server evaluates `$and`/`$or` in Python over the whole collection, and `$in` (kept for several
  values and for the `topics` array) row by row along the sorted index;
- the time range is never sent: the walk stops at the first article older than `since`, and
  starts from `until` at a position found with a few one-article probes. The embedded server
  answers any date comparison by scanning the whole collection (and compares whole seconds);
  here dates are compared exactly, in Python;
- only the fields asked for travel (`fields`); `has_more` comes from reading one article more;
  page N is `skip` (the server passes over index entries, not documents);
- a word search takes one of two roads, chosen by a probe: `$text` finds the articles holding
  the words fast but unordered, and sorting all of them costs ~0.5 ms each on the embedded
  server, so when the probe finds at most RARE_MATCHES they are all read and sorted here;
  otherwise the words are common enough for the newest-first walk to meet them soon, and the
  walk tests each article's `search_text` for every word (a regex on word boundaries: the
  same tokens and stems `$text` matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
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
RARE_MATCHES = 150  # a search matching at most this many articles is sorted here (see above)
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


def filters_matching_nothing(store: Store, *, outlets: Sequence[str] = (),
                             sections: Sequence[str] = (), topics: Sequence[str] = (),
                             topic_names: list[str] | None = None) -> list[str]:
    """Why a query that found nothing found nothing, when a value it filters on explains it:
    an outlet or a section no stored article has (one indexed lookup each: ask only after an
    empty result), a topic no rule tags (`topic_names`: the configured ones). A misspelt
    `--outlet hespres` then says so instead of showing an empty table."""
    reasons = [f"no stored article has {name} '{value}'"
               for name, values in (("outlet", outlets), ("section", sections))
               for value in dict.fromkeys(values) if not store.any_article_with(name, value)]
    if topic_names is not None:
        reasons += [f"no topic is named '{topic}' (topics: {', '.join(topic_names)})"
                    for topic in dict.fromkeys(topics) if topic not in topic_names]
    return reasons


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
        walk = _Walk(self, store)
        rows = walk.articles()
        if self.unique_stories:
            rows = self._newest_of_each_story(rows)
        if not walk.server_skips:
            rows = islice(rows, self.skip, None)
        if not self.limit:
            return Page([self._shown(a) for a in rows], False)
        found = list(islice(rows, self.limit + 1))
        return Page([self._shown(a) for a in found[:self.limit]], len(found) > self.limit)

    def _shown(self, article: dict[str, Any]) -> dict[str, Any]:
        if self.fields is not None:
            for name in set(article) - set(self.fields):
                del article[name]
        return article

    @staticmethod
    def _newest_of_each_story(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for article in rows:
            story = article.get("story_id") or article.get("canonical_url")
            if story not in seen:
                seen.add(story)
                yield article


def _in_index_order(name: str, condition: dict[str, Any]) -> bool:
    """An equality an index (outlet, section, published_at, crawled_at) walks in order."""
    return name in ("outlet", "section") and "$eq" in condition


def _newest_first_key(article: dict[str, Any]) -> tuple[Any, ...]:
    """NEWEST_FIRST's order in Python: undated articles last."""
    published, crawled = article.get("published_at"), article.get("crawled_at")
    return (published is not None, published.timestamp() if published else 0.0,
            crawled.timestamp() if crawled else 0.0)


def _satisfies(article: dict[str, Any], conditions: dict[str, Any]) -> bool:
    """MongoDB's `$eq`/`$in` on fields holding a value or an array of values; `$words`: every
    word is one of the text's space-separated tokens (a search on `search_text`)."""
    for name, condition in conditions.items():
        value = article.get(name)
        if "$words" in condition:
            if not set(condition["$words"]) <= set((value or "").split()):
                return False
            continue
        values = value if isinstance(value, list) else [value]
        wanted = condition["$in"] if "$in" in condition else [condition["$eq"]]
        if not any(v in wanted for v in values):
            return False
    return True


class _Walk:
    """One query's read of `articles`: newest first, in pages, the time range applied on the
    way (see the module docstring)."""

    def __init__(self, query: ArticleQuery, store: Store):
        self.q, self.store = query, store
        self.query = query.filter(dates=False)
        self.check: dict[str, Any] = {}  # conditions tested here instead of by the server
        self.matches: list[dict[str, Any]] | None = None  # a rare search's articles, sorted
        if "$text" in self.query:
            self._choose_search_road()
        if query.until and "$text" not in self.query:
            # `until` is found in the order an index gives (outlet/section equalities); the
            # rest (topics, several values) is tested on the way, not scanned for by probes
            self.check.update({k: v for k, v in self.query.items() if not _in_index_order(k, v)})
            self.query = {k: v for k, v in self.query.items() if _in_index_order(k, v)}
        self.server_skips = not query.unique_stories and not self.check and self.matches is None
        self.projection = self._projection()

    def _choose_search_road(self) -> None:
        """All the matches sorted here when they are few, else a walk that tests the words."""
        found = list(self.store.articles.find(self.query, self._projection(sorting=True))
                     .limit(RARE_MATCHES + 1))
        if len(found) <= RARE_MATCHES:
            found.sort(key=_newest_first_key, reverse=True)
            self.matches = found
            return
        words = self.query.pop("$text")["$search"].replace('"', "").split()
        if self.q.until:  # the walk's start is probed on the index: the words are tested here
            self.check["search_text"] = {"$words": words}
        else:
            # one pattern, a lookahead per word (the embedded server takes no `$all` of them)
            self.query["search_text"] = {"$regex": "^" + "".join(
                f"(?=.*(?:^| ){re.escape(w)}(?: |$))" for w in words)}

    def _projection(self, *, sorting: bool = False) -> dict[str, int]:
        if self.q.fields is None:
            return {"_id": 0, **{name: 0 for name in INTERNAL_FIELDS if name not in self.check}}
        needed = [*self.check]
        if sorting:
            needed += ["published_at", "crawled_at"]
        if self.q.since or self.q.until:
            needed.append("published_at")
        if self.q.unique_stories:
            needed += ["story_id", "canonical_url"]
        return {"_id": 0, **{name: 1 for name in (*self.q.fields, *needed)}}

    def _cursor(self, projection: dict[str, int], skip: int, limit: int):
        found = self.store.articles.find(self.query, projection)
        return newest_first(found).skip(skip).limit(limit)

    def articles(self) -> Iterator[dict[str, Any]]:
        if self.matches is not None:
            yield from self._sorted_matches()
            return
        q = self.q
        position, newer = self._until_start() if q.until else (0, 0)
        wanted = q.skip + q.limit + 1 if q.limit else FIRST_PAGE
        if q.unique_stories:  # copies of a story are passed over as the walk goes
            size = max(int(wanted * STORY_SPREAD), FIRST_PAGE)
        elif self.check:
            size = max(wanted * 2, FIRST_PAGE)
        else:
            position += q.skip  # the server passes over them in its index
            size = q.limit + 1 if q.limit else FIRST_PAGE
        size, read, newest = size + newer, 0, None
        while True:
            page = min(size, MAX_PAGE)
            batch = list(self._cursor(self.projection, position, page))
            for article in batch:
                published = article.get("published_at")
                if q.since and (published is None or published < q.since):
                    return
                if q.until and (published is None or published > q.until):
                    if published is None:
                        return
                    continue  # one of the `newer` ones the start may leave
                if not self.check or _satisfies(article, self.check):
                    if "search_text" in self.check and "search_text" not in (q.fields or ()):
                        del article["search_text"]  # read for the test, never shown
                    yield article
            if len(batch) < page:
                return
            newest = newest or batch[0].get("published_at")
            position, read = position + len(batch), read + len(batch)
            size = self._next_size(size, read, newest, batch[-1].get("published_at"))

    def _sorted_matches(self) -> Iterator[dict[str, Any]]:
        q = self.q
        for article in self.matches or []:
            published = article.get("published_at")
            if q.until and (published is None or published > q.until):
                continue
            if q.since and (published is None or published < q.since):
                return
            yield article

    def _next_size(self, size: int, read: int, newest: datetime | None,
                   oldest: datetime | None) -> int:
        """Double the page, or with `since`, read about what the time left should hold."""
        if not (self.q.since and newest and oldest and newest > oldest):
            return min(size * 2, MAX_PAGE)
        left = read * ((oldest - self.q.since) / (newest - oldest))
        return max(FIRST_PAGE, min(int(left * 1.2) + 1, MAX_PAGE))

    def _until_start(self) -> tuple[int, int]:
        """Where the walk starts with `until`, and how many articles newer than it may come
        first (none when the server skips a page's articles: it must start exactly there).

        Probes `skip` positions, each reading one article's `published_at`: extrapolates from
        the newest articles until a probe is at or before `until`, then interpolates on the
        time between the two probes around it (articles arrive at a fairly steady rate) and
        checks the estimate from a page's width away, halving when estimates stop closing in.
        """
        until = self.q.until
        assert until is not None

        def published(position: int, count: int = 1) -> list[datetime | None]:
            found = self._cursor({"_id": 0, "published_at": 1}, position, count)
            instants = [doc.get("published_at") for doc in found]
            return instants + [None] * (count - len(instants))  # None: past the end

        def reached(instant: datetime | None) -> bool:  # undated articles are sorted last
            return instant is None or instant <= until

        first = published(0)[0]
        if reached(first):
            return 0, 0
        newer, newer_at = 0, first  # a position newer than `until`, and its article's instant
        older, older_at = None, None  # the nearest position known to be at or before it
        guess, width = GALLOP, FIRST_PAGE
        estimated = False  # the last probe was an interpolated estimate
        aim, aim_older, step, span = None, False, width, None  # that estimate, and its side
        while older is None or older - newer > width:
            instant = published(guess)[0]
            if reached(instant):
                older, older_at = guess, instant
            else:
                newer, newer_at = guess, instant
            if older is None:  # extrapolate from the newest article
                per_second = newer / ((first - newer_at) / timedelta(seconds=1) or 1)
                guess = max(newer + GALLOP,
                            int(per_second * (first - until).total_seconds() * 1.2))
                continue
            if estimated or (aim is not None and (older == guess) == aim_older):
                if estimated:  # check the estimate from a page's width past it
                    aim, aim_older, step, estimated = guess, older == guess, width, False
                else:  # still on the estimate's side: twice as far
                    step *= 2
                guess = aim - step + 1 if aim_older else aim + step - 1
                guess = min(max(guess, newer + 1), older - 1)
                continue
            closing = span is None or older - newer <= span // 2
            span = older - newer
            aim, estimated = None, older_at is not None and closing
            if estimated:
                share = (newer_at - until) / (newer_at - older_at)
                guess = min(max(newer + round(share * span), newer + 1), older - 1)
            else:  # past the end, or estimates stopped closing in: halve
                guess = newer + span // 2
        if not (self.server_skips and self.q.skip):
            return newer + 1, older - newer - 1
        # the server will skip the page's articles from here: start exactly at the first
        window = published(newer + 1, older - newer - 1)
        return newer + 1 + sum(not reached(instant) for instant in window), 0
