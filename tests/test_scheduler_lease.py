"""Job leases against the real server: acquire, renew, expiry, release, the renewing thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pymongo

from scheduler.history import RunHistory
from scheduler.lease import NEVER, Lease, LeaseKeeper, holders, utcnow
from tests.conftest import wait_until


class Clock:
    """A settable clock: expiry is tested without sleeping through a TTL."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_acquire_is_exclusive_until_release(mongo_db: pymongo.database.Database) -> None:
    leases = mongo_db["leases"]
    clock = Clock()
    a = Lease(leases, "job", "A", 30, clock=clock)
    b = Lease(leases, "job", "B", 30, clock=clock)
    assert a.acquire()
    assert not b.acquire()
    assert a.acquire()  # re-entrant for its owner
    holder = leases.find_one({"_id": "job"})["holder"]
    assert holder["owner"] == "A" and isinstance(holder["expires"], datetime)
    assert holder["expires"] > clock.now  # stored as a date, compared as one
    assert a.release()
    assert not a.release()  # no longer ours
    assert b.acquire() and b.previous is None  # released, not displaced
    assert leases.count_documents({}) == 1  # created once, never upserted again


def test_one_owner_holds_the_leases_of_several_jobs(mongo_db: pymongo.database.Database
                                                     ) -> None:
    """Acquiring one job's lease never touches another's (nx-27017 0.8.1 applies an update
    filtered on `_id` and `$or` to whichever document matches the `$or`)."""
    leases = mongo_db["leases"]
    clock = Clock()
    held = [Lease(leases, job, "S", 30, clock=clock, run_id=job) for job in ("a", "b", "c")]
    assert all(lease.acquire() for lease in held)
    assert {doc["_id"]: doc["holder"]["run_id"] for doc in leases.find()} == {
        "a": "a", "b": "b", "c": "c"}
    assert all(lease.renew() for lease in held)
    clock.advance(40)  # all expired: another owner takes one, the others stay as they were
    assert Lease(leases, "b", "T", 30, clock=clock).acquire()
    assert {doc["_id"]: doc["holder"]["owner"] for doc in leases.find()} == {
        "a": "S", "b": "T", "c": "S"}


def test_expiry_and_renewal(mongo_db: pymongo.database.Database) -> None:
    leases = mongo_db["leases"]
    clock = Clock()
    a = Lease(leases, "job", "A", 10, clock=clock)
    b = Lease(leases, "job", "B", 10, clock=clock)
    assert a.acquire()
    clock.advance(8)
    assert a.renew()  # now valid until +18
    clock.advance(8)
    assert not b.acquire()  # would have expired at +10 without the renewal
    clock.advance(3)
    assert b.acquire()  # a stopped renewing: its lease lapsed
    assert b.previous is not None and b.previous["owner"] == "A"
    assert not a.renew() and a.expires is None  # a learns it lost the lease
    assert not a.release()
    assert leases.find_one({"_id": "job"})["holder"]["owner"] == "B"


def test_keeper_renews_and_notices_loss(mongo_db: pymongo.database.Database) -> None:
    leases = mongo_db["leases"]
    a = Lease(leases, "job", "A", 0.9)
    assert a.acquire()
    first = a.expires
    keeper = LeaseKeeper(a, 0.9)  # renews every 0.3 s
    keeper.start()
    # past the first expiry: only renewal keeps the lease
    wait_until(lambda: utcnow() > first + timedelta(seconds=0.3), 5, "the first expiry to pass")
    assert not Lease(leases, "job", "B", 0.9).acquire()
    assert a.expires > first and not keeper.lost.is_set()
    assert "job" in holders(leases)
    # another owner takes it over (as after a long freeze of A): the keeper notices
    leases.update_one({"_id": "job"}, {"$set": {"holder": {"owner": "C", "expires": NEVER}}})
    wait_until(keeper.lost.is_set, 3, "the keeper to notice the takeover", interval=0.05)
    keeper.stop()


def test_reconcile_closes_runs_of_dead_holders(mongo_db: pymongo.database.Database) -> None:
    history = RunHistory(mongo_db)
    now = datetime.now(UTC)
    live = Lease(mongo_db["leases"], "alive", "S1", 60)
    assert live.acquire()
    for job, owner in (("alive", "S1"), ("dead", "S2")):
        history.insert({"_id": job, "job": job, "status": "running", "lease_owner": owner,
                        "started_at": now})
    closed = history.reconcile()
    assert [doc["_id"] for doc in closed] == ["dead"]
    dead = mongo_db["runs"].find_one({"_id": "dead"})
    assert dead["status"] == "abandoned" and isinstance(dead["ended_at"], datetime)
    assert mongo_db["runs"].find_one({"_id": "alive"})["status"] == "running"
