"""Topics: keyword rules per topic (crawler/topics.py), stored in `topics`."""

from __future__ import annotations

from crawler.items import Article
from crawler.topics import load_rules, topics_of
from pipelines.base import Stage


class TopicsPipeline(Stage):
    def __init__(self, crawler=None, rules=None, **kwargs):
        super().__init__(crawler, **kwargs)
        user = crawler.settings.getdict("NEWSCRAWL_TOPICS") if crawler is not None else {}
        self.rules = rules if rules is not None else load_rules(user)

    def process_item(self, item: Article) -> Article:
        found = topics_of(" ".join((item.title, item.summary, item.body)), self.rules)
        item.topics = list(dict.fromkeys([*item.topics, *found]))
        for topic in found:
            self.count(f"topics/{topic}")
        return item
