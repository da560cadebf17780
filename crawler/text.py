"""Arabic text normalisation.

Two different jobs live here and must not be confused:

* :func:`normalize_arabic` builds a *matching key*. It is lossy on purpose (no diacritics,
  hamza carriers folded, ة → ه, digits unified...) so that spelling variants of the same word
  compare equal. Search, dedupe and topic extraction all use it, so changing it changes every
  stored key: treat it as a data format.
* :func:`clean_display_text` tidies text we *store and show*. It keeps every letter and
  diacritic as written and only removes what is invisible or typographic noise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

__all__ = [
    "Words",
    "clean_display_text",
    "normalize_arabic",
    "normalize_paragraphs",
    "strip_prefixes",
    "tokens",
]


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """Whether `text` holds a digit of any script (at C speed: date searches ask it of every
    short text they pass)."""
    return _DIGIT.search(text) is not None


def _chars(first: int, last: int) -> list[str]:
    return [chr(cp) for cp in range(first, last + 1)]


# Marks that are invisible but survive NFKC; scraped HTML is full of them and they break
# equality of otherwise identical strings.
_JOINERS = ["\u200c", "\u200d"]  # ZWNJ, ZWJ
_INVISIBLE = [
    "\u200b",  # zero width space
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u061c",  # Arabic letter mark
    *_chars(0x202A, 0x202E),  # LRE RLE PDF LRO RLO
    *_chars(0x2066, 0x2069),  # LRI RLI FSI PDI
    "\u2060",  # word joiner (the modern spelling of a mid-text BOM)
    "\ufeff",  # BOM / zero width no-break space
    "\u00ad",  # soft hyphen
]

# Control characters in crawled text are hostile or garbage (an ESC can drive a terminal), so
# display text loses them: C0 except the whitespace that `str.splitlines`/`str.split` turn into
# line breaks and spaces (tab, LF, VT, FF, CR), DEL, and C1 except NEL (a line break).
_CONTROLS = [
    *(chr(cp) for cp in range(0x20) if chr(cp) not in "\t\n\v\f\r"),
    "\x7f",
    *(chr(cp) for cp in range(0x80, 0xA0) if cp != 0x85),
]

# Tashkeel, Quranic annotation marks and tatweel: they decorate a word without changing it.
_ARABIC_MARKS = [
    *_chars(0x064B, 0x065F),  # harakat, tanween, shadda, sukun, hamza/madda above & below ...
    "\u0670",  # superscript (dagger) alef
    *_chars(0x06D6, 0x06ED),  # Quranic small high/low signs
    *_chars(0x08D3, 0x08FF),  # extended Quranic marks
    "\u0640",  # tatweel (kashida)
]

_FOLD_MAP: dict[str, str] = {
    # Alef with hamza/madda/wasla: writers are inconsistent, so all become bare alef.
    **dict.fromkeys("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627"),  # أ إ آ ٱ ٲ ٳ → ا
    "\u0649": "\u064a",  # ى → ي  (alef maksura is routinely typed as yeh and vice versa)
    "\u0629": "\u0647",  # ة → ه  (taa marbuta is often typed/OCR'd as heh)
    # Hamza on a carrier → the bare carrier. Common practice in Arabic IR (e.g. Larkey's light
    # stemmers): مؤسسة/موسسة and مسائل/مسايل are the same word typed with or without hamza.
    # Bare hamza ء is kept: it is a letter of its own (e.g. سماء).
    "\u0624": "\u0648",  # ؤ → و
    "\u0626": "\u064a",  # ئ → ي
    # Persian/Urdu code points that Arabic sites emit from Persian keyboard layouts.
    **dict.fromkeys("\u06cc\u06d0", "\u064a"),  # ی ې → ي
    "\u06a9": "\u0643",  # ک → ك
    # Arabic-Indic and Persian digits → ASCII, so "٢٠٢٤" matches "2024".
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
}

# One table, built once, holds all the per-character work of normalize_arabic (crawler.dates
# folds with it too).
FOLD_TABLE = str.maketrans(
    {
        **dict.fromkeys(_INVISIBLE + _JOINERS + _ARABIC_MARKS),
        **_FOLD_MAP,
    }
)
# str.translate() pays a mapping lookup for every character: fine for short strings such as
# titles, but ~7x slower on article bodies than one C-speed str.replace per table entry that
# actually occurs. Same table, same result (no replacement is itself a key).
_FOLD_PAIRS = tuple((chr(cp), new or "") for cp, new in FOLD_TABLE.items())
_TRANSLATE_MAX_LEN = 80


def _fold_chars(text: str, table: dict[int, str | None], pairs: tuple[tuple[str, str], ...]) -> str:
    if len(text) < _TRANSLATE_MAX_LEN:
        return text.translate(table)
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _fold_chars(text, FOLD_TABLE, _FOLD_PAIRS).lower()
    return " ".join(text.split())  # split() knows all Unicode whitespace and strips the ends


def normalize_arabic(text: str) -> str:
    """Return the matching key of ``text`` (search, dedupe and topics all use it).

    NFKC (which also unfolds presentation forms such as "ﻻ" → "لا" and NBSP → space), then
    drop diacritics, tatweel and invisible marks, fold letter variants (أإآٱ → ا, ى → ي,
    ة → ه, ؤ → و, ئ → ي, Persian ی/ک → ي/ك), map Arabic-Indic digits to ASCII, lowercase,
    and collapse whitespace. Idempotent.
    """
    if not text:
        return ""
    if text.isascii():  # nothing to fold: NFKC and the table leave ASCII as it is
        return " ".join(text.lower().split())
    out = _fold_once(text)
    # Deleting a mark can unblock a canonical composition (e.g. "e" + tatweel + U+0301), so
    # the result is not always NFKC yet. is_normalized() is a cheap quick-check; a second pass
    # is only needed for such pathological input.
    while not unicodedata.is_normalized("NFKC", out):
        out = _fold_once(out)
    return out


# --- display text -------------------------------------------------------------------------

_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# ZWNJ/ZWJ are *kept* in display text: ZWNJ is orthographic in Persian/Urdu names and quotes
# (می‌خواهم), and ZWJ holds emoji sequences together. Only the other invisibles are removed.
# Control characters go with them (the bidi overrides and isolates are among _INVISIBLE).
_DISPLAY_REMOVED = _INVISIBLE + _CONTROLS
assert not any(ch.isprintable() for ch in _DISPLAY_REMOVED)
_DISPLAY_INVISIBLE_TABLE = str.maketrans(dict.fromkeys(_DISPLAY_REMOVED))
_DISPLAY_INVISIBLE_PAIRS = tuple((ch, "") for ch in _DISPLAY_REMOVED)
# A space run with the joiners that touch it: there they join nothing and only hide the space.
_JOINER_CLASS = "".join(_JOINERS)
_SPACE_RUN_WITH_JOINERS = re.compile(rf"(?:[{_JOINER_CLASS}]* )+[{_JOINER_CLASS}]*")
_LINE_EDGE = " " + _JOINER_CLASS


def _unfold_presentation_form(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def clean_display_text(text: str) -> str:
    """Tidy text for storage/display without changing its letters.

    Presentation-form code points (U+FB50–U+FDFF, U+FE70–U+FEFF, which break search and
    copy/paste) are NFKC-unfolded one by one; everything else only gets NFC. Invisible marks,
    bidi overrides and control characters (C0 and C1 other than tab and line breaks, DEL) are
    removed (ZWNJ/ZWJ kept inside words, see above), Unicode spaces become " ", runs of
    spaces collapse, lines are trimmed, and paragraphs are separated by exactly one blank line.
    Idempotent.
    """
    if not text:
        return ""
    text = _PRESENTATION_FORMS.sub(_unfold_presentation_form, text)
    # Invisibles go before NFC: removing one can let a base letter and its mark compose.
    if not text.isprintable():  # each removed character is a control (Cc) or a format (Cf)
        text = _fold_chars(text, _DISPLAY_INVISIBLE_TABLE, _DISPLAY_INVISIBLE_PAIRS)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2029", "\n\n")  # PARAGRAPH SEPARATOR is a paragraph break

    paragraphs: list[list[str]] = [[]]
    # splitlines() knows every line break: \r\n, \r, \v, \f, U+0085, U+2028 ...
    for raw_line in text.splitlines():
        line = " ".join(raw_line.split())  # collapse and trim all Unicode whitespace
        if "\u200c" in line or "\u200d" in line:
            line = _SPACE_RUN_WITH_JOINERS.sub(" ", line).strip(_LINE_EDGE)
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(lines) for lines in paragraphs if lines)


def normalize_paragraphs(paragraphs: Iterable[str]) -> str:
    """Clean each paragraph, drop the empty ones and join them with one blank line."""
    cleaned = (clean_display_text(p) for p in paragraphs if p)
    return "\n\n".join(p for p in cleaned if p)


# --- titles, search and tokens ------------------------------------------------------------

# Separators between a site name and a headline. Tatweel only counts when it stands alone
# between spaces: inside words ("الـمـغـرب") it is elongation, not punctuation.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212|\uff5c:\uff1a"
_SEPARATOR_RUN = re.compile(rf"(?:\s*(?:[{_DASHES}]+|(?<!\S)\u0640+(?!\S)))+\s*")


def _title_key(text: str) -> str:
    # Canonicalise separators *before* normalize_arabic, which would delete a tatweel one.
    return normalize_arabic(_SEPARATOR_RUN.sub(" | ", text)).strip(" |")


@lru_cache(maxsize=256)  # an outlet's names, for every title and summary it crawls
def _prefix_keys(prefixes: tuple[str, ...]) -> frozenset[str]:
    return frozenset({_title_key(p) for p in prefixes} - {""})


def strip_prefixes(title: str, prefixes: Iterable[str]) -> str:
    """Remove site-name prefixes and suffixes such as "المغرب اليوم -" or "| هسبريس".

    A name is removed only when it is a whole segment delimited by a separator (- – — ـ | :),
    compared with :func:`normalize_arabic` so hamza/diacritic/spacing variants still match.
    Repeats until nothing changes ("X - X - title" → "title") and never strips a title down
    to nothing.
    """
    keys = _prefix_keys(tuple(prefixes))
    text = title.strip()
    changed = bool(keys)
    while changed:
        changed = False
        for sep in _SEPARATOR_RUN.finditer(text):
            head, tail = text[: sep.start()].strip(), text[sep.end() :].strip()
            if tail and _title_key(head) in keys:
                text, changed = tail, True
            elif head and _title_key(tail) in keys:
                text, changed = head, True
            if changed:
                break
    return text


_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Words of ``normalize_arabic(text)``; anything but a letter or digit separates them."""
    return normalized_tokens(normalize_arabic(text))


# Characters news text puts between words that are no part of a token (_TOKEN): as spaces, a
# text's tokens are its whitespace-separated parts when every part is letters and digits
# (str.isalnum is _TOKEN's class, no space is alphanumeric), found at C speed (the regex
# tests each character's category: 4x the time on an article body).
_PUNCTUATION = tuple("\u060c.,:;\u061b!?\u061f\u00ab\u00bb\"'()[]-\u2013\u2014\u201c\u201d/%")
assert not any(_TOKEN.match(ch) for ch in _PUNCTUATION)


def _spaced(text: str) -> str:
    for mark in _PUNCTUATION:
        if mark in text:
            text = text.replace(mark, " ")
    return text


def normalized_tokens(normalized: str) -> list[str]:
    """tokens() of a text normalized already."""
    parts = _spaced(normalized).split()
    if all(map(str.isalnum, parts)):
        return parts
    return _TOKEN.findall(normalized)


# Proclitics, longest first: conjunctions و/ف, prepositions ب/ك/ل and the article ال, stacked
# as news writes them (وبالشرطة: and + by + the police).
_PROCLITICS = ("وبال", "فبال", "وكال", "فكال", "وال", "بال", "كال", "فال", "ولل", "فلل", "لل",
               "ال", "و", "ف", "ب", "ل")


def _rest(prefix: str) -> int:
    """The letters a word keeps at least when a proclitic is stripped (light_stem)."""
    return 4 if len(prefix) == 1 else 2


# light_stem of every token of a text at once, for a text whose tokens are its parts separated
# by single spaces: after a space, the first proclitic (in light_stem's order) followed by
# enough letters of the same token. One regex pass costs a third of a light_stem call a token.
_PROCLITIC_AFTER_SPACE = re.compile(
    " (?:" + "|".join(f"{re.escape(p)}(?=\\S{{{_rest(p)}}})" for p in _PROCLITICS) + ")")

# Function words that every Arabic news text shares; they carry no story.
STOPWORDS = frozenset(normalize_arabic(w) for w in """
في من على إلى الى عن أن ان إن التي الذي الذين اللذين مع هذا هذه ذلك تلك كما وقد قد لم لن ما لا
و أو او ثم حيث بعد قبل عند كان كانت يكون تكون تم خلال بين حول اجل أجل كل بعض غير منذ وفي ومن
وعلى وإلى والى وأن وان وهو وهي هو هي أنه انه أنها انها إلا الا لدى لقد عبر ضد دون أي اي
""".split())


@lru_cache(maxsize=1 << 15)  # news words repeat from article to article
def light_stem(token: str) -> str:
    """A normalized token without its proclitics (والشرطه -> شرطه), for search and dedupe.

    A one-letter proclitic is only stripped from a long word (وزير stays وزير).
    """
    if not token.startswith(_PROCLITICS):  # one test at C speed for most words
        return token
    for prefix in _PROCLITICS:
        if token.startswith(prefix) and len(token) - len(prefix) >= _rest(prefix):
            return token[len(prefix):]
    return token


@dataclass(frozen=True)
class Words:
    """A text as matching reads it: its key (normalize_arabic), its tokens and their stems.

    Several stages read the same article's words (content hash, search terms, topics, near
    duplicates): an article's texts are analysed once (`Article.words`), not once a stage.
    """

    key: str
    tokens: tuple[str, ...]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Words:
        key = normalize_arabic(text)  # its only whitespace: single spaces
        spaced = _spaced(key)
        parts = spaced.split()
        if all(map(str.isalnum, parts)):  # the tokens (normalized_tokens); stems at C speed
            stems = _PROCLITIC_AFTER_SPACE.sub(" ", " " + spaced).split()
            return cls(key, tuple(parts), tuple(stems))
        found = tuple(_TOKEN.findall(key))
        return cls(key, found, tuple(map(light_stem, found)))


def search_terms(*parts: str) -> str:
    """The stored search field: every token of the text and its stem, once each.

    A `$text` index over it finds an article whatever the hamza, diacritics, tatweel or
    proclitics of the query (query words are stemmed the same way).
    """
    return search_terms_of(Words.of(p) for p in parts if p)


def search_terms_of(parts: Iterable[Words]) -> str:
    """search_terms() of texts already analysed (the words of texts joined by spaces are the
    words of each text in turn)."""
    pairs = chain.from_iterable(zip(words.tokens, words.stems, strict=True) for words in parts)
    return " ".join(dict.fromkeys(chain.from_iterable(pairs)))


def content_words(text: str | Words) -> list[str]:
    """Stems of the words that carry content (no stopwords), for near-duplicate detection."""
    words = text if isinstance(text, Words) else Words.of(text)
    return [stem for token, stem in zip(words.tokens, words.stems, strict=True)
            if token not in STOPWORDS]


def content_stems(words: list[str]) -> list[str]:
    """content_words of a text given as its tokens (for a caller that has them already)."""
    return [light_stem(t) for t in words if t not in STOPWORDS]
