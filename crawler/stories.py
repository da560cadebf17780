"""Reading stories: the articles that share a `story_id`, grouped (behind `newscrawl stories`).

Stories are plain fields of `articles` (`story_id`, `duplicate_of`), so any MongoDB client can
group them; this module does it with the queries the embedded server answers fast: one indexed
range query on `published_at` for the window and the two days before it, grouped here in Python
(the server scans the whole collection for `$in`, `$or`, `$group` and `count_documents`).

An article only joins stories with an article published within two days of it, so the reports
of a story are never more than two days apart: a story whose earliest report in the range is
after `since` has no report before the range. Only the stories that may reach further (a report
in those two days before `since`, or near `until`) are read whole, by their indexed `story_id`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crawler.store import Store

LOOKBACK = timedelta(days=2)  # crawler.similarity.WINDOW (not imported: it pulls numpy in)
ARTICLE_FIELDS = {"_id": 0, "story_id": 1, "canonical_url": 1, "url": 1, "outlet": 1,
                  "title": 1, "section": 1, "topics": 1, "published_at": 1, "crawled_at": 1,
                  "duplicate_of": 1}


def _when(article: dict[str, Any]) -> datetime | None:
    return article.get("published_at") or article.get("crawled_at")


def _order(article: dict[str, Any]) -> tuple[bool, datetime | str, str]:
    when = _when(article)
    return (when is None, when or "", article.get("outlet", ""))


@dataclass
class Story:
    """One story and its articles, oldest first."""

    story_id: str
    articles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.articles[0]

    @property
    def outlets(self) -> list[str]:
        """Outlets in the order they reported the story."""
        return list(dict.fromkeys(a.get("outlet", "") for a in self.articles))

    @property
    def last_published(self) -> datetime | None:
        return max((w for a in self.articles if (w := _when(a))), default=None)

    def kind(self, article: dict[str, Any]) -> str:
        """first (the earliest report), copy (a near-verbatim copy), or rewrite."""
        if article is self.first:
            return "first"
        return "copy" if article.get("duplicate_of") else "rewrite"

    def summary(self) -> dict[str, Any]:
        """The plain record of `newscrawl stories --format jsonl`."""
        return {"story_id": self.story_id, "outlets": self.outlets,
                "articles": len(self.articles), "first_outlet": self.first.get("outlet", ""),
                "first_published_at": _when(self.first), "first_title": self.first.get("title", ""),
                "first_url": self.first.get("canonical_url", ""),
                "last_published_at": self.last_published}


@dataclass
class StoryQuery:
    """Stories with an article published in [since, until], newest activity first."""

    since: datetime
    until: datetime | None = None
    topics: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    min_outlets: int = 2
    limit: int = 20

    def _range(self, store: Store) -> dict[str, list[dict[str, Any]]]:
        """The articles of the window and of the two days before it, by story."""
        span: dict[str, Any] = {"$gte": self.since - LOOKBACK}
        if self.until:
            span["$lte"] = self.until
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for article in store.articles.find({"published_at": span}, ARTICLE_FIELDS):
            if article.get("story_id"):
                grouped[article["story_id"]].append(article)
        return grouped

    def _may_reach_further(self, articles: list[dict[str, Any]]) -> bool:
        if min(a["published_at"] for a in articles) < self.since:
            return True
        return bool(self.until and max(a["published_at"] for a in articles)
                    > self.until - LOOKBACK)

    def _wanted(self, story: Story) -> bool:
        if len(story.outlets) < self.min_outlets:
            return False
        if self.outlets and not set(story.outlets) & set(self.outlets):
            return False
        return not self.topics or any(set(a.get("topics") or ()) & set(self.topics)
                                      for a in story.articles)

    def run(self, store: Store) -> list[Story]:
        grouped = self._range(store)
        newest = sorted(grouped, key=lambda sid: max(a["published_at"] for a in grouped[sid]),
                        reverse=True)
        stories: list[Story] = []
        for story_id in newest:
            articles = grouped[story_id]
            if all(a["published_at"] < self.since for a in articles):
                break  # newest first: every story from here on ended before the window
            if len({a.get("outlet") for a in articles}) < self.min_outlets and not (
                    self._may_reach_further(articles)):
                continue  # the common case, a story of one outlet: no query
            story = (read_story(store, story_id) if self._may_reach_further(articles)
                     else Story(story_id, sorted(articles, key=_order)))
            if self._wanted(story):
                stories.append(story)
                if self.limit and len(stories) >= self.limit:
                    break
        return stories


def read_story(store: Store, story_id: str) -> Story:
    """Every article of one story (one indexed query), oldest first; empty when unknown."""
    articles = sorted(store.articles.find({"story_id": story_id}, ARTICLE_FIELDS), key=_order)
    return Story(story_id, articles)
