"""`newscrawl outlets`: every spider with where it is declared (a module of spiders/ or
newscrawl.toml), its sections and their listing, feed and sitemap URLs."""

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
    from crawler.catalogue import read_configuration

    configuration = read_configuration()
    described = []
    for name, outlet in sorted(configuration.outlets.items()):
        described.append({
            "spider": name, "title": outlet.title, "base_url": outlet.base_url,
            "language": outlet.language, "timezone": outlet.timezone,
            "declared_in": configuration.declared_in[name],
            "sections_changed_in": (
                configuration.label if name in configuration.changed else None),
            "sections": {
                key: {
                    "label": s.label,
                    "listings": [outlet.absolute(u) for u in s.listings],
                    "feeds": [outlet.absolute(u) for u in s.feeds],
                    "sitemaps": [outlet.absolute(u) for u in s.sitemaps],
                }
                for key, s in outlet.sections.items()
            },
        })
    return described


def outlets(
    format: Annotated[OutletFormat, typer.Option("--format", help="Output format.")] = (
        OutletFormat.table),
) -> None:
    """List the outlets newscrawl can crawl: where each is declared, its sections' URLs."""
    described = describe_outlets()
    if format is OutletFormat.json:
        typer.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=True)
    for column in ("spider", "outlet", "tz", "declared in", "section",
                   "listings / feeds / sitemaps"):
        table.add_column(column)
    for outlet in described:
        declared = outlet["declared_in"]
        if outlet["sections_changed_in"]:
            declared += f"\nsections: {outlet['sections_changed_in']}"
        for i, (key, section) in enumerate(outlet["sections"].items()):
            urls = [*section["listings"], *section["feeds"], *section["sitemaps"]]
            first = i == 0
            table.add_row(
                outlet["spider"] if first else "", outlet["title"] if first else "",
                outlet["timezone"] if first else "", declared if first else "", key,
                "\n".join(urls),
            )
    console.print(table)
