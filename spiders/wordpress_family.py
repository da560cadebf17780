"""WordPress and WordPress-like Moroccan outlets (hespress, alyaoum24, hibapress, barlamane,
moroccoworldnews): what their themes share.

Facts WordPress gives every site, so they need no guessing per outlet: `/feed/` and
`<category>/feed/` RSS, `/page/N/` pagination, `article:published_time` and Yoast's JSON-LD
`@graph` with the NewsArticle, the title in `h1.entry-title` and the text in `.entry-content`.
What differs (permalinks, category paths, a theme's own classes) is declared per outlet, and
where a fact is unknown the generic chain (JSON-LD, meta, trafilatura) still reads the page.
Moroccan sites print local time: Africa/Casablanca (UTC+1, UTC+0 during Ramadan).
"""

from __future__ import annotations

from dataclasses import replace

from crawler.outlet import Outlet, Section, Selectors

MOROCCO = "Africa/Casablanca"

SELECTORS = Selectors(
    title=("h1.entry-title::text", "h1.post-title::text"),
    body=(".entry-content",),
    tags=("a[rel~=tag]::text",),
    # theme-specific first, then the markup every WordPress theme prints for a post teaser
    listing_links=(
        "article .entry-title a::attr(href)",
        "article h2 a::attr(href)",
        "article h3 a::attr(href)",
    ),
    next_page=("a.next.page-numbers::attr(href)", "a[rel=next]::attr(href)"),
    listing_dates=("article time::attr(datetime)",),
    # the "related posts" block that themes put at the end of the post text
    body_stop_markers=(
        "مقالات ذات صلة", "اقرأ أيضا", "اقرأ ايضا", "مواضيع ذات صلة", "Related posts", "Read also",
    ),
)


def category(
    label: str,
    path: str,
    *,
    feed: bool = True,
    browser: bool = False,
    wait_for: str = "",
) -> Section:
    """A category listing (`/page/N/` paginated) and, by default, its `feed/`."""
    listing = path.rstrip("/") + "/"
    return Section(
        label=label,
        listings=(listing,),
        feeds=(listing + "feed/",) if feed else (),
        browser=browser,
        wait_for=wait_for,
    )


def latest(label: str = "آخر الأخبار", *, sitemaps: tuple[str, ...] = ()) -> Section:
    """The site feed (and news sitemap): every new post, filed under `latest`."""
    return Section(label=label, feeds=("/feed/",), sitemaps=sitemaps)


def wordpress_outlet(
    *,
    key: str,
    title: str,
    domain: str,
    sections: dict[str, Section],
    article_path: str,
    permalink: str,
    base_url: str = "",
    language: str = "ar",
    timezone: str = MOROCCO,
    title_affixes: tuple[str, ...] = (),
    theme: dict[str, tuple[str, ...]] | None = None,
) -> Outlet:
    """An outlet of the family; `theme` replaces single fields of the shared SELECTORS."""
    return Outlet(
        key=key,
        title=title,
        base_url=base_url or f"https://www.{domain}",
        domains=(domain,),
        language=language,
        timezone=timezone,
        sections=sections,
        article_path=article_path,
        permalink=permalink,
        template="wordpress",
        selectors=replace(SELECTORS, **(theme or {})),
        title_affixes=(title, *title_affixes),
    )
