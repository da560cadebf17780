"""Topics: keyword rules per topic (crawler/topics.py), stored in `topics`."""

from __future__ import annotations

from crawler.items import TEXT_FIELDS, Article
from crawler.topics import Stems, TopicMatcher, load_rules
from pipelines.base import Stage


class TopicsPipeline(Stage):
    def __init__(self, crawler=None, rules=None, **kwargs):
        super().__init__(crawler, **kwargs)
        user = crawler.settings.getdict("NEWSCRAWL_TOPICS") if crawler is not None else {}
        self.rules = rules if rules is not None else load_rules(user)
        self.topics_in = TopicMatcher(self.rules)

    def process_item(self, item: Article) -> Article:
        found = self.topics_in(
            Stems([stem for name in TEXT_FIELDS for stem in item.words(name).stems]))
        item.topics = list(dict.fromkeys([*item.topics, *found]))
        for topic in found:
            self.count(f"topics/{topic}")
        return item
