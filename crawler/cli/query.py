"""`newscrawl query`: stored articles, newest first, as a table, JSON Lines or CSV.

Every format escapes control characters (crawler/terminal.py); CSV cells that a spreadsheet
would run as a formula are prefixed with `'`.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from crawler.cli.common import console, die, explain_nothing_found, open_store
from crawler.items import STORED_FIELDS, public_json
from crawler.jsonio import dumps, to_jsonable
from crawler.query import ArticleQuery, QueryError, parse_instant
from crawler.terminal import csv_cell, safe_text

TABLE_FIELDS = ["published_at", "outlet", "section", "title"]


class QueryFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def pick_fields(raw: str | None, format: QueryFormat) -> list[str]:
    if not raw:
        return TABLE_FIELDS if format is QueryFormat.table else list(STORED_FIELDS)
    names = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [n for n in names if n not in STORED_FIELDS]
    if unknown:
        die(f"--fields: unknown field {unknown[0]!r} (fields: {', '.join(STORED_FIELDS)})")
    return names


def cell(value: Any) -> str:
    value = to_jsonable(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def query(
    outlet: Annotated[list[str] | None, typer.Option(
        help="Outlet (spider) name; repeatable.")] = None,
    section: Annotated[list[str] | None, typer.Option(help="Section key; repeatable.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Published at or after: ISO date/instant or an age (30m, 6h, 2d, 1w).")] = None,
    until: Annotated[str | None, typer.Option(help="Published at or before (same forms).")] = None,
    search: Annotated[str | None, typer.Option(
        help="Words that title or body must contain (hamza, diacritics, tatweel ignored).")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Topic; repeatable.")] = None,
    unique_stories: Annotated[bool, typer.Option(
        "--unique-stories", help="One article per story (the newest of its copies).")] = False,
    limit: Annotated[int, typer.Option(help="At most this many articles (0: all).", min=0)] = 20,
    format: Annotated[QueryFormat, typer.Option("--format", help="Output format.")] = (
        QueryFormat.table),
    fields: Annotated[str | None, typer.Option(
        help="Comma-separated fields (default: all for jsonl/csv).")] = None,
) -> None:
    """Show stored articles, newest first."""
    names = pick_fields(fields, format)
    try:
        spec = ArticleQuery(
            outlets=outlet or [], sections=section or [], topics=topic or [],
            since=parse_instant(since, "--since") if since else None,
            until=parse_instant(until, "--until") if until else None,
            search=search or "", limit=limit, unique_stories=unique_stories, fields=names,
        )
    except QueryError as exc:
        die(str(exc))
    store = open_store()
    articles = spec.run(store)
    if not articles:
        explain_nothing_found(store, outlets=spec.outlets, sections=spec.sections,
                              topics=spec.topics)
    if format is QueryFormat.jsonl:
        for article in articles:
            sys.stdout.write(dumps(public_json(article, names)) + "\n")
    elif format is QueryFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        for article in articles:
            writer.writerow([csv_cell(cell(article.get(name))) for name in names])
    else:
        table = Table(show_edge=False)
        for name in names:
            table.add_column(name, overflow="fold")
        for article in articles:
            table.add_row(*(safe_text(cell(article.get(name))) for name in names))
        console.print(table)
        console.print(f"{len(articles)} article(s)", style="dim")
