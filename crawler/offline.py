"""Extraction without a crawl: a saved page through a page object and the cleaning stages
(validate, normalize, timestamps), for `newscrawl extract`, fixture tests and benchmarks.

With a spider name the spider's outlet and page object are used. Without one, the outlet whose
domains match the URL, else a generic outlet for that site (crawler/extraction/site.py), whose
timezone is the page's own UTC offset, else `timezone`, else its country's, else the one clock of
its language (Japanese, Thai...), else UTC.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

from scrapy.http import HtmlResponse

from crawler.extraction import ArticlePage
from crawler.extraction.site import (
    country_zone,
    generic_outlet,
    language_zone,
    site_host,
    spider_outlet,
)
from crawler.items import Article
from crawler.outlet import Outlet
from crawler.run import spider_class
from pipelines.normalize import NormalizePipeline
from pipelines.timestamps import TimestampsPipeline
from pipelines.validate import ValidatePipeline

_MARKUP = re.compile(rb"<(?:!doctype|html|head|body|meta|title|p|div|article)\b", re.I)
SNIFF_BYTES = 65_536


class NotHtml(ValueError):
    """The saved file is not an HTML page."""


@cache
def _spider_class(name: str) -> type:
    return spider_class(name)  # loading the spider modules takes a while: once per process


def looks_like_html(data: bytes) -> bool:
    """Markup near the start, and not a JSON document."""
    start = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return False
    return bool(_MARKUP.search(start))


def page_for(html: bytes, *, url: str, spider: str | None = None,
             timezone: str | None = None) -> tuple[ArticlePage, Outlet]:
    """The page object for a saved page, and the outlet whose stages clean its article."""
    if not looks_like_html(html):
        raise NotHtml("not an HTML page")
    response = HtmlResponse(url=url, body=html)  # decodes by header/meta/BOM, like a crawl
    if spider is None:
        host = site_host(url)
        if found := spider_outlet(host):
            spider = found[0]
        else:
            page = ArticlePage.from_response(response, generic_outlet(url))
            zone = (page.declared_zone() or timezone or country_zone(host)
                    or language_zone(page.language) or "UTC")
            return page, dataclasses.replace(page.outlet, timezone=zone)
    cls = _spider_class(spider)
    outlet = dataclasses.replace(cls.outlet, timezone=timezone) if timezone else cls.outlet
    return cls.page_class.from_response(response, outlet), outlet


def extract_article(html: bytes, *, url: str, spider: str | None = None, section: str = "",
                    timezone: str | None = None) -> Article:
    """The article stored for this page (raises ArticleDropped when there is none)."""
    page, outlet = page_for(html, url=url, spider=spider, timezone=timezone)
    article = page.to_article()
    article.section = section or outlet.section_of(url)
    for stage in (ValidatePipeline, NormalizePipeline, TimestampsPipeline):
        article = stage(outlet=outlet).process_item(article)
    return article
