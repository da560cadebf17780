"""JavaScript rendering with scrapy-playwright, only where an outlet or a section declares it.

Why a module of its own: the browser is the one heavy, crash-prone part of a crawl, so it is
kept behind three rules.

1. Only requests that carry `page_meta()` (listing pages of a `Section(browser=True)`, or every
   HTML page of an `Outlet(browser=True)`) are rendered; feeds, sitemaps, robots.txt and the
   other pages go through Scrapy's plain HTTP/1.1 handler inside the same handler object.
2. Nothing starts before the first rendered request: neither Playwright's driver nor Chromium.
   A crawl that never renders never needs a browser installed, and the "no browser" error is
   raised only when a crawl needs one.
3. Memory stays bounded: contexts and pages are capped (PLAYWRIGHT_MAX_CONTEXTS,
   PLAYWRIGHT_MAX_PAGES_PER_CONTEXT), scrapy-playwright closes every page after reading it (also
   on errors; `playwright_include_page` is never set), images/fonts/media are aborted, and the
   browser context is replaced after NEWSCRAWL_BROWSER_CONTEXT_PAGES pages.

The browser: a system Chromium when there is one (Debian's `/usr/bin/chromium`, or `chromium`
on PATH, through `executable_path`), else Playwright's own download. `PLAYWRIGHT_LAUNCH_OPTIONS`
from the settings are kept and win over what is found here.

With the replica site (crawler.replica_routing wraps this handler): the navigation request goes
to the replica with the outlet's host in `X-Newscrawl-Host` (scrapy-playwright's default
PLAYWRIGHT_PROCESS_REQUEST_HEADERS sends Scrapy's headers on navigation requests), and scripts
in the page fetch relative URLs, which Chromium sends to the page's origin: the replica.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import os
import shutil
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.settings import NEWSCRAWL_BROWSER_EXECUTABLES

logger = logging.getLogger(__name__)

SYSTEM_CHROMIUMS = tuple(NEWSCRAWL_BROWSER_EXECUTABLES)  # the default; a setting may change it
# --no-sandbox: Chromium refuses to run as root with its sandbox (CI and containers run as root).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
)
ABORTED_RESOURCES = frozenset({"image", "media", "font"})
MISSING = (
    "no Chromium found for pages that need a browser: install Debian's "
    "(`apt-get install -y chromium`) or Playwright's (`playwright install chromium`)"
)


class BrowserUnavailable(RuntimeError):
    """No browser to render pages with; the message names both ways to get one."""

    def __init__(self, message: str = MISSING):
        super().__init__(message)


@dataclass(frozen=True)
class Browser:
    """The browser a crawl will launch: a path, or None for Playwright's own download."""

    executable: str | None
    kind: str  # "system", "playwright" or "configured"

    def describe(self) -> str:
        return f"{self.kind} Chromium" + (f" at {self.executable}" if self.executable else "")


def _options(settings: Any) -> dict[str, Any]:
    """PLAYWRIGHT_LAUNCH_OPTIONS from Scrapy settings or a plain mapping."""
    if settings is None:
        return {}
    if hasattr(settings, "getdict"):
        return dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    return dict(settings.get("PLAYWRIGHT_LAUNCH_OPTIONS") or {})


def _candidates(settings: Any) -> tuple[str, ...]:
    if settings is None:
        return SYSTEM_CHROMIUMS
    if hasattr(settings, "getlist"):
        found = settings.getlist("NEWSCRAWL_BROWSER_EXECUTABLES", list(SYSTEM_CHROMIUMS))
    else:
        found = settings.get("NEWSCRAWL_BROWSER_EXECUTABLES") or SYSTEM_CHROMIUMS
    return tuple(c.strip() for c in found if c and c.strip())


def system_chromium(candidates: tuple[str, ...] | list[str] = SYSTEM_CHROMIUMS) -> str | None:
    """The first candidate that is an executable file or a command on PATH."""
    for candidate in candidates:
        if os.sep in candidate:
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        elif found := shutil.which(candidate):
            return found
    return None


def playwright_chromium() -> str | None:
    """Playwright's own Chromium (`playwright install chromium`), if it was downloaded."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache/ms-playwright")
    if root == "0":  # browsers kept inside the playwright package
        import playwright

        root = str(Path(playwright.__file__).parent / "driver/package/.local-browsers")
    patterns = ("chromium-*/chrome-*/chrome", "chromium_headless_shell-*/chrome-*/*shell")
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(root, pattern)), reverse=True):
            if os.access(path, os.X_OK):
                return path
    return None


def find_browser(settings: Any = None) -> Browser:
    """The browser to use, or BrowserUnavailable (one line naming both ways to install one)."""
    configured = _options(settings).get("executable_path")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise BrowserUnavailable(
                f"PLAYWRIGHT_LAUNCH_OPTIONS names {configured}, which is not an executable; "
                + MISSING.split(": ", 1)[1]
            )
        return Browser(configured, "configured")
    if found := system_chromium(_candidates(settings)):
        return Browser(found, "system")
    if found := playwright_chromium():
        return Browser(None, "playwright")
    raise BrowserUnavailable()


def launch_options(settings: Any = None) -> dict[str, Any]:
    """Playwright launch options: the found browser, headless, our flags, then the settings'."""
    browser = find_browser(settings)
    configured = _options(settings)
    options: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS)}
    if browser.executable:
        options["executable_path"] = browser.executable
    extra_args = configured.pop("args", [])
    options.update(configured)
    options["args"] = list(dict.fromkeys([*CHROMIUM_ARGS, *extra_args]))
    return options


def page_meta(wait_for: str = "", *, timeout_ms: int = 15_000) -> dict[str, Any]:
    """Request meta that makes scrapy-playwright render a page and wait for `wait_for`."""
    from scrapy_playwright.page import PageMethod

    methods = (
        [PageMethod("wait_for_selector", wait_for, state="attached", timeout=timeout_ms)]
        if wait_for else []
    )
    return {"playwright": True, "playwright_page_methods": methods}


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never needed for text."""
    return request.resource_type in ABORTED_RESOURCES


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, started on the first rendered request, with context reuse
    capped at NEWSCRAWL_BROWSER_CONTEXT_PAGES pages (then a fresh context replaces it).

    Requests without `meta["playwright"]` never touch Playwright (the parent class sends them
    through Scrapy's HTTP/1.1 handler).
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.pages_per_context = settings.getint("NEWSCRAWL_BROWSER_CONTEXT_PAGES", 200)
        self._start_lock = asyncio.Lock()
        self._started = False
        self._generation = 0
        self._pages_in_generation = 0
        self._inflight: Counter[str] = Counter()
        self._retired: set[str] = set()

    # scrapy-playwright starts its driver when the engine starts; we start on first use.
    async def _maybe_launch_in_thread(self) -> None:
        return None

    def _engine_started(self) -> None:  # type: ignore[override]  # Scrapy < 2.14 signal
        return None

    async def _start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            try:
                self.config.launch_options = launch_options(self._crawler.settings)
            except BrowserUnavailable:
                self.stats.inc_value("newscrawl/errors/browser_unavailable")
                raise
            await self._launch()
            self._started = True

    async def _maybe_launch_browser(self) -> None:
        if hasattr(self, "browser"):
            return
        began = time.monotonic()
        await super()._maybe_launch_browser()
        seconds = round(time.monotonic() - began, 3)
        self.stats.set_value("newscrawl/browser/launch_seconds", seconds)
        logger.info("Chromium started in %.2f s (%s)", seconds,
                    self.config.launch_options.get("executable_path", "Playwright's own"))

    def _context_for_next_page(self) -> str:
        """The current context name; a new one once the current has served its pages.

        A context is retired only when no other is still draining, so at most two exist and
        creating the new one never waits for a slot that only the draining one could free.
        """
        rotate = self.pages_per_context > 0 and (self.config.max_contexts or 2) >= 2
        if rotate and self._pages_in_generation >= self.pages_per_context and not self._retired:
            self._retired.add(f"newscrawl-{self._generation}")
            self._generation += 1
            self._pages_in_generation = 0
        self._pages_in_generation += 1
        return f"newscrawl-{self._generation}"

    async def _close_retired(self) -> None:
        for name in list(self._retired):
            wrapper = self.context_wrappers.get(name)
            if self._inflight[name] or (wrapper is not None and wrapper.context.pages):
                continue
            self._retired.discard(name)
            if wrapper is not None:
                with suppress(Exception):
                    await wrapper.context.close()
                self.stats.inc_value("newscrawl/browser/contexts_recycled")

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        await self._start()
        name = request.meta.get("playwright_context")
        if not name:  # an outlet may name its own context; ours rotate
            name = request.meta["playwright_context"] = self._context_for_next_page()
        self._inflight[name] += 1
        try:
            return await super()._download_request(request, spider)
        finally:
            self._inflight[name] -= 1
            await self._close_retired()


def needs_browser(outlet: Any, sections: Any) -> bool:
    """Whether crawling these sections of `outlet` renders any page in a browser."""
    return bool(outlet.browser) or any(section.browser for section in sections)


def check_browser(outlet: Any, sections: Any, settings: Any = None) -> Browser | None:
    """Before a crawl: the browser it will use, None when it needs none, or BrowserUnavailable.

    For a command line that wants to fail in one line before starting Scrapy.
    """
    if settings is not None and hasattr(settings, "getbool"):
        if not settings.getbool("NEWSCRAWL_BROWSER", True):
            return None
    return find_browser(settings) if needs_browser(outlet, sections) else None
