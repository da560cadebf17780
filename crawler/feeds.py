"""RSS 2.0, Atom and (news) sitemaps: article links with the dates they declare.

Scrapy's own sitemap class drops `news:publication_date`, `news:title` and `news:language`;
this keeps them, so the spider can skip old or already stored articles before fetching them.

Feeds come from strangers, so reading one is bounded whatever it holds: entries are parsed as
the XML is read (each element freed once read), a gzipped sitemap is unpacked as it is parsed,
at most MAX_XML_BYTES of XML and MAX_ENTRIES entries are read (the sitemap protocol's limits),
and entities are never expanded nor anything fetched (no billion laughs, no XXE). Scrapy's
`gunzip(max_size=...)` would hold the whole unpacked sitemap in memory, and its sitemap
parser builds the whole tree; neither is needed here.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, also for gzipped sitemaps
MAX_ENTRIES = 50_000  # the sitemap protocol's limit of URLs per sitemap
PARSER_OPTIONS = {  # for lxml's (iter)parse: never expand an entity, never fetch a thing
    "recover": True, "resolve_entities": False, "no_network": True, "load_dtd": False,
    "huge_tree": False,
}
ENTRY_TAGS = ("{*}url", "{*}sitemap", "{*}item", "{*}entry")  # sitemap, index, RSS, Atom


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str = ""
    published_raw: str = ""
    language: str = ""
    source: str = "feed"  # "feed" or "sitemap": the article's date_source if nothing better
    is_sitemap_index: bool = False  # a <sitemap> entry of a sitemap index


CHUNK = 64 * 1024


def _unpacked(body: bytes, state: dict[str, bool]) -> Iterator[bytes]:
    """The body in chunks, gunzipped as it goes when it is gzip (`sitemap.xml.gz`);
    `state["broken"]` is set when the gzip stream is corrupt or ends early."""
    if not body.startswith(b"\x1f\x8b"):
        for start in range(0, len(body), CHUNK):
            yield body[start:start + CHUNK]
        return
    data = body
    while data:  # member after member (gzip files may be concatenated)
        unpacker = zlib.decompressobj(31)
        try:
            while data and not unpacker.eof:
                yield unpacker.decompress(data, CHUNK)
                data = unpacker.unconsumed_tail
        except zlib.error:
            state["broken"] = True
            return
        if not unpacker.eof:
            state["broken"] = True
            return
        data = unpacker.unused_data


class _CappedReader(io.RawIOBase):
    """At most `limit` bytes of `chunks`, without leading whitespace; notes when cut."""

    def __init__(self, chunks: Iterator[bytes], limit: int):
        self.chunks, self.left, self.pending = chunks, limit, b""
        self.cut = False  # there was more than `limit`
        self.started = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            if not self.started:
                chunk = chunk.lstrip()  # an XML declaration must come first
                self.started = bool(chunk)
            self.pending = chunk
        if not self.left:
            self.cut = True
            return 0
        size = min(len(buffer), len(self.pending), self.left)
        buffer[:size] = self.pending[:size]
        self.pending, self.left = self.pending[size:], self.left - size
        return size


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(node: etree._Element, *names: str) -> str:
    for child in node.iter():
        if _local(child.tag) in names and child is not node:
            text = (child.text or "").strip()
            if text:
                return text
    return ""


class FeedReader:
    """The entries of one feed or sitemap, read as they are iterated; `truncated` says why the
    reading stopped short ("" when it did not): `too_large`, `too_many_entries`, `unreadable`.
    """

    def __init__(self, body: bytes, *, max_bytes: int = MAX_XML_BYTES,
                 max_entries: int = MAX_ENTRIES):
        self.body, self.max_bytes, self.max_entries = body, max_bytes, max_entries
        self.truncated = ""
        self.count = 0

    def __iter__(self) -> Iterator[FeedEntry]:
        state = {"broken": False}
        reader = _CappedReader(_unpacked(self.body, state), self.max_bytes)
        # only the entries' own end events: a sitemap's <url>/<sitemap>, a feed's <item>/<entry>
        # (at any depth: with `recover`, a broken tag nests the entries that follow it)
        events = etree.iterparse(reader, events=("end",), tag=ENTRY_TAGS, **PARSER_OPTIONS)
        elements = 0  # entries without a link count too: they cost the same to read
        try:
            for _event, node in events:
                elements += 1
                if elements > self.max_entries:
                    self.truncated = "too_many_entries"
                    return
                entry = _entry(node)
                _forget(node)
                if entry is not None:
                    self.count += 1
                    yield entry
        except etree.XMLSyntaxError:
            if not self.count and self.body.strip():
                self.truncated = "unreadable"
        if reader.cut:
            self.truncated = "too_large"
        elif state["broken"] and not self.truncated:
            self.truncated = "unreadable"


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS/Atom feed or a sitemap; [] for anything unreadable."""
    return list(FeedReader(body))


def _forget(node: etree._Element) -> None:
    """Free a read entry and the ones before it: memory stays flat however long the feed."""
    node.clear()
    parent = node.getparent()
    if parent is not None:
        while node.getprevious() is not None:
            del parent[0]


def _entry(node: etree._Element) -> FeedEntry | None:
    name = _local(node.tag)
    if name in ("url", "sitemap"):  # (an RSS <image><url> has no <loc>: no entry)
        return _sitemap_entry(node, index=name == "sitemap")
    if name == "item":  # RSS
        link = _child_text(node, "link") or _child_text(node, "guid")
        published = _child_text(node, "pubDate", "date", "published")
    else:  # Atom
        link = ""
        for child in node:
            if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                link = child.get("href", "")
                break
        published = _child_text(node, "published", "updated")
    if not link:
        return None
    return FeedEntry(url=link, title=_child_text(node, "title"), published_raw=published)


def _sitemap_entry(node: etree._Element, *, index: bool) -> FeedEntry | None:
    loc = title = published = language = lastmod = ""
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
    if not loc:
        return None
    return FeedEntry(
        url=loc, title=title, published_raw=published or lastmod, language=language,
        source="sitemap", is_sitemap_index=index,
    )
