"""Scrapy's feed exports (`scrapy crawl SPIDER -O F.jsonl`) in the shape `newscrawl query` prints.

FEED_EXPORT_FIELDS (settings) limits them to the stored fields, in their documented order;
these exporters write instants as ISO-8601 UTC with `Z`, as every JSON newscrawl writes.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import JsonItemExporter, JsonLinesItemExporter

from crawler.jsonio import to_jsonable


class _InstantsWithZ:
    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return to_jsonable(value)


class ArticleJsonLinesExporter(_InstantsWithZ, JsonLinesItemExporter):
    """`-O F.jsonl`: one stored article a line."""


class ArticleJsonExporter(_InstantsWithZ, JsonItemExporter):
    """`-O F.json`: one array of stored articles."""
