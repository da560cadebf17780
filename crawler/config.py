"""Where newscrawl keeps its data and which configuration file it reads.

Environment: NEWSCRAWL_HOME (data folder), NEWSCRAWL_CONFIG (TOML file; else ./newscrawl.toml
when present). The file is only parsed here; its tables are checked by the code that reads them
(crawler/spiderloader.py: outlets and topics; scheduler/config.py: scheduler and jobs), with the
checks of crawler/checks.py. Which MongoDB is used is crawler/database.py's business.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

# The top-level tables of newscrawl.toml; any other key is refused.
TABLES = ("outlets", "topics", "scheduler", "jobs")


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
