"""Run documents in the `runs` collection: one per attempt, written at its start and its end.

A run is inserted with status `running` before its crawl starts and replaced by its final form
when it ends, so a scheduler killed mid-run leaves a visible trace; the next scheduler marks
such a run `abandoned` once its lease has lapsed. Final documents are written whole with
`replace_one` (nx-27017 0.8.1 turns a datetime written by `$set` into a string), and they
never hold credentials: URIs in commands and log lines go through `crawler.store.redact`.

The crawl itself adds its figures (pages, items, errors, finish reason) to its document when it
closes (crawler/run_record.py, through `record_crawl` here), so the record is the same whichever
executor ran it; `run_figures` is the one place that turns crawl stats into those figures.

Statuses: running, ok, degraded, failed, timeout, interrupted, abandoned, lost,
skipped-overlap, missed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from crawler.store import redact
from scheduler.lease import COLLECTION as LEASES
from scheduler.lease import utcnow

log = logging.getLogger("newscrawl.scheduler.history")

COLLECTION = "runs"
RUNNING = "running"
FINISHED = ("ok", "degraded")  # the crawl completed (degraded: with health signals)
FAILURES = ("failed", "timeout", "interrupted", "abandoned", "lost")
RAN = (RUNNING, *FINISHED, *FAILURES)  # a crawl was started (not skipped, not missed)
STATUSES = (*RAN, "skipped-overlap", "missed")
INDEXES: list[list[tuple[str, int]]] = [
    [("job", ASCENDING), ("started_at", DESCENDING)],
    [("started_at", DESCENDING)],
    [("status", ASCENDING)],
    [("node", ASCENDING), ("started_at", DESCENDING)],
]


def tail_lines(path: Path | str | None, count: int, *, block: int = 8192) -> list[str]:
    """The last `count` lines of a text file, read from its end, redacted."""
    if not path or count <= 0:
        return []
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            data = b""
            while size > 0 and data.count(b"\n") <= count:
                step = min(block, size)
                size -= step
                fh.seek(size)
                data = fh.read(step) + data
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").splitlines()[-count:]
    return [redact(line) for line in lines]


def run_figures(stats: Mapping[str, Any] | None) -> dict[str, Any]:
    """A run document's figures from a crawl's final Scrapy stats (None: the crawl left none)."""
    if not stats:
        return {"pages": 0, "errors": 0, "items": {}}
    from crawler.progress import summary_counts
    from crawler.run import crawl_failed

    counts = summary_counts(dict(stats))
    dropped = {key.split("/", 1)[1].replace(".", "_").lstrip("$"): value
               for key, value in stats.items()
               if key.startswith("dropped/") and isinstance(value, int)}
    return {
        "pages": counts["pages"],
        "errors": counts["errors"],
        "items": {
            "scraped": int(stats.get("item_scraped_count", 0)),
            "stored": counts["stored"],
            "duplicates": counts["duplicates"],
            "dropped": counts["dropped"],
            "dropped_by_reason": dropped,
            "missing_published_at": int(stats.get("newscrawl/missing_published_at", 0)),
            "spooled": counts["spooled"],
        },
        "finish_reason": stats.get("finish_reason"),
        "spool_file": stats.get("newscrawl/spool_file") or None,
        "crawl_failed": crawl_failed(stats),
    }


def record_crawl(db: Database, run_id: str, fields: Mapping[str, Any]) -> bool:
    """The crawl's own part of its run document (figures, software); False: no such run.

    `$set` of plain values only (nx-27017 0.8.1 stores a `$set` datetime as a string).
    """
    result = db[COLLECTION].update_one({"_id": run_id}, {"$set": dict(fields)})
    return result.matched_count == 1


def find_run(db: Database, run_id: str, projection: Any = None) -> dict[str, Any] | None:
    return db[COLLECTION].find_one({"_id": run_id}, projection)


CRAWL_FIELDS = ("pages", "errors", "items", "finish_reason", "spool_file", "crawl_failed",
                "node_software")  # what the crawl writes into its run document


def recorded_by_crawl(db: Database, run_id: str) -> dict[str, Any]:
    """The fields the crawl wrote into its run document ({} when it recorded nothing)."""
    doc = find_run(db, run_id, dict.fromkeys(CRAWL_FIELDS, 1)) or {}
    return {key: doc[key] for key in CRAWL_FIELDS if key in doc} if doc.get(
        "finish_reason") else {}


class RunHistory:
    """Reads and writes run documents; every query goes through an index."""

    def __init__(self, db: Database):
        self.db = db
        self.runs = db[COLLECTION]

    def ensure_indexes(self) -> None:
        for keys in INDEXES:
            try:
                self.runs.create_index(keys)
            except OperationFailure as exc:  # same keys under another name: keep it
                if exc.code not in (85, 86):
                    raise

    # --- writes (retried briefly: a run's record matters more than a second of delay) ---

    def _write(self, action: str, call: Any) -> None:
        for attempt in range(3):
            try:
                call()
                return
            except PyMongoError as exc:
                if attempt == 2:
                    log.error("cannot %s run document: %s", action, exc)
                    raise
                time.sleep(1 + attempt)

    def insert(self, doc: dict[str, Any]) -> None:
        self._write("insert", lambda: self.runs.insert_one(doc))

    def save(self, doc: dict[str, Any]) -> None:
        """Write the whole document (final state, or a change while running)."""
        self._write("save", lambda: self.runs.replace_one({"_id": doc["_id"]}, doc))

    def note(self, doc: dict[str, Any], **fields: Any) -> None:
        """Add plain fields to a running document without replacing what the crawl wrote."""
        doc.update(fields)
        self._write("update", lambda: self.runs.update_one({"_id": doc["_id"]},
                                                           {"$set": fields}))

    # --- reads ---

    def recent(self, job: str | None = None, limit: int = 20,
               status: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"job": job} if job else {"job": {"$exists": True}}
        if status:
            query["status"] = status
        return list(self.runs.find(query).sort("started_at", DESCENDING).limit(limit))

    def last(self, job: str, statuses: Iterable[str] | None = None) -> dict[str, Any] | None:
        query: dict[str, Any] = {"job": job}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        return self.runs.find_one(query, sort=[("started_at", DESCENDING)])

    def finished(self, job: str, limit: int, *, before: datetime | None = None
                 ) -> list[dict[str, Any]]:
        """The job's last completed crawls (ok or degraded), newest first."""
        query: dict[str, Any] = {"job": job, "status": {"$in": list(FINISHED)}}
        if before is not None:
            query["started_at"] = {"$lt": before}
        return list(self.runs.find(query).sort("started_at", DESCENDING).limit(limit))

    def since(self, job: str, since: datetime) -> list[dict[str, Any]]:
        return list(self.runs.find({"job": job, "started_at": {"$gte": since}},
                                   {"status": 1, "started_at": 1}))

    def running(self, job: str) -> list[dict[str, Any]]:
        return list(self.runs.find({"job": job, "status": RUNNING}))

    def last_on_node(self, node: str) -> dict[str, Any] | None:
        return self.runs.find_one({"node": node}, sort=[("started_at", DESCENDING)])

    def jobs_seen(self, since: datetime) -> list[str]:
        names = {doc.get("job") for doc in self.runs.find(
            {"started_at": {"$gte": since}}, {"job": 1})}
        return sorted(n for n in names if isinstance(n, str))

    # --- runs whose scheduler died ---

    def orphans(self) -> list[dict[str, Any]]:
        """Running documents whose lease is gone: their holder died without recording the end.

        A run stays `running` while its holder renews the lease; once the lease expired or
        passed to another owner, nobody watches the run any more.
        """
        leases = self.db[LEASES]
        now = utcnow()
        found = []
        for doc in self.runs.find({"status": RUNNING}):
            lease = leases.find_one({"_id": doc.get("job")}) or {}
            holder = lease.get("holder") or {}
            expires = holder.get("expires")
            if not (holder.get("owner") == doc.get("lease_owner")
                    and isinstance(expires, datetime) and expires > now):
                found.append(doc)
        return found

    def close_orphan(self, doc: dict[str, Any], status: str, reason: str,
                     host: str | None = None) -> bool:
        """Record the end of an orphan run (unless someone else already did)."""
        now = utcnow()
        doc.update(status=status, ended_at=now, reason=reason)
        started = doc.get("started_at")
        if isinstance(started, datetime):
            doc["duration_s"] = round((now - started).total_seconds(), 3)
        if host and doc.get("host") == host and not doc.get("log_tail"):
            doc["log_tail"] = tail_lines(doc.get("log_file"), 40)
        result = self.runs.replace_one({"_id": doc["_id"], "status": RUNNING}, doc)
        if result.modified_count:
            log.warning("job %s: run %s marked %s", doc.get("job"), doc["_id"], status)
        return bool(result.modified_count)

    def reconcile(self, host: str | None = None) -> list[dict[str, Any]]:
        """Mark `abandoned` the orphan runs of the local executor: their crawls died with
        their scheduler (runs on Scrapyd nodes outlive it and are taken over instead)."""
        return [doc for doc in self.orphans()
                if doc.get("executor", "local") == "local" and self.close_orphan(
                    doc, "abandoned", "its scheduler stopped without recording the end "
                    "(killed?); the crawl was killed with it", host)]

