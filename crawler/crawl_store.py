"""One Store per crawl: the spider and every pipeline stage share one MongoDB connection.

`crawl_store(crawler)` opens the crawl's Store on first use and closes it once, when the
engine stops (after the spider's close and every `spider_closed` handler, such as the late
story join, are done). Stages built directly in tests are given a Store instead.
"""

from __future__ import annotations

import logging
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.store import Store

_stores: WeakKeyDictionary[Any, Store] = WeakKeyDictionary()


def crawl_store(crawler: Any) -> Store:
    """The Store of this crawl (a Scrapy Crawler), opened on first use."""
    if crawler is None:
        raise RuntimeError("a stage built without a crawler must be given a store")
    store = _stores.get(crawler)
    if store is None:
        # Scrapy lets every logger through and filters at its handler: pymongo would build a
        # debug record nobody sees for each command and connection event (a quarter of the
        # client's time for a lookup).
        logging.getLogger("pymongo").setLevel(crawler.settings.get("LOG_LEVEL", "INFO"))
        store = _stores[crawler] = Store()
        crawler.signals.connect(store.close, signal=signals.engine_stopped, weak=False)
    return store
