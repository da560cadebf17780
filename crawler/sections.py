"""Which sections a crawl covers: the outlet's defaults, overridden from configuration.

`[outlets.<spider>.sections.<key>]` in newscrawl.toml (or the NEWSCRAWL_OUTLETS setting) can
replace a section's listings, feeds and sitemaps, or add a section, without code edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from crawler.outlet import Outlet, Section

OVERRIDABLE = {f.name for f in fields(Section)}
TEMPLATE_VALUES = {f.name: getattr(Section(), f.name) for f in fields(Section)}


class SectionError(ValueError):
    """An unknown section or a bad section override; the message names both."""


def split_names(requested: str | Iterable[str] | None) -> list[str]:
    if requested is None:
        return []
    items = [requested] if isinstance(requested, str) else list(requested)
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def apply_overrides(outlet: Outlet, overrides: Mapping[str, Any]) -> dict[str, Section]:
    sections = dict(outlet.sections)
    for key, values in overrides.items():
        if not isinstance(values, Mapping):
            raise SectionError(f"outlets.{outlet.key}.sections.{key}: expected a table")
        unknown = set(values) - OVERRIDABLE
        if unknown:
            raise SectionError(
                f"outlets.{outlet.key}.sections.{key}: unknown key {sorted(unknown)[0]!r} "
                f"(allowed: {', '.join(sorted(OVERRIDABLE))})"
            )
        changes = {
            name: tuple(value) if isinstance(TEMPLATE_VALUES[name], tuple) else value
            for name, value in values.items()
        }
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
