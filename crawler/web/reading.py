"""What the dashboard reads, one function per view, shared by the pages and the JSON API.

Every query is an equality on indexed fields read in index order with `skip` and `limit`: the
embedded server answers a date comparison, `$or`, a count or an aggregation by reading the
whole collection, and serves one request at a time. The articles' filters are
`crawler.query.ArticleQuery`'s, the jobs' states `scheduler.health`'s, and the jobs' table
`newscrawl schedule list`'s.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database

from crawler.items import INTERNAL_FIELDS
from crawler.query import ArticleQuery
from crawler.store import Store, newest_first
from scheduler.history import COLLECTION as RUNS
from scheduler.history import RAN, RUNNING, RunHistory, tail_lines

HIDDEN = {"_id": 0, **{name: 0 for name in INTERNAL_FIELDS}}
LIST_HIDDEN = {"log_tail": 0, "output_tail": 0, "command": 0}  # a run's page shows them
RUNS_CHARTED = 20  # runs per job in the overview's chart
HEALTH_DAYS = 7
STORY_LIMIT = 50
DATE_SOURCES = {  # where `published_at` was read (the `date_source` field)
    "jsonld": "the page's JSON-LD (datePublished)",
    "meta": "the page's meta tags (article:published_time and the like)",
    "selector": "the date printed on the page, where this outlet puts it",
    "feed": "the outlet's RSS feed",
    "sitemap": "the outlet's news sitemap",
    "url": "the article's URL",
    "text": "the article's text",
}
URI = re.compile(r"mongodb(?:\+srv)?://\S+", re.IGNORECASE)


@dataclass
class Page:
    """One page of a newest-first list."""

    items: list[dict[str, Any]]
    page: int
    limit: int
    has_more: bool


def hide_uris(line: str) -> str:
    """A log line without database URIs (the scheduler already hides passwords; hosts too)."""
    return URI.sub("mongodb://…", line)


# --- articles ---

def article_page(spec: ArticleQuery, store: Store, page: int) -> Page:
    """Page `page` (from 1) of the query's articles, `spec.limit` a page."""
    found = replace(spec, skip=(page - 1) * spec.limit).page(store)
    return Page(found.articles, page, spec.limit, found.has_more)


def find_article(store: Store, canonical_url: str) -> dict[str, Any] | None:
    return store.articles.find_one({"canonical_url": canonical_url}, HIDDEN)


def story_articles(store: Store, story_id: str, limit: int = STORY_LIMIT) -> list[dict[str, Any]]:
    """The articles of one story (indexed `story_id` equality), newest first."""
    if not story_id:
        return []
    return list(newest_first(store.articles.find({"story_id": story_id}, HIDDEN)).limit(limit))


def revision_changes(article: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed at each revision: the fields whose value changed, and for the body the
    paragraphs removed and added. Oldest first; `revisions` hold the versions replaced."""
    versions = [*(article.get("revisions") or []), article]
    changes = []
    for before, after in zip(versions, versions[1:], strict=False):
        fields = []
        for name in ("title", "summary", "published_at", "updated_at"):
            if before.get(name) != after.get(name) and name in before:
                fields.append({"field": name, "before": before.get(name),
                               "after": after.get(name)})
        removed, added = body_diff(before.get("body") or "", after.get("body") or "")
        changes.append({"seen_before": before.get("crawled_at"), "seen_after": after.get(
            "crawled_at"), "fields": fields, "removed": removed, "added": added})
    return changes


def body_diff(old: str, new: str) -> tuple[list[str], list[str]]:
    """Paragraphs of `old` that are gone and paragraphs of `new` that are new."""
    before = [p for p in old.split("\n\n") if p.strip()]
    after = [p for p in new.split("\n\n") if p.strip()]
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        if tag in ("replace", "delete"):
            removed += before[i1:i2]
        if tag in ("replace", "insert"):
            added += after[j1:j2]
    return removed, added


# --- outlets ---

def outlets_overview(store: Store, outlets: list[dict[str, Any]],
                     per_day: dict[str, Any]) -> list[dict[str, Any]]:
    """Each outlet: its newest article (indexed (outlet, published_at)) and 30-day count."""
    series = per_day["outlets"]
    names = [o["spider"] for o in outlets]
    names += [n for n in series if n not in names]
    described = {o["spider"]: o for o in outlets}
    rows = []
    for name in names:
        newest = next(iter(newest_first(store.articles.find(  # the index's own order
            {"outlet": name}, {"_id": 0, "title": 1, "canonical_url": 1, "url": 1,
                               "language": 1, "published_at": 1, "crawled_at": 1})).limit(1)),
                      None)
        meta = described.get(name, {})
        rows.append({"outlet": name, "title": meta.get("title", name),
                     "base_url": meta.get("base_url"), "sections": list(meta.get("sections", {})),
                     "articles_30_days": sum(series.get(name, [])), "newest": newest})
    return rows


# --- jobs ---

def jobs_overview(store: Store, schedule: Any, now: datetime) -> list[dict[str, Any]]:
    """Configured jobs, then other jobs run in the last 30 days: `schedule list`'s row,
    `schedule health`'s state, and the articles stored by each of the last runs."""
    from crawler.cli.schedule import job_rows
    from scheduler.health import job_health

    history = RunHistory(store.db)
    configured = {row["job"]: row for row in (job_rows(schedule, store) if schedule else [])}
    names = list(configured) + sorted(
        name for name in store.db[RUNS].distinct("job")
        if isinstance(name, str) and name not in configured
        and ((history.last(name) or {}).get("started_at") or now) >= now - timedelta(days=30))
    jobs = []
    for name in names:
        health = job_health(history, name, now - timedelta(days=HEALTH_DAYS), window=False)
        runs = [r for r in store.db[RUNS].find(
                    {"job": name}, {"status": 1, "started_at": 1, "items": 1}).sort(
                    "started_at", DESCENDING).limit(RUNS_CHARTED * 2)
                if r.get("status") in RAN and r.get("status") != RUNNING][:RUNS_CHARTED]
        jobs.append({
            **configured.get(name, {"job": name}), "configured": name in configured,
            "state": health.state,
            "last_run": (health.last_run or {}).get("started_at"),
            "last_status": (health.last_run or {}).get("status"),
            "last_success": (health.last_success or {}).get("started_at"),
            "signals": health.signals,
            "stored_per_run": [{"run_id": r["_id"], "started_at": r.get("started_at"),
                                "status": r.get("status"),
                                "stored": int((r.get("items") or {}).get("stored", 0))}
                               for r in reversed(runs)],
        })
    return jobs


# --- runs ---

def runs_page(db: Database, *, job: str | None, status: str | None, since: datetime | None,
              until: datetime | None, page: int, limit: int) -> Page:
    """Runs newest first, without their log lines and command: equality on job and status,
    read in `started_at` index order.

    The time range is not a filter (the embedded server answers a date comparison by reading
    every run): the page starts at the first run started at or before `until`, found by
    galloping `skip` probes, and stops at the first run started before `since`.
    """
    query: dict[str, Any] = {}
    if job:
        query["job"] = job
    if status:
        query["status"] = status

    def at(position: int, count: int) -> list[dict[str, Any]]:
        return list(db[RUNS].find(query, LIST_HIDDEN).sort("started_at", DESCENDING).skip(
            position).limit(count))

    def started(position: int) -> datetime | None:
        found = db[RUNS].find(query, {"started_at": 1}).sort("started_at", DESCENDING).skip(
            position).limit(1)
        return next((doc.get("started_at") for doc in found), None)

    first = first_at_or_before(started, until) if until else 0
    docs = at(first + (page - 1) * limit, limit + 1)
    if since:
        docs = list(takewhile(lambda d: isinstance(d.get("started_at"), datetime)
                              and d["started_at"] >= since, docs))
    has_more = len(docs) > limit
    return Page([without_uris(doc) for doc in docs[:limit]], page, limit, has_more)


def first_at_or_before(instant_at: Any, limit: datetime, gallop: int = 16) -> int:
    """The position of the first entry (newest first) at or before `limit`; `instant_at(n)`
    is the n-th entry's instant (None past the end)."""
    def reached(position: int) -> bool:
        value = instant_at(position)
        return value is None or value <= limit

    if reached(0):
        return 0
    before, after = 0, gallop
    while not reached(after):
        before, after = after, after * 4
    while after - before > 1:  # before: newer than `limit`; after: at or before it
        middle = (before + after) // 2
        before, after = (before, middle) if reached(middle) else (middle, after)
    return after


def find_run(db: Database, run_id: str, log_lines: int = 40) -> dict[str, Any] | None:
    """A run with its log tail (read from the log file while the run is in progress)."""
    run = db[RUNS].find_one({"_id": run_id})
    if run is None:
        return None
    if not run.get("log_tail") and run.get("log_file"):
        run["log_tail"] = tail_lines(run["log_file"], log_lines)
    return without_uris(run)


def without_uris(run: dict[str, Any]) -> dict[str, Any]:
    """The run document with database URIs hidden in its command, reason and log lines."""
    for key in ("log_tail", "output_tail", "command"):
        if isinstance(run.get(key), list):
            run[key] = [hide_uris(str(line)) for line in run[key]]
    if isinstance(run.get("reason"), str):
        run["reason"] = hide_uris(run["reason"])
    return run
