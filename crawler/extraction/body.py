"""The article body of a page nobody wrote selectors for.

1. The container: every paragraph of text (a `<p>`, a `<div>` holding only inline text, or
   text split by `<br><br>` inside a block) scores its parent, and half of it its grandparent;
   the best-scoring element outside page furniture is the body (readability's idea, without its
   tree surgery). Blocks holding the headline are no furniture, nor are the blocks inside them
   named with their first class word ("banner-section" > "banner-text"; from the outermost
   block so named: "PageArticle" > "PageArticle_commentHeader" > h1, "PageArticle_commentLead"),
   for the container and for the intro under the headline alike. A page with no container
   outside furniture (and no JSON-LD text) has it inside the one furniture block holding most
   of its prose ("share-zone" around the whole text): that block is the article's. On a page
   printing several whole articles (each an `<article>` with its own headline), the body is
   the best block of the headline's `<article>`.
2. Its paragraphs, in document order: `<p>`, headings, quotes, and runs of text separated by
   two `<br>` (or one after a full stop, not one inside bold text: an interview's question and
   its answer in one `<p>`); furniture inside the container (injected related links, ads, share
   and follow bars, captions, dialog boxes, a social network's embedded post, a `<div>` or
   `<p>` holding a picture and its caption, a data table: header cells, its own or those of the
   run of sibling tables it belongs to, and no cell of prose; a box of links to other stories
   with its short heading, "Новости по теме": a related-story label, as are "Читайте также"
   and "по теме:"; a short box floated beside the text, "div.izquierda" around a pull quote or
   a chart; a profile card of "Label: value" rows, "Company:", "Website:", with its blurb) is
   skipped; a block's CamelCase
   class reads by its last word ("ArticleRelated": related), as does an inline element's that
   is all its `<p>` prints ("<p><span class='photoCredit'>": a credit). Paragraphs split over
   sibling blocks (an ad slot between each) make their shared ancestor the body; blocks of the
   container's own tag and class (or of the classed block that only wraps it) elsewhere after
   the headline (a template that cuts the body into chunks between cards or photos) continue
   it, unless they sit in another `<article>` with a headline of its own.
3. A lead paragraph just before the container (a standfirst outside it), or an intro between
   the headline and the container (a `<p>`, a block marked as a standfirst: "dek", "excerpt",
   "abstract", "chapo"..., "subtitle" or "podtitle", "subtitulo", "sottotitolo", "sous-titre",
   "untertitel" on a `<p>`, `<h2>` or `<h3>` or on a block of one paragraph ("x__lead", a quote
   in "#sumario", "story_kicker": "kicker" read after the headline only; a marked block beside
   the headline gives all its decks: two `<h2>` in "#subtitulo_noticia"), "description" on a
   `<p>` (not a picture's: "image-description"),
   full stop or not, the `<h2>` right under the headline, or a text block of the article's
   `<header>`), is kept; a lead picture's caption is none, nor is a bullet summary (list
   items above the container's first `<p>`). The
   lead reads as the paragraphs do (a link joined to the comma after it), without the stamp it
   opens with ("<time>16:45</time> Se realizarán …", a bare clock time).
4. Furniture that only its text gives away is dropped: "read also" lines ("MUST READ | …",
   "Lesen Sie auch", "Mira también"), link-only paragraphs and pointers to an annex ("Voir en
   annexe : …"), promos ("follow us on Google News", "Síguenos en Facebook", "download our
   app"), a donation appeal closed by its call ("… Jetzt unterstützen!", at any length), share
   prompts and call-outs for readers' photos or to discuss the piece on a social network,
   comment rules and disclaimers (affiliate links), credits ("原标题：…"), source lines, a labelled
   caption ("Header Image: …", "Caption: …", "图注：…"), a note on the piece's versions ("This
   is the extended version of an interview …"), reference lines ("More information: …"),
   tags lines, bylines (a line that is only "Por NAME" or "Written by: NAME"), a dateline alone
   ("Rheine (ots)"), contributors' lines ("… in Paris contributed.") and wire sign-offs
   ("(END)"; one glued to a paragraph's last full stop is cut off, the paragraph kept); a
   "related articles" or "most read" heading ("【熱門點閱】"), an "about the author" heading, a
   copyright line, a wire story's credits ("(Reporting by …; editing by …)") or, after some
   text, a closing credit ("Con información de …", "With reporting by …") end the body, as
   does a closing reading list (a "read also" label alone, then at most five paragraphs, each
   with a link); a closing author box (the name as a heading, then the bio going on from it:
   "Dr. Thomas Schulte" / "ist Gründungspartner …") is none; a short closing paragraph mostly
   in italics is a note (an author's bio, "more in today's paper"), not text, as is an italic
   note on the piece itself ("This article builds on …") and a closing thanks list, as is a
   closing contact block (a short line ending in a colon, "Rückfragen bitte an:", then no
   sentence: a phone, a credit).

`paragraphs_in(container)` serves outlets whose selectors name the container too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from lxml.html import HtmlElement

from crawler.dates import parse_date
from crawler.extraction.html import (
    INVISIBLE_TAGS,
    following,
    holds,
    is_furniture,
    link_text_length,
    marks,
    short_visible_text,
    squash,
    tag_of,
    visible_text,
)
from crawler.text import has_digit, normalize_arabic

MIN_PARAGRAPH = 25  # characters; shorter text does not vote for a container
MIN_LEAD = 60  # a lead paragraph outside the container is at least a sentence
MAX_LINK_SHARE = 0.5  # a paragraph mostly made of links is a link list
MAX_FURNITURE = 300  # characters; furniture recognised by its words is shorter than this
MAX_DATE_LINE = 50  # characters; a paragraph this short that reads as a date is a date line

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
    "li", "blockquote", "table", "tbody", "thead", "tr", "td", "th", "pre", "dl", "dt", "dd",
    "hr", "center", "address", "header", "figure", "figcaption", "aside", "nav", "footer",
    "form", "details", "summary",
})
PARAGRAPH_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "li", "dd"})
SENTENCE_END = (".", "!", "?", "؟", "…", ":", "»", '"', "”")

BREAK = object()  # a block boundary
LINE = object()  # one <br>


def _marker_re(markers: Iterable[str]) -> re.Pattern[str]:
    keys = sorted({normalize_arabic(m) for m in markers}, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


# Furniture that only its words give away (matched on normalize_arabic keys); Russian and
# Ukrainian "read also" and "(news) on the topic" labels with a colon or as a whole phrase.
READ_ALSO = _marker_re([
    "اقرأ أيضا", "اقرأ ايضا", "إقرأ أيضا", "اقرأ أيضًا", "اقرأ المزيد", "طالع أيضا", "شاهد أيضا",
    "شاهد ايضا", "اقرأ كذلك", "قد يهمك", "قد يعجبك", "ربما يهمك", "يمكنك أيضا قراءة",
    "read also", "read more", "see also", "related:", "also read", "you may also like",
    "recommended stories", "recommended articles", "recommended for you", "recommended reading",
    "see more photos", "see more pictures", "more photos:", "must read", "read |", "read:",
    "lire aussi", "à lire aussi", "a lire aussi", "à lire également", "voir aussi",
    "lesen sie auch", "siehe auch", "lee también",
    "lea también", "mira también", "ver también", "vea también", "leia também", "veja também",
    "leggi anche", "vedi anche", "voir en annexe", "voir l'annexe", "see appendix",
    "see the appendix", "see annex", "siehe anhang", "ver anexo", "véase el anexo",
    "читайте также", "читайте тоже", "смотрите также", "новости по теме", "статьи по теме",
    "материалы по теме", "по теме:", "на тему:", "читайте також", "дивіться також",
    "новини на тему", "новини за темою", "по темі:",
])
PROMO = re.compile(
    "(?:" + "|".join(re.escape(normalize_arabic(w)) for w in [
        "تابعوا", "تابعونا", "تابعنا", "اشترك", "اشتركوا", "للاشتراك", "حمل تطبيق",
        "انضم", "انضموا", "follow us", "follow", "subscribe", "join us",
        "download the app", "sign up", "síguenos", "siguenos", "suscríbete", "suscribete",
        "suivez-nous", "suivez nous", "abonnez-vous", "folgen sie uns", "folge uns", "siga-nos",
        "segue-nos", "seguici", "discuss this", "discuss with", "join the discussion",
        "join the conversation", "diskutieren sie mit", "diskutiere mit", "discutez-en",
        "discutez avec",
    ]) + ").{0,80}(?:" + "|".join(re.escape(normalize_arabic(w)) for w in [
        "غوغل نيوز", "جوجل نيوز", "google news", "تويتر", "فيسبوك", "فيس بوك", "تلغرام",
        "تليجرام", "تيليغرام", "واتساب", "واتس اب", "يوتيوب", "انستغرام", "إنستغرام", "انستجرام",
        "تيك توك", "النشرة", "نشرتنا", "قناتنا", "twitter", "facebook", "telegram", "whatsapp",
        "youtube", "instagram", "tiktok", "newsletter", "our channel",
    ]) + ")"
)
# An invitation to install the outlet's app ("點我下載APP", "download our app", "baixe o app").
APP_PROMO = re.compile(
    r"(?:下載|下载|download|baixe|descarga|descargue|télécharge\w*)\s*(?:the |our |o |a |la |l')?"
    r"(?:app|aplicativo|aplicación)(?![a-z])",
    re.I,
)
COMMENT_RULES = _marker_re([
    "بروتوكول نشر التعليقات", "اضف تعليق", "أضف تعليق", "أضف تعليقك", "شروط النشر",
    "شروط التعليق", "التعليقات المنشورة", "تعليقات القراء", "اترك تعليقا", "اكتب تعليقك",
    "الآراء الواردة أدناه", "تعبر عن وجهات نظر أصحابها", "تعبر عن رأي أصحابها",
    "مراجعة التعليقات", "إرشادات الاستخدام", "leave a comment", "comments are closed",
    "post a comment", "community guidelines",
])
# A tags line, a byline or sign-off ("-- By X", "kokobj@yna.co.kr (END)", "Write to X at ...").
TAGS_LINE = _marker_re(["tags:", "tags :", "الوسوم", "وسوم:", "كلمات مفتاحية", "كلمات دالة"])
SIGN_OFF = re.compile(
    r"^(?:--|—|by\s|بقلم\b|write to\b|contact\b)|\S+@\S+\.\w+|\((?:end|انتهى)\)|/انتهى/"
    r"|contributed to this report|contributed reporting|^[^.!?]{0,160}\bcontributed\.$"
    r"|ساهم في إعداد|责任编辑|^[(（【]?编辑[:：]",
    re.I,
)
# A wire story's credits close it ("Additional reporting by X; Editing by Y", in brackets or
# not): what follows
# them (a standards badge, a trust-principles link) is no article text.
WIRE_CREDITS = re.compile(
    r"^\(?(?:additional reporting|(?:reporting|writing|editing) by\b.{0,160}?\bediting by\b)",
    re.I,
)
# A closing credit naming who else reported ("Con información de Paloma Marín y …", "Com
# informações da Reuters", "With reporting by …"): the story ends there; what follows inside
# the body (a companion box) is no more of its text. Before any text it is only dropped.
CLOSING_CREDIT = re.compile(
    r"^(?:con (?:información|informaciones|reportes?) de|com informações d[aeo]s?"
    r"|with (?:additional )?reporting (?:by|from))\s",
    re.I,
)
MAX_CLOSING_CREDIT = 200  # characters
# Share prompts, call-outs for readers' material ("Please share your videos, pictures and
# stories at iReport") and sponsored-link disclaimers (matched anywhere in a short paragraph).
SHARE_OR_DISCLAIMER = _marker_re([
    "follow and like us", "share this article", "share this story", "share this post",
    "share your photos", "share your videos", "share your pictures", "share your stories",
    "send us your photos", "send us your videos",
    "are affiliate links", "may earn a commission", "may earn a small commission",
    "is not responsible or liable", "provided by an independent third party",
    "شارك هذا الخبر", "شارك المقال",
])
# Headings after which nothing is article text (in brackets too: "【熱門點閱】", most read).
END_MARKERS = _marker_re([
    "مواضيع ذات صلة", "مواضيع ذات علاقة", "مقالات ذات صلة", "أخبار ذات صلة", "اخبار ذات صلة",
    "الموضوعات المتعلقة", "الأكثر قراءة", "الأكثر مشاهدة", "اخترنا لكم", "المزيد من المقالات",
    "جميع الحقوق محفوظة", "related articles", "related posts", "related stories",
    "more stories", "all rights reserved", "most read", "熱門點閱", "热门点阅", "熱門文章",
    "热门文章", "熱門新聞", "热门新闻", "相關新聞", "相关新闻", "相關文章", "相关文章",
    "編輯部推薦", "编辑部推荐", "about the author", "über den autor", "über die autorin",
    "über die autoren", "à propos de l'auteur", "sobre el autor", "sobre la autora",
    "sobre o autor",
])
_OPEN_BRACKETS = "【[（(〔「 "
# A credit or caption line; in Chinese "file photo:", "image source:", "pictured:", a
# repost's "original title:"; a source line ("Source : Page Facebook de …", "Quelle: dpa"); a
# republication note ("This article originally appeared on VICE US.") at either end of the text.
CREDIT = re.compile(
    r"^(?:©|\(c\)|copyright\b|photo\b|\(?credits?\s*:|صورة\s*:|تصوير\s*:|المصدر\s*:"
    r"|资料图\s*[:：]|图片来源\s*[:：]|图为\s*[:：]|原[标標][题題]\s*[:：]"
    r"|(?:sources?|quellen?|fuentes?|fontes?)\s*:"
    r"|(?:this|a version of this) (?:article|story|post|piece) (?:was )?(?:originally |first )?"
    r"(?:appeared|ran|published)\b)",
    re.I,
)

# A picture's caption set as a paragraph, labelled ("Header Image: People have lived … Credit:
# …", "Featured photo: …", "Caption: …", "图注：…" in Chinese): longer than a credit line, still
# no text.
CAPTION_LINE = re.compile(
    r"^(?:(?:(?:header|featured?|top|lead|main|cover|banner|hero|title)\s+)?"
    r"(?:image|photo|picture|pic)|caption|légende|bildunterschrift|pie de foto"
    r"|图注|圖注|图说|圖說|图片说明|圖片說明)\s*[:：]",
    re.I,
)
# A note on the piece's versions ("This is the extended version of an interview that was first
# published in … the print edition"): the republication note of CREDIT, at any length.
VERSION_NOTE = re.compile(
    r"^(?:this|the following) is (?:an?|the) (?:[\w-]+ ){0,3}version of (?:an?|the|this) "
    r"(?:interview|article|story|piece|report|text|essay|column)\b.{0,200}?"
    r"\b(?:published|appeared|ran|printed)\b",
    re.I,
)

# A donation or membership appeal ends with its call to act, at any length up to MAX_APPEAL.
APPEAL_END = re.compile(
    r"(?:jetzt (?:unterstützen|spenden|mitglied werden)|donate (?:now|today)|"
    r"support us (?:now|today)|faites un don|soutenez-nous|hazte socio|dona ahora)[\s!.…]*$",
    re.I,
)
MAX_APPEAL = 600  # characters

# The reference block a science story closes with ("More information: Niekus et al. …",
# "Journal information: PNAS").
REFERENCE = re.compile(
    r"^(?:more information|journal information|journal reference|references?|citation)\s*:",
    re.I,
)


# --- 1. the container ---------------------------------------------------------------------


PARAGRAPH_VOTERS = ("p", "h2", "h3", "h4", "blockquote")
LOOSE_TEXT_HOLDERS = ("div", "td", "section", "article", "span", "font")
MIN_LOOSE_TEXT = 80  # a block's own text this long is a paragraph without <p>
_NOT_PROSE = frozenset({"br", "script", "style", "noscript", "template"})


def find_container(root: HtmlElement, headline: HtmlElement | None = None) -> HtmlElement | None:
    """The element that holds the article's paragraphs, or None when the page has none. A
    block that holds the headline too is no furniture, whatever its class ("ad_body")."""
    return _best_block(_votes(root, _known_furniture(headline)), headline)


def find_held_container(
    root: HtmlElement, headline: HtmlElement | None = None
) -> HtmlElement | None:
    """The container inside the one furniture block that holds most of the page's prose (a
    "share-zone" around the whole text), for a page with no container outside furniture;
    None when no block holds that much."""
    held: dict[HtmlElement, int] = defaultdict(int)
    _votes(root, _known_furniture(headline), held)
    holder = max((el for el in held if el is not root), key=held.__getitem__, default=None)
    if holder is None or held[holder] < PROSE_SHARE * sum(held.values()):
        return None
    furniture = _known_furniture(headline)
    furniture[holder] = False
    return _best_block(_votes(root, furniture))


def _best_block(
    scores: dict[HtmlElement, float], headline: HtmlElement | None = None
) -> HtmlElement | None:
    """The best-scoring block (or the shared ancestor of close ones); on a page printing
    several whole articles, each an `<article>` with its own headline, the best one in the
    headline's `<article>`."""
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    if scores[best] < MIN_LEAD:
        return None
    own = _article_of(headline) if headline is not None else None
    if own is not None and not holds(own, best) and _other_article(best, own):
        mine = {el: score for el, score in scores.items() if holds(own, el)}
        if mine and max(mine.values()) >= MIN_LEAD:
            scores = mine
            best = max(scores, key=scores.__getitem__)
    shared = _shared_ancestor(best, scores)
    return best if shared is None else shared


_HEADINGS = ("h1", "h2", "h3")


def _article_of(el: HtmlElement) -> HtmlElement | None:
    """The nearest `<article>` around the element."""
    return next(el.iterancestors("article"), None)


def _other_article(el: HtmlElement, own: HtmlElement | None) -> bool:
    """Whether `el` sits in an `<article>` other than `own` (and not around it) that has a
    headline of its own: another story the page prints whole, not a part of this one."""
    other = _article_of(el)
    if other is None or other is own or own is not None and holds(other, own):
        return False
    return next(other.iter(*_HEADINGS), None) is not None


PROSE_SHARE = 0.6  # of the page's prose a furniture block holds, to be the article's block


def _known_furniture(headline: HtmlElement | None) -> dict[HtmlElement, bool]:
    """The furniture verdicts known before any paragraph is looked at: the headline's
    blocks and its area (_headline_area) are none."""
    if headline is None:
        return {}
    furniture = dict.fromkeys(headline.iterancestors(), False)
    furniture.update(dict.fromkeys(_headline_area(headline), False))
    return furniture


def _votes(
    root: HtmlElement, furniture: dict[HtmlElement, bool],
    held: dict[HtmlElement, int] | None = None,
) -> dict[HtmlElement, float]:
    """Every paragraph's vote (see find_container); when asked, each paragraph's length goes
    to `held`: under the one furniture block holding it, under `root` when it is outside
    furniture (or under two furniture blocks: furniture twice, whatever holds the text)."""
    scores: dict[HtmlElement, float] = defaultdict(float)
    verdicts = {node: False for node, verdict in furniture.items() if not verdict}
    for el in root.iter(*PARAGRAPH_VOTERS, "div"):
        if tag_of(el) == "div" and (el.find("p") is not None or any(
            tag_of(child) in BLOCK_TAGS or tag_of(child) in _NOT_PROSE for child in el
        )):
            continue  # a <div> votes as a paragraph only when it is one: no block, no <br>,
            # no script (an ad slot's code is no text)
        text_length = len(squash(el.xpath("string()")))
        if text_length < MIN_PARAGRAPH:
            continue
        if el.find(".//a") is not None and link_text_length(el) > MAX_LINK_SHARE * text_length:
            continue
        furnished = _furnished(el, furniture)
        if held is not None:
            holder = _furniture_holder(el, verdicts) if furnished else None
            held[root if holder is None else holder] += text_length
        if furnished:
            continue
        _vote(scores, el.getparent(), text_length)
    holders = {br.getparent() for br in root.iter("br")}
    holders.update(
        el for el in root.iter(*LOOSE_TEXT_HOLDERS) if len((el.text or "").strip()) > MIN_LOOSE_TEXT
    )
    for el in holders:
        if el is None or tag_of(el) in PARAGRAPH_TAGS or tag_of(el) == "a":
            continue
        loose = _loose_text_length(el)
        if loose >= MIN_PARAGRAPH and not _furnished(el, furniture):
            _vote(scores, el, loose)
    return scores


def _furniture_holder(el: HtmlElement, verdicts: dict[HtmlElement, bool]) -> HtmlElement | None:
    """The one furniture block above a paragraph (blocks holding the headline are none), or
    None when the paragraph is furniture itself or sits under two furniture blocks."""
    if is_furniture(el):
        return None
    found = None
    for node in el.iterancestors():
        if node not in verdicts:
            verdicts[node] = is_furniture(node)
        if verdicts[node]:
            if found is not None:
                return None
            found = node
    return found


AREA_LEVELS = 3  # levels above the headline where the block naming the article's area sits
_CLASS_WORD = re.compile(r"[a-z]+")


def _headline_area(headline: HtmlElement) -> list[HtmlElement]:
    """The blocks inside a block holding the headline whose class opens with that block's
    first class word ('banner-section' > h2, 'banner-text'), from the outermost ancestor named
    so ('PageArticle' > 'PageArticle_commentHeader' > h1): the template names the article's
    area so, and the word is no furniture word there, whatever it reads as elsewhere."""
    found: list[HtmlElement] = []
    for level, block in enumerate(headline.iterancestors()):
        if level >= AREA_LEVELS or tag_of(block) in ("body", "html"):
            break
        word = _first_class_word(block)
        if word:
            for _ in range(AREA_LEVELS):  # up to the block the template names so
                parent = block.getparent()
                if parent is None or _first_class_word(parent) != word:
                    break
                block = parent
            found.extend(
                el for el in block.iterdescendants()
                if el.get("class") and _first_class_word(el) == word
            )
    return found


def _first_class_word(el: HtmlElement) -> str:
    found = _CLASS_WORD.search((el.get("class") or "").lower())
    return found[0] if found else ""


MAX_PARTS = 20  # blocks of one body split by cards or ads, at most


def chunks_around(
    root: HtmlElement, container: HtmlElement, headline: HtmlElement | None = None
) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The blocks before and after the container that carry its exact tag and class (or, for
    a container without a class, its wrapper's: `<div class="paragraph"><div>…`), outside
    furniture, with a paragraph of text each: a body the template cuts into chunks (a "most
    popular" card, an ad or a photo between them) wherever their shared ancestor sits. Blocks
    before it count only after the headline."""
    chunk = _chunk_of(container)
    classes = chunk.get("class")
    if not classes or not classes.strip():
        return [], []
    before: list[HtmlElement] = []
    after: list[HtmlElement] = []
    seen = headline is None
    past_headline = False
    memo: dict[HtmlElement, bool] = dict.fromkeys(chunk.iterancestors(), False)
    own = _article_of(chunk)
    for el in root.iter(chunk.tag, "h1") if headline is not None else root.iter(chunk.tag):
        if el is headline:
            past_headline = True
            continue
        if el is chunk:
            seen = True
            continue
        if el.get("class") != classes or holds(chunk, el) or holds(el, chunk):
            continue
        if not seen and (not past_headline or holds(el, headline)):
            continue
        if _furnished(el, memo) or not any(
            len(squash(p.xpath("string()"))) >= MIN_LEAD for p in el.iter(*PARAGRAPH_VOTERS)
        ) or own is not None and _other_article(el, own):
            continue  # furniture, no paragraph, or the text of another story printed whole
        (after if seen else before).append(el)
        if len(before) + len(after) >= MAX_PARTS:
            break
    if headline is None:
        before = []
    return before, after


def _chunk_of(container: HtmlElement) -> HtmlElement:
    """The container, or the classed block that only wraps it (two levels up at most)."""
    node = container
    for _ in range(2):
        if (node.get("class") or "").strip():
            return node
        parent = node.getparent()
        if parent is None or tag_of(parent) in ("body", "html") or parent.tag != node.tag or (
            sum(1 for child in parent if tag_of(child)) != 1
        ):
            return node
        node = parent
    return node


CLOSE_SCORE = 0.75  # a block scoring this share of the best one holds body text too
MAX_CLIMB = 3  # levels above the best block where the blocks' shared ancestor may sit


def _shared_ancestor(best: HtmlElement, scores: dict[HtmlElement, float]) -> HtmlElement | None:
    """The body split into sibling blocks (one between each pair of ad slots) gives several
    blocks of close scores: the nearest ancestor of the best one that holds two more of them
    is the body (readability's rule)."""
    close = [
        el for el, score in scores.items()
        if score >= CLOSE_SCORE * scores[best] and el is not best
    ]
    if len(close) < 2:
        return None
    lineage = set(best.iterancestors())
    close = [el for el in close if el not in lineage]
    node = best.getparent()
    for _ in range(MAX_CLIMB):
        if node is None or tag_of(node) in ("body", "html"):
            return None
        if sum(1 for el in close if node in set(el.iterancestors())) >= 2:
            return node
        node = node.getparent()
    return None


def _furnished(el: HtmlElement, memo: dict[HtmlElement, bool]) -> bool:
    """in_furniture, remembering each ancestor's answer (pages nest deep)."""
    path = []
    node: HtmlElement | None = el
    verdict = False
    while node is not None:
        if node in memo:
            verdict = memo[node]
            break
        path.append(node)
        tag = tag_of(node)
        if not tag or tag in INVISIBLE_TAGS or is_furniture(node):
            verdict = True
            break
        node = node.getparent()
    for seen in path:
        memo[seen] = verdict
    return verdict


def _vote(scores: dict[HtmlElement, float], container: HtmlElement | None, length: int) -> None:
    if container is None:
        return
    scores[container] += length
    parent = container.getparent()
    if parent is not None and tag_of(parent) not in ("body", "html"):
        scores[parent] += length / 2


def _loose_text_length(el: HtmlElement) -> int:
    """Text directly in a block (not in child blocks): `<br>`-separated paragraphs."""
    parts = [el.text or ""]
    for child in el:
        tag = tag_of(child)
        if tag and tag not in BLOCK_TAGS and tag not in INVISIBLE_TAGS and tag not in ("a", "br"):
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return len(squash(" ".join(parts)))


# --- 2. paragraphs --------------------------------------------------------------------------


MAX_NOTE = 200  # characters; an italic closing pointer or credit is shorter (a background
# paragraph in italics is longer, and stays)
NOTE_SHARE = 0.7  # of a paragraph's text in italics, for it to be a note
# An author's bio: "Max Blumenthal is an award-winning journalist and the author of ..."
BIO = re.compile(
    r"^(?:[A-Z][\w'.-]+\s){1,3}is (?:a|an|the)\b[^.]{0,80}?\b(?:journalist|reporter|writer|"
    r"author|editor|correspondent|columnist|contributor|producer|analyst|fellow|professor)"
)

# An editor's note on the piece itself ("Dieser Artikel baut auf einer gemeinsamen Recherche …",
# "This story was produced with …"): in italics at the close, a note at any length.
ABOUT_THE_PIECE = re.compile(
    r"\b(?:this|dieser|diesen|diese|cet|cette|este|esta) (?:article|story|piece|report|artikel|"
    r"text|beitrag|recherche|reportage|artículo|artigo)\b",
    re.I,
)
# A closing thanks list ("Merci à toutes et à tous pour les messages de solidarité, …").
THANKS = re.compile(r"^(?:merci|many thanks|thanks|thank you|vielen dank|danke|gracias)\b", re.I)


# A reporter's sign-off with an e-mail glued to a paragraph's last full stop, no space
# between ("…처리했다.부산=선수민 기자 sunsoo@example.com"): the paragraph is kept without it.
GLUED_SIGN_OFF = re.compile(r"(?s)^(.*?[.!?。])\S[^.!?。]{0,80}?\S+@\S+\.\w+\s*$")


def _pointer(text: str, ends_in_link: bool) -> bool:
    """A short line that ends in a link instead of a full stop: a pointer to elsewhere ('For
    more statistics …, you may visit this link'), which does not close a body."""
    return ends_in_link and len(text) <= MAX_NOTE and not text.endswith(SENTENCE_END)


def _heading_texts(container: HtmlElement) -> set[str]:
    return {visible_text(h) for h in container.iter("h2", "h3", "h4", "h5", "h6")}


def paragraphs_in(container: HtmlElement) -> list[str]:
    """The container's paragraphs, furniture left out (see the module docstring)."""
    kept: list[str] = []
    notes: list[bool] = []
    reading_list = None  # where a "read also" label alone stood
    unlinked = 0  # paragraphs kept after it without a link
    for text, links, italics, ends_in_link in _split(_pieces(container)):
        verdict = judge(text, links)
        if verdict == "drop" and _read_also_label(text):
            reading_list, unlinked = len(kept), 0
        elif verdict == "keep" and not links:
            unlinked += 1
        if verdict == "drop" and "@" in text and (glued := GLUED_SIGN_OFF.match(text)):
            text = glued.group(1)  # the paragraph, without the sign-off glued to its end
            verdict = judge(text, links) if len(text) >= MIN_PARAGRAPH else "drop"
        if verdict == "end":
            break
        if verdict == "drop" and kept and len(text) <= MAX_CLOSING_CREDIT and (
            CLOSING_CREDIT.match(text)
        ):
            break  # the closing credit: what follows is a companion piece
        if verdict == "keep" and (not kept or kept[-1] != text):
            kept.append(text)
            notes.append(italics >= NOTE_SHARE * len(text) and (
                len(text) <= MAX_NOTE or bool(BIO.match(text) or ABOUT_THE_PIECE.search(text))
            ) or bool(THANKS.match(text)) or _pointer(text, ends_in_link))
    if reading_list is not None and not unlinked and len(kept) - reading_list <= MAX_READING_LIST:
        del kept[reading_list:]  # a closing reading list: its label, then a few linked titles
        del notes[reading_list:]
    _drop_contact_block(kept, notes)
    headings = _heading_texts(container) if kept else set()
    if len(kept) > 2 and kept[-2] in headings and _name_alone(kept[-2]) and (
        CONTINUED_BIO.match(kept[-1])
    ):
        del kept[-2:]  # an author box: the name as a heading, the bio going on from it
        del notes[-2:]
    while kept and (_label(kept[-1]) or len(kept) > 1 and (notes[-1] or kept[-1] in headings)):
        kept.pop()  # a body ends with a sentence ("SHARE THIS" does not) that is no note,
        notes.pop()  # nor a heading (pull quotes set after the text; a heading leads text)
    summary = _leading_list_items(container) if kept else set()
    while kept and (_label(kept[0]) or kept[0] in summary):
        kept.pop(0)  # a body opens with a sentence, not a label or the story's highlights
    return kept


# A bio that goes on from the author's name set as a heading just above it ("Dr. Thomas
# Schulte" / "ist Gründungspartner …"): a lower-case verb opens it.
CONTINUED_BIO = re.compile(r"^(?:is|ist|est|es|è|é|war|was|lebt|lives|arbeitet|works)\s")


def _name_alone(text: str) -> bool:
    """Two to six words, each capitalised (particles and titles such as 'Dr.' aside): a
    person's name alone."""
    words = text.split()
    names = [w for w in words if w.lower() not in NAME_PARTICLES]
    return len(text) <= MAX_BYLINE and 2 <= len(words) <= MAX_NAME_WORDS and all(
        w[0].isupper() for w in names
    )


MAX_READING_LIST = 5  # entries of a reading list closing the text, at most
MAX_READ_ALSO_LABEL = 40  # characters


def _read_also_label(text: str) -> bool:
    """A "read also" label standing alone ("A lire aussi :"), no title after it: the head of
    a list of other pieces."""
    key = normalize_arabic(text)
    found = READ_ALSO.match(key)
    return len(key) <= MAX_READ_ALSO_LABEL and found is not None and not any(
        ch.isalnum() for ch in key[found.end():]
    )


MAX_CONTACT_LINE = 200  # characters; a line of a closing contact block (name, phone, credit)


def _drop_contact_block(kept: list[str], notes: list[bool]) -> None:
    """A closing block led by a short line ending in a colon ('Rückfragen bitte an:', 'Media
    contact:') and holding no sentence after it (a name, a phone, 'Original-Content von: …')
    is a press office's contact block and credit, not text: cut from that line on."""
    for lead in range(len(kept) - 1, 0, -1):
        text = kept[lead]
        if text.endswith(":") and len(text) <= MAX_LEAD_IN:
            break
        if len(text) > MAX_CONTACT_LINE or text.endswith(SENTENCE_END):
            return
    else:
        return
    del kept[lead:]
    del notes[lead:]


MAX_LEAD_IN = 60  # characters; a line announcing a contact block ('Kontakt:') is short


def _leading_list_items(container: HtmlElement) -> set[str]:
    """The texts of the list items before the container's first `<p>`: a bullet summary of
    the story (highlights) set above its text, not its opening paragraphs. None when the
    container has no `<p>` (a body written as a list)."""
    items: set[str] = set()
    for el in container.iter("p", "li"):
        if el.tag == "p":
            return items
        items.add(visible_text(el))
    return set()


def _label(text: str) -> bool:
    """A short line that is no sentence: a button, a section label, a caption."""
    return len(text) < MIN_PARAGRAPH and not text.endswith(SENTENCE_END)


# "Place (Agency)" alone: a wire story's dateline set as its own paragraph ("Rheine (ots)").
DATELINE_ONLY = re.compile(r"^[^\W\d_][^\d|:.!?()]{1,40}\s?\([^\W\d_]{2,12}\)\s*[-–—:]?$")


# "By/Por/Par/Von NAME" alone ("Written by: NAME" too): the words that introduce an author,
# then a name only.
BYLINE_ONLY = re.compile(
    r"^(?:(?:written|posted|reported|text|words|story)\s+by|by|por|par|von|di|door|av|af)"
    r"\s*:?\s+(\S.*)$",
    re.I,
)
NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "das",
                            "di", "du", "le", "van", "von", "der", "den", "and", "und", "et"})
MAX_BYLINE = 60  # characters
MAX_NAME_WORDS = 6


def _byline_only(text: str) -> bool:
    """A line that is only an author's byline ("Por FIDEL RENDÓN MATIENZO", "By Jane Doe",
    "Written by: Jane Doe"):
    the introducing word, then two to six words that all begin with a capital (particles
    such as 'de', 'van' aside), nothing else."""
    found = BYLINE_ONLY.match(text)
    if not found:
        return False
    words = found.group(1).replace(",", " ").split()
    names = [w for w in words if w.lower() not in NAME_PARTICLES]
    return 2 <= len(words) <= MAX_NAME_WORDS and len(names) >= 2 and all(
        w[0].isupper() and w[0].isalpha() and not w.endswith(SENTENCE_END) for w in names
    )


def judge(text: str, link_chars: int = 0) -> str:
    """"keep", "drop" (furniture) or "end" (furniture from here on) for one paragraph."""
    if len(text) <= MAX_APPEAL and APPEAL_END.search(text):
        return "drop"  # a donation appeal, closed by its call ("… Jetzt unterstützen!")
    if len(text) > MAX_FURNITURE:  # long text is article text unless it opens with a marker
        return "drop" if READ_ALSO.match(normalize_arabic(text[:80])) else "keep"
    key = normalize_arabic(text)
    if not key or not any(ch.isalnum() for ch in key):
        return "drop"
    if len(key) <= 60 and END_MARKERS.match(key.lstrip(_OPEN_BRACKETS)) or (
        len(key) < 250 and WIRE_CREDITS.match(key)
    ):
        return "end"
    if link_chars and link_chars >= 0.8 * len(text):
        return "drop"  # only a link: a related article
    if READ_ALSO.match(key) or COMMENT_RULES.search(key) or SHARE_OR_DISCLAIMER.search(key):
        return "drop"
    if len(key) < 160 and (PROMO.search(key) or APP_PROMO.search(key)):
        return "drop"
    if len(key) < 120 and CREDIT.match(key) or REFERENCE.match(key) or (
        CAPTION_LINE.match(key) or VERSION_NOTE.match(key)
    ):
        return "drop"
    if len(key) < 200 and (TAGS_LINE.match(key) or SIGN_OFF.search(key)) or (
        len(key) <= MAX_CLOSING_CREDIT and CLOSING_CREDIT.match(key)
    ):
        return "drop"
    if len(key) <= MAX_BYLINE and _byline_only(text):
        return "drop"  # "Por FIDEL RENDÓN MATIENZO": a byline set as a paragraph
    if len(key) <= MAX_DATELINE and DATELINE_ONLY.match(text):
        return "drop"  # "Rheine (ots)": a dateline alone, no paragraph of its own
    if len(key) <= MAX_DATE_LINE and has_digit(key) and (
        parse_date(text) or _stamp_line(text)
    ):
        return "drop"  # a date line
    return "keep"


_YEAR_AND_CLOCK = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d).*?(?<!\d)\d{1,2}:\d\d(?!\d)"
                             r"|(?<!\d)\d{1,2}:\d\d(?!\d).*?(?<!\d)(?:19|20)\d\d(?!\d)")
_WORD = re.compile(r"[^\W\d_]+")


def _stamp_line(text: str) -> bool:
    """A year, a clock time and two words at most: a date line in any language
    ("18 հունվարի 2018 - 15:01 AMT"), month names we cannot read included."""
    return bool(_YEAR_AND_CLOCK.search(text)) and len(_WORD.findall(text)) <= 2


ITALIC_TAGS = frozenset({"em", "i", "cite"})
# A line break inside bold text (an interview's question, then its answer in the same `<p>`:
# "<strong>Question?<br></strong>Answer") breaks no paragraph.
BOLD_TAGS = frozenset({"strong", "b"})


def _pieces(container: HtmlElement) -> Iterator[object]:
    """Text strings, ("a" | "i" | "ai", text) tuples for link and italic text, LINE and BREAK
    markers, in document order."""
    stack: list[tuple[HtmlElement, bool, bool]] = [(container, False, False)]
    while stack:
        node, after, italic = stack.pop()
        tag = tag_of(node)
        if after:
            if tag in BLOCK_TAGS:
                yield BREAK
            if node.tail:
                yield ("i", node.tail) if italic else node.tail
            continue
        if node is not container:
            stack.append((node, True, italic))
            if not tag or tag in INVISIBLE_TAGS or tag == "form" or is_furniture(node) or (
                tag in ("div", "p") and _picture_with_caption(node)
                or tag == "table" and _data_table(node)
                or tag in ("div", "section") and (
                    _form_block(node) or _link_box(node) or _floated_box(node)
                    or _fact_box(node)
                )
            ):
                continue
        if tag == "br":
            yield " " if tag_of(node.getparent()) in BOLD_TAGS else LINE
            continue
        if tag in BLOCK_TAGS:
            yield BREAK
        inner = italic or tag in ITALIC_TAGS
        if tag == "a":
            yield ("ai" if inner else "a", visible_text(node))
            continue
        if node.text:
            yield ("i", node.text) if inner else node.text
        stack.extend((child, False, inner) for child in reversed(node))


_PICTURE_TAGS = frozenset({"img", "picture"})


MAX_TABLE_RUN = 40  # sibling tables looked at for the header of a table cut into rows


def _data_table(node: HtmlElement) -> bool:
    """A table with header cells and no cell of prose: figures (dates, amounts, names) read
    by column, not paragraphs; a table laying out an article's text has prose in its cells
    (a sentence's length: a row's label, "Développement et transition", is none).
    A table without header cells in a run of sibling tables that has some is one table cut
    into rows (an annex printing each row as a table, the header atop the first)."""
    if not all(len(squash(cell.text_content())) < MIN_LEAD for cell in node.iter("td")):
        return False
    if node.find(".//th") is not None:
        return True
    for siblings in (node.itersiblings(preceding=True), node.itersiblings()):
        for seen, sibling in enumerate(siblings):
            if seen >= MAX_TABLE_RUN or tag_of(sibling) != "table":
                break
            if sibling.find(".//th") is not None:
                return True
    return False


def _form_block(node: HtmlElement) -> bool:
    """A block holding a form with fields (a donation button, a newsletter sign-up) and, beside
    it, no more than a short text: the form's appeal ('If our services have assisted you … For
    as little as £5, you can support …'), no paragraph. A page wrapped whole in a `<form>`
    holds the form around its text, not beside it."""
    if node.find("form") is None:  # a child <form>
        return False
    forms = [child for child in node if tag_of(child) == "form"]
    if not any(f.find(".//input") is not None or f.find(".//button") is not None
                            for f in forms):
        return False
    beside = sum(len(visible_text(child)) for child in node
                 if tag_of(child) not in ("form", "") and child.find(".//form") is None)
    return beside + len((node.text or "").strip()) <= MAX_FURNITURE


# Class words that float a block beside the text (English, Spanish, French, CSS frameworks'
# and WordPress's names).
_FLOAT_WORDS = frozenset({
    "left", "right", "izquierda", "derecha", "gauche", "droite", "alignleft", "alignright",
    "pull-left", "pull-right", "float-left", "float-right", "floatleft", "floatright",
})


def _floated_box(node: HtmlElement) -> bool:
    """A short box floated beside the text (a class word: "izquierda", "pull-right"; blocks
    inside it): a pull quote repeating a line in large type, a chart with its source, no
    paragraph of the text."""
    classes = (node.get("class") or "").lower().split()
    return not _FLOAT_WORDS.isdisjoint(classes) and any(
        tag_of(child) in BLOCK_TAGS for child in node
    ) and bool(short_visible_text(node, MAX_FURNITURE))


MAX_FACT_BOX = 1000  # characters; a profile card with its blurb is short
MAX_FACT_ROW = 60  # characters of one "Label: value" row
MIN_FACT_ROWS = 3
_LABEL_TAGS = ("strong", "b", "dt", "th", "label")


def _fact_box(node: HtmlElement) -> bool:
    """A short box of "Label: value" rows, each a block of its own ("Company: FACEBOOK",
    "Website: …", "Launch Date: …", "Funding: …"): a profile card set in the body, its blurb
    no paragraph of the story. An interview's "Q:" opens a long paragraph, no row."""
    if short_visible_text(node, MAX_FACT_BOX) is None:
        return False
    rows = 0
    for label in node.iter(*_LABEL_TAGS):
        text = visible_text(label)
        row = label.getparent()
        if not text.endswith(":") or row is None or tag_of(row) not in BLOCK_TAGS:
            continue
        if len(visible_text(row)) <= MAX_FACT_ROW:
            rows += 1
            if rows >= MIN_FACT_ROWS:
                return True
    return False


MAX_LINK_BOX = 600  # characters; a box of links to other stories is short
MAX_BOX_LABEL = 40  # characters of text besides the links: the box's heading


def _link_box(node: HtmlElement) -> bool:
    """A block of links to other stories under a short heading of its own ('Новости по теме',
    then four linked headlines): the heading belongs to the box, no paragraph. Two links or
    more, mostly link text, at most a heading's length of other text; a box headed by an end
    marker ('Related articles') is left to end the body."""
    text = short_visible_text(node, MAX_LINK_BOX)
    if not text:
        return False
    linked = [found for a in node.iter("a") if (found := visible_text(a))]
    link_chars = sum(len(found) for found in linked)
    if len(linked) < 2 or link_chars < MAX_LINK_SHARE * len(text):
        return False
    if len(text) - link_chars - len(linked) > MAX_BOX_LABEL:
        return False
    return not END_MARKERS.match(normalize_arabic(text[:60]).lstrip(_OPEN_BRACKETS))


def _picture_with_caption(node: HtmlElement) -> bool:
    """A `<div>` that opens with a picture (bare, or first in a link or a span) and holds a
    line of text under it, no `<p>`: the picture and its caption ('FILE PHOTO: …') set without
    `<figure>`, no paragraph. A `<p>` is one only when its picture is wrapped and no text
    stands loose in it ('<p><span><img><span>…（資料照）</span></span></p>'): a paragraph's
    own text may follow an inline picture."""
    first = next((child for child in node if tag_of(child) not in ("", "br")), None)
    if first is None or (node.text or "").strip() or not (
        tag_of(first) in _PICTURE_TAGS and tag_of(node) == "div"
        or tag_of(first) in ("a", "span") and _opens_with_picture(first)
    ):
        return False
    if tag_of(node) == "p" and any((child.tail or "").strip() for child in node):
        return False
    if node.find(".//p") is not None:
        return False
    return 0 < len(visible_text(node)) <= MAX_FURNITURE


def _opens_with_picture(el: HtmlElement) -> bool:
    """A picture comes before any text inside the element."""
    for inner in el.iter():
        if tag_of(inner) in _PICTURE_TAGS:
            return True
        if (inner.text or "").strip() or inner is not el and (inner.tail or "").strip():
            return False
    return False


def _split(pieces: Iterable[object]) -> Iterator[tuple[str, int, int, bool]]:
    """Paragraphs (text, link characters, italic characters, whether it ends with a link's
    text): a block boundary or two <br> end one; a single
    <br> ends one only after a full stop. Text and inline elements join with the whitespace
    the page has between them, no more (Chinese and Japanese put none around a link)."""
    words: list[str] = []
    link_chars = italic_chars = 0
    lines = 0
    ends_in_link = False
    for piece in pieces:
        if piece is BREAK or piece is LINE:
            lines = lines + 1 if piece is LINE else 2
            text = squash("".join(words))
            if text and (lines >= 2 or text.endswith(SENTENCE_END)):
                yield text, link_chars, italic_chars, ends_in_link
                words, link_chars, italic_chars, ends_in_link = [], 0, 0, False
            elif words:
                words.append(" ")  # a line break inside a paragraph reads as a space
            continue
        is_link = False
        if isinstance(piece, tuple):
            kind, text = piece
            if "a" in kind:
                link_chars += len(squash(text))
                is_link = True
            if "i" in kind:
                italic_chars += len(squash(text)) + 1
        else:
            text = piece
        if text.strip():
            lines = 0
            ends_in_link = is_link
        words.append(text)  # inline elements join as they are written: "（Borno）州"
    text = squash("".join(words))
    if text:
        yield text, link_chars, italic_chars, ends_in_link


# --- 3. the lead before the container -------------------------------------------------------


def lead_before(
    container: HtmlElement, first: str, headline: HtmlElement | None = None
) -> list[str]:
    """The standfirst just before the container, when it is not the first paragraph again
    (many templates repeat the teaser as the body's opening): a block among the few just
    before the container, else the last sentence-like `<p>` between the headline and the
    container (an intro under the `<h1>`, past a share bar), or every deck of the marked
    standfirst block beside the headline (two `<h2>` lines in "subtitulo")."""
    node = container.getprevious()
    for _ in range(4):  # look past a dateline, an image, an ad slot
        if node is None:
            break
        tag = tag_of(node)
        if tag and tag not in INVISIBLE_TAGS and tag not in ("h1", "h2", "h3", "img", "picture"):
            if is_furniture(node):
                break
            if _holds_picture(node):  # a lead picture's block: its caption is no standfirst
                node = node.getprevious()
                continue
            text = _flowing_text(node)
            if len(text) >= MIN_LEAD:
                if _mixed(node) or headline is not None and holds(node, headline):
                    break  # the headline's block: its intro is looked for below
                if link_text_length(node) > MAX_LINK_SHARE * len(text) or judge(text) != "keep":
                    return []
                return [] if _same_start(text, first) else [text]
        node = node.getprevious()
    return _intro_after(headline, container, first) if headline is not None else []


# A clock time opening a lead ("16:45 Se realizarán …", "09:30 | …"): when it was posted.
_LEADING_CLOCK = re.compile(
    r"^(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)(?!\s*[ap]\.?m\b)\s*[|·•–—-]?\s+(?=\S)"
)
_STAMP_GLUE = " |·•–—-:"


def _flowing_text(node: HtmlElement) -> str:
    """A lead's text as its paragraphs read (inline elements joined as written, no space
    where the page has none: "<a>Hwang Sok-yong</a>, est"), furniture inside left out (a deck
    closing with the day, "… recovery?<span class='date'>6 January 2020</span>"), and the
    stamp it opens with (a `<time>`, a bare clock time: "<time>16:45</time> Se realizarán …")."""
    text = " ".join(text for text, *_ in _split(_pieces(node)))
    stamp = next(node.iter("time"), None)
    if stamp is not None and (printed := visible_text(stamp)) and text.startswith(printed):
        text = text[len(printed):].lstrip(_STAMP_GLUE)
    return _LEADING_CLOCK.sub("", text)


def _holds_picture(node: HtmlElement) -> bool:
    return next(node.iterdescendants("figure", "figcaption"), None) is not None


MAX_INTROS = 3  # more sentence-like paragraphs between headline and body: no intro zone
MAX_INTRO_WALK = 600  # elements walked from the headline towards the body at most
MIN_STANDFIRST = 20  # characters; a block the page marks as its standfirst may be one line
# Class words of a standfirst under the headline ("dek", "post-excerpt", "article__intro",
# "abstract"; Spanish "bajada"/"sumario", South Slavic "podtitle"/"podnaslov", French
# "chapo"; "subtitle" in Spanish, Portuguese, Italian, French, German), also glued to a
# CamelCase prefix ("ContentHeaderDek-x1"). "kicker" names the label above a headline in many
# templates, the standfirst in others ("story_kicker" under the `<h1>`): only the blocks after
# the headline are read for the intro.
STANDFIRST = re.compile(
    r"(?:^|[\s_-]|header|article|post|story|content|entry)"
    r"(?:dek|deck|standfirst|sub-?title|sub-?headline|excerpt|intro|teaser|lead|bajada|sumario"
    r"|subt[ií]tulo|sottotitolo|sous-?titre|untertitel|pod-?title|podnaslov|abstract|chapo"
    r"|chapeau|kicker)"
    r"(?:$|[\s_\d-])"
)


# A `<p>` classed as the item's description ("description", "post-description": WordPress
# themes print the excerpt so under the headline); not a picture's or a video's
# ("image-description", "wp-caption-description").
_DESCRIPTION = re.compile(r"(?:^|\s|(?:article|entry|post|story|news)[-_]*)description(?=$|\s)")


def _marked_standfirst(el: HtmlElement) -> bool:
    """The page marks `el` as its standfirst: a class word (STANDFIRST), microdata's
    `itemprop="description"` under the headline, or a `<p>` classed as the description."""
    return bool(STANDFIRST.search(marks(el))) or "description" in (
        el.get("itemprop") or ""
    ).split() or tag_of(el) == "p" and bool(_DESCRIPTION.search(marks(el)))


def _intro_after(headline: HtmlElement, container: HtmlElement, first: str) -> list[str]:
    """The last `<p>` that reads as a sentence between the headline and the container, or a
    shorter block whose class names a standfirst (STANDFIRST), in document order, outside
    furniture (the headline's own block, an article header, counts as no furniture). When it
    is a deck of a marked block beside the headline, the block's other decks before it are
    the standfirst too: the page prints them as one."""
    around = set(headline.iterancestors())
    if container in around:
        return []
    area = set(_headline_area(headline)).union(container.iterancestors())  # the article's
    header = _header_of(headline)
    found: list[tuple[str, HtmlElement]] = []
    for walked, el in enumerate(following(headline)):
        if el is container:
            break
        if walked >= MAX_INTRO_WALK:
            return []
        deck = _subheadline(el, headline) or _in_deck(el, headline)
        marked = deck or _marked_standfirst(el)
        in_header = header is not None and _text_block(el) and holds(header, el)
        if tag_of(el) != "p" and not marked and not in_header:
            continue
        text = _flowing_text(el)
        shortest = MIN_STANDFIRST if marked else MIN_LEAD
        if len(text) < shortest or judge(text) != "keep":
            continue
        # a <p>, <h2> or <h3> marked as standfirst ('h3.subtitle'), a marked block of one
        # paragraph ('div.x__lead', a quote in 'div#sumario'), the headline's own
        # subheading, or a paragraph of the article's header (headline, standfirst, byline)
        # may be a phrase
        phrase_ok = marked and _one_paragraph(el) or deck or in_header
        if not phrase_ok and not text.endswith(SENTENCE_END):
            continue
        if link_text_length(el) > MAX_LINK_SHARE * len(text) or _furnished_below(
            el, around, headline, area
        ):
            continue
        found.append((text, el))
    else:
        return []  # the container is not after the headline
    if not found or len(found) > MAX_INTROS or _same_start(found[-1][0], first):
        return []
    last = found[-1][1]
    if not _in_deck(last, headline):
        return [found[-1][0]]
    return [text for text, el in found if el.getparent() is last.getparent()]


MAX_HEADER_DEPTH = 4  # levels from the headline up to the article's <header>


def _one_paragraph(el: HtmlElement) -> bool:
    """A `<p>`, `<h2>` or `<h3>`, or a block holding one paragraph of text only (its text or
    one text block; empty blocks beside it do not count: "<h2><p>…</p></h2>" parses as an
    empty `<h2>` and the `<p>`): what a standfirst marked by its class prints, final full stop
    or not."""
    if tag_of(el) in ("p", "h2", "h3"):
        return True
    if tag_of(el) not in ("div", "blockquote", "section"):
        return False
    children = [child for child in el if tag_of(child) in BLOCK_TAGS and (
        len(child) or (child.text or "").strip()
    )]
    if not children:
        return True
    return len(children) == 1 and not (el.text or "").strip() and _text_block_any(children[0])


def _text_block_any(el: HtmlElement) -> bool:
    return tag_of(el) in ("p", "div", "blockquote") and not any(
        tag_of(child) in BLOCK_TAGS for child in el
    )


def _header_of(headline: HtmlElement) -> HtmlElement | None:
    """The `<header>` close above the headline: the article's own header, where a block of
    text besides the headline and the byline is the standfirst ("Report claims …" in
    `header > div.standfirst > p`, a `div.summary`), full stop or not."""
    for depth, node in enumerate(headline.iterancestors()):
        if depth >= MAX_HEADER_DEPTH or tag_of(node) in ("body", "html"):
            return None
        if tag_of(node) == "header":
            return node
    return None


def _text_block(el: HtmlElement) -> bool:
    """A `<p>` or `<div>` holding no block: one paragraph of text."""
    return tag_of(el) in ("p", "div") and not any(tag_of(child) in BLOCK_TAGS for child in el)


def _subheadline(el: HtmlElement, headline: HtmlElement) -> bool:
    """An `<h2>` right after the headline, in the same block: the page's subheading, which
    reads as the standfirst whatever its punctuation."""
    return tag_of(el) == "h2" and el.getprevious() is headline


def _in_deck(el: HtmlElement, headline: HtmlElement) -> bool:
    """A `<p>` or `<h2>` in a block beside the headline that is marked as the standfirst
    ("header-dek-wrapper" holding the deck, the byline and the date): the deck, even when
    the wrapper's class also reads as furniture ("header")."""
    parent = el.getparent()
    return tag_of(el) in ("p", "h2") and parent is not None and _deck_wrapper(parent, headline)


def _deck_wrapper(node: HtmlElement, headline: HtmlElement) -> bool:
    block = headline.getparent()
    return block is not None and node.getparent() is block and _marked_standfirst(node)


def _furnished_below(
    el: HtmlElement, stop: set[HtmlElement], headline: HtmlElement, area: set[HtmlElement]
) -> bool:
    """Furniture between `el` and the headline's block; a standfirst's wrapper beside the
    headline is none (see _in_deck), nor is a block of the headline's area (_headline_area:
    an opinion column's 'PageArticle_commentLead' beside its 'PageArticle_commentHeader'), nor
    one holding the body (a "share-zone" around the whole text: see find_held_container)."""
    node: HtmlElement | None = el
    while node is not None and node not in stop:
        if node not in area and is_furniture(node) and not _deck_wrapper(node, headline):
            return True
        node = node.getparent()
    return False


def _mixed(node: HtmlElement) -> bool:
    """A block holding two blocks of text or more (a headline, a byline and an intro) is no
    single paragraph."""
    blocks = 0
    for el in node.iterdescendants(*PARAGRAPH_TAGS, "div", "h1"):
        if not any(tag_of(child) in BLOCK_TAGS for child in el) and visible_text(el):
            blocks += 1
            if blocks >= 2:
                return True
    return False


def _same_start(text: str, first: str) -> bool:
    return normalize_arabic(text[:120])[:80] == normalize_arabic(first[:120])[:80]


# "City - Author" or "City (Agency)": a dateline is short and has no digits.
DATELINE = re.compile(r"^[^\d|:]{2,40}(?:\s[-–—]\s[^\d|:]{2,40}|\s?\([^\d|:]{2,40}\))$")
MAX_DATELINE = 80


def dateline_before(container: HtmlElement) -> str:
    """A "Place - Author" line among the few blocks just before the body container."""
    node = container.getprevious()
    for _ in range(4):
        if node is None:
            return ""
        text = visible_text(node) if tag_of(node) not in INVISIBLE_TAGS else ""
        if len(text) > MAX_DATELINE:
            return ""
        lines = [visible_text(el) for el in node.iter()] if text else []
        if found := [line for line in lines if DATELINE.match(line)]:
            return min(found, key=len)  # the smallest element that is one
        node = node.getprevious()
    return ""
