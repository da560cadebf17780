"""Stories (dedupe tier c): articles of one story across outlets share `story_id`.

Each new article is compared with the articles of this run and with the stored ones that share
an LSH band key (crawler.similarity); copies also get `duplicate_of` (the first copy stored).
Cross-outlet copies stay stored: each outlet's article is a fact of its own.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from crawler.items import Article
from crawler.similarity import Fingerprint, band_keys, best_match, lookup_keys, new_story_id
from pipelines.base import Stage

logger = logging.getLogger(__name__)


class StoriesPipeline(Stage):
    def __init__(self, crawler=None, store=None, **kwargs):
        super().__init__(crawler, **kwargs)
        self._store = store
        self.run_postings: dict[str, list[str]] = {}  # band key -> canonical URLs of this run
        self.run_articles: dict[str, tuple[Fingerprint, str, str]] = {}  # fp, story, dup_of

    @property
    def store(self):
        if self._store is None:
            from crawler.store import Store

            self._store = Store()
        return self._store

    async def stored_candidates(self, keys: list[str], exclude: str) -> list[tuple]:
        try:
            docs = await asyncio.to_thread(self.store.similar_articles, keys, exclude)
        except Exception as exc:  # database down: the article is its own story for now
            logger.warning("near-duplicate lookup failed (%s)", exc)
            self.count("newscrawl/lookup_errors")
            return []
        return [
            (Fingerprint.of(d["canonical_url"], d.get("outlet", ""), d.get("body", ""),
                            d.get("published_at") or d.get("crawled_at") or datetime.now(UTC)),
             d.get("story_id", ""), d.get("duplicate_of", ""))
            for d in docs
        ]

    async def process_item(self, item: Article) -> Article:
        if item.action != "insert":
            return item  # alternates and revisions keep their story
        published = item.published_at or item.crawled_at or datetime.now(UTC)
        fingerprint = Fingerprint.of(item.canonical_url, item.outlet, item.body, published)
        keys = lookup_keys(fingerprint.signature, published)
        local = {url for key in keys for url in self.run_postings.get(key, ())}
        candidates = [self.run_articles[url] for url in local if url != item.canonical_url]
        candidates += await self.stored_candidates(keys, item.canonical_url)
        by_url = {fp.canonical_url: (fp, story, dup) for fp, story, dup in candidates}
        match = best_match(fingerprint, [fp for fp, _, _ in by_url.values()])
        if match:
            _, story, duplicate_of = by_url[match.canonical_url]
            item.story_id = story or new_story_id(match.canonical_url)
            self.count("stories/joined")
            if match.is_copy:
                item.duplicate_of = duplicate_of or match.canonical_url
                self.count("duplicates/near")
        else:
            item.story_id = new_story_id(item.canonical_url)
        item.minhash = fingerprint.signature
        item.band_keys = band_keys(fingerprint.signature, published)
        for key in item.band_keys:
            self.run_postings.setdefault(key, []).append(item.canonical_url)
        self.run_articles[item.canonical_url] = (fingerprint, item.story_id, item.duplicate_of)
        return item
