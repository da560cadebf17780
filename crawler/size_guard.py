"""Response sizes are bounded, and what goes over the bound is counted, not silently lost.

Scrapy already stops a download at DOWNLOAD_MAXSIZE bytes (from Content-Length, or while
receiving), and its HttpCompressionMiddleware stops decompressing at the same size (so a gzip
bomb sent with `Content-Encoding: gzip` never inflates past it); both honour a request's
`download_maxsize` meta, which feeds and sitemaps use for their larger limit. What Scrapy does
not do is say so where a user looks: the first is logged as an error like any failed download,
the second only as a warning. This middleware, in HttpCompressionMiddleware's place, turns both
into a dropped response counted as `dropped/response_too_large` (a warning, not an error).
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)

TOO_LARGE = "dropped/response_too_large"


def _decompressed_too_much(exc: IgnoreRequest) -> bool:
    # HttpCompressionMiddleware raises IgnoreRequest from its own size error (Scrapy 2.19)
    return "MaxSize" in type(exc.__cause__).__name__


def _received_too_much(exc: BaseException) -> bool:
    # the HTTP handler cancels a download over the limit: with a "download max size" message
    # when Content-Length announced it, with none when the body grew past it while received
    return isinstance(exc, DownloadCancelledError) and (
        "max size" in str(exc) or not str(exc))


class SizeGuardMiddleware(HttpCompressionMiddleware):
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if _decompressed_too_much(exc):
                self._count()
            raise

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if not _received_too_much(exception):
            return None
        self._count()
        logger.warning("dropped %s: larger than the download limit (%s)", request.url,
                       exception or "cancelled while receiving")
        raise IgnoreRequest(f"{request.url}: larger than the download limit") from exception

    def _count(self) -> None:
        if self.stats is not None:
            self.stats.inc_value(TOO_LARGE)
