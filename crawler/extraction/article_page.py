"""The page object: one article page in, one Article out, testable without a crawl.

Each field is taken from the first source that has it: the outlet's own selectors, then the
page's JSON-LD NewsArticle, then OpenGraph / `article:*` meta, then trafilatura (last, it is
the slowest). Dates are only collected here as (source, raw text) candidates; the timestamps
pipeline parses them in the outlet's timezone and picks the most trustworthy precise one.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from parsel import Selector

from crawler.extraction import jsonld
from crawler.items import Article
from crawler.outlet import Outlet, Selectors
from crawler.text import normalize_arabic
from crawler.urls import is_same_site

VISIBLE_TEXT = ".//text()[not(ancestor::script) and not(ancestor::style)]"

PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datePublished", "pubdate", "publishdate", "publish-date", "date", "dc.date",
    "DC.date.issued", "sailthru.date",
)
UPDATED_META = ("article:modified_time", "og:updated_time", "dateModified", "last-modified")


def element_text(node: Selector) -> str:
    return " ".join(t.strip() for t in node.xpath(VISIBLE_TEXT).getall() if t.strip())


class ArticlePage:
    """Extraction for one fetched article page of `outlet`."""

    def __init__(self, html: str, url: str, outlet: Outlet):
        self.html = html
        self.url = url
        self.outlet = outlet
        self.sel = Selector(text=html)
        self.selectors: Selectors = outlet.selectors

    @classmethod
    def from_response(cls, response: Any, outlet: Outlet) -> ArticlePage:
        return cls(response.text, response.url, outlet)

    # --- sources ---

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        return jsonld.find_article(self.sel)

    def meta(self, *names: str) -> str:
        for name in names:
            for attr in ("property", "name", "itemprop"):
                value = self.sel.xpath(f"//meta[@{attr}=$n]/@content", n=name).get()
                if value and value.strip():
                    return value.strip()
        return ""

    def meta_all(self, name: str) -> list[str]:
        values = self.sel.xpath("//meta[@property=$n or @name=$n]/@content", n=name).getall()
        return [v.strip() for v in values if v.strip()]

    def first_css(self, queries: tuple[str, ...]) -> str:
        for query in queries:
            for value in self.sel.css(query).getall():
                if value.strip():
                    return " ".join(value.split())
        return ""

    def all_css(self, queries: tuple[str, ...]) -> list[str]:
        for query in queries:
            values = [" ".join(v.split()) for v in self.sel.css(query).getall() if v.strip()]
            if values:
                return values
        return []

    @cached_property
    def trafilatura(self) -> dict[str, Any]:
        """trafilatura's reading of the page, computed only when an earlier source failed."""
        import trafilatura

        result = trafilatura.bare_extraction(
            self.html, url=self.url, include_comments=False, include_tables=False,
            favor_precision=True, with_metadata=True,
        )
        if result is None:
            return {}
        return result.as_dict() if hasattr(result, "as_dict") else dict(result)

    # --- fields ---

    @cached_property
    def title(self) -> str:
        return (
            self.first_css(self.selectors.title)
            or jsonld.text(self.jsonld.get("headline") or self.jsonld.get("name"))
            or self.meta("og:title", "twitter:title")
            or " ".join(self.sel.css("title::text").get("").split())
            or (self.trafilatura.get("title") or "")
        )

    @cached_property
    def paragraphs(self) -> list[str]:
        return (
            self._selector_paragraphs()
            or self._jsonld_paragraphs()
            or self._trafilatura_paragraphs()
        )

    def _selector_paragraphs(self) -> list[str]:
        for query in self.selectors.body:
            containers = self.sel.css(query)
            if containers:  # ids repeat on some templates: only the first container is the body
                return self._clean_paragraphs(containers[0])
        return []

    def _clean_paragraphs(self, container: Selector) -> list[str]:
        stops = [normalize_arabic(m) for m in self.selectors.body_stop_markers]
        stop_texts = {normalize_arabic(t) for t in self.outlet.stop_texts}
        paragraphs: list[str] = []
        for node in container.css("p"):
            text = element_text(node)
            key = normalize_arabic(text)
            if any(key.startswith(stop) for stop in stops):
                break  # related-articles block: everything after it is furniture
            link_text = " ".join(element_text(a) for a in node.css("a"))
            if not key or key in stop_texts or (link_text and normalize_arabic(link_text) == key):
                continue  # empty, boilerplate, or a paragraph that is only a link
            paragraphs.append(text)
        return paragraphs

    def _jsonld_paragraphs(self) -> list[str]:
        body = jsonld.text(self.jsonld.get("articleBody"))
        return [p.strip() for p in body.splitlines() if p.strip()]

    def _trafilatura_paragraphs(self) -> list[str]:
        text = self.trafilatura.get("text") or ""
        return [p.strip() for p in text.splitlines() if p.strip()]

    @cached_property
    def summary(self) -> str:
        return (
            self.first_css(self.selectors.summary)
            or jsonld.text(self.jsonld.get("description"))
            or self.meta("og:description", "description", "twitter:description")
        )

    @cached_property
    def authors(self) -> list[str]:
        found = (
            self.all_css(self.selectors.authors)
            or jsonld.names(self.jsonld.get("author"))
            or [a for a in self.meta_all("article:author") + self.meta_all("author")
                if not a.startswith("http")]
        )
        return list(dict.fromkeys(found))

    @cached_property
    def dateline(self) -> str:
        return self.first_css(self.selectors.dateline)

    @cached_property
    def published_candidates(self) -> list[tuple[str, str]]:
        """(date_source, raw text) pairs, most trusted source first."""
        candidates = []
        if raw := self.first_css(self.selectors.published):
            candidates.append(("selector", raw))
        if raw := jsonld.text(self.jsonld.get("datePublished")):
            candidates.append(("jsonld", raw))
        raw = self.meta(*PUBLISHED_META) or self.sel.css("time[datetime]::attr(datetime)").get("")
        if raw:
            candidates.append(("meta", raw.strip()))
        return candidates

    @cached_property
    def updated_candidates(self) -> list[tuple[str, str]]:
        candidates = []
        if raw := self.first_css(self.selectors.updated):
            candidates.append(("selector", raw))
        if raw := jsonld.text(self.jsonld.get("dateModified")):
            candidates.append(("jsonld", raw))
        if raw := self.meta(*UPDATED_META):
            candidates.append(("meta", raw))
        return candidates

    @cached_property
    def tags(self) -> list[str]:
        keywords = self.jsonld.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        found = (
            self.all_css(self.selectors.tags)
            or [k.strip() for k in keywords or [] if isinstance(k, str) and k.strip()]
            or self.meta_all("article:tag")
        )
        return list(dict.fromkeys(found))

    @cached_property
    def image_urls(self) -> list[str]:
        found = (
            self.all_css(self.selectors.images)
            or jsonld.urls(self.jsonld.get("image"))
            or self.meta_all("og:image")
        )
        return list(dict.fromkeys(found))

    @cached_property
    def section_label(self) -> str:
        """The section the page says it is filed under (`article:section`, JSON-LD)."""
        return self.meta("article:section") or jsonld.text(self.jsonld.get("articleSection"))

    @cached_property
    def canonical_url(self) -> str:
        """The page's own canonical link when it points inside the outlet, else the URL."""
        for candidate in (
            self.sel.css('link[rel="canonical"]::attr(href)').get(""),
            self.meta("og:url"),
        ):
            candidate = candidate.strip()
            if candidate.startswith("http") and is_same_site(candidate, self.outlet.domains):
                return candidate
        return self.url

    @cached_property
    def language(self) -> str:
        lang = self.sel.xpath("/html/@lang").get("") or self.outlet.language
        return lang.split("-")[0].lower()

    def to_article(self) -> Article:
        """The raw Article; the pipelines validate, clean, date and dedupe it."""
        article = Article(
            url=self.url,
            canonical_url=self.canonical_url,
            outlet=self.outlet.key,
            language=self.language,
            title=self.title,
            body="\n\n".join(self.paragraphs),
            summary=self.summary,
            authors=self.authors,
            dateline=self.dateline,
            tags=self.tags,
            image_urls=self.image_urls,
        )
        article.date_candidates = list(self.published_candidates)
        article.updated_candidates = list(self.updated_candidates)
        return article
