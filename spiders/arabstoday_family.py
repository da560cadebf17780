"""The Arabs Today Group template (almaghribtoday.net and its sister sites).

Shared by every outlet of the group: article paths `/<section-id>/<6 digits>-<slug>` (AMP under
`/amp/`), body paragraphs in the first `#balmon` (`.amp-article-body` on AMP pages), teaser
`.introtext`, dateline "City - Author" in `.cauthorboy h4.coring`/`h5`. The site-wide "آخر تحديث
GMT" band and the dates of related and most-read lists are page furniture and are never read as
the article's date.
"""

from __future__ import annotations

from crawler.outlet import Outlet, Section, Selectors

ARTICLE_PATH = r"^/(?:amp/)?\d+/\d{6}-[^/]+/?$"

SELECTORS = Selectors(
    title=("h1.newstitle::text", "h1::text"),
    body=("#balmon", ".amp-article-body"),
    summary=(".introtext::text",),
    dateline=(".cauthorboy h4.coring::text", ".cauthorboy h5::text", ".amp-dateline::text"),
    listing_links=(".newslist a::attr(href)", "a::attr(href)"),
    next_page=("a[rel=next]::attr(href)", ".pagination a.next::attr(href)"),
    listing_dates=(".newslist .coring::text",),
    body_stop_markers=("قد يهمك أيضا", "قد يهمك ايضا", "اقرأ أيضا", "اقرأ ايضا"),
)


def section(label: str, section_id: str, slug: str, feeds: tuple[str, ...] = ()) -> Section:
    """A section of the template: listing `/<id>-<slug>`, articles under `/<id>/`."""
    return Section(
        label=label,
        listings=(f"/{section_id}-{slug}",),
        feeds=feeds,
        url_prefixes=(f"/{section_id}/", f"/amp/{section_id}/"),
    )


def group_sections(**extra: Section) -> dict[str, Section]:
    """The sections every site of the group is given by default: the ids and slugs of
    almaghribtoday's menu (2018 snapshot), on the assumption that the group's shared CMS keeps
    them on its sister sites. Each is overridable in newscrawl.toml, like any section."""
    return {
        "security": section("في الأخبار أيضا", "36", "في-الأخبار-أيضا"),
        "news": section("أخبار محلية وعربية وعالمية", "314", "أخبار-محلية-وعربية-وعالمية"),
        "economy": section("الاقتصاد", "504", "أخبار-الاقتصاد"),
        "sports": section("الرياضة", "417", "أخبار-الرياضة"),
        **extra,
    }


def arabstoday_outlet(
    *, key: str, title: str, domain: str, sections: dict[str, Section], timezone: str = "UTC",
    language: str = "ar",
) -> Outlet:
    """An outlet of the family: only the names, the domain and the sections differ."""
    return Outlet(
        key=key,
        title=title,
        base_url=f"https://www.{domain}",
        domains=(domain,),
        language=language,
        timezone=timezone,
        sections=sections,
        article_path=ARTICLE_PATH,
        template="arabstoday",
        selectors=SELECTORS,
        title_affixes=(title,),
        stop_texts=("Maintained and developed by Arabs Today Group SAL",),
    )
