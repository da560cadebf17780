"""The page object: one article page in, one Article out, testable without a crawl.

Each field is taken from the first source that has it: the outlet's own selectors, then the
generic chain, which holds on markup nobody tuned for (`title`, `body`, `page_dates`), then
trafilatura, only when the page gave no body of its own (it is the slowest by far). Dates are
collected here as (source, raw text) candidates; the timestamps stage parses them in the
outlet's timezone and keeps the most trustworthy precise one.

A page whose text came out garbled (wrong charset) is decoded again with the charsets it allows
(`decoding`) before anything is read from it.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any

from lxml.html import HtmlElement
from parsel import Selector

from crawler.extraction import body, decoding, jsonld, page_dates, title
from crawler.extraction.html import in_furniture, squash, visible_text
from crawler.items import Article
from crawler.outlet import Outlet, Selectors
from crawler.text import normalize_arabic
from crawler.urls import is_same_site

MIN_HEADLINE = 10  # characters; an <h2> this short is a section label, not a headline
HEADLINE_SHARE = 0.6  # of the stated headline an <h2> holds at least, to be it
DATELINE_MARKS = "//body//*[@itemprop='dateline' or contains(@class, 'dateline')]"


@cache
def _keys(texts: tuple[str, ...]) -> tuple[str, ...]:
    """normalize_arabic of an outlet's markers, once per outlet."""
    return tuple(normalize_arabic(t) for t in texts)


def _script_language(letters: list[str]) -> str:
    """The language most of the letters' script writes alone: "ar" (Arabic letters), "ja"
    (kana among them), "ko" (Hangul), "zh" (Han characters without kana); else ""."""
    if not letters:
        return ""
    counts = {"ar": 0, "kana": 0, "ko": 0, "han": 0}
    for ch in letters:
        if "\u0600" <= ch <= "\u06ff":
            counts["ar"] += 1
        elif "\u3040" <= ch <= "\u30ff":
            counts["kana"] += 1
        elif "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff":
            counts["ko"] += 1
        elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            counts["han"] += 1
    half = len(letters) / 2
    if counts["ar"] > half:
        return "ar"
    if counts["ko"] > half:
        return "ko"
    if counts["han"] + counts["kana"] > half:
        return "ja" if counts["kana"] else "zh"
    return ""


def _headline_text(h1: HtmlElement, stated: str) -> str:
    """The `<h1>`'s text; only its first part when it is made of parts (the headline and a
    byline or kicker in sibling elements) and the stated headline starts with that part."""
    parts = [visible_text(child) for child in h1 if visible_text(child)]
    whole = visible_text(h1)
    if len(parts) >= 2 and not (h1.text or "").strip() and stated:
        first = normalize_arabic(title.fold_quotes(parts[0]))
        if first and normalize_arabic(title.fold_quotes(title.decode_entities(stated))).startswith(
            first
        ):
            return parts[0]
    return whole


def _hatom_title(h1: HtmlElement) -> bool:
    """An `<h1>` that hAtom names as the entry's title ("entry-title" inside its "hentry"):
    the headline the page publishes as structured data, as a JSON-LD headline is. (Microdata's
    `itemprop="headline"` alone does not outweigh og:title: a share title may differ from it.)"""
    return "entry-title" in (h1.get("class") or "").split() and any(
        "hentry" in (node.get("class") or "").split() for node in h1.iterancestors()
    )


class ArticlePage:
    """Extraction for one fetched article page of `outlet`."""

    def __init__(self, html: str, url: str, outlet: Outlet):
        self.html = html
        self.url = url
        self.outlet = outlet
        self.sel = Selector(text=html, type="html")
        self.root: HtmlElement = self.sel.root
        self.selectors: Selectors = outlet.selectors

    @classmethod
    def from_response(cls, response: Any, outlet: Outlet) -> ArticlePage:
        """The page as the response decodes it, or as another charset the page allows
        decodes it when that text comes out garbled."""
        page = cls(response.text, response.url, outlet)
        if not page.garbled:
            return page
        tried = getattr(response, "encoding", "")
        for encoding in decoding.alternatives(response.body, response.headers, tried):
            candidate = cls(decoding.decode(response.body, encoding), response.url, outlet)
            if not candidate.garbled:
                return candidate
        return page  # still garbled: the normalize stage drops it with its reason

    @property
    def garbled(self) -> bool:
        return decoding.is_garbled(self.title, "\n".join(self.paragraphs))

    # --- sources ---

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        return jsonld.find_article(self.sel)

    @cached_property
    def metas(self) -> dict[str, str]:
        return page_dates.meta_table(self.root)

    def meta(self, *names: str) -> str:
        return next((self.metas[n.lower()] for n in names if self.metas.get(n.lower())), "")

    @cached_property
    def _metas_by_name(self) -> dict[str, list[str]]:
        """Every `<meta>` content under its exact property and name, in page order (one walk
        for all the names `meta_all` is asked)."""
        table: dict[str, list[str]] = {}
        for el in self.root.iter("meta"):
            content = (el.get("content") or "").strip()
            if content:
                for key in {el.get("property"), el.get("name")} - {None}:
                    table.setdefault(key, []).append(content)
        return table

    def meta_all(self, name: str) -> list[str]:
        return list(self._metas_by_name.get(name, ()))

    def first_css(self, queries: tuple[str, ...]) -> str:
        for query in queries:
            for value in self.sel.css(query).getall():
                if value.strip():
                    return squash(value)
        return ""

    def all_css(self, queries: tuple[str, ...]) -> list[str]:
        for query in queries:
            values = [squash(v) for v in self.sel.css(query).getall() if v.strip()]
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

    # --- title ---

    @cached_property
    def page_title(self) -> str:
        return squash(self.sel.css("title::text").get(""))

    @cached_property
    def headline_element(self) -> HtmlElement | None:
        """The `<h1>` that carries a headline the page states elsewhere (og:title, JSON-LD,
        twitter:title, `<title>`; quotes folded), wherever it sits, one outside furniture (a
        hidden share block repeats the headline) before any other; else the first one outside
        furniture."""
        h1s = sorted(self.root.iter("h1"), key=lambda h: in_furniture(h, bylines=False))
        stated = [
            normalize_arabic(title.fold_quotes(title.decode_entities(text))) for text in (
                self.meta("og:title"), jsonld.text(self.jsonld.get("headline")),
                self.meta("twitter:title"), self.page_title,
            ) if text
        ]
        for wanted in stated:
            for h1 in h1s:
                text = normalize_arabic(title.fold_quotes(visible_text(h1)))
                if text and (text in wanted or wanted in text):
                    return h1
        if (subheading := self._stated_subheading(stated)) is not None:
            return subheading
        return next((h for h in h1s if not in_furniture(h, bylines=False)), None)

    def _stated_subheading(self, stated: list[str]) -> HtmlElement | None:
        """An `<h2>` that carries the stated headline (one outside furniture first), on a page
        whose `<h1>` does not (none, or the site's logo): the headline set a level down."""
        for h2 in sorted(self.root.iter("h2"), key=lambda h: in_furniture(h, bylines=False)):
            text = normalize_arabic(title.fold_quotes(title.decode_entities(visible_text(h2))))
            if len(text) < MIN_HEADLINE:
                continue
            if any(wanted in text or text in wanted and len(text) >= HEADLINE_SHARE * len(
                wanted
            ) for wanted in stated):
                return h2
        return None

    @cached_property
    def title(self) -> str:
        headline = self.headline_element
        shared = self.meta("og:title") or self.meta("twitter:title")
        tweeted = self.meta("twitter:title") if self.meta("og:title") else ""
        structured = jsonld.text(self.jsonld.get("headline") or self.jsonld.get("name"))
        visible = _headline_text(headline, shared or structured) if headline is not None else ""
        if not structured and headline is not None and _hatom_title(headline):
            structured = visible  # the entry's title by its microformat: the page's headline
        candidates = [
            self.first_css(self.selectors.title),
            *title.order_headlines(shared, structured, visible, self.site_names, tweeted),
            self.page_title,
        ]
        found = title.choose_title(candidates, self.site_names)
        if found or "trafilatura" not in self.__dict__:  # it runs only for a page without body
            return found
        return title.decode_entities(self.trafilatura.get("title") or "")

    @cached_property
    def site_names(self) -> list[str]:
        headline = self.headline_element
        names = [
            *self.outlet.title_affixes,
            self.meta("og:site_name", "application-name", "apple-mobile-web-app-title"),
            *jsonld.names(self.jsonld.get("publisher")),
        ]
        if headline is not None:
            names += title.title_site_names(self.page_title, visible_text(headline))
        return [title.decode_entities(n) for n in names if n]

    # --- body ---

    @cached_property
    def paragraphs(self) -> list[str]:
        return (
            self._selector_paragraphs()
            or self._generic_paragraphs(self.generic_container)
            or self._jsonld_paragraphs()
            or self._generic_paragraphs(self.held_container)
            or self._trafilatura_paragraphs()
        )

    @cached_property
    def selector_container(self) -> HtmlElement | None:
        for query in self.selectors.body:
            containers = self.sel.css(query)
            if containers:  # ids repeat on some templates: only the first container is the body
                return containers[0].root
        return None

    @cached_property
    def generic_container(self) -> HtmlElement | None:
        return body.find_container(self.root, self.headline_element)

    @cached_property
    def held_container(self) -> HtmlElement | None:
        """The body inside a furniture block that holds most of the page's prose, for a page
        with no body outside furniture (`body.find_held_container`)."""
        if self.selector_container is not None or self.generic_container is not None:
            return None
        return body.find_held_container(self.root, self.headline_element)

    @property
    def body_container(self) -> HtmlElement | None:
        if self.selector_container is not None:
            return self.selector_container
        if self.generic_container is not None:
            return self.generic_container
        return self.held_container

    def _selector_paragraphs(self) -> list[str]:
        if self.selector_container is None:
            return []
        return self._clean_paragraphs(self.selector_container)

    def _clean_paragraphs(self, container: HtmlElement) -> list[str]:
        stops = _keys(self.selectors.body_stop_markers)
        stop_texts = set(_keys(self.outlet.stop_texts))
        if not stops and not stop_texts:  # the generic outlet has none
            return body.paragraphs_in(container)
        kept = []
        for text in body.paragraphs_in(container):
            key = normalize_arabic(text[:200])
            if any(key.startswith(stop) for stop in stops):
                break  # related-articles block: everything after it is furniture
            if len(text) >= 200 or key not in stop_texts:
                kept.append(text)
        return kept

    def _generic_paragraphs(self, container: HtmlElement | None) -> list[str]:
        if container is None:
            return []
        headline = self.headline_element
        before, after = body.chunks_around(self.root, container, headline)
        paragraphs = []
        for part in (*before, container, *after):
            paragraphs += self._clean_paragraphs(part)
        if paragraphs and headline is not None:
            shown = visible_text(headline)
            if shown in paragraphs[:3]:  # the container holds the headline: it is no paragraph,
                # nor is what the container prints before it (a photo's caption, a kicker)
                paragraphs = paragraphs[paragraphs.index(shown) + 1:]
        if paragraphs:
            paragraphs[:0] = body.lead_before(
                before[0] if before else container, paragraphs[0], headline
            )
        return paragraphs

    def _jsonld_paragraphs(self) -> list[str]:
        text = title.decode_entities_lines(jsonld.text(self.jsonld.get("articleBody")))
        return [p.strip() for p in text.splitlines() if p.strip()]

    def _trafilatura_paragraphs(self) -> list[str]:
        text = self.trafilatura.get("text") or ""
        return [p.strip() for p in text.splitlines() if p.strip()]

    # --- the rest ---

    @cached_property
    def summary(self) -> str:
        return title.decode_entities(
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
        return list(dict.fromkeys(title.decode_entities(a) for a in found))

    @cached_property
    def dateline(self) -> str:
        """The selectors' dateline, else an element marked as one, else a "Place - Agency" line
        just before the body."""
        if found := self.first_css(self.selectors.dateline):
            return found
        if "dateline" in self.html:
            for el in self.root.xpath(DATELINE_MARKS):
                text = visible_text(el)
                if 0 < len(text) <= body.MAX_DATELINE and not in_furniture(el, bylines=False):
                    return text
        container = self.body_container
        return body.dateline_before(container) if container is not None else ""

    @cached_property
    def dates(self) -> page_dates.PageDates:
        return page_dates.PageDates(
            self.root, url=self.url, metas=self.metas, article=self.jsonld,
            headline=self.headline_element, body=self.body_container, tz=self.outlet.timezone,
            page_title=self.page_title,
        )

    @cached_property
    def published_candidates(self) -> list[tuple[str, str]]:
        """(date_source, raw text) pairs, most trusted source first."""
        selector = [("selector", raw)] if (raw := self.first_css(self.selectors.published)) else []
        return self.dates.published(selector)

    @cached_property
    def updated_candidates(self) -> list[tuple[str, str]]:
        selector = [("selector", raw)] if (raw := self.first_css(self.selectors.updated)) else []
        return self.dates.updated(selector)

    def declared_zone(self) -> str | None:
        """The zone of the UTC offset the page's own timestamps carry (see page_dates)."""
        raws = [raw for source, raw in self.published_candidates if source in ("jsonld", "meta")]
        return page_dates.declared_zone(raws)

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
        """What the page declares (`<html lang>`, `og:locale`, Content-Language, JSON-LD),
        else the outlet's language, else the one most of the body's letters are written in
        when their script says it (Arabic, Chinese, Japanese, Korean)."""
        lang = (
            self.sel.xpath("/html/@lang").get("")
            or self.meta("og:locale", "content-language", "language")
            or jsonld.text(self.jsonld.get("inLanguage"))
            or self.outlet.language
        )
        if not lang:
            letters = [ch for p in self.paragraphs[:5] for ch in p if ch.isalpha()]
            lang = _script_language(letters)
        return lang.replace("_", "-").split("-")[0].lower()

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
