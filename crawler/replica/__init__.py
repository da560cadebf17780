"""The replica site: look-alikes of the outlets served from a corpus, the offline "internet".

Used by `newscrawl demo`, the integration tests and the benchmarks:

    articles = load_corpus(default_corpus_path())
    with ReplicaServer(articles, faults=Faults(latency_ms=20)) as server:
        ...  # crawl with NEWSCRAWL_REPLICA_URL=server.url

`python -m crawler.replica --corpus FILE --port N` serves in the foreground.
"""

from crawler.replica.corpus import (
    CorpusArticle,
    CorpusError,
    articles_from_records,
    default_corpus_path,
    load_corpus,
)
from crawler.replica.faults import Faults
from crawler.replica.server import ReplicaServer

__all__ = [
    "CorpusArticle",
    "CorpusError",
    "Faults",
    "ReplicaServer",
    "articles_from_records",
    "default_corpus_path",
    "load_corpus",
]
