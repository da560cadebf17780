"""Where each walk down a paginated listing stands, so that an interrupted crawl leaves no gap.

An ordinary crawl stops paginating at the first listing page that holds only stored articles.
After a complete crawl that is right: everything below was read before. After an interrupted
one (SIGKILL, a timeout, a database outage, a scheduler shutdown) it is not: the pages that
crawl never reached, and the articles it found but never fetched, would stay unfetched for good.

So a walk down a listing records its progress in MongoDB (`crawl_frontier`, one document per
walk, through crawler/store.py) as it goes: before the requests of a listing page are handed to
Scrapy, the document says how deep the walk is and which articles that deepest page lists
(its *anchors*). Nothing runs at death: the document is deleted only when the crawl has
finished (not killed, not cut by --max-items or a shutdown, nothing spooled) and the walk's
pagination really ended (the last page, --max-pages, the age limit, or the early stop). A
document that outlives its crawl therefore marks a walk that may have left work behind.

The next walk down the same listing reads those documents on its first page and does not stop
early until it has read past a page that lists an anchor of each: the pages the interrupted walk
read are read again (what it found but never fetched is not stored, so it is fetched now), the
page after the anchors begins what it never reached, and from there the usual early stop
applies. Anchors are article URLs, not page numbers, because new articles push older ones down
the listing between two crawls. When this walk ends, it deletes its own document and the ones
it covered, each only if it has not moved since it was read: the walk of a concurrent crawl
that is still going keeps its document, and concurrent crawls or the scheduler's runs need
nothing else. Feeds and sitemaps need none of this: they are read whole every time, and an
entry seen but not fetched before a kill is simply not stored, so it is fetched next time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.crawl_store import crawl_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnfinishedWalk:
    """An earlier walk's document, as read: the walk it covers, and the version read."""

    id: str
    page: int
    writes: int
    anchors: frozenset[str]

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> UnfinishedWalk:
        return cls(id=str(doc["_id"]), page=int(doc.get("page", 0)),
                   writes=int(doc.get("writes", 0)), anchors=frozenset(doc.get("anchors") or ()))


@dataclass
class ListingWalk:
    """One walk down one listing of one section, in this crawl."""

    outlet: str
    section: str
    listing: str  # the listing's first page
    run_id: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    unfinished: list[UnfinishedWalk] | None = None  # None: not read yet
    pending: list[UnfinishedWalk] = field(default_factory=list)  # anchors not seen yet
    page: int = 0  # the deepest page read
    anchors: list[str] = field(default_factory=list)
    writes: int = 0  # documents written (the version a covering walk checks)
    ended: bool = False  # pagination really ended
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def key(self) -> str:
        return f"{self.outlet}|{self.section}|{self.listing}"

    def resume(self, unfinished: list[UnfinishedWalk]) -> None:
        self.unfinished = unfinished
        self.pending = [walk for walk in unfinished if walk.anchors]

    def read_page(self, page: int, links: Iterable[str]) -> bool:
        """Note a listing page read (`links`: its articles' canonical URLs); True when the walk
        may stop here should the page hold nothing new."""
        may_stop = not self.pending
        found = set(links)
        self.pending = [walk for walk in self.pending if walk.anchors.isdisjoint(found)]
        if page >= self.page:
            self.page = page
            self.anchors = sorted(found) or self.anchors
        return may_stop

    def document(self) -> dict[str, Any]:
        return {
            "_id": self.id, "key": self.key, "outlet": self.outlet, "section": self.section,
            "listing": self.listing, "run_id": self.run_id, "page": self.page,
            "anchors": self.anchors, "writes": self.writes, "started_at": self.started_at,
            "updated_at": datetime.now(UTC),
        }


class Frontier:
    """The walks of one crawl (one spider) and their documents."""

    def __init__(self, spider: Any):
        self.spider = spider
        self.walks: dict[str, ListingWalk] = {}
        self.failed = False  # a frontier read or write failed: said once

    @property
    def store(self) -> Any:
        return crawl_store(self.spider.crawler)

    def walk(self, section: str, listing: str) -> ListingWalk:
        run_id = self.spider.settings.get("NEWSCRAWL_RUN_ID", "")
        walk = ListingWalk(self.spider.outlet.key, section, listing, run_id=run_id)
        self.walks[walk.key] = walk
        return walk

    def count(self, key: str, value: int = 1) -> None:
        self.spider.crawler.stats.inc_value(key, value)

    async def load(self, walk: ListingWalk) -> None:
        """Read the unfinished walks of this listing (once, on its first page)."""
        if walk.unfinished is not None:
            return
        try:
            docs = await asyncio.to_thread(self.store.unfinished_walks, walk.key)
        except Exception as exc:  # database down: walk as if nothing were pending
            self._failed("read", exc)
            walk.resume([])
            return
        walk.resume([UnfinishedWalk.from_document(d) for d in docs if d["_id"] != walk.id])
        if walk.pending:
            self.count("newscrawl/frontier/resumed_walks")
            logger.info(
                "%s: %d earlier crawl(s) of this listing did not finish (deepest page %d): "
                "reading on past their last page before stopping early", walk.key,
                len(walk.pending), max(w.page for w in walk.pending),
                extra={"spider": self.spider})

    async def save(self, walk: ListingWalk) -> None:
        """Record the walk's progress (before its page's requests are handed to Scrapy)."""
        walk.writes += 1
        try:
            await asyncio.to_thread(self.store.record_walk, walk.document())
        except Exception as exc:
            self._failed("write", exc)

    async def crawl_closed(self, reason: str) -> None:
        """Forget the walks that really ended, and those they covered, if the crawl finished
        (and stored everything it found)."""
        spooled = self.spider.crawler.stats.get_value("newscrawl/spooled", 0)
        if reason != "finished" or spooled:
            return
        done = [w for w in self.walks.values() if w.ended]
        covered = [(w.id, w.writes) for w in done if w.writes]
        covered += [(u.id, u.writes) for w in done for u in (w.unfinished or [])]
        if not covered:
            return
        try:
            forgotten = await asyncio.to_thread(self.store.forget_walks, covered)
        except Exception as exc:
            self._failed("write", exc)
            return
        self.count("newscrawl/frontier/walks_completed", forgotten)

    def _failed(self, what: str, exc: Exception) -> None:
        self.count("newscrawl/frontier/errors")
        if not self.failed:
            self.failed = True
            logger.warning("crawl frontier %s failed (%s): an interrupted crawl may not be "
                           "resumed", what, exc, extra={"spider": self.spider})
