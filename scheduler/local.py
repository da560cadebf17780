"""The local executor: each crawl is a `newscrawl crawl` subprocess on the scheduler's host.

The crawl is a child process in its own process group, so a crash, a leak or a hung browser
ends with it, and a stop can signal the whole group: SIGTERM (Scrapy's graceful stop), then
SIGKILL after `kill_grace_s` (a crawl waiting on a slow server ignores the first for minutes).
It dies with its scheduler (scheduler.child), so a run never outlives its lease. Its log,
output and stats file stay in $NEWSCRAWL_HOME/jobs/<job>/ for the newest `keep_run_files` runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import home, private_dir
from crawler.store import redact
from scheduler.config import JobConfig, ScheduleConfig
from scheduler.executor import ENDED, RUNNING, Executor, Outcome, StartFailed
from scheduler.history import recorded_by_crawl, run_figures, tail_lines

OUTPUT_TAIL_LINES = 15


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
    cmd += ["--run-id", run_id, "--stats-file", str(stats_file), "--log-file", str(log_file),
            "-s", "NEWSCRAWL_RUN_RECORD=True"]
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
    """The Scrapy stats in a `newscrawl crawl --stats-file` (None when it left none)."""
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return payload[0].get("stats") or None
    return None


@dataclass
class LocalCrawl:
    proc: subprocess.Popen
    directory: Path
    stats_file: Path
    out_file: Path


class LocalExecutor(Executor):
    name = "local"
    poll_s = 0.2

    def __init__(self, config: ScheduleConfig, db: Any):
        self.config = config
        self.db = db
        self.settings = config.scheduler
        self.host = socket.gethostname()

    def start(self, job: JobConfig, doc: dict[str, Any]) -> LocalCrawl:
        run_id = doc["_id"]
        directory = job_dir(job.name)
        log_file = directory / f"{run_id}.log"
        stats_file = directory / f"{run_id}.stats.json"
        out_file = directory / f"{run_id}.out"
        command = crawl_command(job, run_id, stats_file, log_file)
        doc.update(command=[redact(part) for part in command], log_file=str(log_file),
                   node=self.host)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.config.path is not None:  # the crawl reads [outlets…] from the same file
            env["NEWSCRAWL_CONFIG"] = str(Path(self.config.path).resolve())
        try:
            with open(out_file, "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "scheduler.child", str(os.getpid()), "--", *command],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                    start_new_session=True, close_fds=True,
                )
        except OSError as exc:
            raise StartFailed(f"cannot start: {exc}", retryable=False) from None
        doc["pid"] = proc.pid
        return LocalCrawl(proc, directory, stats_file, out_file)

    def state(self, crawl: LocalCrawl) -> str:
        return RUNNING if crawl.proc.poll() is None else ENDED

    def stop(self, crawl: LocalCrawl) -> None:
        """SIGTERM to the crawl's process group, SIGKILL after the kill grace."""
        proc = crawl.proc
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

    def finish(self, crawl: LocalCrawl, doc: dict[str, Any]) -> Outcome:
        code = crawl.proc.wait()
        # what the crawl recorded, else (database unreachable at its end) its stats file
        doc.update(recorded_by_crawl(self.db, doc["_id"])
                   or run_figures(read_stats(crawl.stats_file)))
        doc["output_tail"] = tail_lines(crawl.out_file, OUTPUT_TAIL_LINES)
        doc["log_tail"] = tail_lines(doc.get("log_file"), self.settings.log_tail_lines)
        with contextlib.suppress(OSError):
            prune_run_files(crawl.directory, self.settings.keep_run_files)
        return Outcome(code)
