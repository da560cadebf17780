"""Timestamps: published_at / updated_at in UTC from the outlet's timezone, and crawled_at.

Rule when sources disagree: sources are ranked by trust (jsonld, meta, selector, feed, sitemap,
text, url: a date printed near the headline before the bare day in the URL); the most trusted
readable date wins, unless it carries no time of day and a less trusted source gives a time on
the same day, which is then more precise and taken instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.dates import ParsedDate, parse_date_detail, utc_now
from crawler.items import DATE_SOURCES, Article
from pipelines.base import Stage

SAME_DAY = timedelta(hours=36)  # a date-only value and a timed one within this are one day
TRUST = ("jsonld", "meta", "selector", "feed", "sitemap", "text", "url")  # most trusted first
assert set(TRUST) == set(DATE_SOURCES)


def pick_date(
    candidates: list[tuple[str, str]], *, tz: str, now: datetime,
    read: dict[str, ParsedDate | None] | None = None,
) -> tuple[datetime, str, str] | None:
    """(instant, source, raw) of the best candidate, or None when none reads as a date.
    `read`: the dates read already with this `tz` and `now`, by raw text (a page often gives
    the same text as its published and its updated date), and where to keep new ones."""
    read = {} if read is None else read
    parsed = []
    for source, raw in candidates:
        if raw in read:
            detail = read[raw]
        else:
            detail = read[raw] = parse_date_detail(raw, tz=tz, now=now)
        if detail is not None:
            rank = TRUST.index(source) if source in TRUST else len(TRUST)
            parsed.append((rank, detail, source, raw))
    if not parsed:
        return None
    parsed.sort(key=lambda p: p[0])
    _, best, source, raw = parsed[0]
    if not best.has_time:
        for _, other, other_source, other_raw in parsed[1:]:
            if other.has_time and abs(other.instant - best.instant) <= SAME_DAY:
                return other.instant, other_source, other_raw
    return best.instant, source, raw


class TimestampsPipeline(Stage):
    def process_item(self, item: Article) -> Article:
        now = utc_now()
        tz = self.outlet.timezone
        item.crawled_at = now
        read: dict[str, ParsedDate | None] = {}  # parse_date_detail depends on text, tz, now
        published = pick_date(item.date_candidates, tz=tz, now=now, read=read)
        if published:
            item.published_at, item.date_source, item.published_at_raw = published
        else:
            self.count("newscrawl/missing_published_at")
        updated = pick_date(item.updated_candidates, tz=tz, now=now, read=read)
        if updated and (item.published_at is None or updated[0] > item.published_at):
            item.updated_at = updated[0]
        return item
