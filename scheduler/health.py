"""Health after each run, in the spirit of Spidermon, judged from outside the crawl.

Spidermon runs inside the Scrapy process and sees one crawl; the signals that matter for an
unattended schedule span runs (nothing stored three runs in a row), and the crawl already
writes every figure needed into its run document (crawler/run_record.py). So the scheduler
judges each finished run from those figures and the job's previous runs. A run with a signal
is recorded `degraded`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scheduler.config import HealthThresholds, JobConfig
from scheduler.history import FAILURES, FINISHED, RAN, RUNNING, RunHistory


def evaluate(thresholds: HealthThresholds, run: dict[str, Any],
             previous: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Signals for a completed crawl; `previous`: the job's earlier completed runs, newest first.

    `run` holds the figures of the run document: pages, errors, items.{scraped, stored,
    missing_published_at}.
    """
    signals = []
    items = run.get("items") or {}
    stored = int(items.get("stored", 0))
    needed = thresholds.no_articles_runs
    if needed and stored == 0:
        earlier = previous[: needed - 1]
        if len(earlier) == needed - 1 and all(
                int((p.get("items") or {}).get("stored", 0)) == 0 for p in earlier):
            signals.append({"signal": "no_articles",
                            "message": f"no article stored in the last {needed} runs"})
    scraped = int(items.get("scraped", 0))
    missing = int(items.get("missing_published_at", 0))
    if scraped >= max(thresholds.min_items, 1) and missing / scraped > (
            thresholds.max_missing_published_at):
        signals.append({"signal": "published_at_coverage",
                        "message": f"published_at missing on {missing / scraped:.0%} of items "
                                   f"({missing}/{scraped}; limit "
                                   f"{thresholds.max_missing_published_at:.0%})"})
    pages = int(run.get("pages", 0))
    errors = int(run.get("errors", 0))
    if pages >= max(thresholds.min_pages, 1) and errors / pages > thresholds.max_error_rate:
        signals.append({"signal": "error_rate",
                        "message": f"{errors} errors for {pages} pages ({errors / pages:.0%}; "
                                   f"limit {thresholds.max_error_rate:.0%})"})
    return signals


@dataclass
class JobHealth:
    """What `newscrawl schedule health` shows for one job."""

    job: str
    state: str  # healthy, degraded, failing, running, never run
    last_run: dict[str, Any] | None  # the last started crawl (skips and misses left out)
    last_success: dict[str, Any] | None
    counts: dict[str, int] = field(default_factory=dict)  # by status, within the window
    consecutive_failures: int = 0
    signals: list[dict[str, str]] = field(default_factory=list)


def job_health(history: RunHistory, job: str, since: datetime, *,
               window: bool = True) -> JobHealth:
    """`window=False`: state, last run and success only (three indexed lookups), without the
    runs by status and failures in a row, which read every run of the window."""
    last = history.last(job, RAN)
    last_done = history.last(job, (*FINISHED, *FAILURES))
    success = history.last(job, FINISHED)
    counts: dict[str, int] = {}
    for doc in history.since(job, since) if window else ():
        counts[doc.get("status", "?")] = counts.get(doc.get("status", "?"), 0) + 1
    failures = 0
    if window and last_done and last_done["status"] in FAILURES:
        cutoff = (success or {}).get("started_at")
        query: dict[str, Any] = {"job": job, "status": {"$in": list(FAILURES)}}
        if cutoff is not None:
            query["started_at"] = {"$gt": cutoff}
        failures = sum(1 for _ in history.runs.find(query, {"_id": 1}).limit(1000))
    if last is None:
        state = "never run"
    elif last["status"] == RUNNING:
        state = "running"
    elif last_done is None:
        state = "never run"
    elif last_done["status"] in FAILURES:
        state = "failing"
    elif last_done["status"] == "degraded":
        state = "degraded"
    else:
        state = "healthy"
    signals = list((last_done or {}).get("health") or []) if state == "degraded" else []
    return JobHealth(job=job, state=state, last_run=last, last_success=success, counts=counts,
                     consecutive_failures=failures, signals=signals)


def report(history: RunHistory, jobs: list[JobConfig] | None, days: float,
           now: datetime) -> list[JobHealth]:
    """Per job: configured jobs first, then any other job seen in the window."""
    since = now - timedelta(days=days)
    names = [j.name for j in jobs or []]
    names += [n for n in history.jobs_seen(since) if n not in names]
    return [job_health(history, name, since) for name in names]
