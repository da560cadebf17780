"""Store: batched MongoDB writes off the event loop; nothing is ever silently lost.

Articles are buffered and written in batches (`NEWSCRAWL_STORE_BATCH`, or every
`NEWSCRAWL_STORE_FLUSH_S` seconds) in a worker thread, so Scrapy's event loop never waits on
MongoDB. A failed batch is retried with exponential backoff; a batch that still cannot be
written is appended to `$NEWSCRAWL_HOME/spool/<run>.jsonl` for `newscrawl db replay`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from crawler.config import spool_dir
from crawler.items import Article
from crawler.jsonio import to_jsonable
from crawler.store import ArticleWrite, apply_writes
from pipelines.base import Stage

logger = logging.getLogger(__name__)


def as_write(item: Article) -> ArticleWrite:
    return ArticleWrite(
        action=item.action, document=item.to_document(), target=item.action_target,
        previous=item.previous_version, story_bucket=item.story_bucket, signature=item.minhash,
        anchors=item.story_anchors, summary=item.story_summary,
        merged_stories=item.merged_stories, originals_of=item.originals_of,
    )


class StorePipeline(Stage):
    def __init__(self, crawler=None, **kwargs):
        super().__init__(crawler, **kwargs)
        settings = crawler.settings if crawler else {}
        self.batch_size = int(settings.get("NEWSCRAWL_STORE_BATCH", 50))
        self.flush_interval = float(settings.get("NEWSCRAWL_STORE_FLUSH_S", 2.0))
        self.retries = int(settings.get("NEWSCRAWL_STORE_RETRIES", 5))
        self.backoff = float(settings.get("NEWSCRAWL_STORE_BACKOFF_S", 0.5))
        self.buffer: list[ArticleWrite] = []
        self.lock: asyncio.Lock | None = None
        self.ticker: asyncio.Task | None = None
        self.spool_path: Path | None = None
        self.spooled = 0
        self.outage = False  # the last batch had to be spooled: try the next ones only once

    async def open_spider(self) -> None:
        self.lock = asyncio.Lock()
        self.ticker = asyncio.create_task(self._tick())
        with contextlib.suppress(Exception):  # unreachable now? the writes will retry or spool
            await asyncio.to_thread(self.store.ensure_indexes)

    async def process_item(self, item: Article) -> Article:
        self.buffer.append(as_write(item))
        if len(self.buffer) >= self.batch_size:
            await self.flush()
        return item

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            if self.buffer:
                await self.flush()

    async def flush(self) -> None:
        assert self.lock is not None
        async with self.lock:
            batch, self.buffer = self.buffer, []
            if batch:
                await self._write_with_retries(batch)

    async def _write_with_retries(self, batch: list[ArticleWrite]) -> None:
        delay = self.backoff
        retries = 0 if self.outage else self.retries
        for attempt in range(retries + 1):
            try:
                report = await asyncio.to_thread(apply_writes, self.store, batch)
            except Exception as exc:  # any driver error: retry, then spool
                if attempt == retries:
                    logger.error("MongoDB write failed after %d attempts: %s", attempt + 1, exc)
                    await asyncio.to_thread(self.spool, batch)
                    self.outage = True
                    return
                logger.warning("MongoDB write failed (%s); retrying in %.1fs", exc, delay)
                self.count("newscrawl/store_retries")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if attempt or self.outage:
                logger.info("MongoDB write succeeded after %d retries", attempt)
            self.outage = False
            self.count("newscrawl/stored", report.stored)
            self.count("duplicates/stored_by_other_run", report.duplicates)
            self.count("newscrawl/alternates", report.alternates)
            self.count("newscrawl/revisions_stored", report.revised)
            return

    def spool(self, batch: list[ArticleWrite]) -> None:
        if self.spool_path is None:
            run = (self.crawler.settings.get("NEWSCRAWL_RUN_ID") if self.crawler else "") or (
                datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            )
            outlet = self.crawler.spider.name if self.crawler else "articles"
            self.spool_path = spool_dir() / f"{outlet}-{run}.jsonl"
        with open(self.spool_path, "a", encoding="utf-8") as fh:
            for write in batch:
                fh.write(json.dumps(to_jsonable(write.to_json()), ensure_ascii=False) + "\n")
        self.spooled += len(batch)
        self.count("newscrawl/spooled", len(batch))
        if self.crawler is not None:
            self.crawler.stats.set_value("newscrawl/spool_file", str(self.spool_path))
        logger.error("%d articles spooled to %s (run `newscrawl db replay`)", len(batch),
                     self.spool_path)

    async def close_spider(self) -> None:
        if self.ticker:
            async with self.lock:  # the ticker is never cancelled in the middle of a write
                self.ticker.cancel()
        await self.flush()
