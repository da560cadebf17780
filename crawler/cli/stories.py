"""`newscrawl stories`: one event across outlets: who carried it, who reported it first.

Read-only: the reading is in crawler/stories.py; nothing here imports Scrapy or the matching
code (numpy), so the command starts fast. Titles and outlets are crawled text: every format
escapes their control characters (crawler/terminal.py), as `newscrawl query` does.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from crawler.cli.common import console, die, explain_nothing_found, open_store
from crawler.jsonio import dumps
from crawler.query import QueryError, parse_instant
from crawler.stories import Story, StoryQuery, read_story
from crawler.terminal import safe_text

app = typer.Typer(help="Stories: articles of several outlets about one event.",
                  no_args_is_help=False)


class StoriesFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


def _stamp(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "????-??-?? ??:??"


def _cell(value: Any) -> Text:
    """Crawled text in a table cell: never read as markup, controls escaped."""
    return safe_text("" if value is None else str(value))


def _print_jsonl(records: list[dict[str, Any]]) -> None:
    for record in records:
        sys.stdout.write(dumps(record) + "\n")


@app.callback(invoke_without_command=True)
def stories(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(
        help="Stories with an article published at or after: ISO date/instant or an age "
             "(30m, 6h, 2d, 1w).")] = "7d",
    until: Annotated[str | None, typer.Option(help="... and at or before (same forms).")] = None,
    topic: Annotated[list[str] | None, typer.Option(
        help="Only stories with an article of this topic; repeatable.")] = None,
    outlet: Annotated[list[str] | None, typer.Option(
        help="Only stories this outlet carried; repeatable.")] = None,
    min_outlets: Annotated[int, typer.Option(
        help="Only stories carried by at least this many outlets.", min=1)] = 2,
    limit: Annotated[int, typer.Option(help="At most this many stories (0: all).", min=0)] = 20,
    format: Annotated[StoriesFormat, typer.Option("--format", help="Output format.")] = (
        StoriesFormat.table),
) -> None:
    """Stories newest first: their outlets, first report and number of articles."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        spec = StoryQuery(
            since=parse_instant(since, "--since"),
            until=parse_instant(until, "--until") if until else None,
            topics=topic or [], outlets=outlet or [], min_outlets=min_outlets, limit=limit)
    except QueryError as exc:
        die(str(exc))
    store = open_store()
    found = spec.run(store)
    if not found:
        explain_nothing_found(store, outlets=spec.outlets, topics=spec.topics)
    if format is StoriesFormat.jsonl:
        _print_jsonl([story.summary() for story in found])
        return
    table = Table(show_edge=False)
    for name in ("story", "first report", "first outlet", "outlets", "articles", "title"):
        table.add_column(name, overflow="fold")
    for story in found:
        summary = story.summary()
        table.add_row(_cell(story.story_id), _cell(_stamp(summary["first_published_at"])),
                      _cell(summary["first_outlet"]), _cell(", ".join(story.outlets)),
                      _cell(len(story.articles)), _cell(summary["first_title"]))
    console.print(table)
    console.print(f"{len(found)} stor{'y' if len(found) == 1 else 'ies'}; "
                  "newscrawl stories show STORY shows one", style="dim", highlight=False)


@app.command("show")
def show(
    story_id: Annotated[str, typer.Argument(help="A story id (from `newscrawl stories`).")],
    format: Annotated[StoriesFormat, typer.Option("--format", help="Output format.")] = (
        StoriesFormat.table),
) -> None:
    """The timeline of one story: each article's time, outlet, title, and copy or rewrite."""
    story: Story = read_story(open_store(), story_id)
    if not story.articles:
        die(f"no story {story_id!r} (ids are listed by `newscrawl stories`)")
    if format is StoriesFormat.jsonl:
        _print_jsonl([{"published_at": a.get("published_at"), "outlet": a.get("outlet", ""),
                       "kind": story.kind(a), "title": a.get("title", ""),
                       "canonical_url": a.get("canonical_url", ""),
                       "duplicate_of": a.get("duplicate_of", "")} for a in story.articles])
        return
    table = Table(show_edge=False)
    for name in ("published", "outlet", "kind", "title"):
        table.add_column(name, overflow="fold")
    for article in story.articles:
        table.add_row(_cell(_stamp(article.get("published_at"))), _cell(article.get("outlet")),
                      _cell(story.kind(article)), _cell(article.get("title")))
    console.print(table)
    console.print(f"{len(story.articles)} article(s) from {len(story.outlets)} outlet(s)",
                  style="dim", highlight=False)
