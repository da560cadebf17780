"""Turning one article page into one Article: page objects and the generic extraction chain."""

from crawler.extraction.article_page import ArticlePage

__all__ = ["ArticlePage"]
