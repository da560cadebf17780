"""What every replica template shares: the per-outlet article index, the page value, feeds.

A template module (arabstoday, later wordpress, arc...) turns a `Site` and a request path into
a `Page`; the server adds the faults and the HTTP. Nothing here knows a site's markup.
"""

from __future__ import annotations

import hashlib
import json
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
from zoneinfo import ZoneInfo

from crawler.jsonio import iso_z
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


# --- shared by the templates of the other families (wordpress, arc, akhbarona) ---

NEWS_SITEMAP_SIZE = 1000  # Google News sitemaps hold at most 1,000 URLs
LISTING_PAGE_SIZE = 10
MAGHREBI_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو",
    "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر",
)  # fmt: skip
ARABIC_WEEKDAYS = ("الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
_ARC_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def local_time(site: Site, moment: datetime) -> datetime:
    """`moment` in the outlet's own zone (Africa/Casablanca is UTC+0 during Ramadan)."""
    return moment.astimezone(ZoneInfo(site.outlet.timezone))


def iso_local(site: Site, moment: datetime) -> str:
    """ISO-8601 with the outlet's UTC offset, as WordPress and most CMSs print it."""
    return local_time(site, moment).isoformat(timespec="seconds")


def human_date(site: Site, moment: datetime) -> str:
    """The visible date in local time: `الجمعة 20 نونبر 2026 - 11:15` (Maghrebi month names),
    or `November 20, 2026 11:15` for an English outlet."""
    at = local_time(site, moment)
    if site.outlet.language == "en":
        return f"{at:%B} {at.day}, {at.year} {at:%H:%M}"
    month = MAGHREBI_MONTHS[at.month - 1]
    return f"{ARABIC_WEEKDAYS[at.weekday()]} {at.day} {month} {at.year} - {at:%H:%M}"


def numeric_id(outlet: Outlet, published: datetime, title: str) -> int:
    """A stable post number of 7 digits for a CMS that numbers its posts."""
    return 1_000_000 + zlib.crc32(f"{outlet.key}|{published.isoformat()}|{title}".encode()) % (
        9_000_000
    )


def arc_id(outlet: Outlet, published: datetime, title: str) -> str:
    """A stable 26-character Arc XP document id (upper-case letters and digits)."""
    number = int.from_bytes(
        hashlib.sha256(f"{outlet.key}|{published.isoformat()}|{title}".encode())
        .digest()[:17], "big",
    )
    chars = []
    for _ in range(26):
        number, rest = divmod(number, len(_ARC_ALPHABET))
        chars.append(_ARC_ALPHABET[rest])
    return "".join(chars)


def section_slug(outlet: Outlet, section: str) -> str:
    """The last segment of the section's listing path (`/news/accidents/` -> `accidents`)."""
    listings = outlet.sections[section].listings if section in outlet.sections else ()
    segments = [s for s in listings[0].split("?")[0].split("/") if s] if listings else []
    return segments[-1] if segments else section


def permalink_path(outlet: Outlet, section: str, published: datetime, title: str) -> str:
    """A new article's path from the outlet's `permalink` format (WordPress's "day and name"
    for an outlet that has none, e.g. one declared in newscrawl.toml)."""
    return (outlet.permalink or "/{yyyy}/{mm}/{dd}/{slug}/").format(
        slug=slugify(title).lower(),
        id=numeric_id(outlet, published, title),
        uid=arc_id(outlet, published, title),
        section=section_slug(outlet, section),
        yyyy=f"{published:%Y}", mm=f"{published:%m}", dd=f"{published:%d}",
        hhmmss=f"{published:%H%M%S}",
    )


def declared_feed(site: Site, path: str) -> tuple[bool, str | None]:
    """Whether `path` is a feed one of the outlet's sections declares, and for which section
    (None: a site-wide feed, declared by a section that has no listing of its own)."""
    wanted = path.rstrip("/") or "/"
    for key, section in site.outlet.sections.items():
        if any(feed.split("?")[0].rstrip("/") == wanted for feed in section.feeds):
            return True, key if section.listings else None
    return False, None


def declared_sitemap(site: Site, path: str) -> bool:
    wanted = path.rstrip("/") or "/"
    return any(
        sitemap.split("?")[0].rstrip("/") == wanted
        for section in site.outlet.sections.values()
        for sitemap in section.sitemaps
    )


def listing_page(site: Site, path: str) -> tuple[str, int] | None:
    """(section, page) of a listing path: the declared listing, `?page=N` read by the caller,
    or WordPress's `<listing>/page/N/`."""
    bare = path.rstrip("/") or "/"
    found = re.fullmatch(r"(.+)/page/(\d+)", bare)
    base, page = (found.group(1), int(found.group(2))) if found else (bare, 1)
    key = site.section_of_listing(base)
    return (key, page) if key else None


def listing_links(site: Site, section: str, page: int) -> list[dict[str, str]]:
    """One listing page's articles as JSON-ready dicts (the scripted listings fetch these)."""
    start = (page - 1) * LISTING_PAGE_SIZE
    return [
        {"path": a.path, "title": a.title, "published": iso_local(site, a.published)}
        for a in site.in_section(section)[start : start + LISTING_PAGE_SIZE]
    ]


def last_page(site: Site, section: str) -> int:
    return max(1, -(-len(site.in_section(section)) // LISTING_PAGE_SIZE))


def news_sitemap(site: Site, articles: Sequence[CorpusArticle]) -> str:
    """A Google News sitemap: news:publication_date, news:title and news:language per URL
    (and an image:title, which is not the article's title)."""
    items = []
    for article in articles[:NEWS_SITEMAP_SIZE]:
        image = site.url(f"/images/{zlib.crc32(article.path.encode())}.jpg")
        items.append(f"""<url><loc>{escape(site.url(article.path))}</loc>
<news:news><news:publication><news:name>{escape(site.outlet.title)}</news:name>
<news:language>{escape(site.outlet.language)}</news:language></news:publication>
<news:publication_date>{iso_local(site, article.published)}</news:publication_date>
<news:title>{escape(article.title)}</news:title></news:news>
<image:image><image:loc>{escape(image)}</image:loc>
<image:title>{escape(site.outlet.title)}</image:title></image:image></url>""")
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
 xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
{body}
</urlset>
"""


def sitemap_index(site: Site, children: Sequence[tuple[str, datetime | None]]) -> str:
    """A sitemap index naming child sitemaps (path, last change)."""
    entries = "\n".join(
        f"<sitemap><loc>{escape(site.url(path))}</loc>"
        + (f"<lastmod>{iso_z(changed)}</lastmod>" if changed else "")
        + "</sitemap>"
        for path, changed in children
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{entries}
</sitemapindex>
"""


def robots(site: Site, *, disallow: Sequence[str], sitemaps: Sequence[str]) -> str:
    lines = ["User-agent: *", *(f"Disallow: {d}" for d in disallow), "Allow: /", ""]
    lines += [f"Sitemap: {site.url(s)}" for s in sitemaps]
    return "\n".join(lines) + "\n"


def jsonld_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'
