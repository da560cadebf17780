"""What every stage shares: access to the crawl's stats, outlet and store, and counted drops."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.crawl_store import crawl_store
from crawler.outlet import Outlet
from crawler.store import Store


class ArticleDropped(DropItem):
    """A dropped article; `reason` is counted as `dropped/<reason>` in the crawl stats."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level="INFO")
        self.reason = reason


class Stage:
    """A pipeline stage; built by Scrapy through from_crawler, or directly in tests (which
    pass the outlet, and a Store when the stage needs one)."""

    def __init__(self, crawler: Any = None, *, outlet: Outlet | None = None,
                 store: Store | None = None):
        self.crawler = crawler
        self._outlet = outlet
        self._store = store

    @classmethod
    def from_crawler(cls, crawler: Any) -> Stage:
        return cls(crawler)

    @property
    def outlet(self) -> Outlet:
        return self._outlet or self.crawler.spider.outlet

    @property
    def store(self) -> Store:
        """The crawl's one Store (crawler/crawl_store.py), unless one was given."""
        if self._store is None:
            self._store = crawl_store(self.crawler)
        return self._store

    def count(self, key: str, value: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, value)
