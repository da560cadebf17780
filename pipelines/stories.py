"""Stories (dedupe tier c): articles of one story across outlets share `story_id`.

Each new article is compared with the articles of this run and with the stored ones that share
an LSH band key (crawler.similarity); copies also get `duplicate_of` (the first copy stored).
An article that matches articles of two stories joins them: the later story is merged into
the story of its best match. Cross-outlet copies stay stored: each outlet's article is a fact.

Crawls of several outlets run at the same time (one process or many), so a copy may be stored
by another crawl after this one looked: when the crawl closes, the articles that started a
story of their own are looked up once more and joined to any story found then.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from scrapy import signals

from crawler.items import Article
from crawler.similarity import (
    PREFILTER,
    Fingerprint,
    band_keys,
    estimated_jaccard,
    lookup_keys,
    matches,
    new_story_id,
)
from pipelines.base import Stage

logger = logging.getLogger(__name__)


class StoriesPipeline(Stage):
    def __init__(self, crawler=None, store=None, **kwargs):
        super().__init__(crawler, **kwargs)
        self._store = store
        self.run_postings: dict[str, list[str]] = {}  # band key -> canonical URLs of this run
        self.run_articles: dict[str, tuple[Fingerprint, str, str]] = {}  # fp, story, dup_of
        self.alone: list[str] = []  # canonical URLs of this run that started their own story

    @property
    def store(self):
        if self._store is None:
            from crawler.store import Store

            self._store = Store()
        return self._store

    def _stored_candidates(self, keys: list[str], fingerprint: Fingerprint) -> list[tuple]:
        """Stored articles sharing a band key whose signatures look similar enough to be worth
        an exact comparison (their bodies are only fetched then). Runs in a worker thread."""
        found = []
        for doc in self.store.similar_articles(keys, fingerprint.canonical_url):
            if estimated_jaccard(fingerprint.signature, doc.get("minhash") or []) < PREFILTER:
                continue
            published = doc.get("published_at") or doc.get("crawled_at") or datetime.now(UTC)
            body = self.store.article_body(doc["canonical_url"])
            candidate = Fingerprint.of(doc["canonical_url"], doc.get("outlet", ""), body,
                                       published, title=doc.get("title") or "",
                                       topics=doc.get("topics") or ())
            found.append((candidate, doc.get("story_id", ""), doc.get("duplicate_of", "")))
        return found

    async def stored_candidates(self, keys: list[str], fingerprint: Fingerprint) -> list[tuple]:
        try:
            return await asyncio.to_thread(self._stored_candidates, keys, fingerprint)
        except Exception as exc:  # database down: the article is its own story for now
            logger.warning("near-duplicate lookup failed (%s)", exc)
            self.count("newscrawl/lookup_errors")
            return []

    async def process_item(self, item: Article) -> Article:
        if item.action != "insert":
            return item  # alternates and revisions keep their story
        published = item.published_at or item.crawled_at or datetime.now(UTC)
        fingerprint = Fingerprint.of(item.canonical_url, item.outlet, item.body, published,
                                     title=item.title, topics=item.topics)
        keys = lookup_keys(fingerprint.signature, published, fingerprint.evidence.figures)
        local = {url for key in keys for url in self.run_postings.get(key, ())}
        candidates = [self.run_articles[url] for url in local if url != item.canonical_url]
        candidates += await self.stored_candidates(keys, fingerprint)
        by_url = {fp.canonical_url: (fp, story, dup) for fp, story, dup in candidates}
        found = matches(fingerprint, [fp for fp, _, _ in by_url.values()])
        if found:
            best = found[0]
            _, story, duplicate_of = by_url[best.canonical_url]
            item.story_id = story or new_story_id(best.canonical_url)
            self.count("stories/joined")
            if best.is_copy:
                self.count("duplicates/near")
                candidate = by_url[best.canonical_url][0]
                if duplicate_of or candidate.published <= fingerprint.published:
                    item.duplicate_of = duplicate_of or best.canonical_url
                else:  # this one was published first: the stored copy points at it
                    item.originals_of = [best.canonical_url]
                    if best.canonical_url in self.run_articles:
                        fp, story_, _ = self.run_articles[best.canonical_url]
                        self.run_articles[best.canonical_url] = (fp, story_, item.canonical_url)
            others = {by_url[m.canonical_url][1] for m in found[1:]} - {item.story_id, ""}
            if others:
                self.merge(sorted(others), item)
        else:
            item.story_id = new_story_id(item.canonical_url)
            self.alone.append(item.canonical_url)
        item.minhash = fingerprint.signature
        item.band_keys = band_keys(fingerprint.signature, published, fingerprint.evidence.figures)
        for key in item.band_keys:
            self.run_postings.setdefault(key, []).append(item.canonical_url)
        self.run_articles[item.canonical_url] = (fingerprint, item.story_id, item.duplicate_of)
        return item

    @classmethod
    def from_crawler(cls, crawler):
        stage = cls(crawler)
        # after every stage has closed, so this crawl's own last batch is stored too
        crawler.signals.connect(stage.join_late_copies, signal=signals.spider_closed)
        return stage

    async def join_late_copies(self, spider=None, reason: str = "") -> None:
        """Join the stories that concurrent crawls stored after this one looked."""
        if self.alone:
            try:
                joined = await asyncio.to_thread(self._join_late_copies)
            except Exception as exc:
                logger.warning("late near-duplicate check failed (%s)", exc)
                return
            self.count("stories/joined_late", joined)

    def _join_late_copies(self) -> int:
        joined = 0
        for url in self.alone:
            fingerprint, story, _ = self.run_articles[url]
            keys = lookup_keys(fingerprint.signature, fingerprint.published,
                               fingerprint.evidence.figures)
            candidates = self._stored_candidates(keys, fingerprint)
            by_url = {fp.canonical_url: (fp, s, d) for fp, s, d in candidates}
            found = matches(fingerprint, [fp for fp, _, _ in candidates])
            if not found:
                continue
            best = found[0]
            other, other_story, other_duplicate_of = by_url[best.canonical_url]
            if not other_story or other_story == story:
                continue
            # the story of the earlier article wins; a copy points at the earlier one
            first, later = sorted([fingerprint, other], key=lambda fp: fp.published)
            target = other_story if first is other else story
            absorbed = story if target == other_story else other_story
            self.store.articles.update_many({"story_id": absorbed}, {"$set": {"story_id": target}})
            if best.is_copy:
                original = (other_duplicate_of or other.canonical_url) if first is other else url
                self.store.articles.update_one({"canonical_url": later.canonical_url},
                                               {"$set": {"duplicate_of": original}})
            joined += 1
        return joined

    def merge(self, stories: list[str], item: Article) -> None:
        """Stories joined by this article become its story, here and (via the store) stored."""
        item.merged_stories = stories
        self.count("stories/merged", len(stories))
        for url, (fp, story, dup) in self.run_articles.items():
            if story in stories:
                self.run_articles[url] = (fp, item.story_id, dup)
