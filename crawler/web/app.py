"""The dashboard application: HTML pages, the JSON API under /api/, and the static files.

Routes are plain `def` functions, so FastAPI runs them in its worker threads and a database
round trip never blocks the event loop. Everything is read from the same database as every
other command, through `crawler.store.Store`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pymongo.errors import PyMongoError
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from crawler.store import Store, StoreUnavailable
from crawler.web import api, pages
from crawler.web.access import Access, SecurityHeaders, TokenGate, csrf_token, session_options
from crawler.web.state import Dashboard

HERE = Path(__file__).resolve().parent
log = logging.getLogger("newscrawl.web")


def when(value: Any) -> str:
    """An instant as `2026-11-30 08:15 UTC` (empty for none)."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def is_http_url(value: Any) -> bool:
    """Only http(s) links are made clickable (a crawled `javascript:` URL stays text)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = when
    env.tests["http_url"] = is_http_url
    env.globals["csrf_token"] = csrf_token
    return Jinja2Templates(env=env)


def create_app(access: Access, store: Store, schedule: Any = None,
               outlets: list[dict[str, Any]] | None = None) -> FastAPI:
    """The dashboard over `store`; `schedule` gives the jobs (and "run now")."""
    state = Dashboard(store=store, access=access, schedule=schedule, outlets=outlets or [])

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(state.overview.refresh, count=False)
        state.overview.current()  # counts the articles per day in the background
        yield
        state.overview.stop()

    app = FastAPI(title="newscrawl", summary="Crawled Arabic news: articles, runs, jobs.",
                  version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=lifespan)
    app.state.dashboard = state
    app.state.templates = templates()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(PyMongoError)
    @app.exception_handler(StoreUnavailable)
    async def database_down(request: Request, exc: Exception) -> Any:
        log.error("database error on %s: %s", request.url.path, type(exc).__name__)
        message = "the database does not answer; try again in a moment"  # never its URI
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=503)
        return pages.error_page(request, 503, message)

    # the last added runs first: headers on everything, then the Host check, then the token
    app.add_middleware(TokenGate, access=access)
    app.add_middleware(SessionMiddleware, **session_options())
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=access.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app
