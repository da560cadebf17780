"""What the extraction modules share about an lxml tree: visible text, furniture by class and id.

Pages come from strangers: everything here only reads the tree (never edits it, so the title,
body and date finders can look at the same parse), and walks it iteratively with bounded work.
Class words are read whole, split at spaces, "-" and "_": "cap-txt" holds the caption's short
name "cap", "capital" does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

# Never visible text, never part of an article.
INVISIBLE_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "head",
    "select", "option", "textarea", "input", "button", "link", "meta",
})
# Page furniture by its element alone. (Not <form>: ASP.NET pages wrap everything in one.)
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "figure", "figcaption"})

# Class or id words of page furniture: comments, related/most-read lists, share and follow bars,
# ads and promos, tickers, tags, captions and credits, the site-wide clock, modal windows
# (cookie, consent, ad-blocker notices), video players, text only screen readers get, and
# the embed code of a social network's post (its caption, its author, its date).
_FURNITURE_WORDS = (
    r"comments?|comment-?\w+|disqus|related|relateds?|also|read-?more|more-?news|most-?read|"
    r"most-?viewed|popular|trending|recommend\w*|outbrain|taboola|share|sharing|social|"
    r"follow|google-?news|newsletter|subscribe|sidebar|widget|breadcrumbs?|tags?|keywords|"
    r"ads?|advert\w*|gpt-ad|dfp|banner|promo\w*|sponsor\w*|inject|ticker|breaking|"
    r"copyright|print|toolbar|menu|navbar|nav|header|footer|"
    r"gmt|timeband|clock|weather|login|signup|cookie\w*|consent|modal\w*|popup\w*|dialog|adblock\w*|"
    r"video|video-?list|player|latest|next|prev|previous|pagination|pager|slideshow|gallery|"
    r"carousel|slider|screen-?reader-?text|sr-only|visually-?hidden|"
    r"instagram-media|twitter-tweet|twitter-video|tiktok-embed|fb-post|fb-video"
)
# ... and the article's own bylines, dates and captions: furniture in a body, not for dates.
# "cap" is a caption's short name as a word of its own ("cap", "cap-txt", "img-cap"), not
# a drop cap (the styled first letter of the text: "drop-cap", "has-drop-cap").
_BYLINE_WORDS = r"meta|metadata|byline|authors?|writer|source|publish-?date|date|time|info|" \
    r"caption|(?<!drop[-_])cap|credits?"
_FURNITURE_RE = re.compile(rf"(?:^|[\s_-])(?:{_FURNITURE_WORDS})(?:$|[\s_-])")
_BYLINE_RE = re.compile(rf"(?:^|[\s_-])(?:{_BYLINE_WORDS})(?:$|[\s_-])")
# ... where layout words alone ("nav", a CSS framework's list style) do not make the article's
# own byline or date line furniture.
_LAYOUT_RE = re.compile(r"(?:^|(?<=[\s_-]))(?:nav|navbar|toolbar)(?=$|[\s_-])")
# ... unless the same attribute also names the article's text itself ("article-body"), or
# the story's media content ("top-media-content video-media": a video post's text).
_ARTICLE_WORDS_RE = re.compile(
    r"(?:article|entry|post|story|news|media)[-_]*(?:body|content|text|details?)|main-?content|"
    r"body-?text|^content$"
)


_NOT_DISPLAYED = re.compile(r"display\s*:\s*none", re.I)
# The classes a CMS stamps on the article's own element describe the item, not a role
# (WordPress `post_class()`: "hentry tag-elections category-news format-standard"; Drupal:
# "node node-promoted node-published"): they make no furniture of the article.
_ITEM_MARKERS = frozenset({"hentry", "node", "type-post"})
_ITEM_CLASS = re.compile(r"^(?:tag|category|node|status|format|type|author|postid)-")
# A block the page shows on small screens only: the mobile copy of a sidebar box or a promo
# ("a-u-hide-from-desktop", "visible-xs", "d-lg-none"); the article itself shows everywhere.
_MOBILE_ONLY_RE = re.compile(
    r"(?:^|[\s_-])(?:hide-(?:from-|on-)?desktop|hidden-(?:desktop|md|lg)|desktop-hidden|"
    r"mobile-only|only-mobile|visible-xs|d-(?:md|lg)-none)(?:$|\s)"
)
# A class naming the page's grid ("c-fixed-sidebar-layout--140", "article-layout__header-container",
# "has-sidebar") says where blocks sit, not what the element is: its words make no furniture.
_GRID_CLASS = re.compile(r"layout|^(?:has|with)-")
# The article's own header (headline, standfirst, byline, date) is no site header.
_ARTICLE_HEADER_RE = re.compile(
    r"(?:article|entry|post|story|news|content)[-_]*(?:header|head)(?![a-z])"
)


# A CamelCase name's last word (after its last lower-case-to-capital hump) and the rest of
# the name after it ("ArticleRelated_link" gives "Related_link").
_CAMEL_HUMP = re.compile(r"[a-z][A-Z]")
_CAMEL_HEAD = re.compile(r".*[a-z]([A-Z]\S*)$")
_INLINE_TAGS = frozenset({"a", "span", "strong", "b", "em", "i", "small", "font", "abbr",
                          "label", "sup", "sub", "u", "cite", "mark", "time", "img"})


def tag_of(el: HtmlElement) -> str:
    """The lower-case tag name; "" for comments and processing instructions."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def marks(el: HtmlElement) -> str:
    """The element's class and id, lower-cased, for the furniture patterns (without the
    item classes a CMS stamps on an article element). A block's CamelCase name also gives
    its last word, the one that names what the block is ("ArticleRelated_link": "related_link",
    "idgGalleryWidthHelper": "helper"); an inline element's name styles a word of the text,
    unless the element is all its paragraph prints ("<p><span class='photoCredit'>…</p>": a
    credit)."""
    raw_classes, raw_id = el.get("class") or "", el.get("id") or ""
    classes = raw_classes.lower().split()
    if tag_of(el) == "article" or not _ITEM_MARKERS.isdisjoint(classes):
        classes = [c for c in classes if not _ITEM_CLASS.match(c)]
    found = f"{' '.join(classes)} {raw_id}".lower().strip()
    if (_CAMEL_HUMP.search(raw_classes) or _CAMEL_HUMP.search(raw_id)) and (
        tag_of(el) not in _INLINE_TAGS or _whole_paragraph(el)
    ):
        heads = [head[1] for word in f"{raw_classes} {raw_id}".split()
                 if (head := _CAMEL_HEAD.match(word))]
        found = f"{found} {' '.join(heads).lower()}"
    return found


def _whole_paragraph(el: HtmlElement) -> bool:
    """An inline element that is all the text of the `<p>` holding it."""
    parent = el.getparent()
    if parent is None or tag_of(parent) != "p" or (parent.text or "").strip():
        return False
    return all(
        child is el or not (child.tail or "").strip() and not visible_text(child)
        for child in parent
    ) and not (el.tail or "").strip()


def is_furniture(el: HtmlElement, *, bylines: bool = True) -> bool:
    """Furniture by tag, or by class/id words that do not also name the article's text;
    `bylines=False` keeps the article's own date and byline elements."""
    tag = tag_of(el)
    if not tag or tag in INVISIBLE_TAGS or tag in FURNITURE_TAGS:
        return True
    if tag in ("body", "html"):  # the page itself: its classes describe the page ("paywall")
        return False
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if "none" in (style := el.get("style") or "") and _NOT_DISPLAYED.search(style):
        return True
    if _MOBILE_ONLY_RE.search(marks(el)):
        return True
    words = _ARTICLE_HEADER_RE.sub(" ", " ".join(
        word for word in marks(el).split() if not _GRID_CLASS.search(word)
    ))
    if not words.strip() or _ARTICLE_WORDS_RE.search(words):
        return False
    if not bylines and _BYLINE_RE.search(words):  # "nav meta": a list styled as a nav bar
        return bool(_FURNITURE_RE.search(_LAYOUT_RE.sub(" ", words)))
    return bool(_FURNITURE_RE.search(words) or bylines and _BYLINE_RE.search(words))


def following(el: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after `el` in document order (not inside it)."""
    node: HtmlElement | None = el
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter()
        node = node.getparent()


def holds(node: HtmlElement, el: HtmlElement) -> bool:
    """Whether `el` sits inside `node`."""
    return any(ancestor is node for ancestor in el.iterancestors())


def squash(text: str) -> str:
    """Whitespace runs (NBSP included) to one space, trimmed."""
    return " ".join(text.split())


def visible_text(el: HtmlElement, *, skip_furniture: bool = False) -> str:
    """The element's text without scripts and styles (and without furniture when asked)."""
    return squash(" ".join(_texts(el, skip_furniture)))


def short_visible_text(el: HtmlElement, limit: int) -> str | None:
    """visible_text when it is at most `limit` characters, else None, found without reading
    the rest of a large element (the date finders look at many)."""
    pieces, length = [], 0
    for piece in _texts(el, False):
        length += len(piece.strip())
        if length > limit:
            return None
        pieces.append(piece)
    text = squash(" ".join(pieces))
    return text if len(text) <= limit else None


def _texts(el: HtmlElement, skip_furniture: bool) -> Iterator[str]:
    stack: list[tuple[HtmlElement, bool]] = [(el, False)]
    while stack:
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                yield node.tail
            continue
        tag = tag_of(node)
        hidden = not tag or tag in INVISIBLE_TAGS or (
            skip_furniture and node is not el and is_furniture(node)
        )
        if node is not el:
            stack.append((node, True))  # its tail comes after its content
        if hidden:
            continue
        if node.text:
            yield node.text
        stack.extend((child, False) for child in reversed(node))


def link_text_length(el: HtmlElement) -> int:
    return sum(len(visible_text(a)) for a in el.iter("a"))


def in_furniture(el: HtmlElement, *, bylines: bool = True) -> bool:
    """Whether the element or one of its ancestors is furniture (see is_furniture)."""
    node: HtmlElement | None = el
    while node is not None:
        if is_furniture(node, bylines=bylines):
            return True
        node = node.getparent()
    return False
