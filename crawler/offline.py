"""Extraction without a crawl: a saved page through a spider's page object and the cleaning
stages (validate, normalize, timestamps), for `newscrawl extract` and fixture tests."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.items import Article
from crawler.run import spider_class
from pipelines.normalize import NormalizePipeline
from pipelines.timestamps import TimestampsPipeline
from pipelines.validate import ValidatePipeline


def extract_article(html: bytes, *, url: str, spider: str, section: str = "") -> Article:
    """The article `spider` stores for this page (raises ArticleDropped when there is none)."""
    cls = spider_class(spider)
    response = HtmlResponse(url=url, body=html)  # decodes by header/meta/BOM, like a crawl
    article = cls.page_class.from_response(response, cls.outlet).to_article()
    article.section = section or cls.outlet.section_of(url)
    for stage in (ValidatePipeline, NormalizePipeline, TimestampsPipeline):
        article = stage(outlet=cls.outlet).process_item(article)
    return article
