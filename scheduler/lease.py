"""At most one run of a job at a time, across processes and hosts: a lease per job in MongoDB.

`leases` holds one document per job, `{_id: job, holder: {owner, expires, acquired_at,
renewed_at, host, pid, run_id}}`. It is created once with a plain insert (an upsert that
inserts is slow on the embedded server and two racing upserts can both insert); after that
every change is a single-document `find_one_and_update`, atomic on any MongoDB server:
acquire matches `holder.owner == me`, then `holder.expires < now`. (Two compare-and-sets, not
one `$or`: nx-27017 0.8.1 applies an update whose filter holds `_id` and `$or` to the first
document matching the `$or` alone, i.e. to another job's lease.) A holder renews while its run
lives; a dead holder stops renewing and its lease expires after the TTL.

The whole `holder` sub-document is always written at once: nx-27017 0.8.1 stores a datetime
written by a top-level or dotted `$set` as a string, but keeps datetimes inside a `$set`
sub-document. That server also compares datetimes in queries to the whole second, so
there a lease can outlive its expiry by up to a second (never the reverse). Expiry uses this
host's clock, so hosts sharing a store need NTP-synchronised
clocks (skew must stay well below the TTL).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

log = logging.getLogger("newscrawl.scheduler.lease")

COLLECTION = "leases"
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Lease:
    """The lease of one job, seen by one owner (a scheduler, or a `schedule trigger`)."""

    def __init__(self, collection: Collection, job: str, owner: str, ttl_s: float,
                 *, run_id: str | None = None, clock: Callable[[], datetime] = utcnow):
        self.collection = collection
        self.job = job
        self.owner = owner
        self.ttl = timedelta(seconds=ttl_s)
        self.run_id = run_id
        self.clock = clock
        self.expires: datetime | None = None  # while held: when it lapses unless renewed
        self.previous: dict[str, Any] | None = None  # holder displaced by acquire (expired)
        self.acquired_at: datetime | None = None

    def _holder(self, now: datetime, acquired_at: datetime) -> dict[str, Any]:
        return {"owner": self.owner, "expires": now + self.ttl, "acquired_at": acquired_at,
                "renewed_at": now, "host": socket.gethostname(), "pid": os.getpid(),
                "run_id": self.run_id}

    def ensure_document(self) -> None:
        with contextlib.suppress(DuplicateKeyError):
            self.collection.insert_one({"_id": self.job, "holder": {"owner": None,
                                                                   "expires": NEVER}})

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or already ours; False when someone holds it."""
        self.ensure_document()
        now = self.clock()
        before = None
        for held in ({"holder.owner": self.owner}, {"holder.expires": {"$lt": now}}):
            before = self.collection.find_one_and_update(
                {"_id": self.job, **held}, {"$set": {"holder": self._holder(now, now)}},
                return_document=ReturnDocument.BEFORE,
            )
            if before is not None:
                break
        if before is None:
            return False
        holder = before.get("holder") or {}
        displaced = holder.get("owner") not in (None, self.owner)
        self.previous = holder if displaced else None
        self.acquired_at = now
        self.expires = now + self.ttl
        return True

    def renew(self) -> bool:
        """Extend the lease; False when it is no longer ours (it expired and was taken)."""
        now = self.clock()
        doc = self.collection.find_one_and_update(
            {"_id": self.job, "holder.owner": self.owner},
            {"$set": {"holder": self._holder(now, self.acquired_at or now)}},
            return_document=ReturnDocument.BEFORE,
        )
        if doc is None:
            self.expires = None
            return False
        self.expires = now + self.ttl
        return True

    def release(self) -> bool:
        """Give the lease up (only if still ours), so the next run need not wait for expiry."""
        result = self.collection.update_one(
            {"_id": self.job, "holder.owner": self.owner},
            {"$set": {"holder": {"owner": None, "expires": NEVER,
                                 "released_at": self.clock(), "released_by": self.owner}}},
        )
        self.expires = None
        return result.modified_count == 1


def holders(collection: Collection) -> dict[str, dict[str, Any]]:
    """Live holders by job (expired leases left out; one small document per job).

    Compared here, not in the query: nx-27017 0.8.1 compares datetimes to the second.
    """
    now = utcnow()
    out = {}
    for doc in collection.find({"holder.owner": {"$ne": None}}):
        holder = doc.get("holder") or {}
        expires = holder.get("expires")
        if holder.get("owner") and isinstance(expires, datetime) and expires > now:
            out[doc["_id"]] = holder
    return out


class LeaseKeeper(threading.Thread):
    """Renews a held lease every TTL/3 while a run lives; `lost` is set when it cannot.

    Lost means another owner took the lease, or renewal kept failing (database unreachable)
    until the lease lapsed: either way the run must stop, since another may start.
    """

    def __init__(self, lease: Lease, ttl_s: float):
        super().__init__(name=f"lease-{lease.job}", daemon=True)
        self.lease = lease
        self.interval = max(ttl_s / 3, 0.2)
        self.lost = threading.Event()
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            try:
                if not self.lease.renew():
                    log.error("job %s: lease taken over by another owner", self.lease.job)
                    self.lost.set()
                    return
            except PyMongoError as exc:
                expires = self.lease.expires
                log.warning("job %s: cannot renew lease: %s", self.lease.job, exc)
                if expires is None or utcnow() >= expires:
                    log.error("job %s: lease lapsed while the database was unreachable",
                              self.lease.job)
                    self.lost.set()
                    return

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)

