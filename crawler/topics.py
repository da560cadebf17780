"""Topic rules: keyword lists per topic, matched on the normalized text.

Shipped defaults live in crawler/data/topics.toml; `[topics.<name>]` in newscrawl.toml adds a
topic, replaces a topic's keywords, or turns one off (`enabled = false`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crawler.config import ConfigError
from crawler.text import light_stem, tokens


@dataclass(frozen=True)
class Keyword:
    words: tuple[str, ...]  # stems, normalized
    prefix: bool  # the last word may continue ("مخدر*")

    @classmethod
    def parse(cls, raw: str) -> Keyword:
        prefix = raw.strip().endswith("*")
        words = tuple(light_stem(t) for t in tokens(raw.strip().rstrip("*")))
        return cls(words, prefix)

    def matches(self, stems: list[str], stem_set: set[str]) -> bool:
        if not self.words:
            return False
        *head, last = self.words
        if not head:
            return (any(stem.startswith(last) for stem in stem_set) if self.prefix
                    else last in stem_set)
        # Several words: only where all of them occur (most texts are rejected here).
        if any(word not in stem_set for word in head) or (
                not self.prefix and last not in stem_set):
            return False
        n = len(self.words)
        for i in range(len(stems) - n + 1):
            if stems[i] == head[0] and stems[i:i + n - 1] == head and (
                stems[i + n - 1].startswith(last) if self.prefix else stems[i + n - 1] == last
            ):
                return True
        return False


def shipped_rules() -> dict[str, Any]:
    text = resources.files("crawler").joinpath("data/topics.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_rules(user: dict[str, Any] | None = None) -> dict[str, list[Keyword]]:
    """Topic name -> keywords, the user's `[topics]` table applied over the shipped one."""
    rules = shipped_rules()
    for name, table in (user or {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f"topics.{name}: expected a table with 'keywords'")
        unknown = set(table) - {"keywords", "enabled"}
        if unknown:
            raise ConfigError(f"topics.{name}: unknown key {sorted(unknown)[0]!r}")
        if table.get("enabled", True) is False:
            rules.pop(name, None)
            continue
        keywords = table.get("keywords")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ConfigError(f"topics.{name}: 'keywords' must be a list of strings")
        rules[name] = {"keywords": keywords}
    return {name: [Keyword.parse(k) for k in table["keywords"]] for name, table in rules.items()}


def topics_of(text: str, rules: dict[str, list[Keyword]]) -> list[str]:
    stems = [light_stem(t) for t in tokens(text)]  # tokens() normalizes
    stem_set = set(stems)
    return [name for name, keywords in rules.items()
            if any(k.matches(stems, stem_set) for k in keywords)]
