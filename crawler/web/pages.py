"""The HTML pages: overview, runs, a run, articles, an article; the login form; "run now".

Templates escape everything (Jinja2 autoescape); chart data goes into a JSON data element that
static/dashboard.js reads, since the Content-Security-Policy forbids inline scripts.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crawler.items import STORED_FIELDS, public_json
from crawler.query import QueryError
from crawler.web import reading
from crawler.web.access import csrf_problem, login_session, safe_next
from crawler.web.filters import ArticleFilters, RunFilters, article_filters, run_filters
from crawler.web.state import Dashboard, dashboard
from scheduler.history import STATUSES

router = APIRouter(include_in_schema=False)
Board = Annotated[Dashboard, Depends(dashboard)]
log = logging.getLogger("newscrawl.web")


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    board: Dashboard = request.app.state.dashboard
    context.setdefault("nav", name.removesuffix(".html"))
    return request.app.state.templates.TemplateResponse(
        request, name, {"token_required": bool(board.access.token), **context},
        status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code, message=message, nav="")


def chart_time(value: Any) -> str:
    """A run's start as a chart label: `11-30 08:15` (UTC)."""
    return value.astimezone(UTC).strftime("%m-%d %H:%M") if isinstance(value, datetime) else ""


def link(path: str, params: dict[str, Any]) -> str:
    return f"{path}?{urlencode(params, doseq=True)}" if params else path


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, board: Board) -> HTMLResponse:
    snapshot = board.overview.current()
    charts = {
        "jobs": {job["job"]: {"labels": [chart_time(r["started_at"])
                                         for r in job["stored_per_run"]],
                              "stored": [r["stored"] for r in job["stored_per_run"]],
                              "status": [r["status"] for r in job["stored_per_run"]]}
                 for job in snapshot.jobs},
        "outlets": {"days": snapshot.per_day["days"], "series": snapshot.per_day["outlets"],
                    "counting": snapshot.counting},
    }
    return render(request, "overview.html", snapshot=snapshot, jobs=snapshot.jobs,
                  outlets=snapshot.outlets, charts=charts, total=board.store.article_count(),
                  can_run=bool(board.access.token and board.schedule))


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, board: Board,
         filters: Annotated[RunFilters, Depends(run_filters)],
         started: Annotated[str, Query()] = "") -> HTMLResponse:
    error, page = None, None
    try:
        since, until = filters.check()
        page = reading.runs_page(board.store.db, job=filters.job, status=filters.status,
                                 since=since, until=until, page=filters.page,
                                 limit=filters.limit)
    except QueryError as exc:
        error = str(exc)
    return render(request, "runs.html", 400 if error else 200, filters=filters, page=page,
                  error=error, statuses=STATUSES,
                  jobs=[job["job"] for job in board.overview.current().jobs], started=started,
                  newer=page and page.page > 1 and link("/runs", filters.params(
                      page=page.page - 1)),
                  older=page and page.has_more and link("/runs", filters.params(
                      page=page.page + 1)))


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run(request: Request, board: Board, run_id: str) -> HTMLResponse:
    found = reading.find_run(board.store.db, run_id)
    if found is None:
        return error_page(request, 404, f"no run {run_id!r}")
    return render(request, "run.html", run=found, nav="runs")


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, board: Board,
             filters: Annotated[ArticleFilters, Depends(article_filters)]) -> HTMLResponse:
    error, page = None, None
    try:
        page = reading.article_page(filters.query(), board.store, filters.page)
    except QueryError as exc:
        error = str(exc)
    return render(request, "articles.html", 400 if error else 200, filters=filters, page=page,
                  error=error, outlets=[o["spider"] for o in board.outlets],
                  newer=page and page.page > 1 and link("/articles", filters.params(
                      page=page.page - 1)),
                  older=page and page.has_more and link("/articles", filters.params(
                      page=page.page + 1)))


@router.get("/article", response_class=HTMLResponse)
def article(request: Request, board: Board, url: Annotated[str, Query()]) -> HTMLResponse:
    found = reading.find_article(board.store, url)
    if found is None:
        return error_page(request, 404, f"no article with canonical_url {url!r}")
    story = [a for a in reading.story_articles(board.store, found.get("story_id") or "")
             if a.get("canonical_url") != found.get("canonical_url")]
    return render(request, "article.html", article=found, fields=STORED_FIELDS,
                  date_source=reading.DATE_SOURCES.get(found.get("date_source") or ""),
                  shown=public_json(found), story=story,
                  changes=reading.revision_changes(found), nav="articles")


# --- access ---

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str, Query()] = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error=None, nav="")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, board: Board, token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    if not board.access.token_matches(token):
        return render(request, "login.html", 401, next=safe_next(next), error="wrong token",
                      nav="")
    login_session(request)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if problem := csrf_problem(request, csrf):
        return error_page(request, 403, problem)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/jobs/{job}/run")
def run_now(request: Request, board: Board, job: str,
            csrf: Annotated[str, Form()] = "") -> Response:
    """Start `newscrawl schedule trigger JOB`: the scheduler's own path, lease included."""
    if not board.access.token:
        return error_page(request, 403, "run now needs the dashboard started with a token "
                                        "(--token or NEWSCRAWL_WEB_TOKEN)")
    if problem := csrf_problem(request, csrf):
        return error_page(request, 403, problem)
    schedule = board.schedule
    if schedule is None or job not in {j.name for j in schedule.jobs}:
        return error_page(request, 404, f"no job {job!r} in the schedule file")
    start_trigger(job, schedule.path)
    return RedirectResponse(link("/runs", {"job": job, "started": job}), status_code=303)


def start_trigger(job: str, config: Any) -> subprocess.Popen:
    """`newscrawl schedule trigger JOB --config FILE` in its own session, reaped by a thread.

    The trigger takes the job's lease (a run in progress makes it `skipped-overlap`), records
    the run, and goes on if the dashboard stops.
    """
    from scheduler.local import crawl_executable, job_dir

    command = [*crawl_executable(), "schedule", "trigger", job]
    if config is not None:
        command += ["--config", str(config)]
    out = job_dir(job) / f"trigger-{datetime.now(UTC):%Y%m%dT%H%M%S}.out"
    with open(out, "wb") as sink:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    log.info("run now: job %s, pid %d", job, proc.pid)
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc
