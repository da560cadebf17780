"""One run of a job: take the lease, start the crawl on an executor, watch it, retry, record.

The executor (scheduler.executor: a local subprocess or a Scrapyd node) starts and stops
crawls; everything else is here, once for every executor: the job's lease (held while the run
lives), its timeout, retries after `retry_backoff * 2**n` while the lease is kept (so no other
process starts the job in between), health, and the run documents (one per attempt).

A run whose scheduler died is taken over, never repeated: whoever takes the job's lease next
first looks for its runs still `running`. A crawl its executor can still watch (on a Scrapyd
node) is adopted and watched to its end; one it cannot (a local crawl died with its scheduler)
is closed `abandoned`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from crawler.store import redact
from scheduler import health
from scheduler.config import JobConfig, ScheduleConfig
from scheduler.executor import (
    ENDED,
    LOST,
    Executor,
    NoFreeSlot,
    Outcome,
    StartFailed,
)
from scheduler.history import RUNNING, RunHistory
from scheduler.lease import COLLECTION as LEASES
from scheduler.lease import Lease, LeaseKeeper, utcnow

log = logging.getLogger("newscrawl.scheduler.runner")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def make_executor(config: ScheduleConfig, db: Database) -> Executor:
    """The executor `[scheduler] executor` names: Scrapyd nodes, or subprocesses here."""
    if config.scheduler.executor == "scrapyd":
        from scheduler.scrapyd import ScrapydExecutor

        return ScrapydExecutor(config.scheduler, db)
    from scheduler.local import LocalExecutor

    return LocalExecutor(config, db)


@dataclass
class RunResult:
    """The outcome of one scheduled or triggered run (all its attempts)."""

    job: str
    status: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status in ("ok", "degraded") else EXIT_FAILED


class JobRunner:
    """Runs jobs of one configuration for one owner (a scheduler process or a trigger)."""

    def __init__(self, db: Database, config: ScheduleConfig, owner: str, *,
                 trigger: str = "schedule", stop: threading.Event | None = None,
                 force: threading.Event | None = None, executor: Executor | None = None):
        self.db = db
        self.config = config
        self.settings = config.scheduler
        self.owner = owner
        self.trigger = trigger
        self.history = RunHistory(db)
        self.stop = stop or threading.Event()  # shutdown asked: no new attempt, no retry
        self.force = force or threading.Event()  # grace over: terminate running crawls now
        self.host = socket.gethostname()
        self.executor = executor or make_executor(config, db)

    def run(self, job: JobConfig, scheduled_at: datetime | None = None, *,
            adopt_only: bool = False) -> RunResult:
        """Run a job now unless another holder has its lease (then `skipped-overlap`).

        A crawl of the job left running by a dead scheduler is adopted instead of starting a
        new one. `adopt_only`: only that (nothing happens when there is none to adopt).
        """
        first_run_id = new_id()  # named in the lease from the start, for skipped runs' notes
        lease = Lease(self.db[LEASES], job.name, self.owner, self.settings.lease_ttl_s,
                      run_id=first_run_id)
        if not lease.acquire():
            if adopt_only:  # its holder watches it
                return RunResult(job.name, "skipped-overlap")
            holder = (self.db[LEASES].find_one({"_id": job.name}) or {}).get("holder") or {}
            reason = (f"a run is in progress: lease held by {holder.get('owner')} "
                      f"(run {holder.get('run_id')})")
            doc = self.record_event(job, "skipped-overlap", reason, scheduled_at)
            return RunResult(job.name, "skipped-overlap", [doc])
        if lease.previous:
            log.warning("job %s: took over an expired lease from %s", job.name,
                        lease.previous.get("owner"))
        keeper = LeaseKeeper(lease, self.settings.lease_ttl_s)
        keeper.start()
        result = RunResult(job.name, "failed")
        try:
            adopted = self._take_over(job)
            if adopted is None and adopt_only:
                return RunResult(job.name, "none")
            attempt = int(adopted[0].get("attempt") or 1) if adopted else 1
            while True:
                if adopted:
                    doc, crawl = adopted
                    adopted = None
                    lease.run_id = doc["_id"]
                    doc, retryable = self._follow(job, doc, crawl, keeper)
                else:
                    run_id = first_run_id if not result.runs else new_id()
                    doc, retryable = self._attempt(job, run_id, attempt, scheduled_at, lease,
                                                   keeper)
                result.runs.append(doc)
                result.status = doc["status"]
                if not retryable or attempt > job.retries:
                    break
                delay = job.retry_backoff_s * 2 ** (attempt - 1)
                doc["retry_at"] = utcnow() + timedelta(seconds=delay)
                self.history.save(doc)
                log.warning("job %s: attempt %d/%d %s; retrying in %gs", job.name, attempt,
                            job.retries + 1, doc["status"], delay)
                if self.stop.wait(delay) or keeper.lost.is_set():
                    doc["retry_at"] = None
                    doc["reason"] = (doc.get("reason") or "") + "; retry cancelled " + (
                        "by shutdown" if self.stop.is_set() else "(lease lost)")
                    self.history.save(doc)
                    break
                attempt += 1
        finally:
            keeper.stop()
            try:
                lease.release()
            except Exception as exc:  # it expires by itself after the TTL
                log.error("job %s: cannot release lease: %s", job.name, redact(str(exc)))
        return result

    def _base_doc(self, job: JobConfig, run_id: str, attempt: int,
                  scheduled_at: datetime | None) -> dict[str, Any]:
        return {
            "_id": run_id, "run_id": run_id, "job": job.name, "spider": job.spider,
            "sections": list(job.sections), "trigger": self.trigger, "attempt": attempt,
            "max_attempts": job.retries + 1, "scheduled_at": scheduled_at,
            "started_at": utcnow(), "ended_at": None, "duration_s": None, "status": RUNNING,
            "exit_code": None, "executor": self.executor.name, "node": None,
            "host": self.host, "scheduler_pid": os.getpid(), "scheduler_id": self.owner,
            "lease_owner": self.owner,
        }

    def record_event(self, job: JobConfig, status: str, reason: str,
                     scheduled_at: datetime | None = None) -> dict[str, Any]:
        """A run that did not start (skipped-overlap, missed): one final document."""
        doc = self._base_doc(job, new_id(), 1, scheduled_at)
        doc.update(status=status, ended_at=doc["started_at"], duration_s=0.0, attempt=None,
                   max_attempts=None, lease_owner=None, reason=reason)
        self.history.insert(doc)
        log.warning("job %s: %s: %s", job.name, status, reason)
        return doc

    # --- runs left by a dead scheduler ---

    def _take_over(self, job: JobConfig) -> tuple[dict[str, Any], Any] | None:
        """With the lease held: the job's run still alive on its executor, to adopt; other
        runs left `running` by a dead holder are closed."""
        for doc in self.history.running(job.name):
            executor = doc.get("executor", "local")
            crawl = self.executor.adopt(doc) if executor == self.executor.name else None
            if crawl is not None:
                log.warning("job %s: adopting run %s on %s, left by %s", job.name, doc["_id"],
                            doc.get("node"), doc.get("lease_owner"))
                self.history.note(doc, lease_owner=self.owner, adopted_by=self.owner)
                return doc, crawl
            if executor == "local":
                self.history.close_orphan(doc, "abandoned", "its scheduler stopped without "
                                          "recording the end (killed?); the crawl was killed "
                                          "with it", self.host)
            else:
                self.history.close_orphan(doc, "lost", f"its scheduler died and its node "
                                          f"{doc.get('node')} cannot be watched from here "
                                          f"(executor {self.executor.name})")
        return None

    # --- one attempt ---

    def _attempt(self, job: JobConfig, run_id: str, attempt: int, scheduled_at: datetime | None,
                 lease: Lease, keeper: LeaseKeeper) -> tuple[dict[str, Any], bool]:
        """One crawl; returns its final document and whether a failure may be retried."""
        doc = self._base_doc(job, run_id, attempt, scheduled_at)
        lease.run_id = run_id
        self.history.insert(doc)  # before the crawl starts: the crawl records into it
        deadline = self._deadline(job, doc)
        before = dict(doc)
        try:
            crawl = self._start(job, doc, keeper, deadline)
        except StartFailed as exc:
            return self._finish(job, doc, Outcome(None, str(exc), retryable=exc.retryable),
                                None)
        except _NotStarted as exc:
            return self._finish(job, doc, Outcome(None), exc.ended_by, note=exc.reason)
        self.history.note(doc, **{k: v for k, v in doc.items()
                                  if k not in before or before[k] != v})
        log.info("job %s: run %s attempt %d/%d started on %s", job.name, run_id, attempt,
                 job.retries + 1, doc.get("node"))
        return self._follow(job, doc, crawl, keeper)

    def _follow(self, job: JobConfig, doc: dict[str, Any], crawl: Any,
                keeper: LeaseKeeper) -> tuple[dict[str, Any], bool]:
        """Watch a started (or adopted) crawl to its end and record it."""
        ended_by = self._wait(crawl, job, doc, keeper, self._deadline(job, doc))
        outcome = self.executor.finish(crawl, doc)
        note = self.executor.lost_reason(crawl) if ended_by == "lost" else None
        return self._finish(job, doc, outcome, ended_by, note=note)

    def _deadline(self, job: JobConfig, doc: dict[str, Any]) -> float:
        """The job's timeout, counted from the run's start, on the monotonic clock."""
        elapsed = (utcnow() - doc["started_at"]).total_seconds()
        return time.monotonic() + job.timeout_s - max(elapsed, 0.0)

    def _ending(self, keeper: LeaseKeeper, deadline: float) -> str | None:
        return ("timeout" if time.monotonic() >= deadline else
                "lease-lost" if keeper.lost.is_set() else
                "interrupted" if self.force.is_set() else None)

    def _start(self, job: JobConfig, doc: dict[str, Any], keeper: LeaseKeeper,
               deadline: float) -> Any:
        """Start the crawl, waiting while every node is busy (within the job's timeout)."""
        waiting = False
        while True:
            try:
                return self.executor.start(job, doc)
            except NoFreeSlot as exc:
                if not waiting:
                    log.info("job %s: %s; waiting for a free slot", job.name, exc)
                    waiting = True
            ended_by = self._ending(keeper, deadline) or ("interrupted" if self.stop.is_set()
                                                          else None)
            if ended_by:
                raise _NotStarted(ended_by, "no node had a free slot" + (
                    " within the job's timeout" if ended_by == "timeout" else ""))
            self.force.wait(self.executor.poll_s)

    def _wait(self, crawl: Any, job: JobConfig, doc: dict[str, Any], keeper: LeaseKeeper,
              deadline: float) -> str | None:
        """Wait for the crawl; end it on timeout, forced shutdown or a lost lease."""
        while True:
            state = self.executor.state(crawl)
            if state == ENDED:
                return None
            reason = "lost" if state == LOST else self._ending(keeper, deadline)
            if reason:
                log.warning("job %s: stopping run %s on %s (%s)", job.name, doc["_id"],
                            doc.get("node"), reason)
                self.executor.stop(crawl)
                return reason
            self.force.wait(self.executor.poll_s)

    def _finish(self, job: JobConfig, doc: dict[str, Any], outcome: Outcome,
                ended_by: str | None, *, note: str | None = None
                ) -> tuple[dict[str, Any], bool]:
        """Record the attempt's end; `note`: why it ended, when the runner ended it."""
        doc["ended_at"] = utcnow()
        doc["duration_s"] = round((doc["ended_at"] - doc["started_at"]).total_seconds(), 3)
        code = outcome.exit_code
        doc["exit_code"] = code
        if code is not None and code < 0:
            doc["signal"] = signal.Signals(-code).name
        retryable = False
        if ended_by == "lost":
            status, reason, retryable = "lost", note, True
        elif ended_by == "timeout":
            status, reason = "timeout", note or f"stopped after its timeout of {job.timeout_s:g}s"
        elif ended_by == "interrupted":
            status, reason = "interrupted", note or "stopped by the scheduler's shutdown"
        elif ended_by == "lease-lost":
            status, reason = "interrupted", "lease lost: another process may run this job"
        elif outcome.problem:
            status, reason, retryable = "failed", outcome.problem, outcome.retryable
        elif code == EXIT_OK:
            status, reason = "ok", None
        elif code == EXIT_USAGE:
            status, reason = "failed", "bad job configuration (crawl exit 2); not retried"
        else:
            retryable = True
            status = "failed"
            reason = (f"crawl crashed ({doc['signal']})" if code is not None and code < 0
                      else f"crawl failed (exit {code}, finish reason "
                           f"{doc.get('finish_reason') or 'none'})")
        if status == "ok":
            previous = self.history.finished(job.name, max(job.health.no_articles_runs, 1),
                                             before=doc["started_at"])
            signals = health.evaluate(job.health, doc, previous)
            if signals:
                status = "degraded"
                reason = "; ".join(s["message"] for s in signals)
                log.warning("job %s: run %s degraded: %s", job.name, doc["_id"], reason)
            doc["health"] = signals
        doc.update(status=status, reason=reason)
        self.history.save(doc)
        log.log(logging.INFO if status in ("ok", "degraded") else logging.WARNING,
                "job %s: run %s %s in %.1fs (exit %s)%s", job.name, doc["_id"], status,
                doc["duration_s"], code, f": {reason}" if reason else "")
        return doc, retryable


class _NotStarted(Exception):
    """The crawl never started: timeout, shutdown or lost lease while waiting for a slot."""

    def __init__(self, ended_by: str, reason: str):
        super().__init__(reason)
        self.ended_by = ended_by
        self.reason = reason
