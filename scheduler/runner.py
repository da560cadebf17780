"""One run of a job: take the lease, run `newscrawl crawl` as a subprocess, retry, record.

The crawl is a child process in its own process group, so a crash, a leak or a hung browser
ends with it, and a timeout can signal the whole group: SIGTERM (Scrapy's graceful stop),
then SIGKILL after `kill_grace_s` (a crawl waiting on a slow server ignores the first for
minutes). Each attempt is one run document; failed attempts (exit 1, a crash) are retried
after `retry_backoff * 2**n` seconds while the lease is kept, so no other process starts the
job in between.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo.database import Database

from crawler.config import home, private_dir
from crawler.store import redact
from scheduler import health
from scheduler.config import JobConfig, ScheduleConfig
from scheduler.history import RUNNING, RunHistory, tail_lines
from scheduler.lease import COLLECTION as LEASES
from scheduler.lease import Lease, LeaseKeeper, utcnow

log = logging.getLogger("newscrawl.scheduler.runner")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
OUTPUT_TAIL_LINES = 15


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def crawl_executable() -> list[str]:
    """`newscrawl` from this interpreter's environment (the console script beside Python)."""
    script = Path(sys.executable).parent / "newscrawl"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from crawler.cli import main; "
            "sys.argv[0] = 'newscrawl'; sys.exit(main())"]


def crawl_command(job: JobConfig, run_id: str, stats_file: Path, log_file: Path) -> list[str]:
    cmd = [*crawl_executable(), "crawl", job.spider]
    for section in job.sections:
        cmd += ["--section", section]
    cmd += ["--run-id", run_id, "--stats-file", str(stats_file), "--log-file", str(log_file)]
    if job.max_items:
        cmd += ["--max-items", str(job.max_items)]
    if job.max_pages:
        cmd += ["--max-pages", str(job.max_pages)]
    if job.full:
        cmd.append("--full")
    for key, value in job.settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd + list(job.args)


def job_dir(job: str) -> Path:
    path = private_dir(home() / "jobs") / job
    path.mkdir(exist_ok=True)
    return path


def prune_run_files(directory: Path, keep: int) -> None:
    """Keep the newest `keep` runs' files (<run_id>.log, .out, .stats.json) of a job."""
    runs: dict[str, float] = {}
    for path in directory.iterdir():
        run_id = path.name.split(".", 1)[0]
        with contextlib.suppress(OSError):
            runs[run_id] = max(runs.get(run_id, 0.0), path.stat().st_mtime)
    for run_id in sorted(runs, key=runs.__getitem__, reverse=True)[keep:]:
        for path in directory.glob(f"{run_id}.*"):
            with contextlib.suppress(OSError):
                path.unlink()


def read_stats(path: Path) -> dict[str, Any] | None:
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return payload[0] if isinstance(payload, list) and payload else None


def figures(result: dict[str, Any] | None) -> dict[str, Any]:
    """The run document's figures from the crawl's --stats-file."""
    if not result:
        return {"pages": 0, "errors": 0, "items": {}}
    counts = result.get("counts") or {}
    stats = result.get("stats") or {}
    dropped = {key.split("/", 1)[1].replace(".", "_").lstrip("$"): value
               for key, value in stats.items()
               if key.startswith("dropped/") and isinstance(value, int)}
    return {
        "pages": int(counts.get("pages", 0)),
        "errors": int(counts.get("errors", 0)),
        "items": {
            "scraped": int(stats.get("item_scraped_count", 0)),
            "stored": int(counts.get("stored", 0)),
            "duplicates": int(counts.get("duplicates", 0)),
            "dropped": int(counts.get("dropped", 0)),
            "dropped_by_reason": dropped,
            "missing_published_at": int(stats.get("newscrawl/missing_published_at", 0)),
            "spooled": int(counts.get("spooled", 0)),
        },
        "finish_reason": result.get("finish_reason"),
        "spool_file": result.get("spool_file") or None,
    }


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
                 force: threading.Event | None = None):
        self.db = db
        self.config = config
        self.settings = config.scheduler
        self.owner = owner
        self.trigger = trigger
        self.history = RunHistory(db)
        self.stop = stop or threading.Event()  # shutdown asked: no new attempt, no retry
        self.force = force or threading.Event()  # grace over: terminate running crawls now
        self.host = socket.gethostname()

    def run(self, job: JobConfig, scheduled_at: datetime | None = None) -> RunResult:
        """Run a job now unless another holder has its lease (then `skipped-overlap`)."""
        first_run_id = new_id()  # named in the lease from the start, for skipped runs' notes
        lease = Lease(self.db[LEASES], job.name, self.owner, self.settings.lease_ttl_s,
                      run_id=first_run_id)
        if not lease.acquire():
            holder = (self.db[LEASES].find_one({"_id": job.name}) or {}).get("holder") or {}
            reason = (f"a run is in progress: lease held by {holder.get('owner')} "
                      f"(run {holder.get('run_id')})")
            doc = self.record_event(job, "skipped-overlap", reason, scheduled_at)
            return RunResult(job.name, "skipped-overlap", [doc])
        if lease.previous:
            log.warning("job %s: took over an expired lease from %s", job.name,
                        lease.previous.get("owner"))
            self.history.reconcile(self.host)
        keeper = LeaseKeeper(lease, self.settings.lease_ttl_s)
        keeper.start()
        result = RunResult(job.name, "failed")
        try:
            for attempt in range(1, job.retries + 2):
                run_id = first_run_id if attempt == 1 else new_id()
                doc, retryable = self._attempt(job, run_id, attempt, scheduled_at, lease, keeper)
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
            "exit_code": None, "host": self.host, "scheduler_pid": os.getpid(),
            "scheduler_id": self.owner, "lease_owner": self.owner,
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

    def _attempt(self, job: JobConfig, run_id: str, attempt: int, scheduled_at: datetime | None,
                 lease: Lease, keeper: LeaseKeeper) -> tuple[dict[str, Any], bool]:
        """One crawl; returns its final document and whether a failure may be retried."""
        directory = job_dir(job.name)
        log_file = directory / f"{run_id}.log"
        stats_file = directory / f"{run_id}.stats.json"
        out_file = directory / f"{run_id}.out"
        command = crawl_command(job, run_id, stats_file, log_file)
        doc = self._base_doc(job, run_id, attempt, scheduled_at)
        doc.update(command=[redact(part) for part in command], log_file=str(log_file))
        lease.run_id = run_id
        self.history.insert(doc)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.config.path is not None:  # the crawl reads [outlets…] from the same file
            env["NEWSCRAWL_CONFIG"] = str(Path(self.config.path).resolve())
        started = time.monotonic()
        try:
            with open(out_file, "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "scheduler.child", str(os.getpid()), "--", *command],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                    start_new_session=True, close_fds=True,
                )
        except OSError as exc:
            return self._finish(job, doc, started, None, None, f"cannot start: {exc}")
        doc["pid"] = proc.pid
        self.history.save(doc)
        log.info("job %s: run %s attempt %d/%d started (pid %d)", job.name, run_id, attempt,
                 job.retries + 1, proc.pid)
        ended_by = self._wait(proc, job, keeper, started)
        doc.update(figures(read_stats(stats_file)))
        doc["output_tail"] = tail_lines(out_file, OUTPUT_TAIL_LINES)
        with contextlib.suppress(OSError):
            prune_run_files(directory, self.settings.keep_run_files)
        return self._finish(job, doc, started, proc.returncode, ended_by, None)

    def _wait(self, proc: subprocess.Popen, job: JobConfig, keeper: LeaseKeeper,
              started: float) -> str | None:
        """Wait for the crawl; end it on timeout, forced shutdown or a lost lease."""
        deadline = started + job.timeout_s
        while True:
            try:
                proc.wait(timeout=0.2)
                return None
            except subprocess.TimeoutExpired:
                pass
            reason = ("timeout" if time.monotonic() >= deadline else
                      "lease-lost" if keeper.lost.is_set() else
                      "interrupted" if self.force.is_set() else None)
            if reason:
                log.warning("job %s: stopping crawl pid %d (%s)", job.name, proc.pid, reason)
                self._terminate(proc)
                return reason

    def _terminate(self, proc: subprocess.Popen) -> None:
        """SIGTERM to the crawl's process group, SIGKILL after the kill grace."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=self.settings.kill_grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # leftovers of the group (a browser the crawl started); Linux does not reuse a pid
        # while it names a live process group, so this reaches only the crawl's own children
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def _finish(self, job: JobConfig, doc: dict[str, Any], started: float,
                code: int | None, ended_by: str | None,
                error: str | None) -> tuple[dict[str, Any], bool]:
        doc["ended_at"] = utcnow()
        doc["duration_s"] = round(time.monotonic() - started, 3)
        doc["exit_code"] = code
        if code is not None and code < 0:
            doc["signal"] = signal.Signals(-code).name
        doc["log_tail"] = tail_lines(doc.get("log_file"), self.settings.log_tail_lines)
        retryable = False
        if error:
            status, reason = "failed", error
        elif ended_by == "timeout":
            status, reason = "timeout", f"killed after its timeout of {job.timeout_s:g}s"
        elif ended_by == "interrupted":
            status, reason = "interrupted", "stopped by the scheduler's shutdown"
        elif ended_by == "lease-lost":
            status, reason = "interrupted", "lease lost: another process may run this job"
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
