"""Where a run's crawl runs: the small interface between the runner and an executor.

The runner (scheduler.runner) does what is the same everywhere, once: the lease, the timeout,
retries, health and the run document. An executor only starts a crawl, says whether it still
runs, stops it, and reports how it ended. Two implementations:

- `LocalExecutor` (scheduler/local.py): a `newscrawl crawl` subprocess on this host;
- `ScrapydExecutor` (scheduler/scrapyd.py): a crawl on one of the configured Scrapyd nodes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from scheduler.config import JobConfig

RUNNING, ENDED, LOST = "running", "ended", "lost"


class StartFailed(Exception):
    """The crawl could not be started; `retryable`: another attempt may succeed."""

    def __init__(self, reason: str, *, retryable: bool):
        super().__init__(reason)
        self.retryable = retryable


class NoFreeSlot(Exception):
    """Every node that may take the run is busy: try again shortly."""


@dataclass
class Outcome:
    """How a crawl ended: the exit code of `newscrawl crawl` (or the one its own record
    implies), or a problem that kept the end from being judged (the attempt then failed and
    may be retried)."""

    exit_code: int | None
    problem: str | None = None
    retryable: bool = True


class Executor(ABC):
    name: str
    poll_s: float  # how often the runner asks `state()`

    @abstractmethod
    def start(self, job: JobConfig, doc: dict[str, Any]) -> Any:
        """Start the crawl of the run `doc` (already stored); add what identifies it (node,
        pid, command…) to `doc`; return a handle. Raises StartFailed or NoFreeSlot."""

    @abstractmethod
    def state(self, crawl: Any) -> str:
        """RUNNING, ENDED, or LOST (its node stopped answering for too long)."""

    @abstractmethod
    def stop(self, crawl: Any) -> None:
        """End the crawl: a graceful stop, then a forced one after the kill grace."""

    @abstractmethod
    def finish(self, crawl: Any, doc: dict[str, Any]) -> Outcome:
        """After the crawl ended: add its figures and log tail to `doc`."""

    def lost_reason(self, crawl: Any) -> str:
        """Why `state()` said LOST, in words for the run document."""
        return "the executor lost track of the crawl"

    def adopt(self, doc: dict[str, Any]) -> Any | None:
        """A handle on the crawl of a run whose scheduler died, if it can still be watched."""
        return None

    def close(self) -> None:  # noqa: B027 (most executors hold nothing)
        """Release what the executor holds (HTTP sessions)."""

