"""Which sections a crawl covers: the outlet's defaults, overridden from configuration.

`[outlets.<spider>.sections.<key>]` in newscrawl.toml (or the NEWSCRAWL_OUTLETS setting) can
replace a section's listings, feeds and sitemaps, or add a section, without code edits. Each key
of a section table is checked here (SECTION_CHECKS), for overrides and declared outlets alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from crawler.checks import Check, Invalid, TableReader, boolean, css_selectors, text
from crawler.outlet import Outlet, Section


class SectionError(ValueError):
    """An unknown section asked for; the message names it and the known ones."""


def locations(value: Any) -> tuple[str, ...]:
    """Listing, feed or sitemap addresses: paths from the site root or http(s) URLs."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"expected a list of paths or URLs like ['/feed/'], got {value!r}")
    for item in value:
        if not (item.startswith("/") or re.match(r"^https?://[^/\s]+", item)):
            raise Invalid(f"expected a path starting with '/' or an http(s) URL, got {item!r}")
    return tuple(value)


def prefixes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.startswith("/")
                                              for v in value):
        raise Invalid(f"expected a list of path prefixes like ['/politics/'], got {value!r}")
    return tuple(value)


def one_selector(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a CSS selector, got {value!r}")
    return css_selectors(value)[0]


SECTION_CHECKS: dict[str, Check] = {
    "label": text,
    "listings": locations,
    "feeds": locations,
    "sitemaps": locations,
    "url_prefixes": prefixes,
    "browser": boolean,
    "wait_for": one_selector,
}


def section_fields(reader: TableReader, raw: Any, where: str, key: str) -> dict[str, Any]:
    """The typed fields of one `sections.<key>` table (messages name `sections.<key>.<field>`)."""
    prefix = f"sections.{key}."
    table = reader.table(raw, where, f"'{prefix.rstrip('.')}'")
    return reader.values(table, SECTION_CHECKS, where, prefix)


def split_names(requested: str | Iterable[str] | None) -> list[str]:
    if requested is None:
        return []
    items = [requested] if isinstance(requested, str) else list(requested)
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def apply_overrides(outlet: Outlet, overrides: Mapping[str, Any],
                    reader: TableReader | None = None) -> dict[str, Section]:
    """The outlet's sections with `overrides` ({section: {field: value}}) applied; a bad value
    is a ConfigError naming the outlet and the key (`reader` says which file it came from)."""
    reader = reader or TableReader("setting NEWSCRAWL_OUTLETS")
    where = f"outlet '{outlet.key}'"
    sections = dict(outlet.sections)
    for key, values in reader.table(overrides, where, "'sections'").items():
        changes = section_fields(reader, values, where, key)
        sections[key] = replace(sections.get(key, Section()), **changes)
    return sections


def resolve_sections(
    outlet: Outlet, requested: str | Iterable[str] | None, overrides: Mapping[str, Any]
) -> dict[str, Section]:
    """The sections to crawl (all when none is named)."""
    sections = apply_overrides(outlet, overrides)
    names = split_names(requested)
    unknown = [n for n in names if n not in sections]
    if unknown:
        raise SectionError(
            f"unknown section {unknown[0]!r} for {outlet.key} (known: {', '.join(sections)})"
        )
    return {n: sections[n] for n in names} if names else sections
