"""`newscrawl crawl SPIDER`: one crawl now, with a live progress line and a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from crawler.cli.common import (
    RUNTIME_ERROR,
    check_spider,
    console,
    die,
    err_console,
    open_store,
    say_warning,
)
from crawler.progress import SKIPPED_BECAUSE, SKIPPED_SECTION_NAMES, UNATTRIBUTED_ERRORS
from crawler.run import CrawlRequest, CrawlResult, run_crawls, spider_class
from crawler.sections import resolve_sections
from crawler.terminal import safe_text


def parse_settings(pairs: list[str]) -> dict[str, Any]:
    """-s KEY=VALUE pairs; values are kept as strings, Scrapy converts them."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            die(f"-s {pair!r}: expected KEY=VALUE")
        settings[key.strip()] = value
    return settings


def check_sections(spider: str, sections: list[str], overrides: dict[str, Any]) -> None:
    """Unknown sections, and sections asked for by name that need a browser this machine
    lacks, fail here in one line, before Scrapy starts. (Without --section, the crawl skips
    the browser sections and the summary says so.)"""
    from crawler.browser import BrowserUnavailable, check_browser
    from crawler.run import project_settings

    settings = project_settings(overrides)
    outlet_overrides = settings.getdict("NEWSCRAWL_OUTLETS")
    cls = spider_class(spider)
    chosen = resolve_sections(
        cls.outlet, sections, outlet_overrides.get(spider, {}).get("sections", {}))
    if sections:  # the user asked for these very sections
        try:
            check_browser(cls.outlet, chosen.values(), settings)
        except BrowserUnavailable as exc:
            die(f"{spider}: {exc}")


def print_summary(results: list[CrawlResult]) -> None:
    """One row per crawl (its own figures only), then what needs saying, each thing once."""
    columns = ["pages", "stored", "duplicates", "dropped", "errors"]
    if any(result.counts["skipped"] for result in results):
        columns.append("skipped")
    table = Table(title="crawl summary", show_edge=False)
    for column in ("spider", "status", *columns):
        table.add_column(column, justify="left" if column in ("spider", "status") else "right")
    for result in results:
        counts = result.counts
        status = "failed" if result.failed else "ok"
        table.add_row(result.spider, f"{status} ({result.finish_reason})",
                      *(str(counts[k]) for k in columns))
    console.print(table)
    for result in results:
        drops = {k.split("/", 1)[1]: v for k, v in result.stats.items() if k.startswith("dropped/")}
        if drops:
            console.print(safe_text(f"{result.spider}: dropped " + ", ".join(
                f"{reason} {n}" for reason, n in sorted(drops.items()))), highlight=False,
                soft_wrap=True)
        if result.counts["skipped"]:
            names = result.stats.get(SKIPPED_SECTION_NAMES, "")
            say_warning(f"{result.spider}: skipped {result.counts['skipped']} section(s) "
                        f"({names}): {result.stats.get(SKIPPED_BECAUSE, 'see the log')}")
        if result.counts["spooled"]:
            err_console.print(
                f"[bold red]{result.spider}: {result.counts['spooled']} articles could not be "
                f"written to MongoDB and were spooled to {result.spool_file}; "
                "run `newscrawl db replay` once the database is back.[/]")
        if result.counts["pages"] == 0:
            err_console.print(f"[red]{result.spider}: no page could be fetched.[/]")
    unattributed = max((int(r.stats.get(UNATTRIBUTED_ERRORS, 0)) for r in results), default=0)
    if unattributed:
        say_warning(f"{unattributed} error(s) logged outside any one outlet's crawl")
    for log_file in dict.fromkeys(r.log_file for r in results if r.log_file):
        console.print(f"log: {log_file}", highlight=False, markup=False, soft_wrap=True)


def write_stats(path: Path, results: list[CrawlResult]) -> None:
    from crawler.jsonio import to_jsonable

    payload = [
        {"spider": r.spider, "run_id": r.run_id, "failed": r.failed, "counts": r.counts,
         "finish_reason": r.finish_reason, "spool_file": r.spool_file,
         "log_file": str(r.log_file or ""), "stats": to_jsonable(r.stats)}
        for r in results
    ]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1))


def crawl(
    spider: Annotated[str, typer.Argument(help="Spider (outlet) name; see `newscrawl outlets`.")],
    section: Annotated[list[str] | None, typer.Option(
        "--section", help="Section key to crawl (repeatable; default: all sections).")] = None,
    max_items: Annotated[int | None, typer.Option(
        help="Stop after this many articles.", min=1)] = None,
    max_pages: Annotated[int | None, typer.Option(
        help="Listing pages per section (default 20).", min=1)] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Fetch stored articles again (detects revisions; no early stop).")] = False,
    setting: Annotated[list[str] | None, typer.Option(
        "-s", "--set", help="Scrapy/newscrawl setting KEY=VALUE (repeatable).")] = None,
    replica: Annotated[str | None, typer.Option(
        help="Crawl a replica site at this URL instead of the real outlet.")] = None,
    run_id: Annotated[str | None, typer.Option(help="Run id stored with each article.")] = None,
    stats_file: Annotated[Path | None, typer.Option(
        help="Write the final counts and stats as JSON here.")] = None,
    log_file: Annotated[Path | None, typer.Option(
        help="Scrapy log file (default: $NEWSCRAWL_HOME/logs/<spider>-<run>.log).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Scrapy's log on stderr.")] = False,
) -> None:
    """Crawl one outlet now: its sections' feeds and listings, into MongoDB."""
    check_spider(spider)
    overrides = parse_settings(setting or [])
    check_sections(spider, section or [], overrides)
    open_store(indexes=True)  # fail now, in one line, if the database is unreachable
    overrides["NEWSCRAWL_PROGRESS"] = True
    if replica:  # a site on this machine: no politeness delay, unless -s sets one
        overrides = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, **overrides,
                     "NEWSCRAWL_REPLICA_URL": replica}
    if verbose:
        overrides["NEWSCRAWL_LOG_STDERR"] = True
    request = CrawlRequest(spider, sections=section or [], full=full, max_items=max_items,
                           max_pages=max_pages)
    results = run_crawls([request], overrides, log_file=log_file, run_id=run_id)
    print_summary(results)
    if stats_file:
        write_stats(stats_file, results)
    if any(r.failed for r in results):
        raise typer.Exit(RUNTIME_ERROR)

