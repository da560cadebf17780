"""Applying the configuration to the job store: added, rescheduled, kept, removed."""

from __future__ import annotations

import tomllib
from pathlib import Path

from crawler.database import MongoTarget
from crawler.store import Store
from scheduler.config import parse_schedule
from scheduler.service import SchedulerService


def service(mongo_uri: str, text: str) -> SchedulerService:
    config = parse_schedule(tomllib.loads(text), Path("schedule.toml"), spiders=None)
    database = mongo_uri.rsplit("/", 1)[1]
    return SchedulerService(config, Store(MongoTarget(mongo_uri, database, False)))


def job(name: str, cadence: str, enabled: bool = True) -> str:
    return (f'[[jobs]]\nname = "{name}"\nspider = "almaghribtoday"\n{cadence}\n'
            f"enabled = {'true' if enabled else 'false'}\n")


def apply(mongo_uri: str, text: str) -> tuple[dict[str, list[str]], dict[str, float]]:
    svc = service(mongo_uri, text)
    svc.scheduler.start(paused=True)
    try:
        report = svc.apply_config()
        times = {j.id: j.next_run_time.timestamp() for j in svc.scheduler.get_jobs()}
    finally:
        svc.scheduler.shutdown(wait=False)
        svc._jobs_client.close()
        svc.store.close()
    return report, times


def test_apply_config_matches_the_file(mongo_uri: str) -> None:
    first = (job("keep", 'interval = "1h"') + job("change", 'interval = "1h"')
             + job("drop", 'cron = "0 3 * * *"') + job("off", 'interval = "2h"'))
    report, before = apply(mongo_uri, first)
    assert sorted(report["added"]) == ["change", "drop", "keep", "off"]
    second = (job("keep", 'interval = "1h"') + job("change", 'interval = "2h"')
              + job("off", 'interval = "2h"', enabled=False) + job("new", 'interval = "5m"'))
    report, after = apply(mongo_uri, second)
    assert report == {"added": ["new"], "rescheduled": ["change"], "kept": ["keep"],
                      "removed": ["drop", "off"]}
    assert after["keep"] == before["keep"]  # unchanged cadence: next run time kept
    assert after["change"] > before["change"]  # now two hours from the re-apply
    assert set(after) == {"keep", "change", "new"}
