"""The schedule: `[scheduler]` settings and `[[jobs]]` from the TOML file, checked on load.

Parsing and validation live together here so that every mistake is reported the same way, as
one line that names the file, the job and the key, e.g.
`newscrawl.toml: job 'maghrib-security': key 'timeout': expected seconds or a duration like
'15m', got 'soon'` (crawler/checks.py: the checks and wording every table of the file shares).
The same file also holds `[outlets…]` and `[topics…]`, checked by crawler/spiderloader.py; only
`scheduler` and `jobs` are read here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# The checks every table of newscrawl.toml shares, under the names this module uses; a new key
# of [scheduler], [[scheduler.nodes]] or [[jobs]] is one entry in SETTINGS_KEYS, NODE_KEYS or
# JOB_KEYS below.
from crawler.checks import NAME as JOB_NAME
from crawler.checks import Invalid as _Invalid
from crawler.checks import TableReader
from crawler.checks import boolean as _bool
from crawler.checks import env_name as _env_name
from crawler.checks import fraction as _fraction
from crawler.checks import integer as _int
from crawler.checks import one_of as _one_of
from crawler.checks import rate as _rate
from crawler.checks import text as _string
from crawler.checks import timezone as _timezone
from crawler.config import TABLES, ConfigError, config_path, load_config
from crawler.urls import is_loopback

if TYPE_CHECKING:
    from crawler.outlet import Outlet

DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
# `newscrawl crawl` options the runner sets itself; a job may not pass them in `args`.
MANAGED_ARGS = ("--run-id", "--stats-file", "--log-file", "--section", "-v", "--verbose")
MANAGED_SETTINGS = ("NEWSCRAWL_RUN_ID", "NEWSCRAWL_RUN_RECORD", "LOG_FILE", "LOG_STDOUT")
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
EXECUTORS = ("local", "scrapyd")


@dataclass(frozen=True)
class HealthThresholds:
    """When a finished run counts as `degraded` (see scheduler.health)."""

    no_articles_runs: int = 3  # this many finished runs in a row stored nothing (0: off)
    max_missing_published_at: float = 0.2  # share of scraped items without published_at
    max_error_rate: float = 0.2  # errors per fetched page
    min_items: int = 5  # fewer scraped items: published_at coverage is not judged
    min_pages: int = 5  # fewer pages: the error rate is not judged


@dataclass(frozen=True)
class NodeConfig:
    """One `[[scheduler.nodes]]` entry: a Scrapyd server that runs crawls."""

    url: str
    max_runs: int = 2  # crawls at once on this node
    username_env: str | None = None  # HTTP basic auth, read from the environment
    password_env: str | None = None

    def auth(self) -> tuple[str, str] | None:
        """(user, password) from the environment, or None; a variable that is not set fails."""
        if not self.username_env:
            return None
        values = []
        for key in ("username_env", "password_env"):
            name = getattr(self, key)
            if name not in os.environ:
                raise ConfigError(f"node '{self.url}': key '{key}': environment variable "
                                  f"{name} is not set")
            values.append(os.environ[name])
        return values[0], values[1]


@dataclass(frozen=True)
class SchedulerSettings:
    """`[scheduler]`: what applies to every job and to the service itself."""

    timezone: str = "UTC"  # for cron expressions
    misfire_grace_s: float = 300.0  # a run later than this after its time is skipped
    coalesce: bool = True  # several missed runs become one
    grace_period_s: float = 60.0  # on SIGTERM, running crawls get this long to finish
    kill_grace_s: float = 10.0  # after SIGTERM to a crawl, SIGKILL follows this much later
    lease_ttl_s: float = 60.0  # a dead holder's lease expires after this
    max_concurrent_runs: int = 2  # crawls at once in one scheduler process
    log_tail_lines: int = 40  # lines of the crawl log kept in the run document
    keep_run_files: int = 50  # per job: newest run logs/stats kept in $NEWSCRAWL_HOME/jobs
    health: HealthThresholds = field(default_factory=HealthThresholds)
    executor: str = "local"  # "local": a subprocess per crawl; "scrapyd": the nodes below
    nodes: tuple[NodeConfig, ...] = ()
    poll_interval_s: float = 5.0  # scrapyd: how often a running crawl's node is asked
    node_lost_after_s: float = 60.0  # scrapyd: a node silent this long loses its runs

    @property
    def concurrent_runs(self) -> int:
        """Crawls at once in one scheduler: its own limit, or the nodes' slots together."""
        if self.executor == "scrapyd":
            return sum(node.max_runs for node in self.nodes)
        return self.max_concurrent_runs


@dataclass(frozen=True)
class JobConfig:
    """One `[[jobs]]` entry: what to crawl, when, and how hard to try."""

    name: str
    spider: str
    sections: tuple[str, ...] = ()
    cron: str | None = None
    interval_s: float | None = None
    timezone: str = "UTC"
    jitter_s: float = 0.0
    timeout_s: float = 3600.0
    retries: int = 2
    retry_backoff_s: float = 60.0
    enabled: bool = True
    max_items: int | None = None
    max_pages: int | None = None
    full: bool = False
    settings: Mapping[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    health: HealthThresholds = field(default_factory=HealthThresholds)
    nodes: tuple[str, ...] = ()  # scrapyd: only these nodes (URLs of [[scheduler.nodes]])

    @property
    def cadence(self) -> str:
        """How often, for humans: `cron 0 */2 * * *` or `every 30m`."""
        text = f"cron {self.cron}" if self.cron else f"every {format_duration(self.interval_s)}"
        if self.cron and self.timezone != "UTC":
            text += f" ({self.timezone})"
        return text + (f" ±{format_duration(self.jitter_s)}" if self.jitter_s else "")

    def trigger(self) -> Any:
        """The APScheduler trigger (cron weekdays follow crontab: 0 and 7 are Sunday)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        jitter = int(self.jitter_s) or None
        if self.cron:
            minute, hour, day, month, dow = self.cron.split()
            return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                               day_of_week=crontab_weekdays(dow), timezone=self.timezone,
                               jitter=jitter)
        return IntervalTrigger(seconds=self.interval_s, timezone="UTC", jitter=jitter)

    @property
    def trigger_fingerprint(self) -> str:
        """Changes only when the cadence changes: an unchanged job keeps its next run time."""
        spec = json.dumps([self.cron, self.interval_s, self.timezone if self.cron else None,
                           self.jitter_s])
        return hashlib.sha1(spec.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ScheduleConfig:
    path: Path | None
    scheduler: SchedulerSettings
    jobs: tuple[JobConfig, ...]

    def job(self, name: str) -> JobConfig:
        for job in self.jobs:
            if job.name == name:
                return job
        known = ", ".join(j.name for j in self.jobs) or "none"
        raise ConfigError(f"{self.label}: no job named {name!r} (jobs: {known})")

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "configuration"

    @property
    def enabled_jobs(self) -> list[JobConfig]:
        return [job for job in self.jobs if job.enabled]


# --- value parsers: each raises _Invalid with the text after "key 'x': " ---

def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like '90', '45s', '15m', '2h', '1d', '1h30m'."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        if text and re.fullmatch(f"(?:{DURATION_PART.pattern})+", text):
            return sum(float(n) * UNITS[unit] for n, unit in DURATION_PART.findall(text))
    raise _Invalid(f"expected seconds or a duration like '15m', got {value!r}")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _positive_duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds <= 0:
        raise _Invalid(f"expected a duration above zero, got {value!r}")
    return seconds


def _sections(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
        raise _Invalid(f"expected a list of section names, got {value!r}")
    return tuple(dict.fromkeys(s.strip() for s in items))


def _args(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise _Invalid(f"expected a list of strings (extra `newscrawl crawl` options), "
                       f"got {value!r}")
    for arg in value:
        if arg.split("=", 1)[0] in MANAGED_ARGS:
            raise _Invalid(f"{arg.split('=', 1)[0]} is set by the scheduler; use the job's "
                           "own keys instead")
    return tuple(value)


def _settings(value: Any) -> dict[str, str]:
    """Scrapy/newscrawl settings passed as `-s KEY=VALUE`; tables and lists become JSON."""
    if not isinstance(value, dict):
        raise _Invalid(f"expected a table of SETTING = value, got {value!r}")
    out = {}
    for key, item in value.items():
        if key in MANAGED_SETTINGS:
            raise _Invalid(f"setting {key!r} is set by the scheduler")
        if isinstance(item, bool):
            out[key] = "True" if item else "False"
        elif isinstance(item, str | int | float):
            out[key] = str(item)
        elif isinstance(item, dict | list):
            out[key] = json.dumps(item, ensure_ascii=False)
        else:
            raise _Invalid(f"setting {key!r}: unsupported value {item!r}")
    return out


def _node_url(value: Any) -> str:
    """http(s)://host:port of a Scrapyd server, without a trailing slash."""
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    try:
        valid = bool(parts and parts.scheme in ("http", "https") and parts.hostname
                     and parts.port is not None and not parts.path.strip("/")
                     and not (parts.username or parts.query or parts.fragment))
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise _Invalid(f"expected a Scrapyd URL like 'http://10.0.0.5:6800', got {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _node_urls(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid(f"expected a list of node URLs, got {value!r}")
    return tuple(dict.fromkeys(_node_url(item) for item in value))


def crontab_weekdays(expr: str) -> str:
    """A crontab day-of-week field (0/7 = Sunday) as APScheduler 3 day names (0 = Monday)."""
    if expr == "*":
        return "*"
    days: set[int] = set()
    for part in expr.lower().split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in day of week {part!r}")
        if base == "*":
            first, last = 0, 6
        else:
            first_text, _, last_text = base.partition("-")
            first = _cron_day(first_text)
            last = _cron_day(last_text) if last_text else (6 if step else first)
            if last_text and last == 0 and first > 0:
                last = 7  # "5-7" or "fri-sun": through Sunday
        if first > last:
            raise ValueError(f"bad range in day of week {part!r}")
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(CRON_DAYS[d] for d in sorted(days))


def _cron_day(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text[:3] in CRON_DAYS and len(text) == 3:
        return CRON_DAYS.index(text)
    raise ValueError(f"bad day of week {text!r}")


def _cron(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a 5-field cron expression like '*/30 * * * *', got {value!r}")
    expr = " ".join(value.split())
    if len(expr.split()) != 5:
        raise _Invalid(f"expected 5 fields (minute hour day month weekday), got {value!r}")
    from apscheduler.triggers.cron import CronTrigger

    minute, hour, day, month, dow = expr.split()
    try:
        CronTrigger(minute=minute, hour=hour, day=day, month=month,
                    day_of_week=crontab_weekdays(dow), timezone="UTC")
    except ValueError as exc:
        raise _Invalid(f"invalid cron expression {value!r} ({exc})") from None
    return expr


# --- tables ---

SETTINGS_KEYS: dict[str, Callable[[Any], Any]] = {
    "timezone": _timezone,
    "misfire_grace_s": _positive_duration,
    "coalesce": _bool,
    "grace_period_s": parse_duration,
    "kill_grace_s": _positive_duration,
    "lease_ttl_s": _positive_duration,
    "max_concurrent_runs": _int(1),
    "log_tail_lines": _int(0),
    "keep_run_files": _int(1),
    "executor": _one_of(*EXECUTORS),
    "poll_interval_s": _positive_duration,
    "node_lost_after_s": _positive_duration,
}
NODE_KEYS: dict[str, Callable[[Any], Any]] = {
    "url": _node_url,
    "max_runs": _int(1),
    "username_env": _env_name,
    "password_env": _env_name,
}
HEALTH_KEYS: dict[str, Callable[[Any], Any]] = {
    "no_articles_runs": _int(0),
    "max_missing_published_at": _fraction,
    "max_error_rate": _rate,
    "min_items": _int(0),
    "min_pages": _int(0),
}
# TOML key -> (dataclass field, parser)
JOB_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "name": ("name", _string),
    "spider": ("spider", _string),
    "sections": ("sections", _sections),
    "cron": ("cron", _cron),
    "interval": ("interval_s", _positive_duration),
    "timezone": ("timezone", _timezone),
    "jitter": ("jitter_s", parse_duration),
    "timeout": ("timeout_s", _positive_duration),
    "retries": ("retries", _int(0)),
    "retry_backoff": ("retry_backoff_s", parse_duration),
    "enabled": ("enabled", _bool),
    "max_items": ("max_items", _int(1)),
    "max_pages": ("max_pages", _int(1)),
    "full": ("full", _bool),
    "settings": ("settings", _settings),
    "args": ("args", _args),
    "nodes": ("nodes", _node_urls),
}


class _Reader(TableReader):
    """The shared wording (`<file>: <where>: key '<key>': <problem>`) plus health tables."""

    def health(self, raw: Any, where: str, base: HealthThresholds,
               prefix: str) -> HealthThresholds:
        table = self.table(raw, where, f"'{prefix.rstrip('.')}'")
        self.unknown(table, HEALTH_KEYS, where, prefix)
        values = {k: self.value(HEALTH_KEYS[k], v, where, prefix + k) for k, v in table.items()}
        return replace(base, **values)


def parse_schedule(raw: Mapping[str, Any], path: Path | None, *,
                   spiders: Mapping[str, Outlet] | None = None) -> ScheduleConfig:
    """Validate parsed TOML. `spiders`: the spiders this file configures, by name, with their
    outlets (crawler.catalogue.read_configuration); None: spiders and sections unchecked."""
    reader = _Reader(str(path) if path else "configuration")
    reader.unknown(raw, TABLES, "")
    settings = _parse_settings(reader, raw.get("scheduler", {}))
    jobs_raw = raw.get("jobs", [])
    if isinstance(jobs_raw, dict):  # [jobs.<name>] tables
        entries = []
        for name, table in jobs_raw.items():
            table = reader.table(table, f"job '{name}'", "a job")
            if "name" in table and table["name"] != name:
                raise reader.fail(f"job '{name}'", f"key 'name': {table['name']!r} differs "
                                  f"from the table name {name!r}")
            entries.append({**table, "name": name})
    elif isinstance(jobs_raw, list):
        entries = jobs_raw
    else:
        raise reader.fail("", "key 'jobs': expected [[jobs]] entries or [jobs.<name>] tables")
    jobs: list[JobConfig] = []
    for index, entry in enumerate(entries, start=1):
        job = _parse_job(reader, entry, index, settings, spiders)
        if any(other.name == job.name for other in jobs):
            raise reader.fail(f"job '{job.name}'", "key 'name': duplicate job name")
        jobs.append(job)
    return ScheduleConfig(path=path, scheduler=settings, jobs=tuple(jobs))


def _parse_settings(reader: _Reader, raw: Any) -> SchedulerSettings:
    table = reader.table(raw, "scheduler", "[scheduler]")
    allowed = {**SETTINGS_KEYS, "health": None, "nodes": None}
    reader.unknown(table, allowed, "scheduler")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "health":
            values["health"] = reader.health(value, "scheduler", HealthThresholds(), "health.")
        elif key == "nodes":
            values["nodes"] = _parse_nodes(reader, value)
        else:
            values[key] = reader.value(SETTINGS_KEYS[key], value, "scheduler", key)
    settings = SchedulerSettings(**values)
    if settings.executor == "scrapyd" and not settings.nodes:
        raise reader.fail("scheduler", "key 'nodes': executor 'scrapyd' needs at least one "
                          "[[scheduler.nodes]] entry with its url")
    return settings


def _parse_nodes(reader: _Reader, raw: Any) -> tuple[NodeConfig, ...]:
    if not isinstance(raw, list):
        raise reader.fail("scheduler", f"key 'nodes': expected [[scheduler.nodes]] entries, "
                          f"got {raw!r}")
    nodes: list[NodeConfig] = []
    for index, entry in enumerate(raw, start=1):
        where = f"node #{index}"
        values = reader.values(reader.table(entry, where, "a node"), NODE_KEYS, where)
        if "url" not in values:
            raise reader.fail(where, "key 'url': missing")
        node = NodeConfig(**values)
        where = f"node '{node.url}'"
        if bool(node.username_env) != bool(node.password_env):
            raise reader.fail(where, "key 'username_env': give both 'username_env' and "
                              "'password_env', or neither")
        if any(other.url == node.url for other in nodes):
            raise reader.fail(where, "key 'url': duplicate node")
        nodes.append(node)
    return tuple(nodes)


def _parse_job(reader: _Reader, entry: Any, index: int, settings: SchedulerSettings,
               spiders: Mapping[str, Outlet] | None) -> JobConfig:
    if not isinstance(entry, dict):
        raise reader.fail(f"job #{index}", f"expected a table, got {entry!r}")
    name = entry.get("name")
    if name is None:
        raise reader.fail(f"job #{index}", "key 'name': missing")
    if not isinstance(name, str) or not JOB_NAME.match(name):
        raise reader.fail(f"job #{index}", "key 'name': expected letters, digits, '-', '_' "
                          f"or '.', got {name!r}")
    where = f"job '{name}'"
    reader.unknown(entry, {**JOB_KEYS, "health": None}, where)
    values: dict[str, Any] = {"timezone": settings.timezone, "health": settings.health}
    for key, value in entry.items():
        if key == "health":
            values["health"] = reader.health(value, where, settings.health, "health.")
        else:
            attr, parse = JOB_KEYS[key]
            values[attr] = reader.value(parse, value, where, key)
    if "spider" not in values:
        raise reader.fail(where, "key 'spider': missing")
    if ("cron" in values) == ("interval_s" in values):
        raise reader.fail(where, "key 'cron': give either 'cron' or 'interval', not "
                          + ("both" if "cron" in values else "neither"))
    job = JobConfig(**values)
    _check_executor(reader, job, settings)
    if spiders is not None:
        _check_spider(reader, job, spiders)
    if job.jitter_s and job.interval_s and job.jitter_s >= job.interval_s:
        raise reader.fail(where, "key 'jitter': must be shorter than the interval")
    return job


def _check_executor(reader: _Reader, job: JobConfig, settings: SchedulerSettings) -> None:
    where = f"job '{job.name}'"
    if settings.executor != "scrapyd":
        if job.nodes:
            raise reader.fail(where, "key 'nodes': applies to executor 'scrapyd' only")
        return
    if job.args:  # Scrapyd runs `scrapy crawl`, not the newscrawl command line
        raise reader.fail(where, "key 'args': `newscrawl crawl` options apply to the local "
                          "executor only; with executor 'scrapyd' use 'settings' (e.g. "
                          "NEWSCRAWL_REPLICA_URL)")
    known = [node.url for node in settings.nodes]
    for url in job.nodes:
        if url not in known:
            raise reader.fail(where, f"key 'nodes': {url} is not a [[scheduler.nodes]] url "
                              f"(nodes: {', '.join(known)})")


def _check_spider(reader: _Reader, job: JobConfig, spiders: Mapping[str, Outlet]) -> None:
    where = f"job '{job.name}'"
    if job.spider not in spiders:
        raise reader.fail(where, f"key 'spider': unknown spider {job.spider!r} "
                          f"(known: {', '.join(sorted(spiders))})")
    if not job.sections or "NEWSCRAWL_OUTLETS" in job.settings:
        return
    from crawler.sections import SectionError, resolve_sections

    try:
        resolve_sections(spiders[job.spider], job.sections, {})
    except SectionError as exc:
        raise reader.fail(where, f"key 'sections': {exc}") from None


def load_schedule(explicit: str | os.PathLike[str] | None = None, *,
                  check_spiders: bool = True) -> ScheduleConfig:
    """The schedule from `--config`, else NEWSCRAWL_CONFIG, else ./newscrawl.toml."""
    path = config_path(explicit)
    if path is None:
        raise ConfigError("no configuration: pass --config FILE, set NEWSCRAWL_CONFIG or "
                          "create ./newscrawl.toml (see newscrawl.example.toml)")
    raw = load_config(path)
    spiders = None
    if check_spiders:
        from crawler.catalogue import read_configuration

        spiders = read_configuration(path).outlets
    else:
        _check_declared_outlets(raw, path)
    return parse_schedule(raw, path, spiders=spiders)


def _check_declared_outlets(raw: Mapping[str, Any], path: Path) -> None:
    """The outlets the file declares (those with a `base_url`), checked as data: what the
    commands that only read can check without loading the spider modules (Scrapy)."""
    from crawler.outlet_config import outlet_from_table

    outlets = raw.get("outlets")
    if not isinstance(outlets, Mapping):
        return  # not a table: the full check (any crawl) names it
    for key, table in outlets.items():
        if isinstance(table, Mapping) and "base_url" in table:
            outlet_from_table(key, table, label=str(path))


def check_database(config: ScheduleConfig, mongo_uri: str | None) -> None:
    """Refuse nodes that cannot reach the database: a loopback MongoDB (or the embedded
    server, when `mongo_uri` is None) serves only nodes on this machine."""
    settings = config.scheduler
    if settings.executor != "scrapyd":
        return
    if mongo_uri is None:
        hosts, shown = ["127.0.0.1"], "the embedded server (NEWSCRAWL_MONGO_URI is not set)"
    elif mongo_uri.startswith("mongodb+srv://"):  # DNS names: never loopback
        return
    else:
        from pymongo.uri_parser import parse_uri

        from crawler.database import database_of
        from crawler.store import redact

        database_of(mongo_uri)  # a URI that cannot work: its own one-line error
        hosts = [host for host, _port in parse_uri(mongo_uri).get("nodelist", [])]
        shown = redact(mongo_uri)
    if not hosts or not all(is_loopback(host) for host in hosts):
        return
    for node in settings.nodes:
        if not is_loopback(urlsplit(node.url).hostname):
            raise TableReader(config.label).fail(
                f"node '{node.url}'",
                f"cannot reach the database: {shown} is on this machine's loopback address; "
                "set NEWSCRAWL_MONGO_URI to a MongoDB the nodes can reach, here and in each "
                "node's environment")


__all__ = [
    "ConfigError", "HealthThresholds", "JobConfig", "NodeConfig", "ScheduleConfig",
    "SchedulerSettings", "check_database", "format_duration", "load_schedule",
    "parse_duration", "parse_schedule",
]
