"""The replica corpus: JSON Lines of articles (the format in the README), checked line by line.

A corpus is hand-written or generated, so every problem is reported as one line
`<file>:<line>: <what is wrong>` that a user can fix without reading a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.outlet import Outlet
from crawler.replica import sites
from crawler.replica.sites.base import paragraphs


class CorpusError(ValueError):
    """A corpus problem, worded as `<file>:<line>: <what is wrong>`."""


@dataclass(frozen=True)
class CorpusArticle:
    """One article of the corpus; `path` is its canonical path on its outlet's site."""

    outlet: str
    section: str
    title: str
    body: str
    published: datetime  # aware, UTC
    path: str
    dateline: str | None = None
    authors: tuple[str, ...] = ()
    url_path: str | None = None
    duplicate_paths: tuple[str, ...] = ()
    updated: datetime | None = None
    summary: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)

    @property
    def teaser(self) -> str:
        """The `summary` field, else the first paragraph (what og:description and feeds show)."""
        if self.summary:
            return self.summary
        found = self.paragraphs
        return found[0] if found else ""

    @property
    def amp_path(self) -> str:
        return "/amp" + self.path


def default_corpus_path() -> Path:
    """The corpus shipped with the package (used by `newscrawl demo` without --corpus)."""
    return Path(__file__).resolve().parent / "data" / "default.jsonl"


def load_corpus(
    path: str | Path, *, outlets: Mapping[str, Outlet] | None = None
) -> list[CorpusArticle]:
    """Read and check a JSON Lines corpus; blank lines and `#` comment lines are skipped."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CorpusError(f"{source}:0: cannot read the corpus ({exc.strerror or exc})") from None
    records: list[tuple[int, Any]] = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            raise CorpusError(f"{source}:{lineno}: not UTF-8 text") from None
        if not line or line.startswith("#"):
            continue
        try:
            records.append((lineno, json.loads(line)))
        except json.JSONDecodeError as exc:
            msg = f"{source}:{lineno}: bad JSON: {exc.msg} (column {exc.colno})"
            raise CorpusError(msg) from None
    return _build(records, source, outlets)


def articles_from_records(
    records: Iterable[Mapping[str, Any]],
    *,
    source: str = "<records>",
    outlets: Mapping[str, Outlet] | None = None,
) -> list[CorpusArticle]:
    """Corpus articles from already-parsed records (numbered from 1 in messages)."""
    return _build(list(enumerate(records, start=1)), source, outlets)


def _build(
    records: list[tuple[int, Any]], source: str, outlets: Mapping[str, Outlet] | None
) -> list[CorpusArticle]:
    known = sites.outlets() if outlets is None and records else (outlets or {})
    parsed = [(n, _fields(rec, known, f"{source}:{n}")) for n, rec in records]
    taken: dict[tuple[str, str], int] = {}  # (outlet, path) -> line that uses it
    for lineno, fields in parsed:  # explicit paths first: they must not be renamed
        explicit = ([fields["url_path"]] if fields["url_path"] else []) + list(
            fields["duplicate_paths"]
        )
        for wanted in explicit:
            _reserve(taken, fields["outlet"], wanted, f"{source}:{lineno}", lineno)
    articles = []
    for lineno, fields in parsed:
        path = fields["url_path"] or _free_path(taken, fields, known, lineno)
        articles.append(CorpusArticle(path=path, **fields))
    return articles


def _reserve(taken: dict[tuple[str, str], int], outlet: str, path: str, where: str, n: int) -> None:
    if (outlet, path) in taken:
        raise CorpusError(f"{where}: path {path} is already used on line {taken[outlet, path]}")
    taken[outlet, path] = n


def _free_path(
    taken: dict[tuple[str, str], int], fields: dict[str, Any], known: Mapping[str, Outlet], n: int
) -> str:
    """The template's path for the article, with -2, -3... appended when already used."""
    outlet = known[fields["outlet"]]
    base = sites.template_for(outlet).article_path(
        outlet, fields["section"], fields["published"], fields["title"]
    )
    path, suffix = base, 1
    while (outlet.key, path) in taken:
        suffix += 1
        slash = "/" if base.endswith("/") else ""
        path = f"{base.rstrip('/')}-{suffix}{slash}"
    taken[outlet.key, path] = n
    return path


def _fields(record: Any, known: Mapping[str, Outlet], where: str) -> dict[str, Any]:
    """The record's fields, typed and checked, as CorpusArticle keyword arguments."""
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: expected a JSON object, got {_kind(record)}")
    outlet_key = _text(record, "outlet", where)
    if outlet_key not in known:
        names = ", ".join(sorted(known)) or "none"
        raise CorpusError(f"{where}: unknown outlet {outlet_key!r} (known: {names})")
    section = _text(record, "section", where)
    if section not in known[outlet_key].sections:
        names = ", ".join(known[outlet_key].sections)
        msg = f"{where}: unknown section {section!r} for outlet {outlet_key!r} (known: {names})"
        raise CorpusError(msg)
    return {
        "outlet": outlet_key,
        "section": section,
        "title": _text(record, "title", where),
        "body": _text(record, "body", where),
        "published": _instant(record, "published", where, required=True),
        "dateline": _text(record, "dateline", where, required=False),
        "authors": _texts(record, "authors", where),
        "url_path": _path(record.get("url_path"), "url_path", where),
        "duplicate_paths": tuple(
            _path(p, "duplicate_paths", where) for p in _texts(record, "duplicate_paths", where)
        ),
        "updated": _instant(record, "updated", where, required=False),
        "summary": _text(record, "summary", where, required=False),
    }


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _text(record: dict, key: str, where: str, *, required: bool = True) -> Any:
    value = record.get(key)
    if value is None and not required:
        return None
    if value is None:
        raise CorpusError(f"{where}: missing field {key!r}")
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{where}: {key!r} must be a non-empty string, got {_kind(value)}")
    return value


def _texts(record: dict, key: str, where: str) -> tuple[str, ...]:
    value = record.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


def _path(value: Any, key: str, where: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        raise CorpusError(f"{where}: {key!r} must be a path starting with '/', got {value!r}")
    return value


def _instant(record: dict, key: str, where: str, *, required: bool) -> Any:
    value = record.get(key)
    if value is None:
        if required:
            raise CorpusError(f"{where}: missing field {key!r}")
        return None
    if not isinstance(value, str):
        raise CorpusError(f"{where}: {key!r} must be an ISO-8601 string, got {_kind(value)}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CorpusError(f"{where}: {key!r} is not an ISO-8601 date-time: {value!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"{where}: {key!r} has no UTC offset (write Z or +00:00): {value!r}"
        raise CorpusError(msg)
    return moment.astimezone(UTC)
