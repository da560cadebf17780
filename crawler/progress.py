"""Crawl accounting: counts every dropped article by reason, each crawl's own errors, and shows a
live progress line.

`dropped/<reason>` is counted here, once, from Scrapy's item_dropped signal, so a stage only
raises ArticleDropped(reason). Errors are the ERROR log records of this crawl only: Scrapy's
`log_count/ERROR` counts every record of the process in every crawler's stats, so with the
fourteen crawls of `newscrawl demo` one outlet's error showed on all fourteen rows. A record
names its crawl through `extra={"spider": ...}` (Scrapy's own do, and so do ours); a record
that names none counts for the crawl when it is the only one running, else as
`newscrawl/errors_unattributed` (the summary shows it once). The progress line (pages, stored,
duplicates, dropped, errors) is written to stderr every few seconds when NEWSCRAWL_PROGRESS is
on (the CLI turns it on).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import Any, ClassVar

ERRORS = "newscrawl/errors"
UNATTRIBUTED_ERRORS = "newscrawl/errors_unattributed"
SKIPPED_SECTIONS = "newscrawl/skipped_sections"  # how many sections a crawl could not crawl
SKIPPED_SECTION_NAMES = "newscrawl/skipped_section_names"  # which ("politics, ...")
SKIPPED_BECAUSE = "newscrawl/skipped_because"  # why, in one line


def summary_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The figures a user reads: from the crawl stats, for the progress line and summary."""
    def total(prefix: str) -> int:
        return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))

    return {
        "pages": int(stats.get("response_received_count", 0)),
        "stored": int(stats.get("newscrawl/stored", 0)),
        "duplicates": total("duplicates/"),
        "dropped": total("dropped/"),
        "errors": int(stats.get(ERRORS, 0)),
        "skipped": int(stats.get(SKIPPED_SECTIONS, 0)),
        "spooled": int(stats.get("newscrawl/spooled", 0)),
    }


class ErrorRouter(logging.Handler):
    """One per process, on the root logger: each ERROR record counts for the crawl it names."""

    installed: ClassVar[ErrorRouter | None] = None

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crawlers: list[Any] = []  # the crawls running now

    @classmethod
    def attach(cls, crawler: Any) -> None:
        if cls.installed is None:
            cls.installed = cls()
            logging.getLogger().addHandler(cls.installed)
        cls.installed.crawlers.append(crawler)

    @classmethod
    def detach(cls, crawler: Any) -> None:
        router = cls.installed
        if router is not None and crawler in router.crawlers:
            router.crawlers.remove(crawler)

    def emit(self, record: logging.LogRecord) -> None:
        named = getattr(record, "crawler", None)
        spider = getattr(record, "spider", None)
        owners = [c for c in self.crawlers
                  if c is named or (spider is not None and c.spider is spider)]
        if owners or len(self.crawlers) == 1:
            for crawler in owners or self.crawlers:
                crawler.stats.inc_value(ERRORS)
        else:
            for crawler in self.crawlers:
                crawler.stats.inc_value(UNATTRIBUTED_ERRORS)


class CrawlProgress:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NEWSCRAWL_PROGRESS")
        self.interval = crawler.settings.getfloat("NEWSCRAWL_PROGRESS_S", 2.0)
        self.task: asyncio.Task | None = None
        self.tty = sys.stderr.isatty()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        from scrapy import signals  # here: the summary's names are read by commands without Scrapy

        ext = cls(crawler)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        ErrorRouter.attach(crawler)
        return ext

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any):
        reason = getattr(exception, "reason", None) or type(exception).__name__
        self.crawler.stats.inc_value(f"dropped/{reason}")

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        self.crawler.stats.inc_value("spider_exceptions")  # also logged, so counted as an error

    def spider_opened(self, spider: Any) -> None:
        if self.enabled:
            self.task = asyncio.ensure_future(self._loop())

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task:
            self.task.cancel()
            if self.tty:
                sys.stderr.write("\n")

    def engine_stopped(self) -> None:
        ErrorRouter.detach(self.crawler)

    def line(self) -> str:
        counts = summary_counts(self.crawler.stats.get_stats())
        return " | ".join(
            f"{k} {v}" for k, v in counts.items() if k not in ("spooled", "skipped") or v)

    async def _loop(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.interval)
                if self.tty:
                    sys.stderr.write("\r\033[K" + self.line())
                else:
                    sys.stderr.write(self.line() + "\n")
                sys.stderr.flush()
