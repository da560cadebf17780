"""JSON output: instants as ISO-8601 UTC with `Z`, Arabic kept as is, controls escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def iso_z(value: datetime) -> str:
    """ISO-8601 in UTC with a `Z` (naive values are taken as UTC, as pymongo returns them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # ObjectId and friends


def dumps(value: Any, **kwargs: Any) -> str:
    """JSON for people and pipes: Arabic kept readable, terminal controls escaped (as `\\uXXXX`,
    so a JSON reader gets the very same text back)."""
    from crawler.terminal import escape_controls

    return escape_controls(json.dumps(to_jsonable(value), ensure_ascii=False, **kwargs))


def parse_instants(doc: dict[str, Any] | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The inverse of to_jsonable for the named instant fields."""
    if doc is None:
        return None
    out = dict(doc)
    for name in names:
        if isinstance(out.get(name), str) and out[name]:
            out[name] = datetime.fromisoformat(out[name].replace("Z", "+00:00"))
    return out
