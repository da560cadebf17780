"""Crawled text in front of a person: control characters are shown, never obeyed.

Pages come from strangers. An ESC in a title can retitle or clear a terminal, a U+202E can
reverse what a line appears to say, and a CSV cell starting with `=` is run as a formula by a
spreadsheet. The normalize stage strips these characters before storing; everything that
prints crawled text escapes them again here (articles stored by older versions or by other
tools, log tails, error messages), with one function: :func:`escape_controls`.
"""

from __future__ import annotations

import logging
import re

from rich.text import Text

# C0 except tab and newline (so CR, which can overwrite a line, is escaped too), DEL, C1, and
# the bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_controls(text: str) -> str:
    """`text` with every terminal control character written as `\\uXXXX`.

    The escape is JSON's, so it also makes a serialized JSON document safe to print: these
    characters can only occur inside its strings, where `\\uXXXX` means the same character.
    """
    return TERMINAL_CONTROLS.sub(_escape, text) if text else text


def safe_text(text: str) -> Text:
    """A rich Text for a table cell or line: controls escaped, no markup interpreted."""
    return Text(escape_controls(text))


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text: controls escaped, formulas neutralized."""
    text = escape_controls(text)
    return "'" + text if text.startswith(FORMULA_START) else text


class EscapeControlsFilter(logging.Filter):
    """On a log handler: a message that quotes crawled text is written with its controls
    escaped (the crawl log goes to stderr with --verbose, and people read the files)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = escape_controls(message)
        if escaped != message:
            record.msg, record.args = escaped, None
        return True


def escape_log_output() -> None:
    """Escape controls in what every handler of the root logger writes."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, EscapeControlsFilter) for f in handler.filters):
            handler.addFilter(EscapeControlsFilter())
