"""Arc XP outlets (le360's Arabic edition), as the replica serves them.

What an Arc (Fusion) page prints: the story's ANS document in `Fusion.globalContent`, a
NewsArticle JSON-LD, `article:published_time` in UTC, `h1.c-heading` and the text as
`p.c-paragraph` inside `.b-article-body`. Furniture: the "اقرأ أيضا" interstitial links (not
paragraphs), tags, the newsletter box, a "most read" list with its own dates, the footer.

URL scheme:
    /                                             home: newest 20
    /<section>/[?page=N]                          section listing, 10 a page
    /<section>/<slug>_<26-char id>/               article
    /arc/outboundfeeds/rss/[category/<section>/]  RSS (any ?outputType)
    /sitemap-news/, /arc/outboundfeeds/news-sitemap/   Google News sitemap
    /sitemap.xml, /arc/outboundfeeds/sitemap/     sitemap
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from crawler.jsonio import iso_z
from crawler.outlet import Outlet
from crawler.replica.sites.base import (
    META_CHARSET,
    RSS,
    TEXT,
    XML,
    Page,
    Site,
    arc_id,
    declared_feed,
    declared_sitemap,
    human_date,
    jsonld_script,
    last_page,
    listing_page,
    news_sitemap,
    permalink_path,
    robots,
    rss_feed,
    sitemap,
)

if TYPE_CHECKING:
    from crawler.replica.corpus import CorpusArticle

FEEDS = "/arc/outboundfeeds/rss"
NEWS_SITEMAPS = ("/sitemap-news", "/arc/outboundfeeds/news-sitemap")
SITEMAPS = ("/sitemap.xml", "/arc/outboundfeeds/sitemap")


def article_path(outlet: Outlet, section: str, published: datetime, title: str) -> str:
    return permalink_path(outlet, section, published, title)


def listing_path(site: Site, section: str) -> str:
    listings = site.outlet.sections[section].listings
    return listings[0] if listings else "/"


def render(site: Site, path: str, query: Mapping[str, str]) -> Page:
    bare = path.rstrip("/") or "/"
    if bare == "/":
        return _page(site, site.outlet.title, "/", _promos(site, site.newest(20)), "home")
    if bare == "/robots.txt":
        text = robots(site, disallow=("/pf/api/", "/search/"),
                      sitemaps=(NEWS_SITEMAPS[0] + "/", SITEMAPS[0]))
        return Page(200, text, "robots", TEXT)
    if bare in NEWS_SITEMAPS or declared_sitemap(site, bare):
        return Page(200, news_sitemap(site, site.articles), "feed", XML)
    if bare in SITEMAPS:
        return Page(200, sitemap(site, site.articles), "feed", XML)
    if bare == FEEDS or bare.startswith(FEEDS + "/category/"):
        slug = bare[len(FEEDS + "/category/"):] if bare != FEEDS else ""
        found, section = declared_feed(site, bare)
        if slug and not found:
            section = site.section_of_listing(f"/{slug}")
        return render_feed(site, section)
    if listed := listing_page(site, bare):
        page = query.get("page", "1")
        return render_listing(site, listed[0], int(page) if page.isdigit() else 0)
    if article := site.by_path.get(path) or site.by_path.get(bare + "/"):
        return render_article(site, article, article.path)
    if article := site.by_duplicate.get(path) or site.by_duplicate.get(bare):
        return render_article(site, article, path)
    return Page(404, _layout(site, "الصفحة غير موجودة", "", "<h1>الصفحة غير موجودة</h1>"),
                "not_found")


def render_listing(site: Site, section: str, page: int) -> Page:
    last = last_page(site, section)
    if not 1 <= page <= last:
        return Page(404, _layout(site, "الصفحة غير موجودة", "", ""), "not_found")
    shown = site.in_section(section)[(page - 1) * 10 : page * 10]
    base = listing_path(site, section)
    more = (f'<a class="c-button b-results-list__load-more" rel="next" '
            f'href="{escape(base)}?page={page + 1}">تحميل المزيد</a>') if page < last else ""
    label = escape(site.outlet.sections[section].label or section)
    content = f'<h1 class="b-section-title">{label}</h1>\n{_promos(site, shown)}\n{more}'
    path = base if page == 1 else f"{base}?page={page}"
    return _page(site, f"{label} | {site.outlet.title}", path, content, "listing")


def render_article(site: Site, article: CorpusArticle, served_path: str) -> Page:
    canonical = site.url(served_path)
    others = site.related(article, 2)
    parts = [f'<p class="c-paragraph">{escape(p)}</p>' for p in article.paragraphs]
    for at, other in zip((2, 5), others, strict=False):
        if at < len(parts):
            parts.insert(at, f'<div class="c-interstitial-link"><a href="{escape(other.path)}">'
                             f"اقرأ أيضا: {escape(other.title)}</a></div>")
    body = "\n".join(parts)
    section = site.outlet.sections[article.section]
    authors = ", ".join(article.authors)
    byline = f'<span class="c-byline__author">{escape(authors)}</span>' if authors else ""
    tags = "".join(f'<a class="c-tag" href="/tags/{i}/">{escape(w)}</a>'
                   for i, w in enumerate(article.title.split()[:3]))
    content = f"""<article class="b-article">
<div class="c-overline"><a href="{escape(listing_path(site, article.section))}">{escape(section.label)}</a></div>
<h1 class="c-heading">{escape(article.title)}</h1>
<div class="c-byline">{byline} <time class="c-date" datetime="{iso_z(article.published)}">{human_date(site, article.published)}</time></div>
<figure class="c-media-item"><img src="https://ar.le360.ma/resizer/{arc_id(site.outlet, article.published, "img")}.jpg" alt=""></figure>
<div class="b-article-body">
{body}
</div>
<div class="c-tags">{tags}</div>
<div class="b-newsletter"><p>اشترك في النشرة الإخبارية لتصلك آخر الأخبار</p><input type="email"></div>
</article>"""  # noqa: E501
    title = f"{article.title} | {site.outlet.title}"
    head = _article_head(site, article, title, canonical)
    return Page(200, _layout(site, title, head, content), "article", main=body)


def render_feed(site: Site, section: str | None) -> Page:
    title = site.outlet.title + (f" - {site.outlet.sections[section].label}" if section else "")
    feed = rss_feed(site, site.newest(30, section), title=title, link=site.url("/"),
                    description=title)
    return Page(200, feed, "feed", RSS)


# --- parts ---


def _page(site: Site, title: str, path: str, content: str, kind: str) -> Page:
    head = f'<link rel="canonical" href="{escape(site.url(path))}">'
    return Page(200, _layout(site, title, head, content), kind)


def _promos(site: Site, articles: list[CorpusArticle]) -> str:
    items = "\n".join(
        f"""<article class="c-promo"><h2 class="c-promo__headline"><a href="{escape(a.path)}">{escape(a.title)}</a></h2>
<time datetime="{iso_z(a.published)}">{human_date(site, a.published)}</time></article>"""  # noqa: E501
        for a in articles
    )
    return f'<div class="b-results-list">\n{items}\n</div>'


def _layout(site: Site, title: str, head: str, content: str) -> str:
    menu = "".join(
        f'<a class="c-link" href="{escape(s.listings[0])}">{escape(s.label)}</a>'
        for s in site.outlet.sections.values() if s.listings
    )
    most_read = "\n".join(
        f'<li><a href="{escape(a.path)}">{escape(a.title)}</a> '
        f'<time datetime="{iso_z(a.published)}">{human_date(site, a.published)}</time></li>'
        for a in site.most_read(5)
    )
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
{META_CHARSET}
<title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
</head>
<body>
<div id="fusion-app">
<header class="b-header-nav-chain"><a class="c-logo" href="/">{escape(site.outlet.title)}</a>
<nav class="b-links-bar">{menu}</nav></header>
<main class="b-single-column">
{content}
</main>
<aside class="b-most-read"><h2>الأكثر قراءة</h2><ul>
{most_read}
</ul></aside>
<footer class="b-footer"><p>© {site.outlet.title} جميع الحقوق محفوظة</p></footer>
</div>
</body>
</html>
"""


def _article_head(site: Site, article: CorpusArticle, title: str, canonical: str) -> str:
    story_id = arc_id(site.outlet, article.published, article.title)
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso_z(article.published),
        "dateModified": iso_z(article.updated or article.published),
        "articleSection": site.outlet.sections[article.section].label,
        "description": article.teaser,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "publisher": {"@type": "Organization", "name": site.outlet.title},
    }
    if article.authors:
        jsonld["author"] = [{"@type": "Person", "name": n} for n in article.authors]
    ans = {
        "_id": story_id, "type": "story", "canonical_url": article.path,
        "headlines": {"basic": article.title},
        "display_date": iso_z(article.published),
        "content_elements": [{"type": "text", "content": p} for p in article.paragraphs],
    }
    fusion = json.dumps(ans, ensure_ascii=False).replace("</", "<\\/")
    meta = [
        f'<link rel="canonical" href="{escape(canonical)}">',
        f'<meta name="description" content="{escape(article.teaser)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(title)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        f'<meta property="article:published_time" content="{iso_z(article.published)}">',
        jsonld_script(jsonld),
        f'<script id="fusion-metadata" type="application/javascript">window.Fusion=window.'
        f'Fusion||{{}};Fusion.arcSite="le360-ar";Fusion.globalContent={fusion};</script>',
    ]
    if article.updated:
        meta.append(f'<meta property="article:modified_time" content="{iso_z(article.updated)}">')
    return "\n".join(meta)
