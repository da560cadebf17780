"""`newscrawl outlets`: every spider with its sections and their feed and listing URLs."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from crawler.cli.common import console


class OutletFormat(StrEnum):
    table = "table"
    json = "json"


def describe_outlets() -> list[dict[str, Any]]:
    from crawler.run import project_settings, spider_class, spider_names
    from crawler.sections import apply_overrides

    overrides = project_settings().getdict("NEWSCRAWL_OUTLETS")
    described = []
    for name in spider_names():
        outlet = spider_class(name).outlet
        sections = apply_overrides(outlet, overrides.get(name, {}).get("sections", {}))
        described.append({
            "spider": name, "title": outlet.title, "base_url": outlet.base_url,
            "language": outlet.language, "timezone": outlet.timezone,
            "sections": {
                key: {
                    "label": s.label,
                    "listings": [outlet.absolute(u) for u in s.listings],
                    "feeds": [outlet.absolute(u) for u in s.feeds],
                    "sitemaps": [outlet.absolute(u) for u in s.sitemaps],
                }
                for key, s in sections.items()
            },
        })
    return described


def outlets(
    format: Annotated[OutletFormat, typer.Option("--format", help="Output format.")] = (
        OutletFormat.table),
) -> None:
    """List the outlets newscrawl can crawl, with their sections' URLs."""
    described = describe_outlets()
    if format is OutletFormat.json:
        typer.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=True)
    for column in ("spider", "outlet", "tz", "section", "listings / feeds / sitemaps"):
        table.add_column(column)
    for outlet in described:
        for i, (key, section) in enumerate(outlet["sections"].items()):
            urls = [*section["listings"], *section["feeds"], *section["sitemaps"]]
            table.add_row(
                outlet["spider"] if i == 0 else "", outlet["title"] if i == 0 else "",
                outlet["timezone"] if i == 0 else "", key, "\n".join(urls),
            )
    console.print(table)
