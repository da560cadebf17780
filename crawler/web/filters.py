"""The query-string filters of the articles and runs views, shared by the pages and the API.

Articles take `newscrawl query`'s options under the same names (outlet, section, topic, since,
until, search, unique_stories, limit), read by `crawler.query`; a bad value raises QueryError
with the option's name, which the API answers with 400 and a page shows above its form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Query

from crawler.query import ArticleQuery, QueryError, parse_instant
from scheduler.history import STATUSES

PAGE_SIZE = 20
RUN_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def given(values: list[str] | None) -> list[str]:
    """Repeated parameters without the empty ones an HTML form sends for "all"."""
    return [v.strip() for v in values or [] if v and v.strip()]


def shown(params: dict[str, object]) -> dict[str, object]:
    """Parameters worth a place in a link: given ones, and the page from the second on."""
    return {k: v for k, v in params.items()
            if v not in ("", [], None) and not (k == "page" and v == 1)}


def instant(value: str | None, option: str) -> datetime | None:
    return parse_instant(value, option) if value and value.strip() else None


@dataclass
class ArticleFilters:
    """The articles' filters as given (echoed back into the page's form and its links)."""

    outlet: list[str]
    section: list[str]
    topic: list[str]
    since: str
    until: str
    search: str
    unique_stories: bool
    limit: int
    page: int

    def query(self) -> ArticleQuery:
        """The ArticleQuery of these filters; QueryError names a bad option."""
        return ArticleQuery(
            outlets=given(self.outlet), sections=given(self.section), topics=given(self.topic),
            since=instant(self.since, "since"), until=instant(self.until, "until"),
            search=self.search.strip(), limit=self.limit, unique_stories=self.unique_stories)

    def params(self, **changes: object) -> dict[str, object]:
        """Query-string parameters for a link (a page of the same filters)."""
        values: dict[str, object] = {
            "outlet": given(self.outlet), "section": given(self.section),
            "topic": given(self.topic), "since": self.since, "until": self.until,
            "search": self.search, "unique_stories": "true" if self.unique_stories else "",
            "limit": self.limit if self.limit != PAGE_SIZE else "", "page": self.page,
            **changes}
        return shown(values)


def article_filters(
    outlet: Annotated[list[str] | None, Query(description="Outlet (spider); repeatable.")] = None,
    section: Annotated[list[str] | None, Query(description="Section key; repeatable.")] = None,
    topic: Annotated[list[str] | None, Query(description="Topic; repeatable.")] = None,
    since: Annotated[str, Query(description="Published at or after: ISO date or an age "
                                            "(30m, 6h, 2d, 1w).")] = "",
    until: Annotated[str, Query(description="Published at or before (same forms).")] = "",
    search: Annotated[str, Query(description="Words that title or body must all contain "
                                             "(Arabic spelling variants ignored).")] = "",
    unique_stories: Annotated[bool, Query(description="One article per story.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Articles a page.")] = (
        PAGE_SIZE),
    page: Annotated[int, Query(ge=1, description="Page, from 1.")] = 1,
) -> ArticleFilters:
    return ArticleFilters(outlet or [], section or [], topic or [], since, until, search,
                          unique_stories, limit, page)


@dataclass
class RunFilters:
    job: str
    status: str
    since: str
    until: str
    limit: int
    page: int

    def check(self) -> tuple[datetime | None, datetime | None]:
        """The time range; QueryError for a bad status or time."""
        if self.status and self.status not in STATUSES:
            raise QueryError(f"status {self.status!r}: expected one of {', '.join(STATUSES)}")
        return instant(self.since, "since"), instant(self.until, "until")

    def params(self, **changes: object) -> dict[str, object]:
        values: dict[str, object] = {
            "job": self.job, "status": self.status, "since": self.since, "until": self.until,
            "limit": self.limit if self.limit != RUN_PAGE_SIZE else "", "page": self.page,
            **changes}
        return shown(values)


def run_filters(
    job: Annotated[str, Query(description="Only this job.")] = "",
    status: Annotated[str, Query(description=f"Only this status ({', '.join(STATUSES)}).")] = "",
    since: Annotated[str, Query(description="Started at or after: ISO date or an age.")] = "",
    until: Annotated[str, Query(description="Started at or before (same forms).")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Runs a page.")] = (
        RUN_PAGE_SIZE),
    page: Annotated[int, Query(ge=1, description="Page, from 1.")] = 1,
) -> RunFilters:
    return RunFilters(job.strip(), status.strip(), since, until, limit, page)

