"""Declarative outlet definitions: what a spider, the replica site and `newscrawl outlets` share.

An outlet is data (domains, language, timezone, sections, URL patterns, selectors); the spider
that crawls it and the page object that extracts its articles read this data. Paths are relative
to `base_url` so the same definition serves the real site and the local replica.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit


@dataclass(frozen=True)
class Section:
    """One news section: where its article links are listed.

    `listings` are HTML listing pages (paginated), `feeds` RSS/Atom feeds, `sitemaps` (news)
    sitemaps. `url_prefixes` are article path prefixes that belong to this section, so an
    article found through a site-wide feed is still filed under its own section.
    """

    label: str = ""
    listings: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    url_prefixes: tuple[str, ...] = ()
    # The listing pages show their article links only after scripts run: render them in a
    # browser (scrapy-playwright) and wait until `wait_for` (a CSS selector) is on the page.
    browser: bool = False
    wait_for: str = ""


@dataclass(frozen=True)
class Selectors:
    """CSS selectors tried before the generic chain (JSON-LD, meta, trafilatura)."""

    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()  # body container; the first match on the page is used
    summary: tuple[str, ...] = ()
    dateline: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published: tuple[str, ...] = ()  # visible date of the article itself
    updated: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    listing_links: tuple[str, ...] = ("a::attr(href)",)  # article links on a listing page
    next_page: tuple[str, ...] = ("a[rel=next]::attr(href)",)
    listing_dates: tuple[str, ...] = ()  # dates of the listed items, for the age limit
    # Text that starts page furniture inside the body; it and all that follows are dropped.
    body_stop_markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outlet:
    """Everything known about one outlet."""

    key: str  # the spider name, stored as `outlet`
    title: str
    base_url: str
    domains: tuple[str, ...]
    language: str
    timezone: str
    sections: dict[str, Section]
    article_path: str  # regex matched against the decoded URL path of an article
    template: str = "generic"  # replica template family and page-object family
    selectors: Selectors = field(default_factory=Selectors)
    title_affixes: tuple[str, ...] = ()  # site names stripped from titles
    stop_texts: tuple[str, ...] = ()  # exact paragraphs that are never article text
    # How the site forms article paths (the replica renders new articles with it), a format
    # with {slug} {id} {section} {yyyy} {mm} {dd} {hhmmss}; "" lets the template decide.
    permalink: str = ""
    # Every listing and article page of the outlet needs a browser (see Section.browser);
    # `wait_for` is then awaited on listing pages.
    browser: bool = False
    wait_for: str = ""

    @property
    def article_regex(self) -> re.Pattern[str]:
        return re.compile(self.article_path)

    def absolute(self, path_or_url: str, base_url: str | None = None) -> str:
        return urljoin((base_url or self.base_url).rstrip("/") + "/", path_or_url.lstrip("/"))

    def section_of(self, url: str, default: str = "") -> str:
        """The section an article belongs to by its path, else `default`."""
        path = unquote(urlsplit(url).path)
        for key, section in self.sections.items():
            if any(path.startswith(prefix) for prefix in section.url_prefixes):
                return key
        return default
