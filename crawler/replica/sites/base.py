"""What every replica template shares: the per-outlet article index, the page value, feeds.

A template module (arabstoday, later wordpress, arc...) turns a `Site` and a request path into
a `Page`; the server adds the faults and the HTTP. Nothing here knows a site's markup.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from itertools import islice
from typing import TYPE_CHECKING

from crawler.outlet import Outlet

if TYPE_CHECKING:  # corpus imports the templates (for article paths): no import cycle at runtime
    from crawler.replica.corpus import CorpusArticle

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
# Every template writes exactly this tag, so the server can re-declare a page as windows-1256.
META_CHARSET = '<meta charset="utf-8">'


@dataclass(frozen=True)
class Page:
    """A rendered response before faults: status, content type and text.

    `kind` tells the server what was served ("article" and "amp" pages are the ones `error_rate`
    fails); `main` is the HTML of the article body, where `truncate_paths` cuts the page.
    """

    status: int
    body: str
    kind: str
    content_type: str = HTML
    main: str = ""


@dataclass
class Site:
    """One outlet's articles, indexed the ways the pages need them."""

    outlet: Outlet
    articles: list[CorpusArticle]  # newest first
    corpus_order: dict[str, int] = field(default_factory=dict)  # canonical path -> position
    by_path: dict[str, CorpusArticle] = field(default_factory=dict)  # canonical path
    by_duplicate: dict[str, CorpusArticle] = field(default_factory=dict)  # duplicate path
    by_section: dict[str, list[CorpusArticle]] = field(default_factory=dict)  # newest first
    popular: list[CorpusArticle] = field(default_factory=list)  # the "most read" order

    @classmethod
    def build(cls, outlet: Outlet, articles: Iterable[CorpusArticle]) -> Site:
        in_order = list(articles)
        site = cls(outlet, sorted(in_order, key=lambda a: (a.published, a.path), reverse=True))
        for article in site.articles:
            site.by_section.setdefault(article.section, []).append(article)
        # "most read" is a stable pseudo-random order: a hash of the path
        site.popular = sorted(site.articles, key=lambda a: zlib.crc32(a.path.encode()))
        for position, article in enumerate(in_order):
            site.corpus_order[article.path] = position
            site.by_path[article.path] = article
            for extra in article.duplicate_paths:
                site.by_duplicate[extra] = article
        return site

    def newest(self, count: int, section: str | None = None) -> list[CorpusArticle]:
        return self.in_section(section)[:count] if section else self.articles[:count]

    def in_section(self, section: str) -> list[CorpusArticle]:
        return self.by_section.get(section, [])

    def related(self, article: CorpusArticle, count: int) -> list[CorpusArticle]:
        """The next older articles of its own section (wrapping round), never itself."""
        same = self.in_section(article.section)
        at = next((i for i, a in enumerate(same) if a.path == article.path), 0)
        return (same[at + 1 :] + same[:at])[:count]

    def most_read(self, count: int, *, not_section: str | None = None) -> list[CorpusArticle]:
        """The "most read" articles, from other sections than `not_section` when there are any."""
        others = (a for a in self.popular if a.section != not_section)
        return list(islice(others, count)) or self.popular[:count]

    def section_of_listing(self, path: str) -> str | None:
        """The section key whose listing is `path` (with or without a trailing slash)."""
        wanted = path.rstrip("/") or "/"
        for key, section in self.outlet.sections.items():
            if any(listing.rstrip("/") == wanted for listing in section.listings):
                return key
        return None

    def url(self, path: str) -> str:
        """The outlet's real URL of a path, as canonical links and feeds print it."""
        return self.outlet.base_url.rstrip("/") + path


def slugify(title: str, max_words: int = 10) -> str:
    """Title words joined by '-': letters, marks and digits kept (Arabic too), punctuation gone."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in title)
    return "-".join(kept.split()[:max_words]) or "article"


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs: blank lines separate them."""
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rss_feed(
    site: Site, articles: Sequence[CorpusArticle], *, title: str, link: str, description: str
) -> str:
    """An RSS 2.0 document; links are the outlet's real URLs, as on the real site."""
    items = "\n".join(_rss_item(site, a) for a in articles)
    built = rfc822(articles[0].published) if articles else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>{escape(title)}</title>
<link>{escape(link)}</link>
<description>{escape(description)}</description>
<language>{escape(site.outlet.language)}</language>
<lastBuildDate>{built}</lastBuildDate>
{items}
</channel>
</rss>
"""


def _rss_item(site: Site, article: CorpusArticle) -> str:
    url = escape(site.url(article.path))
    label = site.outlet.sections[article.section].label or article.section
    return f"""<item>
<title>{escape(article.title)}</title>
<link>{url}</link>
<guid isPermaLink="true">{url}</guid>
<pubDate>{rfc822(article.published)}</pubDate>
<description>{escape(article.teaser)}</description>
<category>{escape(label)}</category>
</item>"""


def sitemap(site: Site, articles: Sequence[CorpusArticle]) -> str:
    """A plain XML sitemap of canonical article URLs (robots.txt names it)."""
    urls = "\n".join(
        f"<url><loc>{escape(site.url(a.path))}</loc>"
        f"<lastmod>{iso_z(a.updated or a.published)}</lastmod></url>"
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""
