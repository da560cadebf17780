"""NewsSpider: the crawl logic every outlet shares; an outlet module only declares data.

Discovery: a section's feeds, sitemaps and paginated listings yield article links. The crawl is
incremental: one batched lookup per listing page or feed tells which links are stored already;
those are not fetched, and a listing page that holds nothing new ends that section's
pagination. `full=1` fetches everything (revisions are then detected by the dedupe stage).
Feed and (news) sitemap entries older than the horizon (`max_age_days`), in another
`news:language`, or already stored are skipped before they are fetched. Listing pages that a
section (or every page that an outlet) declares `browser=True` are rendered by
scrapy-playwright (crawler/browser.py); nothing else is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import Response

from crawler.browser import BrowserUnavailable, find_browser, needs_browser, page_meta
from crawler.crawl_store import crawl_store
from crawler.dates import parse_date
from crawler.extraction import ArticlePage
from crawler.feeds import parse_feed
from crawler.outlet import Outlet, Section
from crawler.sections import resolve_sections
from crawler.text import normalize_arabic
from crawler.urls import canonicalize_url, is_same_site

logger = logging.getLogger(__name__)

TRUE_WORDS = {"1", "true", "yes", "on"}


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in TRUE_WORDS if value is not None else False


class NewsSpider(scrapy.Spider):
    """Base spider. Subclasses set `name` and `outlet` (and `page_class` if the site is odd)."""

    outlet: ClassVar[Outlet]
    page_class: ClassVar[type[ArticlePage]] = ArticlePage

    def __init__(
        self,
        section: str | Iterable[str] | None = None,
        full: Any = False,
        max_pages: Any = None,
        max_age_days: Any = None,
        browser: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.full = _flag(full)
        self.use_browser = None if browser in (None, "") else _flag(browser)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self.max_age = (
            timedelta(days=float(max_age_days)) if max_age_days not in (None, "") else None
        )
        self.requested_sections = section
        self.allowed_domains = list(self.outlet.domains)
        # Canonical URLs found not stored when discovered: the dedupe stage needs not ask again.
        self.unstored: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        overrides = settings.getdict("NEWSCRAWL_OUTLETS").get(cls.name, {}).get("sections", {})
        spider.sections = resolve_sections(cls.outlet, spider.requested_sections, overrides)
        if spider.max_pages is None:
            spider.max_pages = settings.getint("NEWSCRAWL_MAX_PAGES", 20)
        if spider.max_age is None and settings.get("NEWSCRAWL_MAX_AGE_DAYS"):
            spider.max_age = timedelta(days=settings.getfloat("NEWSCRAWL_MAX_AGE_DAYS"))
        spider.full = spider.full or settings.getbool("NEWSCRAWL_FULL")
        if spider.use_browser is None:
            spider.use_browser = settings.getbool("NEWSCRAWL_BROWSER", True)
        return spider

    # --- discovery ---

    async def start(self) -> AsyncIterator[scrapy.Request]:
        browser_ok = self.browser_available()
        for key, section in self.sections.items():
            for feed in section.feeds + section.sitemaps:
                yield scrapy.Request(
                    self.outlet.absolute(feed), callback=self.parse_feed,
                    cb_kwargs={"section": key}, priority=10,
                )
            if self.render_meta(section) and not browser_ok:
                continue  # the error is logged once, by browser_available()
            for listing in section.listings:
                yield self.listing_request(self.outlet.absolute(listing), key, 1)

    # --- the browser, only where the outlet declares it ---

    def render_meta(self, section: Section | None, *, listing: bool = True) -> dict[str, Any]:
        """scrapy-playwright's request meta when this page needs a browser, else {}.

        Listing pages of a `Section(browser=True)` and every HTML page of an
        `Outlet(browser=True)` are rendered; feeds and sitemaps never are.
        """
        if not self.use_browser:
            return {}
        outlet = self.outlet
        timeout = self.settings.getint("NEWSCRAWL_BROWSER_WAIT_MS", 15_000)
        if listing and section is not None and section.browser:
            return page_meta(section.wait_for or outlet.wait_for, timeout_ms=timeout)
        if outlet.browser:
            return page_meta(outlet.wait_for if listing else "", timeout_ms=timeout)
        return {}

    def browser_available(self) -> bool:
        """True unless this crawl needs a browser and none is installed (logged once)."""
        if not self.use_browser or not needs_browser(self.outlet, self.sections.values()):
            return True
        try:
            browser = find_browser(self.settings)
        except BrowserUnavailable as exc:
            logger.error("%s: %s", self.name, exc)
            self.crawler.stats.set_value("newscrawl/errors/browser_unavailable", 1)
            return False
        logger.info("%s renders some pages with %s", self.name, browser.describe())
        return True

    def listing_request(self, url: str, section: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_listing, cb_kwargs={"section": section, "page": page},
            priority=5, meta=self.render_meta(self.sections.get(section)),
        )

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme in ("http", "https")
            and is_same_site(url, self.outlet.domains)
            and bool(self.outlet.article_regex.search(unquote(parts.path)))
        )

    async def unseen(self, urls: list[str]) -> list[str]:
        """The URLs whose canonical form was not stored before this crawl found it (one call
        in a worker thread for the whole page or feed; all when --full). An article this
        crawl found (in a feed, say) and stored since is still unseen on a listing page:
        the crawl's own stores must not end its pagination."""
        if self.full or not urls:
            return urls
        canonical = {url: canonicalize_url(url) for url in urls}
        try:
            known = await asyncio.to_thread(
                crawl_store(self.crawler).existing_canonical_urls,
                set(canonical.values()) - self.unstored,
            )
        except Exception as exc:  # database down: fetch everything, the store stage spools
            logger.warning("stored-article lookup failed (%s); fetching all links", exc)
            self.crawler.stats.inc_value("newscrawl/lookup_errors")
            return urls
        fresh = [url for url in urls if canonical[url] not in known]
        self.unstored.update(canonical[url] for url in fresh)
        self.crawler.stats.inc_value("newscrawl/links_already_stored", len(urls) - len(fresh))
        return fresh

    def too_old(self, published: datetime | None) -> bool:
        return bool(
            self.max_age and published and published < datetime.now(UTC) - self.max_age
        )

    def article_request(self, url: str, section: str, **meta: Any) -> scrapy.Request:
        if self.outlet.browser:
            meta.update(self.render_meta(None, listing=False))
        return scrapy.Request(
            url, callback=self.parse_article,
            cb_kwargs={"section": self.outlet.section_of(url, section)}, meta=meta,
        )

    async def parse_listing(
        self, response: Response, section: str, page: int
    ) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.inc_value("newscrawl/listing_pages")
        links = self.listing_links(response)
        fresh = await self.unseen(links)
        for url in fresh:
            yield self.article_request(url, section)
        if links and not fresh:
            self.crawler.stats.inc_value("newscrawl/pagination_stopped_early")
            logger.info("%s page %d holds only stored articles: stop paginating", section, page)
            return
        if page >= (self.max_pages or 1) or self.listing_too_old(response):
            return
        for href in self.outlet.selectors.next_page:
            next_url = response.css(href).get()
            if next_url:
                yield self.listing_request(response.urljoin(next_url.strip()), section, page + 1)
                break

    def listing_links(self, response: Response) -> list[str]:
        for query in self.outlet.selectors.listing_links:
            urls = [response.urljoin(h.strip()) for h in response.css(query).getall()]
            articles = [u for u in urls if self.is_article_url(u)]
            if articles:
                return list(dict.fromkeys(articles))
        return []

    def listing_too_old(self, response: Response) -> bool:
        """True when the listing's newest dated item is older than the age limit."""
        if not self.max_age or not self.outlet.selectors.listing_dates:
            return False
        dates = [
            parse_date(raw, tz=self.outlet.timezone)
            for query in self.outlet.selectors.listing_dates
            for raw in response.css(query).getall()
        ]
        dates = [d for d in dates if d]
        return bool(dates) and self.too_old(max(dates))

    async def parse_feed(self, response: Response, section: str) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.inc_value("newscrawl/feeds")
        entries = parse_feed(response.body)
        if not entries:
            logger.warning("no entries in feed %s", response.url)
            self.crawler.stats.inc_value("newscrawl/empty_feeds")
        for entry in entries:
            if entry.is_sitemap_index:
                # a child sitemap last changed before the horizon lists only older articles
                if self.too_old(parse_date(entry.published_raw, tz=self.outlet.timezone)):
                    self.crawler.stats.inc_value("newscrawl/sitemaps_too_old")
                    continue
                yield scrapy.Request(
                    response.urljoin(entry.url), callback=self.parse_feed,
                    cb_kwargs={"section": section},
                )
        by_url: dict[str, Any] = {}
        for entry in entries:
            if entry.is_sitemap_index or not self.is_article_url(entry.url):
                continue
            if not self.same_language(entry.language):
                self.crawler.stats.inc_value("newscrawl/feed_entries_other_language")
                continue
            published = parse_date(entry.published_raw, tz=self.outlet.timezone)
            if self.too_old(published):
                self.crawler.stats.inc_value("newscrawl/feed_entries_too_old")
                continue
            by_url.setdefault(entry.url, entry)
        for url in await self.unseen(list(by_url)):
            entry = by_url[url]
            yield self.article_request(
                url, section, discovered_date=(entry.source, entry.published_raw),
                discovered_title=entry.title,
            )

    def same_language(self, language: str) -> bool:
        """A (news) sitemap entry's `news:language` matches the outlet's (or says nothing)."""
        wanted = self.outlet.language.split("-")[0].lower()
        found = language.strip().replace("_", "-").split("-")[0].lower()
        return not found or not wanted or found == wanted

    # --- extraction ---

    def page_section(self, section: str, label: str) -> str:
        """The article's section: as discovered, unless it was found through a catch-all feed
        (a section without listings, e.g. `latest`) and the page names one of our sections."""
        found = self.sections.get(section) or self.outlet.sections.get(section)
        if not label or (found is not None and found.listings):
            return section
        wanted = normalize_arabic(label)
        for key, candidate in self.outlet.sections.items():
            if candidate.listings and normalize_arabic(candidate.label) == wanted:
                return key
        return section

    def parse_article(self, response: Response, section: str) -> Any:
        self.crawler.stats.inc_value("newscrawl/article_pages")
        if not isinstance(response, scrapy.http.TextResponse):
            self.crawler.stats.inc_value("newscrawl/errors/not_html")
            logger.warning("not an HTML page: %s", response.url)
            return None
        page = self.page_class.from_response(response, self.outlet)
        article = page.to_article()
        article.section = self.page_section(section, page.section_label)
        article.run_id = self.settings.get("NEWSCRAWL_RUN_ID", "")
        discovered = response.meta.get("discovered_date")
        if discovered and discovered[1]:
            article.date_candidates.append(tuple(discovered))
        if not article.title and response.meta.get("discovered_title"):
            article.title = response.meta["discovered_title"]  # news:title / the feed's title
        return article
