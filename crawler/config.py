"""Where newscrawl keeps its data and which configuration it reads (DESIGN.md section 2).

Environment: NEWSCRAWL_HOME (data folder), NEWSCRAWL_MONGO_URI (any MongoDB; unset means the
embedded server), NEWSCRAWL_CONFIG (TOML file; else ./newscrawl.toml when present).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem, worded for the user: file, key and what is wrong."""


def home() -> Path:
    """The data folder: embedded database, spool, logs (created readable by its user only)."""
    raw = os.environ.get("NEWSCRAWL_HOME")
    path = Path(raw).expanduser() if raw else Path.home() / ".local" / "share" / "newscrawl"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def private_dir(path: Path) -> Path:
    """`path`, created if needed and made 0700: what newscrawl keeps there (the database and
    its log, crawl logs, spooled articles, run files) is its user's alone."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def spool_dir() -> Path:
    return private_dir(home() / "spool")


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file in force, or None when there is none."""
    if explicit:
        return Path(explicit)
    if os.environ.get("NEWSCRAWL_CONFIG"):
        return Path(os.environ["NEWSCRAWL_CONFIG"])
    default = Path("newscrawl.toml")
    return default if default.exists() else None


def load_config(explicit: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed TOML configuration ({} when there is no file)."""
    path = config_path(explicit)
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


@dataclass(frozen=True)
class MongoTarget:
    """A MongoDB URI and the database newscrawl uses on it."""

    uri: str
    database: str
    embedded: bool


def mongo_target() -> MongoTarget:
    """NEWSCRAWL_MONGO_URI when set, else the embedded server (started on demand)."""
    from pymongo.uri_parser import parse_uri

    uri = os.environ.get("NEWSCRAWL_MONGO_URI")
    embedded = not uri
    if embedded:
        from crawler.embedded import EmbeddedServer

        uri = EmbeddedServer().ensure_running()
    try:
        database = parse_uri(uri).get("database") or "newscrawl"
    except Exception as exc:  # pymongo raises InvalidURI/ConfigurationError/ValueError
        raise ConfigError(f"NEWSCRAWL_MONGO_URI: invalid MongoDB URI ({exc})") from None
    return MongoTarget(uri=uri, database=database, embedded=embedded)
