"""Pages whose bytes were decoded with the wrong charset, and the charsets to try instead.

Two faults are common on Arabic sites: windows-1256 bytes labelled UTF-8 (the text fills with
U+FFFD) and UTF-8 labelled windows-1256 (every Arabic letter becomes two characters, an "ط" or
"ظ" followed by a Latin-1-looking one: `طھط³ظ„ظٹظ…`; the same with windows-1252 gives `Ø§Ù„`).
A text is garbled when a third or more of its letters are either; the page is then decoded
again with each charset the page allows (the HTTP header, the `<meta>` declaration, what
charset_normalizer detects, windows-1256, UTF-8) until one reads cleanly. When none does, the
article is dropped (`dropped/garbled_text`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any

GARBLED_SHARE = 1 / 3
FALLBACKS = ("windows-1256", "utf-8")
MAX_DETECT_BYTES = 200_000  # charset detection reads at most this much of the page



def _mojibake_pattern(codecs_: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """UTF-8 sequences as a single-byte codec shows them: a lead byte's character followed by
    the characters of its continuation bytes (0x80-0xBF).

    Each form begins with a lead then a continuation character: a lookahead tests that pair
    first, which rejects nearly every position of clean text (Arabic letters are cp1256
    leads) 3x faster than trying each form there. Second: one continuation character.
    """
    def chars(first: int, last: int, *codecs_: str) -> str:
        return re.escape("".join(dict.fromkeys(
            ch for codec in codecs_
            for ch in bytes(range(first, last + 1)).decode(codec, errors="ignore"))))

    forms = []
    for codec in codecs_:
        cont = f"[{chars(0x80, 0xBF, codec)}]"
        forms += [f"[{chars(0xC2, 0xDF, codec)}]{cont}", f"[{chars(0xE0, 0xEF, codec)}]{cont}{{2}}",
                  f"[{chars(0xF0, 0xF4, codec)}]{cont}{{3}}"]
    pair = f"(?=[{chars(0xC2, 0xF4, *codecs_)}][{chars(0x80, 0xBF, *codecs_)}])"
    return re.compile(f"{pair}(?:{'|'.join(forms)})"), re.compile(
        f"[{chars(0x80, 0xBF, *codecs_)}]")


# Mojibake, and any one character a continuation byte shows as (see _surely_clean)
_MOJIBAKE, _CONTINUATION = _mojibake_pattern(("cp1256", "cp1252", "latin-1"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def garbled_share(text: str) -> float:
    """The share of the text's letters that are U+FFFD or halves of mojibake pairs."""
    if not text:
        return 0.0
    bad = text.count("\ufffd") + sum(len(m) for m in _MOJIBAKE.findall(text))
    if not bad:  # clean text, the common case: no need to count its letters
        return 0.0
    letters = sum(map(str.isalpha, text)) + text.count("\ufffd")  # map: C speed
    return bad / letters if letters else 0.0


def _surely_clean(text: str) -> bool:
    """garbled_share(text) < GARBLED_SHARE, told from an upper bound of the garbled letters
    and a lower bound of all letters, at C speed: clean Arabic text has mojibake-like pairs
    (a letter then "،" reads as a UTF-8 pair), so garbled_share counts every letter of it.
    A mojibake form is a lead then 1-3 continuations, so it has at most twice as many
    characters as it has continuations; the letters of a prefix are some of the text's."""
    bound = text.count("\ufffd") + 2 * len(_CONTINUATION.findall(text))
    return not bound or 3 * bound < sum(map(str.isalpha, text[:8 * bound + 8]))


def is_garbled(*texts: str) -> bool:
    """A third or more of any of the texts is garbled."""
    return any(not _surely_clean(t) and garbled_share(t) >= GARBLED_SHARE for t in texts if t)


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def alternatives(body: bytes, headers: Any = None, tried: str = "") -> Iterator[str]:
    """Charsets the page allows, most credible first, each once, `tried` left out."""
    seen = {_known(tried) or tried}
    names: list[str] = []
    if headers is not None:
        content_type = headers.get(b"Content-Type") or headers.get("Content-Type") or b""
        if isinstance(content_type, bytes):
            content_type = content_type.decode("latin-1")
        if match := _HEADER_CHARSET.search(content_type):
            names.append(match[1])
    if match := _META_CHARSET.search(body[:4096]):
        names.append(match[1].decode("ascii", "ignore"))
    names.append(_detected(body))
    names.extend(FALLBACKS)
    for name in names:
        known = _known(name) if name else None
        if known and known not in seen:
            seen.add(known)
            yield known


def _detected(body: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # an optional helper: the other charsets are still tried
        return ""
    best = from_bytes(body[:MAX_DETECT_BYTES]).best()
    return best.encoding if best is not None else ""


def decode(body: bytes, encoding: str) -> str:
    return body.decode(encoding, errors="replace")
