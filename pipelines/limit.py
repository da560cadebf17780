"""Limit: a crawl asked for N articles (`--max-items N`, Scrapy's CLOSESPIDER_ITEMCOUNT)
stores at most N.

Scrapy closes the spider once N items have passed every stage, but the items in flight at that
moment would be stored too (`--max-items 5` stored 20). This stage stands after dedupe, the
last stage that drops, so it counts exactly the articles that will be written: it lets N
through and drops the others as `max_items`.
"""

from __future__ import annotations

from crawler.items import Article
from pipelines.base import ArticleDropped, Stage


class LimitPipeline(Stage):
    def __init__(self, crawler=None, limit: int = 0, **kwargs):
        super().__init__(crawler, **kwargs)
        self.limit = crawler.settings.getint("CLOSESPIDER_ITEMCOUNT") if crawler else limit
        self.passed = 0

    def process_item(self, item: Article) -> Article:
        if self.limit and self.passed >= self.limit:
            raise ArticleDropped("max_items", item.url)
        self.passed += 1
        return item
