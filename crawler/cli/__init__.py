"""The `newscrawl` command line: one module per command group, assembled here."""

from __future__ import annotations

import os
import sys

import typer

from crawler.cli import crawl, db, demo, extract, nodes, outlets, query, schedule, stories, web
from crawler.cli.common import fail_cleanly

app = typer.Typer(
    name="newscrawl",
    help="Crawl Arabic news outlets into MongoDB, on demand or on a schedule, and query them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("crawl")(crawl.crawl)
app.command("outlets")(outlets.outlets)
app.command("query")(query.query)
app.command("extract")(extract.extract)
app.command("demo")(demo.demo)
app.add_typer(stories.app, name="stories")
app.add_typer(db.app, name="db")
app.add_typer(schedule.app, name="schedule")
app.add_typer(nodes.app, name="nodes")
app.command("web")(web.web)


def main() -> None:
    """Console entry point: known errors, usage errors included, become one line on stderr
    and the README's exit code (Click's own handling would print a usage box)."""
    if os.environ.get("NEWSCRAWL_DEBUG"):
        app()
        return
    with fail_cleanly():
        code = app(standalone_mode=False)  # returns typer.Exit's code; raises usage errors
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    sys.exit(main())
