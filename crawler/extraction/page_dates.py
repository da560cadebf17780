"""Where a page says when it was published: candidates for the timestamps stage.

Each candidate is (date_source, raw text); the timestamps stage parses them in the outlet's zone
and keeps the most trusted readable one. In order of trust:

- `jsonld`: the NewsArticle's `datePublished` (or `dateCreated`), unless it is local time
  labelled UTC (the publication meta, with its offset, reads the same wall clock);
- `meta`: OpenGraph / `article:*` and other publication meta tags, microdata `itemprop`
  (`datePublished`, `dateCreated`), RDFa `property` (`dc:date`, `dcterms:created`...), and
  `<time datetime>` in ISO form outside furniture (a header block right inside `<article>` is
  none; a social network's embedded post, which dates the post, is);
- `text`: a date printed near the headline or just above the body (short text parsed by
  `crawler.dates`), never inside related or most-read lists, comments, tickers or the
  site-wide clock (a date beside the site's search box is one; one in a share bar right
  under the headline is the article's), else a labelled one
  ("Date 19.01.2020") in an info box just under the body, else a date line the body opens
  with; a month and day printed without a year take the URL's year when the URL names that
  day (in its path or a query value: "?a=20170309-…"); an instant in a `title` attribute near
  the headline comes first; failing all, a day
  the page `<title>` gives as one of its parts ("Headline - 07.12.2017 - Outlet"); only looked
  for when no machine-readable source gave a time of day (a date meta in Unix seconds is
  machine-readable), or to replace one that comes more than 14 hours after a printed time by
  the headline (a republication or a CMS import stamps its own date);
- `url`: the day in the URL path (`/2020/8/24/`, `2020-06-03`), the least trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement

from crawler.dates import parse_date_detail, with_year
from crawler.extraction import jsonld
from crawler.extraction.html import (
    following,
    holds,
    in_furniture,
    is_furniture,
    marks,
    short_visible_text,
    tag_of,
    visible_text,
)
from crawler.text import has_digit, normalize_arabic

PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "datepublished", "datecreated", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created", "dc.date",
    "dcterms.date", "dc:date", "dcterms:created", "dcterms:issued", "dcterms:date",
    "citation_publication_date", "article_date_original", "date",
)
UPDATED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified",
    "dcterms.modified", "dcterms:modified", "article_date_updated",
)
PUBLISHED_PROPS = ("datePublished", "dateCreated")
UPDATED_PROPS = ("dateModified",)
RDFA_PUBLISHED = ("dc:date", "dc:created", "dcterms:created", "dcterms:issued", "dcterms:date",
                  "schema:datePublished")
RDFA_UPDATED = ("dcterms:modified", "dc:modified", "schema:dateModified")

MAX_DATE_TEXT = 100  # characters; a date line is short
MAX_DATE_LINE = 50  # characters; a line of the body this short that reads as a date is one
OPENING_LINES = 3  # the body's first <p>s where a date line may stand before the text
TEXT_WINDOW = (15, 80)  # elements before / after the headline looked at for a printed date
BEFORE_BODY = 80  # elements before the body looked at when the headline is far above it
AFTER_BODY = 40  # elements after the body looked at for a labelled date ("Date 19.01.2020")
# Labels of a publication date in an info box (matched on normalize_arabic keys).
DATE_LABEL = re.compile(
    "(?:" + "|".join(re.escape(normalize_arabic(w)) for w in (
        "date", "dated", "published", "posted", "first published", "datum", "veröffentlicht",
        "publié", "publicado", "fecha", "تاريخ النشر", "نشر في", "نشر بتاريخ", "بتاريخ",
        "تاريخ", "نشر",
    )) + r")\b\s*:?\s*\d"
)

_URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?=/|$|\D)"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)(?P<m>\d\d)(?P<d>\d\d)/"),
)
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([+-])(\d\d):?(\d\d)\s*$")
# An instant in an element's `title` (hAtom's `<abbr class="published" title="…">` and kin).
_ISO_INSTANT = re.compile(
    r"(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)"
)
# The page title's parts ("Headline - 07.12.2017 - Outlet"); a part that is a day alone.
_TITLE_PARTS = re.compile(r"\s+[-|–—·:]\s+")
_DAY_PART = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d|(?:19|20)\d\d[./-]\d\d?[./-]\d\d?"
)
UNDER_HEADLINE = 40  # elements after the headline where a printed date may overrule a machine one
MIN_LINK_HEADLINE = 25  # characters; a link this long beside a date is another article's title
MAX_ZONE_GAP = timedelta(hours=14)  # the widest gap one instant can show between two zones
_SEARCH_BOX = (".//input[@type='search'] | .//*[@role='search'] | "
               ".//form[contains(translate(@action, 'SEARCH', 'search'), 'search')]")
_HEADER_WORD = re.compile(r"(?:^|[-_])header$")  # a class word naming a header block
_MACHINE_DAY = re.compile(r"(?:19|20)\d\d-\d\d")  # how a valid `<time datetime>` starts
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")  # Unix seconds (or milliseconds) in a date meta
_EPOCH_YEARS = (1995, 2100)
# A share bar's class words; one among the few siblings right after the headline holds the
# article's own date line and byline beside the buttons.
_SHARE_BAR = re.compile(r"(?:^|[\s_-])(?:share|sharing|social)(?:$|[\s_-])")
SHARE_BAR_SIBLINGS = 3


def _teaser_date(el: HtmlElement | None) -> bool:
    """Whether the block around a printed date also holds a headline-long link: a teaser of
    another article, not the article's own date line."""
    block = el.getparent() if el is not None else None
    if block is None:
        return False
    return any(
        len(visible_text(a)) >= MIN_LINK_HEADLINE for a in block.iter("a") if not holds(a, el)
    )


def _furnished_outside_article_header(el: HtmlElement) -> bool:
    """in_furniture (bylines kept), where a header block right inside the `<article>` is the
    article's own header, not the site's: `article > section.header > time` is its date."""
    node: HtmlElement | None = el
    while node is not None:
        if is_furniture(node, bylines=False) and not _article_header_block(node):
            return True
        node = node.getparent()
    return False


def _article_header_block(node: HtmlElement) -> bool:
    """A `<header>`, or a block whose class or id words end in 'header' ("header",
    "post-tp-1-header": a template's variant of it), right inside the `<article>`."""
    parent = node.getparent()
    return parent is not None and tag_of(parent) == "article" and (
        tag_of(node) == "header" or any(_HEADER_WORD.search(w) for w in marks(node).split())
    )


def meta_table(root: HtmlElement) -> dict[str, str]:
    """Every `<meta>` content by lower-cased name, property or itemprop (first one wins)."""
    table: dict[str, str] = {}
    for el in root.iter("meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            if key:
                table.setdefault(key, content)
    return table


def _first(table: dict[str, str], names: tuple[str, ...]) -> str:
    return next((table[n.lower()] for n in names if table.get(n.lower())), "")


def _marked(root: HtmlElement, attr: str, values: tuple[str, ...]) -> Iterator[str]:
    """Values of elements marked `attr` (itemprop, property) with one of `values`, outside
    furniture: their `content`, `datetime` or text."""
    wanted = set(values)
    for el in root.iterfind(f".//*[@{attr}]"):  # found in C: most elements carry no mark
        marks = el.get(attr)
        if wanted.isdisjoint(marks.split()) or tag_of(el) == "meta":
            continue
        if in_furniture(el, bylines=False):
            continue
        raw = el.get("content") or el.get("datetime") or visible_text(el)
        if raw and raw.strip():
            yield raw.strip()


def from_epoch(raw: str) -> str:
    """A date meta given as Unix seconds or milliseconds ("1158061378") as ISO-8601 UTC, else
    `raw` unchanged (the meta is machine-written: a number there is no article id)."""
    if not _EPOCH.fullmatch(raw):
        return raw
    instant = datetime.fromtimestamp(int(raw[:10]), UTC)
    low, high = _EPOCH_YEARS
    return instant.isoformat() if low <= instant.year < high else raw


# An eight-digit day opening a query value or an id in it ("?a=20170309-35097838-cnetj-sci").
_QUERY_DAY = re.compile(r"(?:^|[=&_-])(?P<y>(?:19|20)\d\d)(?P<m>\d\d)(?P<d>\d\d)(?!\d)")


def url_day(url: str) -> date | None:
    """The day the URL names in its path (url_date), else as an eight-digit date opening a
    value of its query: what a printed month and day without a year must agree with to take
    its year (the query's day is no date candidate of its own)."""
    if path_day := url_date(url):
        return date.fromisoformat(path_day)
    for match in _QUERY_DAY.finditer(unquote(urlsplit(url).query)):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
    return None


def url_date(url: str) -> str:
    """The day a URL path names ("2020-08-24"), or ""."""
    path = unquote(urlsplit(url).path)
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
            return day.isoformat()
    return ""


MISLABEL_SLACK = timedelta(minutes=15)


def mislabelled_utc(marked_utc: str, offset_time: str) -> bool:
    """Whether `marked_utc` ('2020-08-13T09:09:17Z') is local time labelled UTC: another source
    gives the publication with a non-zero offset ('2020-08-13T09:08:08+02:00') and the two read
    the same wall clock (within MISLABEL_SLACK), though they name instants hours apart. Two
    right timestamps of one instant differ on the wall clock by the offset itself."""
    try:
        utc = datetime.fromisoformat(marked_utc.strip().replace("Z", "+00:00"))
        local = datetime.fromisoformat(offset_time.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if utc.utcoffset() != timedelta(0) or local.utcoffset() in (None, timedelta(0)):
        return False
    gap = abs(utc.replace(tzinfo=None) - local.replace(tzinfo=None))
    return gap <= MISLABEL_SLACK < abs(utc - local)


def declared_zone(raws: list[str]) -> str | None:
    """An IANA zone for the UTC offset the page's own timestamps carry ("+04:00" ->
    "Etc/GMT-4"), when it is a whole, non-zero number of hours; else None.

    A zero offset says little (many CMSs print UTC whatever the newsroom's zone)."""
    for raw in raws:
        match = _OFFSET.search(raw)
        if not match:
            continue
        sign, hours, minutes = match.groups()
        if minutes != "00" or hours == "00":
            continue
        offset = int(hours) * (1 if sign == "+" else -1)
        return f"Etc/GMT{-offset:+d}"
    return None


class PageDates:
    """The date candidates of one page (see the module docstring)."""

    def __init__(
        self,
        root: HtmlElement,
        *,
        url: str,
        metas: dict[str, str],
        article: dict[str, Any],
        headline: HtmlElement | None,
        body: HtmlElement | None,
        tz: str,
        page_title: str = "",
    ):
        self.root = root
        self.url = url
        self.metas = metas
        self.article = article
        self.headline = headline
        self.body = body
        self.tz = tz
        self.page_title = page_title

    def structured_published(self) -> Iterator[tuple[str, str]]:
        """Machine-readable candidates, most trusted first, computed one at a time."""
        raw = jsonld.text(self.article.get("datePublished") or self.article.get("dateCreated"))
        meta = from_epoch(_first(self.metas, PUBLISHED_META))
        if raw and not mislabelled_utc(raw, meta):
            yield "jsonld", raw
        if meta:
            yield "meta", meta
        for raw in _marked(self.root, "itemprop", PUBLISHED_PROPS):
            yield "meta", raw
            break
        for raw in _marked(self.root, "property", RDFA_PUBLISHED):
            yield "meta", raw
            break
        if raw := self.time_element():
            yield "meta", raw

    def published(self, selector: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Candidates, most trusted first, up to the first that gives a time of day (the
        timestamps stage would take no later one), or instead of it a printed time well before
        it (earlier_printed); then the printed date when none did; then the day in the URL."""
        found = list(selector)
        if not any(self.timed(raw) for _, raw in found):
            for source, raw in self.structured_published():
                if not self.timed(raw):
                    found.append((source, raw))
                    continue
                printed = self.earlier_printed(raw)  # the machine date a later republication
                found.append(("text", printed) if printed else (source, raw))
                break
            else:
                if raw := self.printed_date() or self.title_date():
                    found.append(("text", raw))
        if raw := url_date(self.url):
            found.append(("url", raw))
        return found

    def updated(self, selector: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The first source that names a modification time (the stage needs no more)."""
        if selector:
            return list(selector)
        if raw := jsonld.text(self.article.get("dateModified")):
            return [("jsonld", raw)]
        if raw := _first(self.metas, UPDATED_META):
            return [("meta", raw)]
        for attr, values in (("itemprop", UPDATED_PROPS), ("property", RDFA_UPDATED)):
            for raw in _marked(self.root, attr, values):
                return [("meta", raw)]
        return []

    def earlier_printed(self, machine: str) -> str:
        """The printed date by the headline, when it gives a time of day more than MAX_ZONE_GAP
        before the machine-readable one: the publication, the machine date a later
        republication or a CMS import ("12.10.2015, 19:16 Uhr" against a 2019 `dateCreated`).
        Closer than that, the two may be one instant read in different zones; and a date
        printed beside a link to another article is that article's (a related list)."""
        stated = parse_date_detail(machine, tz=self.tz)
        el, printed_raw = self.printed_under_headline()
        zone = declared_zone([machine]) or self.tz  # a naive printed time is in the page's zone
        printed = parse_date_detail(printed_raw, tz=zone) if printed_raw else None
        if stated is None or printed is None or not printed.has_time or _teaser_date(el):
            return ""
        return printed_raw if stated.instant - printed.instant > MAX_ZONE_GAP else ""

    def timed(self, raw: str) -> bool:
        parsed = parse_date_detail(raw, tz=self.tz)
        return parsed is not None and parsed.has_time

    def time_element(self) -> str:
        """The `datetime` of the first `<time>` outside furniture (related lists print their
        own) whose value is machine-written (ISO-8601's year and month first): a `datetime` in
        words ('jueves, 09 enero 2014 10:21') is a template printing its own clock, and the
        element's text is looked at as printed text anyway."""
        for el in self.root.iter("time"):
            raw = (el.get("datetime") or "").strip()
            if _MACHINE_DAY.match(raw) and not _furnished_outside_article_header(el):
                return raw
        return ""

    def printed_date(self) -> str:
        """The first short text near the headline that reads as a date, or ""."""
        if self.headline is None:
            return ""
        elements = [el for el in self.root.iter() if isinstance(el.tag, str)]
        try:
            at = elements.index(self.headline)
        except ValueError:
            return ""
        before, after = TEXT_WINDOW
        inside_body = list(self.body.iter()) if self.body is not None else []
        windows = [(elements[max(0, at - before): at + after], False)]
        if inside_body and inside_body[-1] in elements:
            start = elements.index(inside_body[0])
            if start > at + after:  # a byline just above a body far below the headline
                windows.append((elements[max(at + after, start - BEFORE_BODY): start], False))
            end = elements.index(inside_body[-1]) + 1  # an info box under the body
            windows.append((elements[end: end + AFTER_BODY], True))
        skip = set(inside_body) - self._under_headline_in_body()
        for el in windows[0][0]:  # an instant the headline's block carries in a `title`
            if el not in skip and _ISO_INSTANT.fullmatch((el.get("title") or "").strip()) and (
                not self.furnished(el)
            ):
                return el.get("title").strip()
        for window, labelled in windows:
            for el in window:
                if el in skip or el is self.headline or tag_of(el) in ("script", "style"):
                    continue
                text = short_visible_text(el, MAX_DATE_TEXT)
                if text is None or len(text) < 6 or not has_digit(text):
                    continue
                if labelled and not DATE_LABEL.match(normalize_arabic(text)):
                    continue
                if parse_date_detail(text, tz=self.tz) is not None and not self.furnished(el):
                    return text
                if (completed := self.dated_by_url(text)) and not self.furnished(el):
                    return completed
        return self.opening_date_line()

    @cached_property
    def _url_day(self) -> date | None:
        return url_day(self.url)

    def dated_by_url(self, text: str) -> str:
        """A month and day printed without a year, then a time ("March 18 at 3:57 PM",
        "3/9(木) 18:45配信"), written with the year of the URL's day when they name that day;
        else "". The time is then read as any naive printed time is (the page's zone)."""
        day = self._url_day
        completed = with_year(text, day) if day is not None else None
        parsed = parse_date_detail(completed, tz=self.tz) if completed else None
        return completed if parsed is not None and parsed.has_time else ""

    def opening_date_line(self) -> str:
        """A date line the body opens with ('<p>January 18, 2020</p>' before the text): the
        article's date, printed where its text starts (the body drops it as no paragraph)."""
        if self.body is None:
            return ""
        for seen, el in enumerate(self.body.iter("p")):
            if seen >= OPENING_LINES:
                break
            text = short_visible_text(el, MAX_DATE_LINE)
            if text is None:
                break  # a paragraph: the text has begun
            if has_digit(text) and parse_date_detail(text, tz=self.tz):
                return text
        return ""

    def printed_under_headline(self) -> tuple[HtmlElement | None, str]:
        """The first short text among the UNDER_HEADLINE elements after the headline (outside
        the body) that reads as a date, and its element: a shorter look than printed_date's,
        made on every page that has a machine date."""
        if self.headline is None:
            return None, ""
        for walked, el in enumerate(following(self.headline)):
            if walked >= UNDER_HEADLINE:
                break
            if not has_digit(el.text or "") or tag_of(el) in ("script", "style"):
                continue  # a date line prints its digits in its own text
            if self.body is not None and (el is self.body or holds(self.body, el)):
                continue
            text = short_visible_text(el, MAX_DATE_TEXT)
            if text is None or len(text) < 6 or not has_digit(text):
                continue
            if parse_date_detail(text, tz=self.tz) is not None and not self.furnished(el):
                return el, text
        return None, ""

    def furnished(self, el: HtmlElement) -> bool:
        """in_furniture, where a block holding the headline is no furniture whatever its tag
        or class (an article laid out in an `<aside>`): its date line is the article's, as is
        one in the share bar set right under the headline (date, byline and share buttons in
        one block); and a date beside the site's search box is the site's clock."""
        around = self._headline_blocks
        node: HtmlElement | None = el
        while node is not None and node not in around:
            if is_furniture(node, bylines=False) and not self._share_bar_under_headline(node):
                return True
            node = node.getparent()
        return self._beside_search_box(el)

    def _under_headline_in_body(self) -> set[HtmlElement]:
        """The elements of the few blocks right after a headline the body holds: the
        article's header lines (a date line, a byline), not its text."""
        if self.headline is None or self.body is None or not holds(self.body, self.headline):
            return set()
        found: set[HtmlElement] = set()
        for seen, sibling in enumerate(self.headline.itersiblings()):
            if seen >= SHARE_BAR_SIBLINGS:
                break
            found.update(sibling.iter())
        return found

    def _share_bar_under_headline(self, node: HtmlElement) -> bool:
        """A block named as a share bar among the few siblings right after the headline."""
        if self.headline is None or not _SHARE_BAR.search(marks(node)):
            return False
        for seen, sibling in enumerate(self.headline.itersiblings()):
            if seen >= SHARE_BAR_SIBLINGS:
                break
            if sibling is node:
                return True
        return False

    def _beside_search_box(self, el: HtmlElement) -> bool:
        """Whether a small block around `el` (itself, its parent or grandparent, none holding
        the headline) holds a search box: the site's header bar (search, subscribe, today's
        date), where no article prints its date line."""
        node: HtmlElement | None = el
        for _ in range(3):
            if node is None or tag_of(node) in ("body", "html") or node in self._headline_blocks:
                return False
            if node.xpath(_SEARCH_BOX):
                return True
            node = node.getparent()
        return False

    @cached_property
    def _headline_blocks(self) -> set[HtmlElement]:
        return set(self.headline.iterancestors()) if self.headline is not None else set()

    def title_date(self) -> str:
        """A day the page title gives as one of its parts ("Headline - 07.12.2017 - Outlet"),
        the last resort of a page that prints no date."""
        for part in _TITLE_PARTS.split(self.page_title):
            part = part.strip()
            if _DAY_PART.fullmatch(part) and parse_date_detail(part, tz=self.tz) is not None:
                return part
        return ""
