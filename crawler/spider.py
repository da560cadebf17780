"""NewsSpider: the crawl logic every outlet shares; an outlet module only declares data.

Discovery: a section's feeds, sitemaps and paginated listings yield article links. The crawl is
incremental: one batched lookup per listing page or feed tells which links are stored already;
those are not fetched, and a listing page that holds nothing new ends that section's
pagination, unless an interrupted crawl of that listing left work behind (crawler/frontier.py:
each walk down a listing records its progress as it goes). `full=1` fetches everything
(revisions are then detected by the dedupe stage). Feeds and sitemaps are read entry by entry
and bounded (crawler/feeds.py), as is every response (crawler/size_guard.py).
Feed and (news) sitemap entries older than the horizon (`max_age_days`), in another
`news:language`, or already stored are skipped before they are fetched. Listing pages that a
section (or every page that an outlet) declares `browser=True` are rendered by
scrapy-playwright (crawler/browser.py); nothing else is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.browser import BrowserUnavailable, find_browser, needs_browser, page_meta
from crawler.crawl_store import crawl_store
from crawler.dates import parse_date
from crawler.extraction import ArticlePage
from crawler.feeds import MAX_ENTRIES, FeedEntry, FeedReader
from crawler.frontier import Frontier, ListingWalk
from crawler.outlet import Outlet, Section
from crawler.progress import SKIPPED_BECAUSE, SKIPPED_SECTION_NAMES, SKIPPED_SECTIONS
from crawler.sections import resolve_sections
from crawler.text import normalize_arabic
from crawler.urls import canonicalize_url, is_same_site

logger = logging.getLogger(__name__)

TRUE_WORDS = {"1", "true", "yes", "on"}
FEED_BATCH = 500  # feed entries parsed, then looked up, at a time


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
        self._feed_thread: ThreadPoolExecutor | None = None
        self.frontier = Frontier(self)

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
        crawler.signals.connect(spider.frontier_closed, signal=signals.spider_closed)
        return spider

    # --- discovery ---

    async def start(self) -> AsyncIterator[scrapy.Request]:
        browser_ok = self.browser_available()
        for key, section in self.sections.items():
            for feed in section.feeds + section.sitemaps:
                yield self.feed_request(self.outlet.absolute(feed), key, priority=10)
            if self.render_meta(section) and not browser_ok:
                self.skip_section(key)
                continue
            for listing in section.listings:
                url = self.outlet.absolute(listing)
                walk = self.frontier.walk(key, url)
                yield self.listing_request(url, key, 1, walk.key)

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
        """True unless this crawl needs a browser and none is installed.

        Not an error: the crawl goes on without the sections that need one, counted as
        skipped, and the summary says why once (`newscrawl/skipped_because`).
        """
        if not self.use_browser or not needs_browser(self.outlet, self.sections.values()):
            return True
        try:
            browser = find_browser(self.settings)
        except BrowserUnavailable as exc:
            logger.warning("%s: %s; its browser sections are skipped", self.name, exc,
                           extra={"spider": self})
            self.crawler.stats.set_value(SKIPPED_BECAUSE, str(exc))
            return False
        logger.info("%s renders some pages with %s", self.name, browser.describe())
        return True

    def skip_section(self, section: str) -> None:
        """A section this crawl cannot crawl: counted and named, for the summary's one warning."""
        stats = self.crawler.stats
        stats.inc_value(SKIPPED_SECTIONS)
        names = stats.get_value(SKIPPED_SECTION_NAMES)
        stats.set_value(SKIPPED_SECTION_NAMES, f"{names}, {section}" if names else section)

    def listing_request(self, url: str, section: str, page: int, walk: str = "") -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_listing, errback=self.section_page_failed,
            cb_kwargs={"section": section, "page": page, "walk": walk},
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

    @property
    def feed_thread(self) -> ThreadPoolExecutor:
        if self._feed_thread is None:
            self._feed_thread = ThreadPoolExecutor(1, thread_name_prefix=f"{self.name}-feeds")
        return self._feed_thread

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
        self, response: Response, section: str, page: int, walk: str = ""
    ) -> AsyncIterator[scrapy.Request]:
        """A listing page: its unstored articles, then the next page, unless pagination ends.

        The walk's progress is recorded (crawler/frontier.py) before any request of this page
        is handed to Scrapy, and an early stop waits until the walk has read past the pages
        that an interrupted crawl of this listing reached.
        """
        self.crawler.stats.inc_value("newscrawl/listing_pages")
        links = self.listing_links(response)
        fresh = await self.unseen(links)
        this_walk = self.frontier.walks.get(walk)
        may_stop = True
        if this_walk is not None:
            await self.frontier.load(this_walk)
            may_stop = this_walk.read_page(page, (canonicalize_url(u) for u in links))
        if links and not fresh and may_stop:
            self.crawler.stats.inc_value("newscrawl/pagination_stopped_early")
            logger.info("%s page %d holds only stored articles: stop paginating", section, page)
            self.end_walk(this_walk)
            return
        if links and not fresh:
            self.crawler.stats.inc_value("newscrawl/frontier/pages_read_again")
        next_url = self.next_page(response) if page < (self.max_pages or 1) else None
        if next_url and self.listing_too_old(response):
            next_url = None
        if this_walk is not None and (fresh or next_url):
            await self.frontier.save(this_walk)
        for url in fresh:
            yield self.article_request(url, section)
        if next_url:
            yield self.listing_request(next_url, section, page + 1, walk)
        else:
            self.end_walk(this_walk)

    def next_page(self, response: Response) -> str | None:
        for href in self.outlet.selectors.next_page:
            next_url = response.css(href).get()
            if next_url:
                return response.urljoin(next_url.strip())
        return None

    @staticmethod
    def end_walk(walk: ListingWalk | None) -> None:
        """Pagination really ended (its record goes once the crawl has finished)."""
        if walk is not None:
            walk.ended = True

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

    def feed_request(self, url: str, section: str, **kwargs: Any) -> scrapy.Request:
        """A feed or sitemap: allowed up to NEWSCRAWL_FEED_MAXSIZE (pages: DOWNLOAD_MAXSIZE)."""
        limit = self.settings.getint("NEWSCRAWL_FEED_MAXSIZE", 50 * 1024 * 1024)
        return scrapy.Request(
            url, callback=self.parse_feed, errback=self.section_page_failed,
            cb_kwargs={"section": section},
            meta={"download_maxsize": limit, "download_warnsize": limit}, **kwargs,
        )

    def section_page_failed(self, failure: Failure) -> None:
        """A listing page, feed or sitemap that cannot be read (an HTTP error status, or no
        answer): what a site that moved or dropped a section looks like, so an error of this
        crawl that names the section, the page and what the server said (Scrapy would only
        note an HTTP error at INFO, and the crawl would pass for a quiet day)."""
        request = failure.request
        if failure.check(HttpError):
            what = f"answered HTTP {failure.value.response.status}"
        elif failure.check(IgnoreRequest):
            return  # dropped on purpose by a middleware, which counted why (size, robots.txt)
        else:
            what = f"could not be fetched ({failure.getErrorMessage()})"
        kind = "feed or sitemap" if request.callback == self.parse_feed else "listing page"
        self.crawler.stats.inc_value("newscrawl/section_page_errors")
        logger.error("%s section %s: %s %s %s", self.name, request.cb_kwargs.get("section"),
                     kind, request.url, what, extra={"spider": self})

    async def parse_feed(self, response: Response, section: str) -> AsyncIterator[scrapy.Request]:
        """Entries are read in batches, each parsed and then looked up off the event loop: a
        sitemap of 50,000 entries neither blocks the crawl nor sits in memory at once."""
        self.crawler.stats.inc_value("newscrawl/feeds")
        reader = FeedReader(response.body, max_entries=self.settings.getint(
            "NEWSCRAWL_FEED_MAX_ENTRIES", MAX_ENTRIES))
        entries, loop = iter(reader), asyncio.get_running_loop()
        seen: set[str] = set()
        # one thread parses every feed (lxml trees stay with the thread that made them)
        while batch := await loop.run_in_executor(self.feed_thread, list,
                                                  islice(entries, FEED_BATCH)):
            async for request in self.feed_batch_requests(batch, section, response, seen):
                yield request
        if reader.truncated:
            self.crawler.stats.inc_value(f"dropped/feed_{reader.truncated}")
            logger.warning("feed %s: read %d entries, the rest dropped (%s)", response.url,
                           reader.count, reader.truncated.replace("_", " "),
                           extra={"spider": self})
        elif not reader.count:
            logger.warning("no entries in feed %s", response.url)
            self.crawler.stats.inc_value("newscrawl/empty_feeds")

    async def feed_batch_requests(
        self, batch: list[FeedEntry], section: str, response: Response, seen: set[str]
    ) -> AsyncIterator[scrapy.Request]:
        by_url: dict[str, FeedEntry] = {}
        for entry in batch:
            if entry.is_sitemap_index:
                # a child sitemap last changed before the horizon lists only older articles
                if self.too_old(parse_date(entry.published_raw, tz=self.outlet.timezone)):
                    self.crawler.stats.inc_value("newscrawl/sitemaps_too_old")
                    continue
                yield self.feed_request(response.urljoin(entry.url), section)
                continue
            if entry.url in seen or not self.is_article_url(entry.url):
                continue
            seen.add(entry.url)
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

    def closed(self, reason: str) -> None:
        if self._feed_thread is not None:
            self._feed_thread.shutdown(wait=False)

    async def frontier_closed(self, spider: scrapy.Spider, reason: str) -> None:
        # spider_closed comes after the pipelines closed: stored is stored, spooled is counted
        await self.frontier.crawl_closed(reason)

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
