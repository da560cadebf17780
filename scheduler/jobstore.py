"""APScheduler's MongoDB job store, made safe to share between scheduler processes.

APScheduler 3.x supports one scheduler per job store: two processes reading the same store
both find a job due and both run it. Here a process claims each due job before running it by
moving its `next_run_time` forward with a compare-and-set on the value it read; the process
whose update matches runs the job, the others drop it. The lease (scheduler.lease) remains
the guarantee against overlap; the claim only keeps two schedulers from running the same
fire time one after the other.

Verified against nx-27017 0.8.1: the store's `$lte`/`$ne` queries, sorts, the sparse index
and `$set` of binary job state behave; next_run_time is a float timestamp (so the embedded
server's datetime-in-`$set` quirk does not apply) but comes back rounded to about 15
significant digits, so the claim compares it within a millisecond, never for equality.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from apscheduler.jobstores.mongodb import MongoDBJobStore
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.util import datetime_to_utc_timestamp
from pymongo import ASCENDING

log = logging.getLogger("newscrawl.scheduler.jobstore")

COLLECTION = "scheduler_jobs"


class SharedMongoDBJobStore(MongoDBJobStore):
    """MongoDBJobStore whose due jobs are claimed atomically by one scheduler process."""

    def get_due_jobs(self, now: datetime) -> list[Any]:
        # APScheduler looks once more after shutdown(); claiming then would skip a run
        if self._scheduler is None or self._scheduler.state != STATE_RUNNING:
            return []
        claimed = []
        due = self.collection.find(
            {"next_run_time": {"$lte": datetime_to_utc_timestamp(now)}},
            ["_id", "next_run_time", "job_state"], sort=[("next_run_time", ASCENDING)])
        for doc in due:
            try:
                job = self._reconstitute_job(doc["job_state"])
            except Exception:
                log.exception("job %s: cannot restore it from the job store", doc["_id"])
                continue
            # what the scheduler computes after submitting the job (BaseScheduler.
            # _process_jobs); writing it first makes the other processes see it not due
            run_times = job._get_run_times(now)
            following = job.trigger.get_next_fire_time(run_times[-1], now) if run_times else None
            # compare with the value read, within 1 ms: nx-27017 keeps ~15 significant digits
            seen = doc["next_run_time"]
            result = self.collection.update_one(
                {"_id": job.id, "next_run_time": {"$gte": seen - 0.001, "$lte": seen + 0.001}},
                {"$set": {"next_run_time": datetime_to_utc_timestamp(following)}},
            )
            if result.modified_count == 1:
                claimed.append(job)
            else:
                log.debug("job %s: claimed by another scheduler", job.id)
        return claimed

    def shutdown(self) -> None:
        """Keep the client open: the scheduler thread may still read after shutdown();
        its owner (SchedulerService) closes it once that thread has ended."""
