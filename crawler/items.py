"""The Article item: one news article as stored in the `articles` collection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from crawler.jsonio import to_jsonable
from crawler.text import Words

TRANSIENT = {"stored": False}
TEXT_FIELDS = ("title", "summary", "body")  # what search and topics read of an article
DATE_SOURCES = ("jsonld", "meta", "selector", "feed", "sitemap", "url", "text")


@dataclass
class Article:
    """All instants are timezone-aware UTC datetimes (BSON dates once stored)."""

    url: str = ""  # as fetched
    canonical_url: str = ""  # unique key
    alternate_urls: list[str] = field(default_factory=list)
    outlet: str = ""  # spider name
    section: str = ""
    language: str = ""
    title: str = ""
    body: str = ""  # paragraphs separated by blank lines
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    dateline: str = ""
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    published_at_raw: str = ""  # the date as the page printed it
    date_source: str = ""  # one of DATE_SOURCES
    crawled_at: datetime | None = None
    content_hash: str = ""
    story_id: str = ""
    duplicate_of: str = ""
    revisions: list[dict[str, Any]] = field(default_factory=list)
    run_id: str = ""
    search_text: str = ""  # tokens and stems of title, summary, body: the $text-indexed field
    # Working fields, never stored: dates as found, before the timestamps pipeline reads them.
    date_candidates: list[tuple[str, str]] = field(default_factory=list, metadata=TRANSIENT)
    updated_candidates: list[tuple[str, str]] = field(default_factory=list, metadata=TRANSIENT)
    # What the store stage does with it (set by dedupe): insert, alternate or revise.
    action: str = field(default="insert", metadata=TRANSIENT)
    action_target: str = field(default="", metadata=TRANSIENT)  # canonical_url it applies to
    previous_version: dict[str, Any] | None = field(default=None, metadata=TRANSIENT)
    # Near-duplicate signature (crawler/similarity.py), its time bucket, the anchors (figures,
    # places) it is filed under and its summary (Fingerprint.summary), set by the stories
    # stage; stored apart, in `story_signatures`.
    minhash: list[int] = field(default_factory=list, metadata=TRANSIENT)
    story_bucket: int | None = field(default=None, metadata=TRANSIENT)
    story_anchors: list[float | str] = field(default_factory=list, metadata=TRANSIENT)
    story_summary: dict[str, Any] = field(default_factory=dict, metadata=TRANSIENT)
    merged_stories: list[str] = field(default_factory=list, metadata=TRANSIENT)  # -> story_id
    originals_of: list[str] = field(default_factory=list, metadata=TRANSIENT)  # later copies
    # title, summary and body as read by `words`, with the text each was read from
    word_cache: dict[str, tuple[str, Words]] = field(default_factory=dict, repr=False,
                                                     compare=False, metadata=TRANSIENT)

    def words(self, name: str) -> Words:
        """The words of the field `name` (title, summary or body), analysed once for every
        stage that reads them, and again only when a stage changed that text."""
        text = getattr(self, name)
        cached = self.word_cache.get(name)
        if cached is None or cached[0] is not text:
            cached = self.word_cache[name] = (text, Words.of(text))
        return cached[1]

    def to_document(self) -> dict[str, Any]:
        """The MongoDB document (datetimes stay datetimes; pymongo stores them as BSON dates).
        Its lists are copies; their elements (the dicts of `revisions`) are shared."""
        document = {}
        for name in DOCUMENT_FIELDS:
            value = getattr(self, name)
            document[name] = list(value) if isinstance(value, list) else value
        return document


TRANSIENT_FIELDS = frozenset(f.name for f in fields(Article) if f.metadata.get("stored") is False)
DOCUMENT_FIELDS = tuple(f.name for f in fields(Article) if f.name not in TRANSIENT_FIELDS)
# Stored for an index, never shown (articles stored before `story_signatures` also carry
# their `minhash`).
INTERNAL_FIELDS = frozenset({"search_text", "minhash"})
# The stored fields, in the documented order (README, "What is stored"): the contract with
# every reader of the database, and the only fields `scrapy crawl -O` exports.
STORED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Article) if f.name not in TRANSIENT_FIELDS | INTERNAL_FIELDS
)


def public_json(document: dict[str, Any], names: Iterable[str] = STORED_FIELDS) -> dict[str, Any]:
    """A stored article as people and programs see it (`query --format jsonl`, the web API).

    The stored field names in order (missing ones are null), instants ISO-8601 with `Z`;
    internal fields and `_id` never appear.
    """
    return to_jsonable({name: document.get(name) for name in names})
