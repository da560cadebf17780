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
        self.runs = self.db["runs"]

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
        for keys, options in ARTICLE_INDEXES:
            try:
                self.articles.create_index(keys, **options)
            except OperationFailure as exc:  # same keys, other options or name: keep the old
                if exc.code not in (85, 86):  # IndexOptionsConflict, IndexKeySpecsConflict
                    raise

    def close(self) -> None:
        self.client.close()

    # --- lookups (all on indexed fields) ---

    def existing_canonical_urls(self, canonical_urls: Iterable[str]) -> set[str]:
        """Which of these canonical URLs are stored: one query for a whole listing page."""
        wanted = list(dict.fromkeys(canonical_urls))
        if not wanted:
            return set()
        cursor = self.articles.find(
            {"canonical_url": {"$in": wanted}}, {"canonical_url": 1, "_id": 0}
        )
        return {doc["canonical_url"] for doc in cursor}

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

    def update_article(self, canonical_url: str, update: Mapping[str, Any]) -> None:
        self.articles.update_one({"canonical_url": canonical_url}, dict(update))


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

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "document": self.document, "target": self.target,
                "previous": self.previous}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleWrite:
        from crawler.jsonio import parse_instants

        return cls(
            action=data["action"], document=parse_instants(data["document"], DATETIME_FIELDS),
            target=data.get("target", ""),
            previous=parse_instants(data.get("previous"), DATETIME_FIELDS),
        )


@dataclass
class WriteReport:
    stored: int = 0
    duplicates: int = 0
    alternates: int = 0
    revised: int = 0


def apply_writes(store: Store, writes: list[ArticleWrite]) -> WriteReport:
    """Apply a batch: one insert_many for the new articles, then the updates, in order."""
    report = WriteReport()
    inserts = [w.document for w in writes if w.action == "insert"]
    outcome = store.insert_articles(inserts)
    report.stored, report.duplicates = outcome.inserted, len(outcome.duplicates)
    for write in writes:
        if write.action == "alternate":
            store.add_alternate_urls(write.target, [write.document["url"]])
            report.alternates += 1
        elif write.action == "revise":
            changes = {k: v for k, v in write.document.items()
                       if k not in ("alternate_urls", "revisions", "story_id", "duplicate_of")}
            store.update_article(write.target, {
                "$set": changes,
                "$push": {"revisions": {"$each": [write.previous or {}],
                                        "$slice": -MAX_REVISIONS}},
            })
            report.revised += 1
    return report
