"""`[outlets.NAME]` of newscrawl.toml: a new outlet, or new sections for a spider module's outlet.

A table named after a spider module may only hold `sections`: each replaces fields of one of its
sections or adds a section. Any other name declares an outlet, crawled like the modules' ones,
with the fields of crawler/outlet.py:

    [outlets.akhbar]                       # the spider name, stored as `outlet`
    base_url = "https://www.akhbar.example"
    timezone = "Africa/Casablanca"         # default UTC
    [outlets.akhbar.sections.latest]
    sitemaps = ["/news-sitemap.xml"]       # and/or feeds = [...], listings = [...]

A site with only a news sitemap or a feed needs nothing else. Defaults: `title` is the name,
`domains` the host of `base_url` (without `www.`), `language` "ar", `timezone` "UTC",
`selectors` none (JSON-LD, meta and trafilatura read the pages), and `article_path` any path of
the site except the home page, the sections' listings (and their `/page/N`), feeds and
sitemaps, and static files (see `default_article_path`). A section with listings usually wants
its own `article_path`: every other same-site link on a listing page passes that default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.checks import (
    NAME,
    Check,
    Invalid,
    TableReader,
    css_selectors,
    http_url,
    regex,
    text,
    texts,
    timezone,
)
from crawler.outlet import Outlet, Section, Selectors
from crawler.sections import apply_overrides, section_fields
from crawler.urls import is_same_site

STATIC_FILES = "xml|rss|atom|json|txt|css|js|ico|png|jpe?g|gif|webp|svg|pdf|mp3|mp4|zip"
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def hosts(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(
            isinstance(h, str) and HOST.match(h.lower()) for h in items):
        raise Invalid(f"expected a list of host names like ['example.com'], got {value!r}")
    return tuple(h.lower().removeprefix("www.") for h in items)


def language(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise Invalid(f"expected a language code like 'ar' or 'fr', got {value!r}")
    return value


OUTLET_CHECKS: dict[str, Check] = {
    "title": text,
    "base_url": http_url,
    "domains": hosts,
    "language": language,
    "timezone": timezone,
    "article_path": regex,
}
TABLE_KEYS = ("sections", "selectors")  # nested tables, checked key by key
SELECTOR_CHECKS: dict[str, Check] = {f.name: css_selectors for f in fields(Selectors)} | {
    "body_stop_markers": texts,  # text that starts page furniture, not a selector
}


def default_article_path(sections: Mapping[str, Section]) -> str:
    """A regex for article paths when none is given: any path but the home page, the sections'
    listings (with their `/page/N` pages), feeds and sitemaps, and static files."""
    taken = sorted({
        unquote(urlsplit(location).path).rstrip("/")
        for section in sections.values()
        for location in (*section.listings, *section.feeds, *section.sitemaps)
    } - {""})
    alternatives = "|".join(re.escape(path) for path in taken)
    return rf"^(?!(?:{alternatives})?(?:/page/\d+)?/?$)(?!.*\.(?:{STATIC_FILES})$)/."


def outlet_from_table(key: str, table: Any, *, label: str = "configuration") -> Outlet:
    """The Outlet an `[outlets.<key>]` table declares (a ConfigError names file, outlet, key)."""
    reader = TableReader(label)
    where = f"outlet {key!r}"
    if not NAME.match(key):
        raise reader.fail(where, "expected a name of letters, digits, '-', '_' or '.'")
    table = reader.table(table, where, f"[outlets.{key}]")
    reader.unknown(table, (*OUTLET_CHECKS, *TABLE_KEYS), where)
    values = {k: reader.value(OUTLET_CHECKS[k], v, where, k)
              for k, v in table.items() if k in OUTLET_CHECKS}
    if "base_url" not in values:
        raise reader.fail(where, "key 'base_url': missing (the site's address, like "
                          "'https://www.example.com')")
    base_url = values["base_url"]
    domains = values.get("domains") or (urlsplit(base_url).hostname.removeprefix("www."),)
    if not is_same_site(base_url, domains):
        raise reader.fail(where, f"key 'domains': the host of base_url {base_url!r} is not "
                          f"among {list(domains)}")
    sections = _declared_sections(reader, table.get("sections"), where, domains)
    selectors = reader.values(reader.table(table.get("selectors", {}), where, "'selectors'"),
                              SELECTOR_CHECKS, where, "selectors.")
    title = values.get("title", key)
    return Outlet(
        key=key,
        title=title,
        base_url=base_url,
        domains=domains,
        language=values.get("language", "ar"),
        timezone=values.get("timezone", "UTC"),
        sections=sections,
        article_path=values.get("article_path") or default_article_path(sections),
        selectors=replace(Selectors(), **selectors),
        title_affixes=(title,) if "title" in values else (),
    )


def _declared_sections(reader: TableReader, raw: Any, where: str,
                       domains: tuple[str, ...]) -> dict[str, Section]:
    if raw is None:
        raise reader.fail(where, "key 'sections': missing (at least one section with "
                          "listings, feeds or sitemaps, like [outlets.NAME.sections.latest] "
                          "feeds = ['/feed/'])")
    sections = {}
    for key, table in reader.table(raw, where, "'sections'").items():
        if not NAME.match(key):
            raise reader.fail(where, f"key 'sections.{key}': a section name is letters, "
                              "digits, '-', '_' or '.'")
        section = Section(**section_fields(reader, table, where, key))
        if not (section.listings or section.feeds or section.sitemaps):
            raise reader.fail(where, f"key 'sections.{key}': no listings, feeds or sitemaps")
        sections[key] = section
    if not sections:
        raise reader.fail(where, "key 'sections': empty (at least one section with listings, "
                          "feeds or sitemaps)")
    _check_on_site(reader, sections, where, domains)
    return sections


def _check_on_site(reader: TableReader, sections: Mapping[str, Section], where: str,
                   domains: tuple[str, ...]) -> None:
    """Absolute URLs must be on the outlet's domains: the crawl never leaves them."""
    for key, section in sections.items():
        for field in ("listings", "feeds", "sitemaps"):
            for location in getattr(section, field):
                if location.startswith("http") and not is_same_site(location, domains):
                    raise reader.fail(where, f"key 'sections.{key}.{field}': {location!r} is "
                                      f"not on the outlet's domains {list(domains)}")


def configure_outlets(raw: Any, modules: Mapping[str, Outlet],
                      reader: TableReader) -> tuple[dict[str, Outlet], dict[str, Outlet]]:
    """(declared, changed): the outlets `[outlets]` declares, and the spider modules' outlets
    whose sections it changes. `modules`: the spider modules' outlets by spider name."""
    declared: dict[str, Outlet] = {}
    changed: dict[str, Outlet] = {}
    for key, table in reader.table(raw, "", "'outlets'").items():
        where = f"outlet {key!r}"
        table = reader.table(table, where, f"[outlets.{key}]")
        if key in modules:
            others = [k for k in table if k != "sections"]
            if others:
                raise reader.fail(where, f"key '{others[0]}': {key!r} is a built-in spider; "
                                  "here only its 'sections' can be changed (declare a new "
                                  "outlet under another name)")
            outlet = modules[key]
            sections = apply_overrides(outlet, table.get("sections", {}), reader)
            _check_on_site(reader, sections, where, outlet.domains)
            changed[key] = replace(outlet, sections=sections)
            continue
        if "base_url" not in table:
            close = difflib.get_close_matches(key, list(modules), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise reader.fail(where, f"key 'base_url': missing: no built-in spider is named "
                              f"{key!r}{hint}, and a new outlet needs its base_url")
        declared[key] = outlet_from_table(key, table, label=reader.label)
    return declared, changed
