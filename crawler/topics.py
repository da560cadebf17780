"""Topic rules: keyword lists per topic, matched on the normalized text.

Shipped defaults live in crawler/data/topics.toml; `[topics.<name>]` in newscrawl.toml adds a
topic, replaces a topic's keywords, or turns one off (`enabled = false`). The file's tables are
checked when it is read (crawler/spiderloader.py); the NEWSCRAWL_TOPICS setting the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crawler.checks import Check, TableReader, boolean, texts
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


TOPIC_CHECKS: dict[str, Check] = {"keywords": texts, "enabled": boolean}


def check_topics(raw: Any, reader: TableReader) -> dict[str, dict[str, Any]]:
    """`[topics.<name>]` tables, typed: `keywords` (a list of words or phrases, `*` ends a
    prefix) and `enabled`; a new topic needs its keywords."""
    topics = {}
    for name, table in reader.table(raw, "", "'topics'").items():
        where = f"topic {name!r}"
        values = reader.values(reader.table(table, where, f"[topics.{name}]"), TOPIC_CHECKS,
                               where)
        if values.get("enabled", True) and "keywords" not in values:
            raise reader.fail(where, "key 'keywords': missing")
        topics[name] = values
    return topics


def load_rules(user: dict[str, Any] | None = None) -> dict[str, list[Keyword]]:
    """Topic name -> keywords, the user's `[topics]` table applied over the shipped one."""
    rules = {name: list(table["keywords"]) for name, table in shipped_rules().items()}
    for name, table in check_topics(user or {}, TableReader("setting NEWSCRAWL_TOPICS")).items():
        if table.get("enabled", True) is False:
            rules.pop(name, None)
        else:
            rules[name] = list(table["keywords"])
    return {name: [Keyword.parse(k) for k in keywords] for name, keywords in rules.items()}


def topics_of(text: str, rules: dict[str, list[Keyword]]) -> list[str]:
    stems = [light_stem(t) for t in tokens(text)]  # tokens() normalizes
    stem_set = set(stems)
    return [name for name, keywords in rules.items()
            if any(k.matches(stems, stem_set) for k in keywords)]
