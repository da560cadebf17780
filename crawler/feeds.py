"""RSS 2.0, Atom and (news) sitemaps: article links with the dates they declare.

Scrapy's own sitemap class drops `news:publication_date`, `news:title` and `news:language`;
this keeps them, so the spider can skip old or already stored articles before fetching them.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass

from lxml import etree

PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, also for gzipped sitemaps


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str = ""
    published_raw: str = ""
    language: str = ""
    source: str = "feed"  # "feed" or "sitemap": the article's date_source if nothing better
    is_sitemap_index: bool = False  # a <sitemap> entry of a sitemap index


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _gunzip(body: bytes) -> bytes:
    """A gzipped sitemap (`sitemap.xml.gz`) unpacked, at most MAX_XML_BYTES; else `body`."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as packed:
            return packed.read(MAX_XML_BYTES)
    except (OSError, EOFError, zlib.error):
        return b""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(node: etree._Element, *names: str) -> str:
    for child in node.iter():
        if _local(child.tag) in names and child is not node:
            text = (child.text or "").strip()
            if text:
                return text
    return ""


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS/Atom feed or a sitemap; [] for anything unreadable."""
    body = _gunzip(body)
    try:
        root = etree.fromstring(body.strip(), parser=PARSER)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    kind = _local(root.tag)
    if kind in ("urlset", "sitemapindex"):
        return _sitemap_entries(root, index=kind == "sitemapindex")
    entries = []
    for node in root.iter():
        name = _local(node.tag)
        if name == "item":  # RSS
            link = _child_text(node, "link") or _child_text(node, "guid")
            entries.append(FeedEntry(
                url=link, title=_child_text(node, "title"),
                published_raw=_child_text(node, "pubDate", "date", "published"),
            ))
        elif name == "entry":  # Atom
            link = ""
            for child in node:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href", "")
                    break
            entries.append(FeedEntry(
                url=link, title=_child_text(node, "title"),
                published_raw=_child_text(node, "published", "updated"),
            ))
    return [e for e in entries if e.url]


def _sitemap_entries(root: etree._Element, *, index: bool) -> list[FeedEntry]:
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = ""
        title = published = language = lastmod = ""
        for child in node.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and not loc:
                loc = text
            elif name == "lastmod":
                lastmod = text
            elif name == "publication_date":
                published = text
            elif name == "title" and _namespace(child.tag) in (NEWS_NS, "") and not title:
                title = text  # news:title, never image:title or video:title
            elif name == "language" and not language:
                language = text  # news:publication/news:language
        if loc:
            entries.append(FeedEntry(
                url=loc, title=title, published_raw=published or lastmod, language=language,
                source="sitemap", is_sitemap_index=index,
            ))
    return entries
