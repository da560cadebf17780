"""Normalize: clean display text (NFC, whitespace, invisible marks), strip site-name prefixes,
drop mis-decoded text, canonicalize the URL, and compute the matching keys (content hash,
search text)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from crawler.extraction.decoding import is_garbled
from crawler.items import TEXT_FIELDS, Article
from crawler.text import (
    Words,
    clean_display_text,
    normalize_arabic,
    normalize_paragraphs,
    search_terms_of,
    strip_prefixes,
    tokens,
)
from crawler.urls import canonicalize_url
from pipelines.base import ArticleDropped, Stage


def content_hash(body: str) -> str:
    """Hash of the normalized body: the same text with other hamza or spacing matches."""
    return hash_of_key(normalize_arabic(body))


def hash_of_key(body_key: str) -> str:
    """content_hash() of a body whose key (normalize_arabic) is known already."""
    return hashlib.sha1(body_key.encode("utf-8")).hexdigest()


def _clean_list(values: list[str]) -> list[str]:
    cleaned = (clean_display_text(v) for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))


@lru_cache(maxsize=64)  # an outlet's names, for every article it crawls
def _affix_keys(affixes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(" ".join(tokens(affix)) for affix in affixes)


class NormalizePipeline(Stage):
    @staticmethod
    def only_site_name(title: Words, affixes: tuple[str, ...]) -> bool:
        return " ".join(title.tokens) in _affix_keys(affixes)

    def process_item(self, item: Article) -> Article:
        affixes = self.outlet.title_affixes
        item.title = strip_prefixes(clean_display_text(item.title), affixes)
        if not item.title or self.only_site_name(item.words("title"), tuple(affixes)):
            raise ArticleDropped("missing_title", f"{item.url} (title was only the site name)")
        item.body = normalize_paragraphs(item.body.split("\n\n"))
        if is_garbled(item.title, item.body):  # no charset the page allows read it cleanly
            raise ArticleDropped("garbled_text", f"{item.url} (a third of the text is mis-decoded)")
        item.summary = strip_prefixes(clean_display_text(item.summary), affixes)
        item.dateline = clean_display_text(item.dateline)
        item.authors = _clean_list(item.authors)
        item.tags = _clean_list(item.tags)
        item.canonical_url = canonicalize_url(item.canonical_url or item.url)
        item.alternate_urls = [u for u in dict.fromkeys(item.alternate_urls) if u != item.url]
        item.content_hash = hash_of_key(item.words("body").key)
        item.search_text = search_terms_of(item.words(name) for name in TEXT_FIELDS)
        return item
