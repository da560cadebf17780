"""The headline: the first source that has one, HTML entities decoded, site names stripped.

Sources in order: the outlet's selectors, OpenGraph `og:title` (else `twitter:title`: the
title the outlet shares, rarely decorated beyond a site name), the JSON-LD headline and the
page's `<h1>`, then `<title>`. When the `<h1>` and the JSON-LD headline (or `twitter:title`)
agree with each other on other words than `og:title` (a social-media wording), the page's own
headline comes first; so does the `<h1>` when `og:title` only adds separated segments to it
("Headline | DW | date", "Headline--Site", "Headline › Site") or a bracketed note
("Headline（写真＝ロイター）"), or both ("Headline（CNET Japan） - Portal": a source label). An
`<h1>` made of a headline and a byline in sibling elements gives its first part.
Site names come from the outlet, `og:site_name`, the JSON-LD publisher, and the
parts of `<title>` around the headline ("headline - Section - Site").
A trailing bracketed segment the `<h1>` lacks is such a note also when a date
("Headline（2020年2月15日）｜Portal"), not only a source label. Without a JSON-LD headline, an
`<h1>` that hAtom names as the entry's title ("entry-title" in its "hentry") stands for it: a
headline rewritten after the metas were set is the page's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from crawler.text import normalize_arabic, strip_prefixes, tokens

# "-", "|", ":" and the breadcrumb arrows ("Headline › Site", "Headline » Section » Site").
_SEPARATORS = re.compile(r"\s+[-–—|:ـ›»]+\s+|\s*[|｜]\s*")
_QUOTES = str.maketrans({**dict.fromkeys("‘’‚‛′`", "'"), **dict.fromkeys("“”„‟″«»", '"')})


def fold_quotes(text: str) -> str:
    """Typographic quotes and apostrophes as ASCII ones: og:title and the printed headline
    often differ only so."""
    return text.translate(_QUOTES)


def decode_entities(text: str) -> str:
    """`&quot;` and friends as characters, twice at most (`&amp;quot;` is common in JSON-LD)."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return " ".join(text.split())


def decode_entities_lines(text: str) -> str:
    """decode_entities, keeping line breaks (JSON-LD `articleBody` separates paragraphs so)."""
    return "\n".join(decode_entities(line) for line in text.splitlines())


def title_site_names(page_title: str, headline: str) -> list[str]:
    """The segments of `<title>` that are not the headline: "X - Section - Site" gives
    ["Section", "Site", "Section - Site"]."""
    if not page_title or not headline:
        return []
    key, whole = normalize_arabic(headline), normalize_arabic(page_title)
    if key not in whole:
        return []
    at = whole.index(key)
    rest = [whole[:at], whole[at + len(key):]]
    names = []
    for part in rest:
        part = part.strip(" -–—|:ـ›»")
        if part:
            names.append(part)
            names.extend(p.strip() for p in _SEPARATORS.split(part) if p.strip())
    return names


def order_headlines(shared: str, structured: str, visible: str,
                    site_names: Iterable[str], tweeted: str = "") -> list[str]:
    """og:title, JSON-LD headline, `<h1>`; the last two first when they agree with each other
    and differ from og:title in words (not just in quotes or a site name); the `<h1>` first
    when twitter:title (`tweeted`, given when og:title is there) says the same words and
    og:title agrees with neither it nor the JSON-LD headline (a share title: two sources
    against one), or when og:title is the same headline typed with other quotes (the printed
    one wins)."""
    names = list(site_names)

    def words(text: str) -> list[str]:
        return tokens(strip_prefixes(decode_entities(text), names))

    if structured and visible and words(structured) == words(visible) != words(shared or ""):
        return [structured, visible, shared]
    if tweeted and visible and words(tweeted) == words(visible) != words(shared or "") and (
        not structured or words(structured) != words(shared or "")
    ):
        return [visible, structured, shared]
    if visible and shared and (_decorates(shared, visible) or (
        shared != visible and fold_quotes(decode_entities(shared)) == fold_quotes(visible)
    )):
        return [visible, structured, shared]
    return [shared, structured, visible]


# A site segment glued to the headline by a separator run without spaces ("--上報").
_GLUED_SEGMENT = re.compile(r"\s*(?:-{2,}|[|｜–—])\s*[^\s|｜][^|｜]{0,30}")
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]{1,40}[)）]\s*$")  # "（写真＝ロイター）"


def _decorates(shared: str, visible: str) -> bool:
    """Whether the shared title is the visible headline plus separated segments (a site
    name, a section, a date: "Headline | DW | 19.01.2020", also glued on: "Headline--Site")
    or a bracketed note at its end (a photo credit: "Headline（写真＝ロイター）"), or both (a
    syndicated story's source label, then the portal: "Headline（CNET Japan） - Portal")."""
    shared = decode_entities(shared)
    if (bare := _TRAILING_NOTE.sub("", shared)) != shared and tokens(bare) == tokens(
        decode_entities(visible)
    ):
        return True
    wanted = tokens(decode_entities(visible))
    glued = shared.removeprefix(" ".join(decode_entities(visible).split()))
    if glued != shared and _GLUED_SEGMENT.fullmatch(glued) and wanted:
        return True  # "Headline--Site": a segment glued on by a separator without spaces
    parts = _SEPARATORS.split(shared)
    if len(parts) < 2 or not wanted:
        return False
    labelled = [tokens(s) for s in parts]  # the parts as they are, or each without a
    bare = [tokens(_TRAILING_NOTE.sub("", s)) for s in parts]  # source label ("（CNET Japan）")
    return any(
        [w for s in segments[:cut] for w in s] == wanted
        or [w for s in segments[cut:] for w in s] == wanted
        for segments in (labelled, bare) for cut in range(1, len(segments))
    )


def choose_title(candidates: Iterable[str], site_names: Iterable[str]) -> str:
    """The first non-empty candidate, decoded and without the site names."""
    names = [n for n in site_names if n]
    for candidate in candidates:
        text = decode_entities(candidate or "")
        if text:
            stripped = strip_prefixes(text, names)
            return stripped or text
    return ""
