"""le360.ma (Le360), Arabic edition ar.le360.ma: a Moroccan news site on Arc XP.

Arc's conventions (facts from public scrapers): articles at `/<section>/<slug>_<26-char id>/`,
RSS from Arc's outbound feeds (`/arc/outboundfeeds/rss/?outputType=xml`, per section
`/arc/outboundfeeds/rss/category/<section>/?outputType=xml`) and a Google News sitemap at
`/sitemap-news/` whose `news:language` tells the Arabic edition from the French one. Pages carry
a NewsArticle JSON-LD and `article:published_time`; the text is the paragraphs of
`.b-article-body`. Police and court news are filed under société, hence `security`.
"""

from __future__ import annotations

from crawler.outlet import Outlet, Section, Selectors

FEED = "/arc/outboundfeeds/rss/{}?outputType=xml"


def arc_section(label: str, slug: str) -> Section:
    """An Arc section: listing `/<slug>/`, its outbound RSS, articles under `/<slug>/`."""
    return Section(
        label=label,
        listings=(f"/{slug}/",),
        feeds=(FEED.format(f"category/{slug}/"),),
        url_prefixes=(f"/{slug}/",),
    )


OUTLET = Outlet(
    key="le360",
    title="Le360",
    base_url="https://ar.le360.ma",
    domains=("ar.le360.ma",),
    language="ar",
    timezone="Africa/Casablanca",
    sections={
        "security": arc_section("مجتمع", "societe"),
        "politics": arc_section("سياسة", "politique"),
        "economy": arc_section("اقتصاد", "economie"),
        "latest": Section(label="آخر الأخبار", feeds=(FEED.format(""),),
                          sitemaps=("/sitemap-news/",)),
    },
    article_path=r"^/[a-z-]+(?:/[a-z-]+)*/[^/]+_[A-Z0-9]{26}/?$",
    permalink="/{section}/{slug}_{uid}/",
    template="arc",
    selectors=Selectors(
        title=("h1.c-heading::text",),
        body=(".b-article-body",),
        listing_links=(".b-results-list .c-promo__headline a::attr(href)",),
        next_page=("a[rel=next]::attr(href)",),
        listing_dates=(".b-results-list time::attr(datetime)",),
        body_stop_markers=("اقرأ أيضا", "اقرأ ايضا"),
    ),
    title_affixes=("Le360", "لو360"),
)
