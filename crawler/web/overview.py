"""The overview's figures, kept in memory and refreshed in the background.

The overview needs, per job, its state, last success and the articles stored by its last runs,
and per outlet its newest article and its articles per day over 30 days. Read per request,
that is a few hundred database reads, and the embedded server answers one request at a time:
at 100,000 articles a date range or a count reads the whole collection (seconds, during which
every other request waits). So:

- Articles per day are counted once, by reading the 30-day window newest first in small pages
  (index order, `skip` + `limit`), then kept up to date from the articles inserted since,
  found newest first by `_id` (an ObjectId carries its insertion time): each refresh reads only
  what was stored since the last one. An article revised later to another publication date
  stays counted on its first one.
- Jobs and outlets are read again when a request finds the figures older than `max_age_s`: the
  request gets the figures at hand at once and a background thread reads the new ones (one at
  a time), in small queries, so other requests interleave.
Pages say how old the figures are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING

from crawler.store import Store, newest_first

log = logging.getLogger("newscrawl.web")

DAYS = 30
PAGE = 100  # articles read per query while counting
OVERLAP = timedelta(minutes=10)  # inserts may land out of `_id` order (clocks, batches)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ArticlesPerDay:
    """Articles per outlet and publication day (UTC) over the last `days` days."""

    def __init__(self, store: Store, days: int = DAYS):
        self.store = store
        self.days = days
        self.counts: Counter[tuple[str, date]] = Counter()
        self.recent: dict[Any, datetime] = {}  # _id -> insertion time, within OVERLAP
        self.newest: datetime | None = None  # insertion time of the newest article seen
        self.ready = False

    def window(self, today: date | None = None) -> list[date]:
        today = today or utcnow().date()
        return [today - timedelta(days=n) for n in range(self.days - 1, -1, -1)]

    def _add(self, doc: dict[str, Any], start: date) -> None:
        published = doc.get("published_at")
        if isinstance(published, datetime) and published.astimezone(UTC).date() >= start:
            self.counts[(doc.get("outlet") or "?", published.astimezone(UTC).date())] += 1

    def _remember(self, doc: dict[str, Any]) -> None:
        key = doc.get("_id")
        if isinstance(key, ObjectId):
            self.recent[key] = key.generation_time
            if self.newest is None or key.generation_time > self.newest:
                self.newest = key.generation_time

    def build(self) -> None:
        """Count the window: its articles newest first, a page at a time."""
        start = self.window()[0]
        self.counts.clear()
        self.recent.clear()
        self.newest = None
        head = self.store.articles.find_one({}, {"_id": 1}, sort=[("_id", DESCENDING)])
        if head and isinstance(head["_id"], ObjectId):
            self.newest = head["_id"].generation_time
        position = 0
        while True:
            page = list(newest_first(self.store.articles.find(
                {}, {"outlet": 1, "published_at": 1})).skip(position).limit(PAGE))
            position += len(page)
            for doc in page:
                if self.newest and isinstance(doc["_id"], ObjectId) and (
                        doc["_id"].generation_time >= self.newest - OVERLAP):
                    self._remember(doc)
                self._add(doc, start)
            published = page[-1].get("published_at") if page else None
            if len(page) < PAGE or not isinstance(published, datetime) or (
                    published.astimezone(UTC).date() < start):
                break
        self.ready = True

    def update(self) -> None:
        """Count the articles inserted since the last build or update."""
        if not self.ready:
            self.build()
            return
        start = self.window()[0]
        floor = (self.newest or utcnow()) - OVERLAP
        position, done = 0, False
        while not done:
            page = list(self.store.articles.find({}, {"outlet": 1, "published_at": 1}).sort(
                "_id", DESCENDING).skip(position).limit(PAGE))
            position += len(page)
            for doc in page:
                key = doc.get("_id")
                if not isinstance(key, ObjectId) or key.generation_time < floor:
                    done = True
                    break
                if key not in self.recent:
                    self._remember(doc)
                    self._add(doc, start)
            done = done or len(page) < PAGE
        floor = (self.newest or utcnow()) - OVERLAP
        self.recent = {k: t for k, t in self.recent.items() if t >= floor}
        for key in [k for k in self.counts if k[1] < start]:
            del self.counts[key]

    def series(self) -> dict[str, Any]:
        """{"days": ["2026-11-02", ...], "outlets": {outlet: [count per day]}}."""
        window = self.window()
        outlets = sorted({outlet for outlet, _day in self.counts})
        return {"days": [day.isoformat() for day in window],
                "outlets": {name: [self.counts.get((name, day), 0) for day in window]
                            for name in outlets}}


@dataclass
class Snapshot:
    taken_at: datetime
    jobs: list[dict[str, Any]] = field(default_factory=list)
    outlets: list[dict[str, Any]] = field(default_factory=list)
    per_day: dict[str, Any] = field(default_factory=dict)
    counting: bool = False  # the 30-day counts are not ready yet


class Overview:
    """The figures of the overview, refreshed by one background thread when asked."""

    def __init__(self, store: Store, schedule: Any, outlets: list[dict[str, Any]], *,
                 max_age_s: float = 15):
        self.store = store
        self.schedule = schedule
        self.outlets = outlets
        self.max_age_s = max_age_s
        self.per_day = ArticlesPerDay(store)
        self.snapshot: Snapshot | None = None
        self.refreshed = 0.0  # monotonic time of the last refresh's start
        self.lock = threading.Lock()  # one refresh at a time
        self.thread: threading.Thread | None = None

    def refresh(self, *, count: bool = True) -> Snapshot:
        """Read the figures now (jobs and outlets; the per-day counts when `count`)."""
        from crawler.web import reading

        with self.lock:
            self.refreshed = time.monotonic()
            if count:
                self.per_day.update()
            series = self.per_day.series()
            snapshot = Snapshot(
                taken_at=utcnow(),
                jobs=reading.jobs_overview(self.store, self.schedule, utcnow()),
                outlets=reading.outlets_overview(self.store, self.outlets, series),
                per_day=series, counting=not self.per_day.ready)
            self.snapshot = snapshot
            return snapshot

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:  # the next request tries again; pages show the older figures
            log.exception("overview refresh failed")

    def stop(self, timeout: float = 10) -> None:
        """Let a refresh in progress end before the store closes."""
        if self.thread is not None:
            self.thread.join(timeout)

    def current(self) -> Snapshot:
        """The figures at hand; a refresh starts in the background when they are old."""
        if self.snapshot is None:
            return self.refresh(count=False)
        stale = time.monotonic() - self.refreshed > self.max_age_s
        if (stale or not self.per_day.ready) and not (self.thread and self.thread.is_alive()):
            self.thread = threading.Thread(target=self._refresh_in_background,
                                           name="overview-refresh", daemon=True)
            self.thread.start()
        return self.snapshot
