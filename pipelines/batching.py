"""Lookups batched across the items in flight (group commit).

Scrapy runs many items through the stages at once. A stage that asks the database about each
item awaits `BatchedLookup.get(key)`: keys asked for while a batch is being looked up wait and
go together in the next one, so the database sees one call per batch, made in a worker thread,
and a lone item waits for nobody.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any


class BatchedLookup:
    """`lookup(keys) -> {key: value}` run for batches of keys; a missing key gives None."""

    def __init__(self, lookup: Callable[[list[Any]], dict[Any, Any]], max_batch: int = 100):
        self.lookup = lookup
        self.max_batch = max_batch
        self.pending: list[tuple[Hashable, asyncio.Future]] = []
        self.worker: asyncio.Task | None = None

    async def get(self, key: Hashable) -> Any:
        """The value for `key`; raises what the lookup raised for its batch."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((key, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        await asyncio.sleep(0)  # items that arrive together go together
        while self.pending:
            batch = self.pending[:self.max_batch]
            del self.pending[:self.max_batch]
            try:
                keys = list(dict.fromkeys(key for key, _ in batch))
                found = await asyncio.to_thread(self.lookup, keys)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for key, future in batch:
                if not future.done():
                    future.set_result(found.get(key))
