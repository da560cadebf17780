"""A scheduled crawl writes its own figures into its run document when it closes.

The scheduler's executors (a local subprocess, a Scrapyd node) see a crawl from outside; the
crawl itself knows its pages, items, errors and finish reason. So whichever machine runs it,
the crawl adds them to its `runs` document (scheduler.history.record_crawl) and history and
health read the same fields for every executor.

Enabled for the crawls the scheduler starts (NEWSCRAWL_RUN_RECORD, with the run id in
NEWSCRAWL_RUN_ID); other crawls are left as they are. A run id without a run document (a node
whose NEWSCRAWL_MONGO_URI names another database than the scheduler's) records nothing and says
so in the log. While the crawl runs, its document is
read every NEWSCRAWL_RUN_CHECK_S seconds: a run the scheduler has already closed (its node
stopped answering and the run was recorded `lost`, say) stops the crawl, so a crawl the
scheduler gave up on does not go on beside the run that replaces it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import socket
from importlib import metadata
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.store import Store, redact

logger = logging.getLogger(__name__)

CLOSED_BY_SCHEDULER = "run_closed_by_scheduler"


def software() -> dict[str, Any]:
    """What ran the crawl, for `newscrawl nodes status` (Scrapyd's API does not say)."""
    versions: dict[str, Any] = {"host": socket.gethostname(),
                                "python": platform.python_version()}
    for package in ("scrapy", "scrapyd"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


class RunRecord:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.run_id: str = crawler.settings.get("NEWSCRAWL_RUN_ID")
        self.check_s = crawler.settings.getfloat("NEWSCRAWL_RUN_CHECK_S", 30.0)
        self.store: Store | None = None
        self.watcher: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecord:
        settings = crawler.settings
        if not (settings.getbool("NEWSCRAWL_RUN_RECORD") and settings.get("NEWSCRAWL_RUN_ID")):
            raise NotConfigured("not a scheduled run")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _open_store(self) -> dict[str, Any] | None:
        from scheduler.history import find_run

        self.store = Store()
        return find_run(self.store.db, self.run_id, {"status": 1})

    async def spider_opened(self, spider: Any) -> None:
        try:
            doc = await asyncio.to_thread(self._open_store)
        except Exception as exc:  # the crawl's own writes will retry or spool
            logger.warning("run %s: cannot read its run document (%s); its figures will not "
                           "be recorded", self.run_id, redact(str(exc)))
            self._close_store()
            return
        if doc is None:
            logger.error("run %s has no document in %s: its figures are not recorded (is this "
                         "machine's NEWSCRAWL_MONGO_URI the scheduler's?)", self.run_id,
                         self.store.display_uri if self.store else "?")
            self._close_store()
            return
        self.watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        from scheduler.history import RUNNING, find_run

        assert self.store is not None
        while True:
            await asyncio.sleep(self.check_s)
            try:
                doc = await asyncio.to_thread(find_run, self.store.db, self.run_id,
                                              {"status": 1, "reason": 1})
            except Exception:  # a database blip: ask again next time
                continue
            if doc is not None and doc.get("status") != RUNNING:
                logger.error("run %s was closed by the scheduler (%s: %s); stopping the crawl",
                             self.run_id, doc.get("status"), doc.get("reason"))
                self.watcher = None  # spider_closed must not cancel the close under way
                await self.crawler.engine.close_spider_async(reason=CLOSED_BY_SCHEDULER)
                return

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
        if self.store is None:
            return
        from scheduler.history import record_crawl, run_figures

        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        fields = {**run_figures(stats), "node_software": software()}
        try:
            await asyncio.to_thread(record_crawl, self.store.db, self.run_id, fields)
        except Exception as exc:
            logger.error("run %s: cannot record its figures: %s", self.run_id,
                         redact(str(exc)))
        self._close_store()

    def _close_store(self) -> None:
        if self.store is not None:
            with contextlib.suppress(Exception):
                self.store.close()
            self.store = None
