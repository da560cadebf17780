"""Point a crawl at the local replica site with one setting, never with code changes.

With NEWSCRAWL_REPLICA_URL (or the spider argument `replica`) set, this download handler sends
every request to the replica server instead, naming the outlet's host in `X-Newscrawl-Host`,
and hands back the response under the original URL. Everything above the handler (robots.txt,
dedupe, redirects, the stored `url` and `canonical_url`) sees the outlet's real URLs.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler, load_object

HOST_HEADER = "X-Newscrawl-Host"
DEFAULT_INNER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


def replica_url_for(url: str, replica: str) -> str:
    """The replica address of an outlet URL (same path and query)."""
    parts, base = urlsplit(url), urlsplit(replica)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))


class ReplicaRoutingHandler(BaseDownloadHandler):
    """Wraps the real HTTP handler (`NEWSCRAWL_HTTP_HANDLER`, default Scrapy's HTTP/1.1)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        inner = crawler.settings.get("NEWSCRAWL_HTTP_HANDLER") or DEFAULT_INNER
        self.inner = build_from_crawler(load_object(inner), crawler)
        self.lazy = getattr(self.inner, "lazy", False)

    def replica(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "replica", None) or self.crawler.settings.get(
            "NEWSCRAWL_REPLICA_URL", ""
        )

    async def download_request(self, request: Request) -> Response:
        replica = self.replica()
        host = urlsplit(request.url).hostname or ""
        if not replica or host == urlsplit(replica).hostname:
            return await self.inner.download_request(request)
        routed = request.replace(url=replica_url_for(request.url, replica))
        routed.headers[HOST_HEADER] = host
        response = await self.inner.download_request(routed)
        return response.replace(url=request.url)

    async def close(self) -> None:
        await self.inner.close()
