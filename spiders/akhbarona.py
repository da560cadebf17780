"""akhbarona.com (أخبارنا المغربية): Moroccan news on a custom CMS.

Known (public scrapers): articles at `/<section>/<id>.html`, the text in `#article_body`, the
date in `article:published_time`; feeds `/feed/index.rss` and `/rss/1.xml`. No JSON-LD. The
text is lines separated by `<br>` rather than `<p>` paragraphs, hence a small page object.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.extraction import ArticlePage
from crawler.outlet import Outlet, Section, Selectors
from crawler.text import normalize_arabic

BREAKS = re.compile(r"(?:<br\s*/?>\s*)+", re.IGNORECASE)
SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def akhbarona_section(label: str, slug: str, feeds: tuple[str, ...] = ()) -> Section:
    return Section(label=label, listings=(f"/{slug}/",), feeds=feeds, url_prefixes=(f"/{slug}/",))


OUTLET = Outlet(
    key="akhbarona",
    title="أخبارنا المغربية",
    base_url="https://www.akhbarona.com",
    domains=("akhbarona.com",),
    language="ar",
    timezone="Africa/Casablanca",
    sections={
        "security": akhbarona_section("حوادث", "accidents"),
        "national": akhbarona_section("أخبار وطنية", "national", feeds=("/rss/1.xml",)),
        "economy": akhbarona_section("اقتصاد", "economy"),
        "latest": Section(label="آخر الأخبار", feeds=("/feed/index.rss",)),
    },
    article_path=r"^/[a-z]+/\d+\.html$",
    permalink="/{section}/{id}.html",
    template="akhbarona",
    selectors=Selectors(
        title=("h1.article_title::text", "h1::text"),
        body=("#article_body",),
        listing_links=(".news_list h2 a::attr(href)", ".news_list a::attr(href)"),
        next_page=("a[rel=next]::attr(href)",),
        body_stop_markers=("مواضيع ذات صلة", "اقرأ أيضا"),
    ),
    title_affixes=("أخبارنا المغربية", "أخبارنا"),
)


class AkhbaronaPage(ArticlePage):
    """`#article_body` is text with `<br>` line breaks; `<p>` paragraphs are read if present."""

    def _selector_paragraphs(self) -> list[str]:
        found = super()._selector_paragraphs()
        containers = self.sel.css("#article_body")
        if found or not containers:
            return found
        stops = [normalize_arabic(m) for m in self.selectors.body_stop_markers]
        paragraphs = []
        for chunk in BREAKS.split(SCRIPTS.sub("", containers[0].get())):
            text = " ".join(Selector(text=f"<div>{chunk}</div>").xpath("string()").get("").split())
            if any(normalize_arabic(text).startswith(stop) for stop in stops):
                break
            if text:
                paragraphs.append(text)
        return paragraphs


PAGE_CLASS = AkhbaronaPage
