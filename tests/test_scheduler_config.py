"""The schedule file: parsing, defaults and one-line errors naming file, job and key."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.catalogue import check_configuration, module_outlets
from crawler.config import ConfigError
from scheduler.config import (
    check_database,
    crontab_weekdays,
    format_duration,
    load_schedule,
    parse_duration,
    parse_schedule,
)

REPO = Path(__file__).resolve().parent.parent
MODULES = {"almaghribtoday": module_outlets()["almaghribtoday"]}


NODES = '[scheduler]\nexecutor = "scrapyd"\n[[scheduler.nodes]]\nurl = "http://10.0.0.5:6800"\n'


def parse(text: str, check_spiders: bool = True):
    """The schedule of `text`, its jobs checked against the spiders it configures (the
    almaghribtoday module and any outlet it declares), as load_schedule does."""
    raw = tomllib.loads(text)
    spiders = check_configuration(raw, "newscrawl.toml", MODULES).outlets if (
        check_spiders) else None
    return parse_schedule(raw, Path("newscrawl.toml"), spiders=spiders)


def error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return str(info.value)


GOOD = """
[scheduler]
grace_period_s = "2m"
lease_ttl_s = 90
[scheduler.health]
no_articles_runs = 4

[[jobs]]
name = "maghrib-security"
spider = "almaghribtoday"
sections = ["security"]
interval = "30m"
jitter = "1m"
timeout = "15m"
retries = 3
retry_backoff = "30s"
settings = { DOWNLOAD_DELAY = 0.5, AUTOTHROTTLE_ENABLED = false }
args = ["--replica", "http://127.0.0.1:8765"]
health = { max_error_rate = 0.5 }

[[jobs]]
name = "maghrib-all"
spider = "almaghribtoday"
cron = "0 6 * * 1-5"
timezone = "Africa/Casablanca"
enabled = false
"""


def test_parses_jobs_and_settings() -> None:
    config = parse(GOOD)
    assert config.scheduler.grace_period_s == 120 and config.scheduler.lease_ttl_s == 90
    first, second = config.jobs
    assert (first.name, first.sections, first.interval_s, first.jitter_s, first.timeout_s) == (
        "maghrib-security", ("security",), 1800, 60, 900)
    assert first.retries == 3 and first.retry_backoff_s == 30
    assert dict(first.settings) == {"DOWNLOAD_DELAY": "0.5", "AUTOTHROTTLE_ENABLED": "False"}
    assert first.args == ("--replica", "http://127.0.0.1:8765")
    # per-job health keys override the global ones, the rest is inherited
    assert first.health.max_error_rate == 0.5 and first.health.no_articles_runs == 4
    assert second.health.no_articles_runs == 4 and second.health.max_error_rate == 0.2
    assert second.cron == "0 6 * * 1-5" and not second.enabled
    assert [j.name for j in config.enabled_jobs] == ["maghrib-security"]
    assert first.cadence == "every 30m ±1m"
    assert second.cadence == "cron 0 6 * * 1-5 (Africa/Casablanca)"


def test_job_tables_form_and_defaults() -> None:
    config = parse('[jobs.sec]\nspider = "almaghribtoday"\ninterval = 600\n')
    job = config.job("sec")
    assert (job.timeout_s, job.retries, job.retry_backoff_s, job.enabled) == (3600, 2, 60, True)
    assert job.sections == () and job.timezone == "UTC"
    with pytest.raises(ConfigError, match="no job named 'nope'"):
        config.job("nope")


def test_cron_weekdays_follow_crontab() -> None:
    # APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat"
    assert crontab_weekdays("fri-sun") == "sun,fri,sat"
    job = parse('[jobs.x]\nspider = "almaghribtoday"\ncron = "30 6 * * 1"\n').job("x")
    monday = job.trigger().get_next_fire_time(None, datetime(2025, 1, 1, tzinfo=UTC))  # a Wed
    assert monday.strftime("%a %H:%M") == "Mon 06:30"


def test_durations() -> None:
    assert [parse_duration(v) for v in (90, 1.5, "90", "45s", "15m", "2h", "1d", "1h30m")] == [
        90, 1.5, 90, 45, 900, 7200, 86400, 5400]
    assert [format_duration(v) for v in (30, 900, 7200, 90)] == ["30s", "15m", "2h", "90s"]


@pytest.mark.parametrize(("text", "message"), [
    ('[[jobs]]\nname = "maghrib-security"\nspider = "almaghribtoday"\ninterval = "30m"\n'
     'timeout = "soon"\n',
     "newscrawl.toml: job 'maghrib-security': key 'timeout': expected seconds or a duration "
     "like '15m', got 'soon'"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = "30m"\ntimout = 5\n',
     "newscrawl.toml: job 'a': key 'timout': unknown key (did you mean 'timeout'?)"),
    ('[[jobs]]\nname = "a"\nspider = "nosuch"\ninterval = 60\n',
     "newscrawl.toml: job 'a': key 'spider': unknown spider 'nosuch' (known: almaghribtoday)"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ncron = "61 * * * *"\n',
     "newscrawl.toml: job 'a': key 'cron': invalid cron expression '61 * * * *'"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ncron = "* * *"\n',
     "newscrawl.toml: job 'a': key 'cron': expected 5 fields"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\n',
     "newscrawl.toml: job 'a': key 'cron': give either 'cron' or 'interval', not neither"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     '[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n',
     "newscrawl.toml: job 'a': key 'name': duplicate job name"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\nretries = -1\n',
     "newscrawl.toml: job 'a': key 'retries': expected an integer >= 0, got -1"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\nenabled = "yes"\n',
     "newscrawl.toml: job 'a': key 'enabled': expected true or false, got 'yes'"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\nsections = ["nope"]\n',
     "newscrawl.toml: job 'a': key 'sections': unknown section 'nope' for almaghribtoday"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     'args = ["--run-id", "x"]\n',
     "newscrawl.toml: job 'a': key 'args': --run-id is set by the scheduler"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     'health = { max_missing_published_at = 2 }\n',
     "newscrawl.toml: job 'a': key 'health.max_missing_published_at': expected a number "
     "between 0 and 1, got 2"),
    ('[[jobs]]\nspider = "almaghribtoday"\ninterval = 60\n',
     "newscrawl.toml: job #1: key 'name': missing"),
    ('[scheduler]\ngrace_period = 5\n',
     "newscrawl.toml: scheduler: key 'grace_period': unknown key (did you mean "
     "'grace_period_s'?)"),
    ('[scheduler]\ntimezone = "Mars/Olympus"\n',
     "newscrawl.toml: scheduler: key 'timezone': unknown time zone 'Mars/Olympus'"),
    ('[[job]]\nname = "a"\n', "newscrawl.toml: key 'job': unknown key (did you mean 'jobs'?)"),
    ('[scheduler]\nexecutor = "celery"\n',
     "newscrawl.toml: scheduler: key 'executor': expected one of 'local', 'scrapyd', got 'celery'"),
    ('[scheduler]\nexecutor = "scrapyd"\n',
     "newscrawl.toml: scheduler: key 'nodes': executor 'scrapyd' needs at least one "
     "[[scheduler.nodes]] entry with its url"),
    (NODES + '[[scheduler.nodes]]\nurl = "10.0.0.6:6800"\n',
     "newscrawl.toml: node #2: key 'url': expected a Scrapyd URL like "
     "'http://10.0.0.5:6800', got '10.0.0.6:6800'"),
    (NODES + '[[scheduler.nodes]]\nurl = "http://10.0.0.5:6800/"\n',
     "newscrawl.toml: node 'http://10.0.0.5:6800': key 'url': duplicate node"),
    (NODES + '[[scheduler.nodes]]\nurl = "http://10.0.0.6:6800"\nmax_run = 2\n',
     "newscrawl.toml: node #2: key 'max_run': unknown key (did you mean 'max_runs'?)"),
    (NODES + '[[scheduler.nodes]]\nurl = "http://10.0.0.6:6800"\nusername_env = "U"\n',
     "newscrawl.toml: node 'http://10.0.0.6:6800': key 'username_env': give both "
     "'username_env' and 'password_env', or neither"),
    (NODES + '[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     'nodes = ["http://10.0.0.9:6800"]\n',
     "newscrawl.toml: job 'a': key 'nodes': http://10.0.0.9:6800 is not a [[scheduler.nodes]] "
     "url (nodes: http://10.0.0.5:6800)"),
    (NODES + '[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     'args = ["--replica", "http://x"]\n',
     "newscrawl.toml: job 'a': key 'args': `newscrawl crawl` options apply to the local "
     "executor only; with executor 'scrapyd' use 'settings' (e.g. NEWSCRAWL_REPLICA_URL)"),
    ('[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
     'nodes = ["http://10.0.0.5:6800"]\n',
     "newscrawl.toml: job 'a': key 'nodes': applies to executor 'scrapyd' only"),
])
def test_errors_name_file_job_and_key(text: str, message: str) -> None:
    assert error(text).startswith(message)


def test_scrapyd_nodes_and_their_database() -> None:
    config = parse(NODES + 'max_runs = 3\nusername_env = "SD_USER"\npassword_env = "SD_PASS"\n'
                   '[[scheduler.nodes]]\nurl = "http://127.0.0.1:6801/"\n'
                   '[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
                   'nodes = ["http://127.0.0.1:6801"]\n')
    first, local = config.scheduler.nodes
    assert (first.url, first.max_runs, local.url, local.max_runs) == (
        "http://10.0.0.5:6800", 3, "http://127.0.0.1:6801", 2)
    assert config.job("a").nodes == ("http://127.0.0.1:6801",)
    assert config.scheduler.concurrent_runs == 5  # the nodes' slots, not max_concurrent_runs
    with pytest.raises(ConfigError, match="environment variable SD_USER is not set"):
        first.auth()
    # a loopback database serves loopback nodes only
    for uri in (None, "mongodb://127.0.0.1:27017/n", "mongodb://localhost,127.0.0.2/n"):
        with pytest.raises(ConfigError, match="node 'http://10.0.0.5:6800': cannot reach "
                                              "the database"):
            check_database(config, uri)
    check_database(config, "mongodb://db1:27017,db2:27017/newscrawl?replicaSet=rs0")
    with pytest.raises(ConfigError, match="^NEWSCRAWL_MONGO_URI: invalid MongoDB URI"):
        check_database(config, "mongodb://")
    loopback_only = parse('[scheduler]\nexecutor = "scrapyd"\n[[scheduler.nodes]]\n'
                          'url = "http://localhost:6800"\n')
    check_database(loopback_only, None)  # the embedded server, nodes on this machine
    check_database(parse(""), None)  # the local executor


def test_jobs_know_the_outlets_of_the_same_file() -> None:
    config = parse('[outlets.almaghribtoday.sections.extra]\nlistings = ["/x"]\n'
                   '[outlets.akhbar]\nbase_url = "https://www.akhbar.example"\n'
                   '[outlets.akhbar.sections.latest]\nfeeds = ["/feed/"]\n'
                   '[[jobs]]\nname = "a"\nspider = "almaghribtoday"\ninterval = 60\n'
                   'sections = ["extra"]\n'
                   '[[jobs]]\nname = "b"\nspider = "akhbar"\ninterval = 60\n'
                   'sections = ["latest"]\n')
    assert config.job("a").sections == ("extra",)  # a section added by [outlets…] is known
    assert config.job("b").spider == "akhbar"  # an outlet declared in the file is a spider
    assert "unknown section 'nope' for akhbar" in error(
        '[outlets.akhbar]\nbase_url = "https://www.akhbar.example"\n'
        '[outlets.akhbar.sections.latest]\nfeeds = ["/feed/"]\n'
        '[[jobs]]\nname = "b"\nspider = "akhbar"\ninterval = 60\nsections = ["nope"]\n')


def test_example_file_is_valid() -> None:
    config = load_schedule(REPO / "newscrawl.example.toml")
    assert config.jobs and all(job.spider == "almaghribtoday" for job in config.jobs)


def test_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSCRAWL_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="no configuration: pass --config"):
        load_schedule()
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_schedule(tmp_path / "missing.toml")
