"""The one way a key of newscrawl.toml is checked, and the one wording of a mistake.

A check is a function from the raw TOML value to the typed one that raises `Invalid` with what
is wrong; `TableReader` adds where, so every mistake is one line naming the file, the table
and the key: `newscrawl.toml: outlet 'akhbar': key 'sections.latest.feeds': expected a list of
paths or URLs, got 'notalist'`. scheduler/config.py checks `[scheduler]` and `[[jobs]]` with
these, crawler/outlet_config.py `[outlets…]` and crawler/topics.py `[topics…]`; a new key is
one entry in its table's dict of checks.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from crawler.config import ConfigError

Check = Callable[[Any], Any]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Invalid(Exception):
    """A problem with one value; the reader adds the file, the table and the key."""


class TableReader:
    """Error wording in one place: `<file>: <where>: key '<key>': <problem>`."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.label}: {where}{': ' if where else ''}{message}")

    def table(self, raw: Any, where: str, what: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected a table for {what}, got {raw!r}")
        return raw

    def unknown(self, raw: Mapping[str, Any], allowed: Mapping[str, Any] | tuple[str, ...],
                where: str, prefix: str = "") -> None:
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f" (did you mean '{prefix}{close[0]}'?)" if close else (
                    f" (allowed: {', '.join(allowed)})")
                raise self.fail(where, f"key '{prefix}{key}': unknown key{hint}")

    def value(self, check: Check, raw: Any, where: str, key: str) -> Any:
        try:
            return check(raw)
        except Invalid as exc:
            raise self.fail(where, f"key '{key}': {exc}") from None

    def values(self, raw: Mapping[str, Any], checks: Mapping[str, Check], where: str,
               prefix: str = "") -> dict[str, Any]:
        """Every key of a table checked: unknown keys refused, the others typed."""
        self.unknown(raw, checks, where, prefix)
        return {key: self.value(checks[key], value, where, prefix + key)
                for key, value in raw.items()}


# --- checks: each returns the typed value or raises Invalid with the text after "key 'x': " ---

def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {value!r}")
    return value


def integer(minimum: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Invalid(f"expected an integer >= {minimum}, got {value!r}")
        return value
    return check


def fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise Invalid(f"expected a number between 0 and 1, got {value!r}")
    return float(value)


def rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Invalid(f"expected a number >= 0, got {value!r}")
    return float(value)


def timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a time zone name like 'Africa/Casablanca', got {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {value!r}") from None
    return value


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"expected a non-empty string, got {value!r}")
    return value.strip()


def texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(f"expected a list of non-empty strings, got {value!r}")
    return tuple(v.strip() for v in value)


def one_of(*options: str) -> Check:
    def check(value: Any) -> str:
        if value not in options:
            raise Invalid(f"expected one of {', '.join(map(repr, options))}, got {value!r}")
        return value
    return check


def env_name(value: Any) -> str:
    """The name of an environment variable (its value is read when needed, never stored)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise Invalid(f"expected the name of an environment variable, got {value!r}")
    return value


def name(value: Any) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        raise Invalid(f"expected letters, digits, '-', '_' or '.', got {value!r}")
    return value


def regex(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid(f"expected a regular expression, got {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise Invalid(f"invalid regular expression {value!r} ({exc})") from None
    return value


def http_url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^/\s?#]+(/\S*)?$", value):
        raise Invalid(f"expected an http(s) URL like 'https://www.example.com', got {value!r}")
    return value.rstrip("/")


def css_selectors(value: Any) -> tuple[str, ...]:
    """One CSS selector or a list of them, in parsel's dialect (`::text`, `::attr(href)`)."""
    from cssselect import SelectorError
    from parsel.csstranslator import HTMLTranslator

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
        raise Invalid(f"expected a CSS selector or a list of them, got {value!r}")
    translator = HTMLTranslator()
    for selector in items:
        try:
            translator.css_to_xpath(selector)
        except SelectorError as exc:
            raise Invalid(f"invalid CSS selector {selector!r} ({exc})") from None
    return tuple(s.strip() for s in items)
