"""Topic rules: keyword lists per topic, matched on the normalized text.

Shipped defaults live in crawler/data/topics.toml; `[topics.<name>]` in newscrawl.toml adds a
topic, replaces a topic's keywords, or turns one off (`enabled = false`). The file's tables are
checked when it is read (crawler/spiderloader.py); the NEWSCRAWL_TOPICS setting the same way.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crawler.checks import Check, TableReader, boolean, texts
from crawler.text import Words, light_stem, tokens


class Stems:
    """A text's stems in order, as a set, and sorted (where a prefix is found by bisection:
    trying every stem took most of the stage's time)."""

    def __init__(self, stems: Sequence[str]):
        self.order = list(stems)
        self.set = set(stems)
        self.sorted = sorted(self.set)

    def with_prefix(self, prefix: str) -> bool:
        at = bisect_left(self.sorted, prefix)
        return at < len(self.sorted) and self.sorted[at].startswith(prefix)


@dataclass(frozen=True)
class Keyword:
    words: tuple[str, ...]  # stems, normalized
    prefix: bool  # the last word may continue ("مخدر*")

    @classmethod
    def parse(cls, raw: str) -> Keyword:
        prefix = raw.strip().endswith("*")
        words = tuple(light_stem(t) for t in tokens(raw.strip().rstrip("*")))
        return cls(words, prefix)

    def matches(self, text: Stems) -> bool:
        if not self.words:
            return False
        *head, last = self.words
        found = text.with_prefix(last) if self.prefix else last in text.set
        if not head or not found:
            return found
        # Several words: only where all of them occur (most texts are rejected here).
        if any(word not in text.set for word in head):
            return False
        stems, n = text.order, len(self.words)
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
    return topics_in(Stems(Words.of(text).stems), rules)


def topics_in(text: Stems, rules: dict[str, list[Keyword]]) -> list[str]:
    """topics_of() of a text already analysed."""
    return [name for name, keywords in rules.items() if any(k.matches(text) for k in keywords)]


class TopicMatcher:
    """topics_in() for one set of rules, the keywords of one word (most of them) looked up
    as one set a topic, at C speed, before the others are tried one by one."""

    def __init__(self, rules: dict[str, list[Keyword]]):
        def single(keyword: Keyword) -> bool:
            return len(keyword.words) == 1 and not keyword.prefix

        self.rules = rules
        self.words = {name: frozenset(k.words[0] for k in keywords if single(k))
                      for name, keywords in rules.items()}
        self.others = {name: [k for k in keywords if not single(k)]
                       for name, keywords in rules.items()}

    def __call__(self, text: Stems) -> list[str]:
        return [name for name in self.rules if not self.words[name].isdisjoint(text.set)
                or any(k.matches(text) for k in self.others[name])]
