"""Fault knobs of the replica site: what goes wrong on the real internet, on demand.

Every knob is deterministic, so a test that sees a failure sees it again: `error_rate` picks
article paths by a hash of the path, and a picked path fails only its first
`fail_first_attempts` requests, so a crawler's retries succeed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Faults:
    """What the server does wrong. Path knobs hold decoded path prefixes ("/" matches all)."""

    latency_ms: int = 0  # added to every response (or only to those under latency_paths)
    latency_paths: set[str] = field(default_factory=set)  # empty: every path is slow
    error_paths: set[str] = field(default_factory=set)  # answer 503
    error_rate: float = 0.0  # fraction of article paths (canonical, duplicate, AMP) answering 500
    fail_first_attempts: int = 1  # ...on their first N requests only, so retries succeed
    truncate_paths: set[str] = field(default_factory=set)  # HTML cut mid-body, no closing tags
    cp1256_paths: set[str] = field(default_factory=set)  # served in windows-1256
    # Charset lies: windows-1256 bytes declared UTF-8, and UTF-8 bytes declared windows-1256.
    cp1256_as_utf8_paths: set[str] = field(default_factory=set)
    utf8_as_cp1256_paths: set[str] = field(default_factory=set)
    # answered with a gzip bomb of `bomb_mb` MB once inflated: a path ending in `.gz` as a
    # gzipped file, any other with `Content-Encoding: gzip`
    bomb_paths: set[str] = field(default_factory=set)
    bomb_mb: int = 200

    def __post_init__(self) -> None:
        for name in PATH_KNOBS:
            setattr(self, name, _prefixes(getattr(self, name), name))
        if not isinstance(self.bomb_mb, int) or self.bomb_mb < 1:
            raise ValueError(f"bomb_mb must be an integer >= 1, got {self.bomb_mb!r}")
        if not isinstance(self.latency_ms, int | float) or self.latency_ms < 0:
            raise ValueError(f"latency_ms must be a number >= 0, got {self.latency_ms!r}")
        if not isinstance(self.error_rate, int | float) or not 0 <= self.error_rate <= 1:
            raise ValueError(f"error_rate must be between 0 and 1, got {self.error_rate!r}")
        if not isinstance(self.fail_first_attempts, int) or self.fail_first_attempts < 0:
            raise ValueError(
                f"fail_first_attempts must be an integer >= 0, got {self.fail_first_attempts!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Faults:
        """Faults from JSON (`POST /_replica/faults`); unknown keys are an error, not ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault knob(s): {', '.join(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in PATH_KNOBS:
            data[name] = sorted(data[name])
        return data

    def delays(self, path: str) -> float:
        """Seconds to wait before answering `path`."""
        slow = not self.latency_paths or matches(self.latency_paths, path)
        return self.latency_ms / 1000 if slow else 0.0

    def errors(self, path: str) -> bool:
        return matches(self.error_paths, path)

    def truncates(self, path: str) -> bool:
        return matches(self.truncate_paths, path)

    def cp1256(self, path: str) -> bool:
        return matches(self.cp1256_paths, path)

    def mislabels(self, path: str) -> bool:
        return matches(self.cp1256_as_utf8_paths, path)

    def mislabels_utf8(self, path: str) -> bool:
        return matches(self.utf8_as_cp1256_paths, path)

    def bombs(self, path: str) -> bool:
        return matches(self.bomb_paths, path)

    def fails_article(self, path: str, attempt: int) -> bool:
        """Whether the `attempt`-th request (from 1) of an article path answers 500."""
        picked = zlib.crc32(path.encode()) / 2**32 < self.error_rate
        return picked and attempt <= self.fail_first_attempts


PATH_KNOBS = (
    "latency_paths", "error_paths", "truncate_paths", "cp1256_paths", "cp1256_as_utf8_paths",
    "utf8_as_cp1256_paths", "bomb_paths",
)


def matches(prefixes: Iterable[str], path: str) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


def _prefixes(value: Any, name: str) -> set[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{name} must be a list of path prefixes, got {value!r}")
    found = set(value)
    if not all(isinstance(p, str) and p.startswith("/") for p in found):
        raise ValueError(f"{name} must hold paths starting with '/', got {sorted(map(str, found))}")
    return found
