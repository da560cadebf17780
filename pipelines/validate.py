"""Validate: an article without URL, title or body is dropped with a counted reason."""

from __future__ import annotations

from crawler.items import Article
from pipelines.base import ArticleDropped, Stage

MIN_BODY_CHARS = 80  # shorter "bodies" are teasers, error pages or extraction failures


class ValidatePipeline(Stage):
    def process_item(self, item: Article) -> Article:
        if not item.url.strip():
            raise ArticleDropped("missing_url")
        if not item.title.strip():
            raise ArticleDropped("missing_title", item.url)
        if not item.body.strip():
            raise ArticleDropped("missing_body", item.url)
        if len(item.body.strip()) < MIN_BODY_CHARS:
            raise ArticleDropped("body_too_short", item.url)
        return item
