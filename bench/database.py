"""The database a benchmark writes to: --uri / NEWSCRAWL_TEST_MONGO_URI, else an embedded
nx-27017 server in a temporary folder; the benchmark's database is dropped before and after."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from crawler.database import MongoTarget
from crawler.embedded import EmbeddedServer
from crawler.store import Store


def uri_option_default() -> str | None:
    return os.environ.get("NEWSCRAWL_TEST_MONGO_URI")


@contextlib.contextmanager
def bench_store(uri: str | None, database: str) -> Iterator[tuple[Store, str]]:
    """A store on a fresh `database` and a label naming the server."""
    server = None
    if uri:
        label = "external MongoDB"
    else:
        server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="nc-bench-")))
        uri, label = server.ensure_running(), "embedded nx-27017"
    store = Store(MongoTarget(uri, database, embedded=server is not None))
    store.db.client.drop_database(database)
    store.ensure_indexes()
    try:
        yield store, label
    finally:
        store.db.client.drop_database(database)
        store.close()
        if server:
            server.stop()
