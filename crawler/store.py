"""The one module that talks to MongoDB (pymongo only, any deployment).

Designed around the embedded server's measured limits (DESIGN.md s. 4): lookups go through
indexed fields, inserts are batched `insert_many(ordered=False)`, and hot paths never upsert
or count documents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError

from crawler.config import MongoTarget, mongo_target

ARTICLE_INDEXES: list[tuple[list[tuple[str, int]], dict[str, Any]]] = [
    ([("canonical_url", ASCENDING)], {"unique": True}),
    ([("outlet", ASCENDING), ("published_at", DESCENDING)], {}),
    ([("section", ASCENDING), ("published_at", DESCENDING)], {}),
    ([("crawled_at", ASCENDING)], {}),
    ([("content_hash", ASCENDING)], {}),
    ([("published_at", DESCENDING)], {}),
    ([("story_id", ASCENDING)], {}),
    ([("topics", ASCENDING), ("published_at", DESCENDING)], {}),
    ([("search_text", "text")], {"default_language": "none"}),
]
BAND_INDEXES: list[tuple[list[tuple[str, int]], dict[str, Any]]] = [
    ([("key", ASCENDING)], {}),
]
DUPLICATE_KEY = 11000


class StoreUnavailable(Exception):
    """MongoDB cannot be reached; the message names the server (without credentials)."""


def redact(uri: str) -> str:
    """The URI without its password, for messages and run records."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", uri)


@dataclass
class InsertOutcome:
    inserted: int = 0
    duplicates: list[str] = field(default_factory=list)  # canonical URLs already stored


class Store:
    """A connection to newscrawl's database."""

    def __init__(self, target: MongoTarget | None = None, *, timeout_ms: int | None = None):
        self.target = target or mongo_target()
        timeout_ms = timeout_ms or int(os.environ.get("NEWSCRAWL_MONGO_TIMEOUT_MS", "5000"))
        self.client: MongoClient = MongoClient(
            self.target.uri,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=max(timeout_ms * 6, 30000),
            appname="newscrawl",
        )
        self.db = self.client[self.target.database]
        self.articles = self.db["articles"]
        self.story_bands = self.db["story_bands"]  # LSH postings: band key -> article

    @property
    def display_uri(self) -> str:
        return redact(self.target.uri)

    def ping(self) -> None:
        """Raise StoreUnavailable with a one-line reason when the server does not answer."""
        try:
            self.client.admin.command("ping")
        except PyMongoError as exc:
            reason = str(exc).split(",")[0].split(" (configured timeouts")[0]
            raise StoreUnavailable(
                f"cannot reach MongoDB at {self.display_uri}: {reason}"
            ) from None

    def ensure_indexes(self) -> None:
        """Create the article indexes; safe to call any number of times."""
        for collection, indexes in ((self.articles, ARTICLE_INDEXES),
                                    (self.story_bands, BAND_INDEXES)):
            existing = [list(info["key"]) for info in collection.index_information().values()]
            for keys, options in indexes:
                if [tuple(k) for k in keys] in [[tuple(k) for k in e] for e in existing]:
                    continue
                try:
                    collection.create_index(keys, **options)
                except OperationFailure:
                    # Exists under another name or options (the embedded server does not
                    # list text indexes and refuses to create one twice). A missing unique
                    # index, though, would let duplicates in: that must not pass silently.
                    if options.get("unique"):
                        raise

    def close(self) -> None:
        self.client.close()

    # --- lookups (all on indexed fields) ---

    def existing_canonical_urls(self, canonical_urls: Iterable[str]) -> set[str]:
        """Which of these canonical URLs are stored (one call for a whole listing page).

        One indexed equality lookup per URL: the embedded server answers `$in` by scanning the
        collection, while equality on an indexed field stays ~1 ms at any size.
        """
        return {
            url for url in dict.fromkeys(canonical_urls)
            if self.articles.find_one({"canonical_url": url}, {"_id": 1}) is not None
        }

    def similar_articles(self, band_keys: Iterable[str], exclude: str = "") -> list[dict]:
        """Stored articles filed under any of these LSH band keys, with their signatures.

        One indexed equality lookup per key (the embedded server scans for `$in`).
        """
        found: dict[str, None] = {}
        for key in band_keys:
            for posting in self.story_bands.find({"key": key}, {"canonical_url": 1, "_id": 0}):
                found.setdefault(posting["canonical_url"])
        found.pop(exclude, None)
        projection = {"_id": 0, "canonical_url": 1, "outlet": 1, "published_at": 1,
                      "crawled_at": 1, "story_id": 1, "duplicate_of": 1, "minhash": 1,
                      "title": 1, "topics": 1}  # story evidence besides the body
        docs = (self.articles.find_one({"canonical_url": url}, projection) for url in found)
        return [doc for doc in docs if doc is not None]

    def article_body(self, canonical_url: str) -> str:
        doc = self.articles.find_one({"canonical_url": canonical_url}, {"body": 1, "_id": 0})
        return (doc or {}).get("body", "")

    def find_article(self, canonical_url: str, projection: Mapping[str, Any] | None = None):
        return self.articles.find_one({"canonical_url": canonical_url}, projection)

    def find_same_body(self, outlet: str, content_hash: str) -> dict[str, Any] | None:
        return self.articles.find_one(
            {"content_hash": content_hash, "outlet": outlet}, {"canonical_url": 1, "url": 1}
        )

    def article_count(self) -> int:
        return self.articles.estimated_document_count()

    # --- writes ---

    def insert_articles(self, documents: list[dict[str, Any]]) -> InsertOutcome:
        """Insert a batch; articles another process stored first come back as duplicates."""
        outcome = InsertOutcome()
        if not documents:
            return outcome
        try:
            result = self.articles.insert_many(documents, ordered=False)
            outcome.inserted = len(result.inserted_ids)
        except BulkWriteError as exc:
            details = exc.details
            others = [e for e in details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
            if others:
                raise
            outcome.inserted = details.get("nInserted", 0)
            outcome.duplicates = [
                documents[e["index"]]["canonical_url"] for e in details["writeErrors"]
            ]
        for doc in documents:
            doc.pop("_id", None)  # insert_many adds it; callers may retry or spool the dicts
        return outcome

    def add_alternate_urls(self, canonical_url: str, urls: Iterable[str]) -> None:
        urls = [u for u in urls if u]
        if urls:
            self.articles.update_one(
                {"canonical_url": canonical_url},
                {"$addToSet": {"alternate_urls": {"$each": urls}}},
            )


def newest_first(cursor: pymongo.cursor.Cursor) -> pymongo.cursor.Cursor:
    return cursor.sort([("published_at", DESCENDING), ("crawled_at", DESCENDING)])


# --- article writes: the store stage and `newscrawl db replay` share them ---

MAX_REVISIONS = 10
DATETIME_FIELDS = ("published_at", "updated_at", "crawled_at")


@dataclass
class ArticleWrite:
    """One pending change to `articles`.

    insert: a new article. alternate: `document["url"]` is another address of the stored
    article `target`. revise: the stored article `target` changed; `previous` is pushed into
    its bounded `revisions`.
    """

    action: str
    document: dict[str, Any]
    target: str = ""
    previous: dict[str, Any] | None = None
    band_keys: list[str] = field(default_factory=list)
    merged_stories: list[str] = field(default_factory=list)  # story ids joined into this one
    originals_of: list[str] = field(default_factory=list)  # stored copies published later

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "document": self.document, "target": self.target,
                "previous": self.previous, "band_keys": self.band_keys,
                "merged_stories": self.merged_stories, "originals_of": self.originals_of}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleWrite:
        from crawler.jsonio import parse_instants

        return cls(
            action=data["action"], document=parse_instants(data["document"], DATETIME_FIELDS),
            target=data.get("target", ""),
            previous=parse_instants(data.get("previous"), DATETIME_FIELDS),
            band_keys=list(data.get("band_keys") or []),
            merged_stories=list(data.get("merged_stories") or []),
            originals_of=list(data.get("originals_of") or []),
        )


@dataclass
class WriteReport:
    stored: int = 0
    duplicates: int = 0
    alternates: int = 0
    revised: int = 0
    merged: int = 0


def apply_writes(store: Store, writes: list[ArticleWrite]) -> WriteReport:
    """Apply a batch: one insert_many for the new articles, then the updates, in order."""
    report = WriteReport()
    inserts = [w.document for w in writes if w.action == "insert"]
    outcome = store.insert_articles(inserts)
    report.stored, report.duplicates = outcome.inserted, len(outcome.duplicates)
    # Postings of every insert, stored just now or by an earlier attempt of this batch: a
    # repeated posting only repeats a candidate, a missing one would hide a story.
    postings = [
        {"key": key, "canonical_url": w.document["canonical_url"]}
        for w in writes if w.action == "insert" for key in w.band_keys
    ]
    if postings:
        store.story_bands.insert_many(postings, ordered=False)
    for write in writes:
        if write.merged_stories:
            result = store.articles.update_many(
                {"story_id": {"$in": write.merged_stories}},
                {"$set": {"story_id": write.document["story_id"]}},
            )
            report.merged += result.modified_count
        for copy in write.originals_of:
            store.articles.update_one({"canonical_url": copy},
                                      {"$set": {"duplicate_of": write.document["canonical_url"]}})
    for write in writes:
        if write.action == "alternate":
            store.add_alternate_urls(write.target, [write.document["url"]])
            report.alternates += 1
        elif write.action == "revise":
            # The whole document is replaced: the embedded server stores a datetime set with
            # `$set` and a subdocument pushed with `$push` as strings. Runs of one job never
            # overlap (scheduler lease), so read-modify-write is safe enough here.
            stored = store.find_article(write.target)
            if stored is None:
                continue
            kept = ("_id", "canonical_url", "alternate_urls", "story_id", "duplicate_of",
                    "minhash", "revisions")
            revised = {**stored, **{k: v for k, v in write.document.items()
                                    if v not in (None, "", []) and k not in kept}}
            revised["revisions"] = [*(stored.get("revisions") or []), write.previous or {}][
                -MAX_REVISIONS:]
            store.articles.replace_one({"_id": stored["_id"]}, revised)
            report.revised += 1
    return report
