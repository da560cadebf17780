"""`newscrawl schedule run|list|history|health|trigger`: unattended crawls (see scheduler/)."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli.common import RUNTIME_ERROR, die, open_store, stdout_is_tty
from crawler.config import config_path
from crawler.terminal import safe_text

app = typer.Typer(help="Scheduled crawls: the scheduler service, its jobs, history and health.",
                  no_args_is_help=True)

EXIT_SKIPPED = 3  # `schedule trigger`: another run of the job holds the lease
# tables piped to a file or grep are not cut to 80 columns
console = Console() if stdout_is_tty() else Console(width=240)

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="Schedule file (default: $NEWSCRAWL_CONFIG, else ./newscrawl.toml).")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON output.")]


def _load(config: Path | None, *, required: bool = True, check_spiders: bool = True,
          crawls: bool = False) -> Any:
    """The validated schedule; `--config` also becomes NEWSCRAWL_CONFIG for the crawls.
    Commands that only read pass check_spiders=False: knowing the spiders takes Scrapy.
    `crawls`: the command will start crawls, so their nodes must reach the database."""
    from scheduler.config import check_database, load_schedule

    if config is not None:
        os.environ["NEWSCRAWL_CONFIG"] = str(config.resolve())
    if not required and config_path(config) is None:
        return None
    schedule = load_schedule(config, check_spiders=check_spiders)
    if crawls:
        check_database(schedule, os.environ.get("NEWSCRAWL_MONGO_URI"))
    return schedule


def node_label(doc: dict[str, Any]) -> str:
    """Where a run ran: the Scrapyd node's host:port, or the local host name."""
    node = doc.get("node") or doc.get("host") or "-"
    return node.split("://", 1)[-1]


def _when(value: datetime | float | None, now: datetime | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if now is not None:
        seconds = (value - now).total_seconds()
        text += f" ({_ago(seconds)})"
    return text


def _ago(seconds: float) -> str:
    from scheduler.config import format_duration

    span = format_duration(round(abs(seconds)))
    return f"in {span}" if seconds >= 0 else f"{span} ago"


def _run_line(job: str, doc: dict[str, Any]) -> str:
    """One attempt in a line: `job run ID attempt 1/3 on NODE: ok in 3.2s — pages 9, … — …`."""
    parts = [f"{job} run {doc['_id']}"
             + (f" attempt {doc['attempt']}/{doc['max_attempts']}" if doc.get("attempt") else "")
             + (f" on {node_label(doc)}" if doc.get("node") else "")
             + f": {doc['status']}"
             + (f" in {doc['duration_s']:.1f}s" if doc.get("duration_s") else "")]
    if doc.get("exit_code") is not None:
        items = doc.get("items") or {}
        parts.append(f"pages {doc.get('pages', 0)}, stored {items.get('stored', 0)}, duplicates "
                     f"{items.get('duplicates', 0)}, dropped {items.get('dropped', 0)}, errors "
                     f"{doc.get('errors', 0)}")
    if doc.get("reason"):
        parts.append(doc["reason"])
    return " — ".join(parts)


def print_json(value: Any) -> None:
    from crawler.jsonio import dumps

    typer.echo(dumps(value, indent=1))


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT (for systemd, supervisors)."""
    from scheduler.service import SchedulerService, setup_logging

    schedule = _load(config, crawls=True)
    setup_logging()
    store = open_store(indexes=True)
    raise typer.Exit(SchedulerService(schedule, store).run_forever())


def job_rows(schedule: Any, store: Any) -> list[dict[str, Any]]:
    """Each configured job: cadence, next run, last run and its status, who runs it now.

    What `schedule list` shows and the web dashboard's overview reuses.
    """
    from scheduler.history import RAN, RunHistory
    from scheduler.jobstore import COLLECTION as JOBS
    from scheduler.lease import COLLECTION as LEASES
    from scheduler.lease import holders

    history = RunHistory(store.db)
    next_runs = {doc["_id"]: doc.get("next_run_time")
                 for doc in store.db[JOBS].find({}, {"next_run_time": 1})}
    running = holders(store.db[LEASES])
    rows = []
    for job in schedule.jobs:
        last = history.last(job.name, RAN)
        next_ts = next_runs.get(job.name)
        rows.append({
            "job": job.name, "spider": job.spider, "sections": list(job.sections),
            "cadence": job.cadence, "enabled": job.enabled, "timeout_s": job.timeout_s,
            "retries": job.retries,
            "next_run": datetime.fromtimestamp(next_ts, UTC) if next_ts else None,
            "last_run": (last or {}).get("started_at"),
            "last_status": (last or {}).get("status"),
            "running": running.get(job.name),
        })
    return rows


@app.command("list")
def list_jobs(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Jobs: cadence, next run, last run and its status."""
    schedule = _load(config, check_spiders=False)
    rows = job_rows(schedule, open_store())
    now = datetime.now(UTC)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"jobs in {schedule.label} (times UTC)", show_edge=False)
    for column in ("job", "spider", "sections", "cadence", "next run", "last run", "status"):
        table.add_column(column)
    for row in rows:
        next_text = (_when(row["next_run"], now) if row["enabled"] else "disabled") if (
            row["next_run"] or not row["enabled"]) else "not scheduled yet"
        status = row["last_status"] or "never run"
        if row["running"]:
            status = f"running ({row['running'].get('host')} pid {row['running'].get('pid')})"
        table.add_row(row["job"], row["spider"], ",".join(row["sections"]) or "all",
                      row["cadence"], next_text, _when(row["last_run"], now), status)
    console.print(table)


@app.command()
def history(
    job: Annotated[str | None, typer.Option("--job", "-j", help="Only this job.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Newest N runs.")] = 20,
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recent runs, newest first: status, duration, pages and items, reason."""
    from scheduler.history import STATUSES, RunHistory

    if status and status not in STATUSES:
        die(f"--status {status!r}: expected one of {', '.join(STATUSES)}")
    store = open_store()
    runs = RunHistory(store.db).recent(job, limit, status)
    if as_json:
        print_json(runs)
        return
    if not runs:
        console.print("no runs recorded" + (f" for job {job!r}" if job else ""))
        return
    table = Table(title="runs (times UTC)", show_edge=False)
    for column in ("started", "job", "try", "status", "node", "secs", "exit", "pages", "stored",
                   "dup", "dropped", "errors", "reason"):
        table.add_column(column, justify="right" if column in (
            "try", "secs", "exit", "pages", "stored", "dup", "dropped", "errors") else "left")
    for run_doc in runs:
        items = run_doc.get("items") or {}
        duration = run_doc.get("duration_s")
        table.add_row(
            _when(run_doc.get("started_at")), run_doc.get("job", "?"),
            f"{run_doc['attempt']}/{run_doc.get('max_attempts')}" if run_doc.get("attempt")
            else "-",
            run_doc.get("status", "?"), node_label(run_doc),
            f"{duration:.1f}" if duration is not None else "-",
            str(run_doc.get("exit_code") if run_doc.get("exit_code") is not None else "-"),
            str(run_doc.get("pages", "-")), str(items.get("stored", "-")),
            str(items.get("duplicates", "-")), str(items.get("dropped", "-")),
            str(run_doc.get("errors", "-")), safe_text(run_doc.get("reason") or ""))
    console.print(table)


@app.command()
def health(
    config: ConfigOption = None,
    days: Annotated[float, typer.Option(help="Count runs of the last N days.", min=0)] = 7,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit 1 when a job is failing or degraded (for monitoring).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Per job: state, last success, runs by status, current degraded signals."""
    from scheduler.health import report
    from scheduler.history import RunHistory

    schedule = _load(config, required=False, check_spiders=False)
    store = open_store()
    now = datetime.now(UTC)
    jobs = report(RunHistory(store.db), list(schedule.jobs) if schedule else None, days, now)
    if as_json:
        print_json([vars(j) | {"last_run": (j.last_run or {}).get("started_at"),
                          "last_status": (j.last_run or {}).get("status"),
                          "last_node": (j.last_run or {}).get("node"),
                          "last_success": (j.last_success or {}).get("started_at")}
               for j in jobs])
    else:
        table = Table(title=f"job health (runs of the last {days:g} days; times UTC)",
                      show_edge=False)
        for column in ("job", "state", "last run", "node", "last success", "runs",
                       "failures in a row", "signals"):
            table.add_column(column)
        for item in jobs:
            last = item.last_run or {}
            runs = ", ".join(f"{n} {s}" for s, n in sorted(item.counts.items())) or "none"
            table.add_row(
                item.job, item.state,
                f"{_when(last.get('started_at'), now)} {last.get('status', '')}".strip(),
                node_label(last) if last else "-",
                _when((item.last_success or {}).get("started_at"), now), runs,
                str(item.consecutive_failures),
                safe_text("; ".join(s.get("message", "") for s in item.signals) or "-"))
        console.print(table)
    if check and any(j.state in ("failing", "degraded") for j in jobs):
        raise typer.Exit(RUNTIME_ERROR)


@app.command()
def trigger(
    job: Annotated[str, typer.Argument(help="Job name from the schedule file.")],
    config: ConfigOption = None,
    no_retry: Annotated[bool, typer.Option("--no-retry", help="One attempt only.")] = False,
) -> None:
    """Run a job now, in the foreground, respecting its lease (exit 0 ok, 1 failed, 3 skipped).

    Ctrl-C or SIGTERM stops the crawl and records it `interrupted`.
    """
    import dataclasses
    import threading

    from scheduler.runner import JobRunner
    from scheduler.service import new_scheduler_id, setup_logging

    schedule = _load(config, crawls=True)
    job_config = schedule.job(job)
    if no_retry:
        job_config = dataclasses.replace(job_config, retries=0)
    setup_logging()
    store = open_store(indexes=True)
    stop, force = threading.Event(), threading.Event()

    def interrupt(_signum: int, _frame: Any) -> None:
        stop.set()
        force.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, interrupt)
    runner = JobRunner(store.db, schedule, f"trigger:{new_scheduler_id()}", trigger="manual",
                       stop=stop, force=force)
    runner.history.ensure_indexes()
    try:
        result = runner.run(job_config)
    finally:
        runner.executor.close()
    for doc in result.runs:
        console.print(safe_text(_run_line(job, doc)), highlight=False)
    if result.status == "skipped-overlap":
        raise typer.Exit(EXIT_SKIPPED)
    raise typer.Exit(result.exit_code)
