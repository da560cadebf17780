"""Crawl accounting: counts every dropped article by reason and shows a live progress line.

`dropped/<reason>` is counted here, once, from Scrapy's item_dropped signal, so a stage only
raises ArticleDropped(reason). The progress line (pages, stored, duplicates, dropped, errors)
is written to stderr every few seconds when NEWSCRAWL_PROGRESS is on (the CLI turns it on).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

from scrapy import signals


def summary_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The figures a user reads: from the crawl stats, for the progress line and summary."""
    def total(prefix: str) -> int:
        return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))

    return {
        "pages": int(stats.get("response_received_count", 0)),
        "stored": int(stats.get("newscrawl/stored", 0)),
        "duplicates": total("duplicates/"),
        "dropped": total("dropped/"),
        "errors": int(stats.get("log_count/ERROR", 0)) + int(stats.get("spider_exceptions", 0)),
        "spooled": int(stats.get("newscrawl/spooled", 0)),
    }


class CrawlProgress:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NEWSCRAWL_PROGRESS")
        self.interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_S", 2.0)
        self.task: asyncio.Task | None = None
        self.tty = sys.stderr.isatty()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any):
        reason = getattr(exception, "reason", None) or type(exception).__name__
        self.crawler.stats.inc_value(f"dropped/{reason}")

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        self.crawler.stats.inc_value("spider_exceptions")

    def spider_opened(self, spider: Any) -> None:
        if self.enabled:
            self.task = asyncio.ensure_future(self._loop())

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task:
            self.task.cancel()
            if self.tty:
                sys.stderr.write("\n")

    def line(self) -> str:
        counts = summary_counts(self.crawler.stats.get_stats())
        return " | ".join(f"{k} {v}" for k, v in counts.items() if k != "spooled" or v)

    async def _loop(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.interval)
                if self.tty:
                    sys.stderr.write("\r\033[K" + self.line())
                else:
                    sys.stderr.write(self.line() + "\n")
                sys.stderr.flush()
