"""Dedupe: the same article is stored once, whatever address it was fetched from.

Tier a, canonical URL: a URL whose canonical form is stored (or seen in this run) is not
stored again; a new address of it is recorded in `alternate_urls`. Tier b, same outlet and
same normalized body at another canonical URL: one document, the other URL an alternate.
A stored article whose normalized title or body changed becomes a revision.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from crawler.items import Article
from crawler.text import normalize_arabic
from pipelines.base import ArticleDropped, Stage
from pipelines.batching import BatchedLookup

logger = logging.getLogger(__name__)

STORED_PROJECTION = {
    "_id": 0, "url": 1, "alternate_urls": 1, "title": 1, "body": 1, "summary": 1,
    "content_hash": 1, "published_at": 1, "updated_at": 1, "crawled_at": 1,
}
LOOKUP_PAUSE_S = 5.0  # after a failed lookup, do not wait on a dead server for every article
REVISION_FIELDS = ("title", "body", "summary", "content_hash", "published_at", "updated_at",
                   "crawled_at")


class DedupePipeline(Stage):
    def __init__(self, crawler=None, **kwargs):
        super().__init__(crawler, **kwargs)
        self.seen_urls: dict[str, str] = {}  # canonical_url -> url fetched first, this run
        self.seen_bodies: dict[tuple[str, str], str] = {}  # (outlet, hash) -> canonical_url
        self.lookups_paused_until = 0.0
        self.stored = BatchedLookup(self._find_stored)

    def alternate(self, item: Article, target: str, tier: str) -> Article:
        self.count(f"duplicates/{tier}")
        item.action, item.action_target = "alternate", target
        return item

    def _find_stored(self, keys: list[tuple[str, str, str]]) -> dict[tuple, tuple]:
        """(canonical URL or "", outlet, content hash) -> (the stored article at that URL,
        the canonical URL of a stored article of that outlet with that body), for a batch.
        Runs in a worker thread."""
        articles = self.store.find_articles([url for url, _, _ in keys if url],
                                            STORED_PROJECTION)
        bodies = self.store.find_same_bodies(
            [(outlet, digest) for url, outlet, digest in keys if url not in articles])
        return {key: (articles.get(key[0]), bodies.get(key[1:])) for key in keys}

    def checked_at_discovery(self, canonical_url: str) -> bool:
        """The spider found this URL not stored when it listed it (crawler/spider.py
        `unseen`): no need to ask again. A concurrent crawl storing it meanwhile is caught by
        the unique index (counted as duplicates/stored_by_other_run)."""
        spider = getattr(self.crawler, "spider", None)
        return canonical_url in getattr(spider, "unstored", ())

    async def lookup(self, item: Article) -> tuple[dict | None, str | None]:
        """What the store holds of this article, batched with the other items in flight;
        nothing when the database does not answer.

        The article then goes on as new: the store stage retries or spools it, and a unique
        index catches a duplicate once the database is back.
        """
        if time.monotonic() < self.lookups_paused_until:
            self.count("newscrawl/lookups_skipped")
            return None, None
        canonical = "" if self.checked_at_discovery(item.canonical_url) else item.canonical_url
        try:
            return await self.stored.get((canonical, item.outlet, item.content_hash))
        except Exception as exc:
            logger.warning("dedupe lookup failed (%s); treating articles as new", exc)
            self.lookups_paused_until = time.monotonic() + LOOKUP_PAUSE_S
            self.count("newscrawl/lookup_errors")
            return None, None

    def seen_in_this_run(self, item: Article) -> bool:
        return (item.canonical_url in self.seen_urls
                or (item.outlet, item.content_hash) in self.seen_bodies)

    async def process_item(self, item: Article) -> Article:
        stored = (None, None) if self.seen_in_this_run(item) else await self.lookup(item)
        return self.decide(item, *stored)

    def decide(self, item: Article, stored: dict | None, same_body: str | None) -> Article:
        """Synchronous, so two copies in flight together see each other: this run first,
        then what the store held."""
        canonical = item.canonical_url
        first_url = self.seen_urls.get(canonical)
        if first_url is not None:
            if first_url == item.url:
                self.count("duplicates/url")
                raise ArticleDropped("duplicate_url", item.url)
            return self.alternate(item, canonical, "url")
        body_key = (item.outlet, item.content_hash)
        if body_key in self.seen_bodies:
            return self.alternate(item, self.seen_bodies[body_key], "body")
        if stored is not None:
            return self.against_stored(item, stored)
        if same_body is not None and same_body != canonical:
            self.seen_urls[canonical] = item.url
            return self.alternate(item, same_body, "body")
        self.seen_urls[canonical] = item.url
        self.seen_bodies[body_key] = canonical
        return item

    def against_stored(self, item: Article, stored: dict) -> Article:
        """A re-fetched stored article: an alternate address, a revision, or nothing."""
        self.seen_urls[item.canonical_url] = item.url
        unchanged = stored.get("content_hash") == item.content_hash and normalize_arabic(
            stored.get("title", "")
        ) == normalize_arabic(item.title)
        if unchanged:
            known = {stored.get("url")} | set(stored.get("alternate_urls") or [])
            if item.url not in known:
                return self.alternate(item, item.canonical_url, "url")
            self.count("duplicates/unchanged")
            raise ArticleDropped("already_stored", item.url)
        self.count("newscrawl/revised")
        item.action, item.action_target = "revise", item.canonical_url
        item.previous_version = {k: stored.get(k) for k in REVISION_FIELDS}
        item.updated_at = item.updated_at or datetime.now(UTC)
        return item
