"""`newscrawl schedule run`: APScheduler wiring, configuration sync, signals, shutdown.

Jobs live in APScheduler's MongoDB job store (collection `scheduler_jobs`, same database), so
their next run times survive restarts. On start the configuration is applied: new jobs are
added, jobs whose cadence changed are rescheduled, removed or disabled jobs are deleted, and
unchanged jobs keep their stored next run time. Each due job runs in a pool thread through
JobRunner, which holds the job's lease for the whole run.

Runs left `running` by a dead scheduler are looked at on start and every `lease_ttl_s`: a local
one is closed `abandoned` (its crawl died with its scheduler); one still alive on a Scrapyd
node is adopted by this scheduler and watched to its end.

SIGTERM or SIGINT: no new run starts, running crawls get `grace_period_s` to finish, then they
are terminated and recorded `interrupted`, leases are released, and the process exits 0. A
second signal skips the rest of the grace period.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
import threading
import time
import uuid
from typing import Any

from apscheduler import events
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from crawler.config import ConfigError
from crawler.store import Store, redact
from scheduler.config import JobConfig, ScheduleConfig, format_duration
from scheduler.history import RunHistory
from scheduler.jobstore import COLLECTION as JOBS
from scheduler.jobstore import SharedMongoDBJobStore
from scheduler.runner import JobRunner

log = logging.getLogger("newscrawl.scheduler")

JOB_FUNC = "scheduler.service:scheduled_run"
_SERVICE: SchedulerService | None = None  # the running service, for scheduled_run()


def scheduled_run(job_name: str, fingerprint: str = "") -> None:
    """What APScheduler calls (stored as a text reference: job state holds no config)."""
    if _SERVICE is None:
        raise RuntimeError("no scheduler service is running in this process")
    _SERVICE.run_job(job_name)


def new_scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def setup_logging(level: int = logging.INFO) -> None:
    """One line per event on stderr: systemd's journal adds the time and the unit."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("pymongo").setLevel(logging.WARNING)


class SchedulerService:
    """One scheduler process: runs the configured jobs until told to stop."""

    def __init__(self, config: ScheduleConfig, store: Store):
        self.config = config
        self.settings = config.scheduler
        self.store = store
        self.scheduler_id = new_scheduler_id()
        self.stop = threading.Event()
        self.force = threading.Event()
        self.history = RunHistory(store.db)
        self.runner = JobRunner(store.db, config, self.scheduler_id, stop=self.stop,
                                force=self.force)
        # takes over runs left by dead schedulers; its own lease owner, so that it and this
        # scheduler's scheduled runs exclude each other through the job's lease
        self.adopter = JobRunner(store.db, config, f"{self.scheduler_id}/adopt",
                                 stop=self.stop, force=self.force,
                                 executor=self.runner.executor)
        self._active = 0
        self._active_changed = threading.Condition()
        # the job store's own client, closed after the scheduler thread ends
        self._jobs_client: MongoClient = MongoClient(store.target.uri, tz_aware=True,
                                                     serverSelectionTimeoutMS=5000)
        jobstore = SharedMongoDBJobStore(database=store.target.database, collection=JOBS,
                                         client=self._jobs_client)
        self._adopting: set[str] = set()  # jobs whose left-behind run a thread is taking over
        self.scheduler = BackgroundScheduler(
            jobstores={"default": jobstore},
            executors={"default": ThreadPoolExecutor(self.settings.concurrent_runs)},
            job_defaults=self._job_options(),
            timezone="UTC",
        )
        self.scheduler.add_listener(
            self._on_event,
            events.EVENT_JOB_MISSED | events.EVENT_JOB_MAX_INSTANCES | events.EVENT_JOB_ERROR)

    def _job_options(self) -> dict[str, Any]:
        return {"coalesce": self.settings.coalesce,
                "misfire_grace_time": max(1, math.ceil(self.settings.misfire_grace_s)),
                "max_instances": 1}

    # --- configuration ---

    def apply_config(self) -> dict[str, list[str]]:
        """Make the job store match the configuration; unchanged jobs keep their next run."""
        report: dict[str, list[str]] = {"added": [], "rescheduled": [], "kept": [],
                                        "removed": []}
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        options = self._job_options()
        for job in self.config.enabled_jobs:
            stored = existing.pop(job.name, None)
            fingerprint = job.trigger_fingerprint
            if stored is not None and stored.kwargs.get("fingerprint") == fingerprint:
                changes = {k: v for k, v in options.items() if getattr(stored, k) != v}
                if changes:
                    self.scheduler.modify_job(job.name, **changes)
                report["kept"].append(job.name)
                continue
            self.scheduler.add_job(
                JOB_FUNC, trigger=job.trigger(), id=job.name, name=job.name,
                kwargs={"job_name": job.name, "fingerprint": fingerprint},
                replace_existing=True, **options)
            report["rescheduled" if stored is not None else "added"].append(job.name)
        for name in sorted(existing):
            self.scheduler.remove_job(name)
            report["removed"].append(name)
        return report

    # --- running ---

    def run_job(self, job_name: str, *, adopt_only: bool = False) -> None:
        if self.stop.is_set():
            return
        try:
            job = self.config.job(job_name)
        except ConfigError:
            log.error("job %s is in the job store but not in %s; skipped", job_name,
                      self.config.label)
            return
        with self._active_changed:
            self._active += 1
        try:
            (self.adopter if adopt_only else self.runner).run(job, adopt_only=adopt_only)
        except PyMongoError as exc:  # the next due time tries again
            log.error("job %s: database unavailable, run not recorded: %s", job_name,
                      redact(str(exc)))
        except Exception as exc:  # a run's failure must never stop the scheduler
            log.exception("job %s: run failed unexpectedly: %s", job_name, redact(str(exc)))
        finally:
            with self._active_changed:
                self._active -= 1
                if adopt_only:
                    self._adopting.discard(job_name)
                self._active_changed.notify_all()

    def recover(self) -> None:
        """Close the local runs of dead schedulers; adopt their runs alive on nodes."""
        self.history.reconcile(socket.gethostname())
        if self.runner.executor.name == "local":
            return
        configured = {job.name for job in self.config.jobs}
        for doc in self.history.orphans():
            name = doc.get("job")
            if name not in configured:
                continue
            with self._active_changed:
                if name in self._adopting or self.stop.is_set():
                    continue
                self._adopting.add(name)
            threading.Thread(target=self.run_job, args=(name,), kwargs={"adopt_only": True},
                             name=f"adopt-{name}", daemon=True).start()

    def _on_event(self, event: events.JobEvent) -> None:
        try:
            job: JobConfig = self.config.job(event.job_id)
        except ConfigError:
            return
        try:
            if event.code == events.EVENT_JOB_MISSED:
                scheduled = event.scheduled_run_time
                self.runner.record_event(
                    job, "missed", f"missed its time {scheduled:%Y-%m-%d %H:%M:%S} by more "
                    f"than misfire_grace_s ({format_duration(self.settings.misfire_grace_s)})",
                    scheduled)
            elif event.code == events.EVENT_JOB_MAX_INSTANCES:
                self.runner.record_event(
                    job, "skipped-overlap", "the previous run of this job is still in "
                    "progress in this scheduler", event.scheduled_run_times[-1])
            elif event.code == events.EVENT_JOB_ERROR:
                log.error("job %s raised: %s", event.job_id, redact(str(event.exception)))
        except PyMongoError as exc:
            log.error("job %s: cannot record %s: %s", event.job_id, event.code, exc)

    def start(self) -> None:
        """Connect, apply the configuration, close runs left by a dead scheduler, start."""
        self.history.ensure_indexes()
        self.scheduler.start(paused=True)
        report = self.apply_config()
        self.recover()
        self.scheduler.resume()
        log.info("scheduler %s started on %s (%s): %s", self.scheduler_id,
                 self.store.display_uri, self.config.label,
                 ", ".join(f"{k} {', '.join(v)}" for k, v in report.items() if v) or "no jobs")
        for job in self.scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)

    def request_stop(self, signum: int = signal.SIGTERM, _frame: Any = None) -> None:
        if self.stop.is_set():
            log.warning("second %s: terminating running crawls now",
                        signal.Signals(signum).name)
            self.force.set()
            return
        log.info("%s: no new runs; %d running crawl(s) get %s to finish",
                 signal.Signals(signum).name, self._active,
                 format_duration(self.settings.grace_period_s))
        self.stop.set()

    def run_forever(self) -> int:
        """Serve until SIGTERM/SIGINT; returns the process exit code."""
        global _SERVICE
        _SERVICE = self
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_stop)
        try:
            self.start()
            while not self.stop.wait(self.settings.lease_ttl_s):
                try:
                    self.recover()
                except PyMongoError as exc:
                    log.warning("cannot check for abandoned runs: %s", exc)
            return self.shutdown()
        finally:
            _SERVICE = None

    def shutdown(self) -> int:
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.pause()
        deadline = time.monotonic() + self.settings.grace_period_s
        with self._active_changed:
            while self._active and not self.force.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._active_changed.wait(min(left, 0.2))
        if self._active:
            log.info("grace period over: terminating %d crawl(s)", self._active)
        self.force.set()
        limit = time.monotonic() + self.settings.kill_grace_s + 30
        with self._active_changed:
            while self._active and time.monotonic() < limit:
                self._active_changed.wait(0.2)
        stuck = self._active
        if self.scheduler.running:
            self.scheduler.shutdown(wait=not stuck)
        self._jobs_client.close()
        self.runner.executor.close()
        self.store.close()
        if stuck:
            log.error("%d run(s) did not stop; their leases lapse after %s", stuck,
                      format_duration(self.settings.lease_ttl_s))
            return 1
        log.info("scheduler %s stopped", self.scheduler_id)
        return 0
