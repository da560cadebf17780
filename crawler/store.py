"""The one module that reads and writes the crawled data: articles, their story signatures and
the crawl frontier (pymongo only, any deployment). The scheduler's own collections (runs,
leases, jobs) are written by scheduler/history.py, lease.py and jobstore.py.

Designed around the embedded server's measured limits: lookups are equalities (or ranges) on
indexed fields, never `$in`/`$or` (which it answers by scanning the collection: 20 URLs took
2.9 s at 10,000 articles, 25 s at 100,000, against 0.1 s for 20 equality lookups); inserts
are batched `insert_many(ordered=False)`; hot paths never upsert or count documents.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError
from pymongo.uri_parser import parse_uri

from crawler.database import MongoTarget, mongo_target

NEWEST_FIRST = [("published_at", DESCENDING), ("crawled_at", DESCENDING)]
# Queries walk newest first (crawler/query.py): each filter index ends with the whole sort, so
# the index alone orders the walk and `skip` passes over index entries, not documents.
ARTICLE_INDEXES: list[tuple[list[tuple[str, int]], dict[str, Any]]] = [
    ([("canonical_url", ASCENDING)], {"unique": True}),
    ([("outlet", ASCENDING), ("section", ASCENDING), *NEWEST_FIRST], {}),
    ([("outlet", ASCENDING), *NEWEST_FIRST], {}),
    ([("section", ASCENDING), *NEWEST_FIRST], {}),
    ([("crawled_at", ASCENDING)], {}),
    ([("content_hash", ASCENDING)], {}),
    (NEWEST_FIRST, {}),
    ([("story_id", ASCENDING)], {}),
    ([("topics", ASCENDING), *NEWEST_FIRST], {}),
    ([("search_text", "text")], {"default_language": "none"}),
]
SIGNATURE_INDEXES: list[tuple[list[tuple[str, int]], dict[str, Any]]] = [
    ([("bucket", ASCENDING)], {}),
]
STORY_MERGE_INDEXES: list[tuple[list[tuple[str, int]], dict[str, Any]]] = [
    ([("at", ASCENDING)], {}),
]
DUPLICATE_KEY = 11000


class StoreUnavailable(Exception):
    """MongoDB cannot be reached; the message names the server (without credentials)."""


def _text_index_id(collection: Any, keys: list[tuple[str, Any]]) -> str:
    return f"{collection.name} text index on " + ",".join(name for name, _kind in keys)


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
        # Near-duplicate signatures, one small document per article: {bucket, canonical_url,
        # signature, anchors (its specific figures and places, when it has some)}; a crawl
        # loads a time bucket's with one query
        # (crawler/similarity.py).
        self.story_signatures = self.db["story_signatures"]
        # Story merges, one document per merged story: {absorbed, into, at}; read back by the
        # crawls running meanwhile, which may have labelled articles with the absorbed story.
        self.story_merges = self.db["story_merges"]

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
        except KeyError as exc:
            # pymongo's SCRAM login reads the server's `payload`; the embedded server has no
            # users and answers without one (a PLAIN login, which it accepts, works).
            if not parse_uri(self.target.uri).get("username"):
                raise
            raise StoreUnavailable(
                f"cannot log in to MongoDB at {self.display_uri}: the server did not complete "
                f"SCRAM authentication (missing {exc}); the embedded server has no users: "
                "leave the user and password out of NEWSCRAWL_MONGO_URI"
            ) from None

    def ensure_indexes(self) -> None:
        """Create the article indexes; safe to call any number of times."""
        for collection, indexes in ((self.articles, ARTICLE_INDEXES),
                                    (self.story_signatures, SIGNATURE_INDEXES),
                                    (self.story_merges, STORY_MERGE_INDEXES)):
            info = collection.index_information().values()
            existing = [list(index["key"]) for index in info]
            for keys, options in indexes:
                if [tuple(k) for k in keys] in [[tuple(k) for k in e] for e in existing]:
                    continue
                text_index = any(kind == "text" for _field, kind in keys)
                if text_index and self._has_text_index(collection, keys, info):
                    continue
                try:
                    collection.create_index(keys, **options)
                except OperationFailure:
                    # Exists under another name or options. A missing unique index, though,
                    # would let duplicates in: that must not pass silently.
                    if options.get("unique"):
                        raise
                if text_index:
                    self._record_text_index(collection, keys)
        if "story_bands" in self.db.list_collection_names():
            self._migrate_story_bands()

    def _migrate_story_bands(self) -> None:
        """Databases written before story_signatures kept 32 postings per article in
        `story_bands` and a signature of another scheme in each article: file every article's
        signature and anchors anew (computed from its text; once, about 2 ms an article)."""
        from crawler.similarity import Fingerprint, time_bucket

        fields = {"_id": 0, **dict.fromkeys(Fingerprint.FIELDS, 1)}
        batch = []
        for doc in self.articles.find({}, fields):
            fingerprint = Fingerprint.from_document(doc)
            batch.append(signature_document(doc["canonical_url"],
                                            time_bucket(fingerprint.published),
                                            fingerprint.signature, fingerprint.anchors,
                                            fingerprint.summary))
            if len(batch) >= 1000:
                self.story_signatures.insert_many(batch, ordered=False)
                batch = []
        if batch:
            self.story_signatures.insert_many(batch, ordered=False)
        self.db.drop_collection("story_bands")

    # The embedded server does not list text indexes, and creating one twice fails there with
    # a traceback in its log (one per crawl). So a text index, once created, is recorded in
    # `schema`; MongoDB lists it (with its `weights`) and needs no record.

    def _has_text_index(self, collection: Any, keys: list[tuple[str, Any]],
                        info: Iterable[Mapping[str, Any]]) -> bool:
        fields = {name for name, kind in keys if kind == "text"}
        if any(fields <= set(index.get("weights") or {}) for index in info):
            return True
        return self.db["schema"].find_one({"_id": _text_index_id(collection, keys)}) is not None

    def _record_text_index(self, collection: Any, keys: list[tuple[str, Any]]) -> None:
        record = {"_id": _text_index_id(collection, keys)}
        with contextlib.suppress(PyMongoError):  # recorded by a concurrent process meanwhile
            self.db["schema"].insert_one(record)

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

    def any_article_with(self, field: str, value: Any) -> bool:
        """Whether a stored article has this value of an indexed field (one indexed lookup)."""
        return self.articles.find_one({field: value}, {"_id": 1}) is not None

    def find_article(self, canonical_url: str, projection: Mapping[str, Any] | None = None):
        return self.articles.find_one({"canonical_url": canonical_url}, projection)

    def find_articles(self, canonical_urls: Iterable[str],
                      projection: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        """The stored ones of these articles by canonical URL (one call for a batch)."""
        found = {}
        for url in dict.fromkeys(canonical_urls):
            doc = self.articles.find_one({"canonical_url": url}, projection)
            if doc is not None:
                found[url] = doc
        return found

    def find_same_bodies(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(outlet, content_hash) -> canonical URL of a stored article with that body, for the
        keys that have one (one call for a batch)."""
        found = {}
        for outlet, content_hash in dict.fromkeys(keys):
            doc = self.articles.find_one({"content_hash": content_hash, "outlet": outlet},
                                         {"canonical_url": 1, "_id": 0})
            if doc is not None:
                found[(outlet, content_hash)] = doc["canonical_url"]
        return found

    def story_signatures_in(
        self, bucket: int, *, filed_since: datetime | None = None, not_by_run: str = "",
    ) -> list[tuple[str, list[int], list[float | str], dict[str, Any] | None]]:
        """(canonical URL, near-duplicate signature, anchors it is filed under, summary or
        None) of every article filed in a time bucket (crawler.similarity.BandIndex.add);
        only those filed since a moment, or by other runs than one, when asked (what a crawl
        closing looks for: the rest it holds in memory). A signature filed before these
        fields were has neither: it is older than any moment asked for, and of another run."""
        query: dict[str, Any] = {"bucket": bucket}
        if filed_since is not None:
            query["filed_at"] = {"$gte": filed_since}
        if not_by_run:
            query["run_id"] = {"$ne": not_by_run}
        return [(doc["canonical_url"], decode_signature(doc["signature"]),
                 doc.get("anchors") or [], decode_summary(doc.get("summary")))
                for doc in self.story_signatures.find(query, {"_id": 0, "canonical_url": 1,
                                                              "signature": 1, "anchors": 1,
                                                              "summary": 1})]

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

    def merge_stories(self, stories: Iterable[str], into: str) -> int:
        """Every article of these stories joins story `into`; returns how many changed. The
        merge is recorded first (story_merges), so that a crawl that labels an article with an
        absorbed story after this update finds the merge when it closes."""
        absorbed = [story for story in dict.fromkeys(stories) if story and story != into]
        if absorbed:
            now = datetime.now(UTC)
            self.story_merges.insert_many([{"absorbed": story, "into": into, "at": now}
                                           for story in absorbed])
        return self.relabel_stories(absorbed, into)

    def relabel_stories(self, stories: Iterable[str], into: str) -> int:
        """`merge_stories` without the record. One update per story: equality on the indexed
        `story_id` (no `$in`, see above)."""
        return sum(self.articles.update_many({"story_id": story},
                                             {"$set": {"story_id": into}}).modified_count
                   for story in dict.fromkeys(stories) if story and story != into)

    def story_merges_since(self, moment: datetime) -> list[tuple[str, str]]:
        """(absorbed, into) of the merges recorded at or after `moment` (to the second)."""
        return [(doc["absorbed"], doc["into"]) for doc in self.story_merges.find(
            {"at": {"$gte": moment}}, {"_id": 0, "absorbed": 1, "into": 1})]

    def set_duplicate_of(self, canonical_url: str, original: str) -> None:
        self.articles.update_one({"canonical_url": canonical_url},
                                 {"$set": {"duplicate_of": original}})


    # --- the crawl frontier (crawler/frontier.py): one document per unfinished listing walk.
    # A listing has a few at most (a walk that completes deletes its own and those it covered),
    # so lookups by `key` need no index.

    @property
    def frontier(self) -> Any:
        return self.db["crawl_frontier"]

    def unfinished_walks(self, key: str) -> list[dict[str, Any]]:
        return list(self.frontier.find({"key": key}))

    def record_walk(self, document: dict[str, Any]) -> None:
        self.frontier.replace_one({"_id": document["_id"]}, document, upsert=True)

    def forget_walks(self, walks: Iterable[tuple[str, int]]) -> int:
        """Delete these walks' documents, each only if still at the version (`writes`) read:
        a walk that went on meanwhile keeps its document."""
        return sum(self.frontier.delete_one({"_id": walk_id, "writes": writes}).deleted_count
                   for walk_id, writes in dict(walks).items())


def encode_signature(sig: Iterable[int]) -> str:
    """A near-duplicate signature as stored: uint32 values as little-endian hex (the embedded
    server writes and reads one string 3-4x faster than an array of 64 numbers)."""
    values = list(sig)
    return struct.pack(f"<{len(values)}I", *values).hex()


def decode_signature(text: str) -> list[int]:
    raw = bytes.fromhex(text)
    return list(struct.unpack(f"<{len(raw) // 4}I", raw))


MAX_SUMMARY = 8192  # characters of a stored summary read back, at most (it is ~300)


def encode_summary(summary: Mapping[str, Any]) -> str:
    """An article's summary (crawler.similarity.Fingerprint.summary) as stored: one JSON
    string, which the embedded server returns twice as fast as the same subdocument."""
    return json.dumps(summary, ensure_ascii=False, separators=(",", ":"))


def decode_summary(text: Any) -> dict[str, Any] | None:
    """A stored summary, or None (none stored, or not one: stored text is untrusted)."""
    if not isinstance(text, str) or len(text) > MAX_SUMMARY:
        return None
    try:
        summary = json.loads(text)
    except ValueError:
        return None
    return summary if isinstance(summary, dict) else None


def signature_document(canonical_url: str, bucket: int, sig: Iterable[int],
                       anchors: Iterable[float | str] = (),
                       summary: Mapping[str, Any] | None = None, *, run_id: str = "",
                       filed_at: datetime | None = None) -> dict[str, Any]:
    """What `story_signatures` holds of an article: its signature, the anchors it is filed
    under and its summary (what a candidate is judged by without reading its text); the run
    that filed it and when (what a crawl closing skips: Store.story_signatures_in)."""
    doc = {"bucket": bucket, "canonical_url": canonical_url, "signature": encode_signature(sig),
           "run_id": run_id, "filed_at": filed_at or datetime.now(UTC)}
    if anchors := list(anchors):
        doc["anchors"] = anchors
    if summary:
        doc["summary"] = encode_summary(summary)
    return doc


def newest_first(cursor: pymongo.cursor.Cursor) -> pymongo.cursor.Cursor:
    return cursor.sort(NEWEST_FIRST)


# --- article writes: the store stage and `newscrawl db replay` share them ---

MAX_REVISIONS = 10
DATETIME_FIELDS = ("published_at", "updated_at", "crawled_at")


@dataclass
class ArticleWrite:
    """One pending change to `articles`.

    insert: a new article. alternate: `document["url"]` is another address of the stored
    article `target`. revise: the stored article `target` changed; `previous` is pushed into
    its bounded `revisions`. An insert's near-duplicate `signature` and `anchors` are filed
    under its time bucket `story_bucket` with its `summary` (set by the stories stage).
    """

    action: str
    document: dict[str, Any]
    target: str = ""
    previous: dict[str, Any] | None = None
    story_bucket: int | None = None
    signature: list[int] = field(default_factory=list)
    anchors: list[float | str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    merged_stories: list[str] = field(default_factory=list)  # story ids joined into this one
    originals_of: list[str] = field(default_factory=list)  # stored copies published later

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "document": self.document, "target": self.target,
                "previous": self.previous, "story_bucket": self.story_bucket,
                "signature": self.signature, "anchors": self.anchors, "summary": self.summary,
                "merged_stories": self.merged_stories,
                "originals_of": self.originals_of}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleWrite:
        from crawler.jsonio import parse_instants

        document = parse_instants(data["document"], DATETIME_FIELDS)
        bucket, signature = data.get("story_bucket"), data.get("signature") or []
        anchors, summary = data.get("anchors") or [], data.get("summary") or {}
        if bucket is None and data.get("band_keys"):  # spooled before story_signatures
            from crawler.similarity import Fingerprint

            document.pop("minhash", None)  # a signature of the former scheme
            bucket = int(data["band_keys"][0].rsplit(":", 1)[1])
            fingerprint = Fingerprint.from_document(document)
            signature, anchors = fingerprint.signature, fingerprint.anchors
            summary = fingerprint.summary
        return cls(
            action=data["action"], document=document, target=data.get("target", ""),
            previous=parse_instants(data.get("previous"), DATETIME_FIELDS),
            story_bucket=bucket, signature=list(signature), anchors=list(anchors),
            summary=dict(summary),
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
    # Signatures of every insert, stored just now or by an earlier attempt of this batch: a
    # repeated one only repeats a candidate, a missing one would hide a story.
    now = datetime.now(UTC)
    signatures = [
        signature_document(w.document["canonical_url"], w.story_bucket, w.signature, w.anchors,
                           w.summary, run_id=w.document.get("run_id") or "", filed_at=now)
        for w in writes if w.action == "insert" and w.story_bucket is not None
    ]
    if signatures:
        store.story_signatures.insert_many(signatures, ordered=False)
    for write in writes:
        if write.merged_stories:
            report.merged += store.merge_stories(write.merged_stories,
                                                 into=write.document["story_id"])
        for copy in write.originals_of:
            store.set_duplicate_of(copy, write.document["canonical_url"])
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
                    "revisions")
            revised = {**stored, **{k: v for k, v in write.document.items()
                                    if v not in (None, "", []) and k not in kept}}
            revised["revisions"] = [*(stored.get("revisions") or []), write.previous or {}][
                -MAX_REVISIONS:]
            store.articles.replace_one({"_id": stored["_id"]}, revised)
            report.revised += 1
    return report
