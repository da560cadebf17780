"""The JSON API under /api/: articles with `newscrawl query`'s filters and field names, runs,
jobs, outlets and stories; documented at /api/openapi.json.

Articles are written by `crawler.items.public_json`, the function behind
`newscrawl query --format jsonl`; runs as `newscrawl schedule history --json` writes them (in
lists without their log lines and command, which `/api/runs/{id}` has).
Lists are newest first, a page at a time: `page`, `limit`, `has_more` and the `next` page's URL.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from crawler.items import public_json
from crawler.jsonio import to_jsonable
from crawler.query import QueryError
from crawler.web import reading
from crawler.web.filters import ArticleFilters, RunFilters, article_filters, run_filters
from crawler.web.state import Dashboard, dashboard

router = APIRouter(prefix="/api", tags=["api"])
Board = Annotated[Dashboard, Depends(dashboard)]


def next_url(request: Request, page: reading.Page) -> str | None:
    """This request's path and parameters with the next page number."""
    if not page.has_more:
        return None
    params = [(k, v) for k, v in parse_qsl(request.url.query) if k != "page"]
    return f"{request.url.path}?{urlencode([*params, ('page', page.page + 1)])}"


def bad_filter(exc: QueryError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


@router.get("/articles", summary="Stored articles, newest first, with `newscrawl query`'s filters")
def articles(request: Request, board: Board,
             filters: Annotated[ArticleFilters, Depends(article_filters)]) -> dict[str, Any]:
    try:
        spec = filters.query()
    except QueryError as exc:
        raise bad_filter(exc) from None
    page = reading.article_page(spec, board.store, filters.page)
    return {"articles": [public_json(a) for a in page.items], "page": page.page,
            "limit": page.limit, "has_more": page.has_more,
            "next": next_url(request, page)}


@router.get("/article", summary="One article by its canonical URL, every stored field")
def article(board: Board, url: Annotated[str, Query(description="Its canonical_url.")]
            ) -> dict[str, Any]:
    found = reading.find_article(board.store, url)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no article with canonical_url {url!r}")
    return public_json(found)


@router.get("/stories/{story_id}", summary="The articles of one story, newest first")
def story(board: Board, story_id: str) -> dict[str, Any]:
    found = reading.story_articles(board.store, story_id)
    if not found:
        raise HTTPException(status_code=404, detail=f"no article with story_id {story_id!r}")
    return {"story_id": story_id, "articles": [public_json(a) for a in found]}


@router.get("/runs", summary="Scheduler runs, newest first, by job, status and start time")
def runs(request: Request, board: Board,
         filters: Annotated[RunFilters, Depends(run_filters)]) -> dict[str, Any]:
    try:
        since, until = filters.check()
    except QueryError as exc:
        raise bad_filter(exc) from None
    page = reading.runs_page(board.store.db, job=filters.job, status=filters.status,
                             since=since, until=until, page=filters.page, limit=filters.limit)
    return {"runs": to_jsonable(page.items), "page": page.page, "limit": page.limit,
            "has_more": page.has_more,
            "next": next_url(request, page)}


@router.get("/runs/{run_id}", summary="One run: counts, dropped by reason, health, log tail")
def run(board: Board, run_id: str) -> dict[str, Any]:
    found = reading.find_run(board.store.db, run_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no run {run_id!r}")
    return to_jsonable(found)


@router.get("/jobs", summary="Jobs: state, last success, next run, articles stored per run")
def jobs(board: Board) -> dict[str, Any]:
    snapshot = board.overview.current()
    return {"taken_at": to_jsonable(snapshot.taken_at), "jobs": to_jsonable(snapshot.jobs)}


@router.get("/outlets", summary="Outlets: newest article, articles per day over 30 days")
def outlets(board: Board) -> dict[str, Any]:
    snapshot = board.overview.current()
    series = snapshot.per_day
    rows = [{**row, "per_day": series["outlets"].get(row["outlet"], [0] * len(series["days"]))}
            for row in snapshot.outlets]
    return {"taken_at": to_jsonable(snapshot.taken_at), "counting": snapshot.counting,
            "days": series["days"], "outlets": to_jsonable(rows)}
