"""What every stage shares: access to the crawl's stats and outlet, and counted drops."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.outlet import Outlet


class ArticleDropped(DropItem):
    """A dropped article; `reason` is counted as `dropped/<reason>` in the crawl stats."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level="INFO")
        self.reason = reason


class Stage:
    """A pipeline stage; built by Scrapy through from_crawler, or directly in tests."""

    def __init__(self, crawler: Any = None, *, outlet: Outlet | None = None):
        self.crawler = crawler
        self._outlet = outlet

    @classmethod
    def from_crawler(cls, crawler: Any) -> Stage:
        return cls(crawler)

    @property
    def outlet(self) -> Outlet:
        return self._outlet or self.crawler.spider.outlet

    def count(self, key: str, value: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, value)
