"""Scrapy settings for newscrawl (`scrapy.cfg` points here; `newscrawl crawl` uses them too).

Plain values only: newscrawl.toml is read when a crawl is set up, by the spider loader and the
add-on below (crawler/spiderloader.py), never when this module is imported.
"""

from crawler.items import STORED_FIELDS

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# The spider modules plus the outlets declared in newscrawl.toml ([outlets.NAME]); the add-on
# sets NEWSCRAWL_TOPICS from its [topics.NAME] tables (so it is not set here).
SPIDER_LOADER_CLASS = "crawler.spiderloader.OutletSpiderLoader"
COMMANDS_MODULE = "crawler.scrapy_commands"  # `scrapy crawl` checks newscrawl.toml first
ADDONS = {"crawler.spiderloader.ConfigurationAddon": 0}

USER_AGENT = "newscrawl/0.1 (news archive crawler; polite; respects robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many tasks for every response, whatever it yields; an article page yields
# one item and a listing a few dozen requests, and 100 (the default) cost a crawl of 600
# articles ~0.7 s of CPU in task start-up alone (bench/RESULTS.md, issue 9).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl SPIDER -O F.jsonl` exports what `newscrawl query --format jsonl` prints: the
# stored fields (none of the stages' working fields), instants in UTC with `Z`.
FEED_EXPORT_FIELDS = list(STORED_FIELDS)
FEED_EXPORTERS = {
    "json": "crawler.export.ArticleJsonExporter",
    "jsonl": "crawler.export.ArticleJsonLinesExporter",
    "jsonlines": "crawler.export.ArticleJsonLinesExporter",
}
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

# Requests to outlets go through the replica router; it is transparent unless
# NEWSCRAWL_REPLICA_URL (or the spider argument `replica`) names a replica site.
DOWNLOAD_HANDLERS = {
    "http": "crawler.replica_routing.ReplicaRoutingHandler",
    "https": "crawler.replica_routing.ReplicaRoutingHandler",
}
NEWSCRAWL_REPLICA_URL = ""
# The HTTP handler under the router: scrapy-playwright's, started only on the first request
# that asks for a browser (crawler/browser.py); every other request is plain HTTP/1.1.
NEWSCRAWL_HTTP_HANDLER = "crawler.browser.BrowserDownloadHandler"

# JavaScript rendering, only for sections/outlets that declare `browser=True`.
NEWSCRAWL_BROWSER = True  # False: render nothing (script-inserted links are then missed)
NEWSCRAWL_BROWSER_EXECUTABLES = ["/usr/bin/chromium", "chromium", "chromium-browser"]
NEWSCRAWL_BROWSER_WAIT_MS = 15000  # how long a page may take to show its `wait_for` selector
NEWSCRAWL_BROWSER_CONTEXT_PAGES = 200  # pages per browser context before a fresh one
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {}  # merged over what crawler.browser finds (executable, flags)
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.abort_request"
# Scrapy's headers on navigation requests (so the replica router's X-Newscrawl-Host reaches the
# replica through Chromium); other in-page requests keep the browser's own headers.
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "scrapy_playwright.headers.use_scrapy_headers"

# Sizes, against hostile or broken sites (crawler/size_guard.py): a page of more than
# DOWNLOAD_MAXSIZE, as sent or once decompressed, is dropped and counted as
# `dropped/response_too_large`; feeds and sitemaps may reach NEWSCRAWL_FEED_MAXSIZE (the sitemap
# protocol's 50 MB) and are read entry by entry, at most NEWSCRAWL_FEED_MAX_ENTRIES of them.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
NEWSCRAWL_FEED_MAXSIZE = 50 * 1024 * 1024
NEWSCRAWL_FEED_MAX_ENTRIES = 50_000
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.size_guard.SizeGuardMiddleware": 590,
}

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.timestamps.TimestampsPipeline": 300,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.limit.LimitPipeline": 450,
    "pipelines.topics.TopicsPipeline": 475,  # before stories: topics are story evidence
    "pipelines.stories.StoriesPipeline": 500,
    "pipelines.store.StorePipeline": 900,
}
EXTENSIONS = {"crawler.progress.CrawlProgress": 500, "crawler.run_record.RunRecord": 510}

NEWSCRAWL_MAX_PAGES = 20  # listing pages per section and crawl
NEWSCRAWL_MAX_AGE_DAYS = None  # skip feed entries and stop listings older than this
NEWSCRAWL_FULL = False  # True: fetch stored articles again (revisions)
NEWSCRAWL_STORE_BATCH = 50
NEWSCRAWL_STORE_FLUSH_S = 2.0
NEWSCRAWL_STORE_RETRIES = 5
NEWSCRAWL_STORE_BACKOFF_S = 0.5
NEWSCRAWL_PROGRESS = False
NEWSCRAWL_RUN_ID = ""

# Section overrides for one crawl, as [outlets.<spider>.sections.<key>] tables in JSON
# (`-s NEWSCRAWL_OUTLETS='{"hespress": {"sections": {...}}}'`), over newscrawl.toml's.
NEWSCRAWL_OUTLETS: dict = {}
