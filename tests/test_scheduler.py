"""The scheduler with real processes: scheduler services, `newscrawl crawl` subprocesses, the
replica site and the MongoDB server (embedded, plus NEWSCRAWL_TEST_MONGO_URI when set).

Cadences, TTLs and timeouts are seconds long; every wait polls the `runs` collection with a
generous deadline (these machines are shared), and no assertion depends on exact timings.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pymongo
import pytest

from crawler.replica.corpus import default_corpus_path
from crawler.replica.faults import Faults
from scheduler.lease import Lease
from tests.conftest import REPO, run_cli
from tests.conftest import wait_until as poll_until

NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
WORKING = ("running", "ok", "degraded", "failed", "timeout", "interrupted", "abandoned")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Four security articles of the bundled corpus: a crawl takes a few seconds."""
    lines = [line for line in default_corpus_path().read_text().splitlines()
             if json.loads(line)["section"] == "security"][:4]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_config(tmp_path: Path, text: str, name: str = "schedule.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)  # strings, numbers, booleans and lists read the same in TOML


def job_toml(name: str, replica_url: str, **keys: Any) -> str:
    keys = {"spider": "almaghribtoday", "sections": ["security"], "interval": "3s",
            "timeout": "60s", "args": ["--replica", replica_url], **keys}
    body = "\n".join(f"{k} = {toml_value(v)}" for k, v in keys.items())
    return f'[[jobs]]\nname = "{name}"\n{body}\n'


def wait_until(predicate: Callable[[], Any], timeout: float, what: str,
               services: tuple[Service, ...] = ()) -> Any:
    """Poll until predicate() is true; fail early, with the logs, when a scheduler exited."""
    def exited() -> str | None:
        for service in services:
            if service.proc.poll() is not None:
                return f"scheduler exited ({service.proc.returncode}):\n{service.log()}"
        return None

    try:
        return poll_until(predicate, timeout, what, interval=0.2, abort=exited)
    except AssertionError as exc:
        logs = "\n".join(service.log() for service in services)
        raise AssertionError(f"{exc}\n{logs}") from None


def pid_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_no_overlap(runs: list[dict[str, Any]]) -> None:
    """Runs of one job never overlap: each starts after the previous one ended."""
    spans = sorted((r["started_at"], r["ended_at"] or datetime.max.replace(tzinfo=r[
        "started_at"].tzinfo), r["_id"]) for r in runs if r["status"] in WORKING)
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        assert start >= end, f"run {second} started at {start} before run {first} ended ({end})"


class Service:
    """A `newscrawl schedule run` process, its output in a file."""

    def __init__(self, config: Path, env: dict[str, str], log: Path):
        self.log_path = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [NEWSCRAWL, "schedule", "run", "--config", str(config)], env=env, cwd=REPO,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"scheduler did not stop:\n{self.log()}") from None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_service(nc_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Service]]:
    services: list[Service] = []

    def start(config: Path) -> Service:
        service = Service(config, nc_env, tmp_path / f"scheduler-{len(services)}.log")
        services.append(service)
        return service

    yield start
    for service in services:  # a failed test must not leave a scheduler behind
        if service.proc.poll() is None:
            service.proc.kill()
            service.proc.wait()


def runs_of(db: pymongo.database.Database, job: str | None = None) -> list[dict[str, Any]]:
    query = {"job": job} if job else {}
    return list(db["runs"].find(query).sort("started_at", pymongo.ASCENDING))


def completed(db: pymongo.database.Database, job: str, n: int) -> Callable[[], bool]:
    return lambda: len([r for r in runs_of(db, job) if r["status"] in ("ok", "degraded")]) >= n


def test_runs_on_cadence_and_are_recorded(mongo_db, start_service, replica_server, corpus,
                                          tmp_path, nc_env) -> None:
    replica = replica_server(corpus)
    config = write_config(tmp_path, (
        "[scheduler]\ngrace_period_s = 10\nkill_grace_s = 2\nlease_ttl_s = 6\n"
        "log_tail_lines = 5\n\n"
        + job_toml("maghrib-security", replica.url, interval="4s",
                   settings={"NEWSCRAWL_NOTE": "mongodb://bob:s3cret@db.example.com/news"})))
    service = start_service(config)
    wait_until(completed(mongo_db, "maghrib-security", 3), 120, "three completed runs",
               (service,))
    assert service.stop() == 0, service.log()

    runs = runs_of(mongo_db, "maghrib-security")
    done = [r for r in runs if r["status"] in ("ok", "degraded")]
    first, second = done[0], done[1]
    assert first["status"] == "ok" and first["exit_code"] == 0, (first.get("reason"),
                                                                 first["log_tail"])
    assert first["spider"] == "almaghribtoday" and first["sections"] == ["security"]
    assert first["pages"] > 0 and first["items"]["stored"] == 4 and first["errors"] == 0
    assert first["items"]["scraped"] == 4 and first["items"]["dropped_by_reason"] == {}
    assert first["node"] == socket.gethostname() and first["executor"] == "local"
    assert first["node_software"]["scrapy"].startswith("2.19")  # recorded by the crawl
    assert second["items"]["stored"] == 0  # nothing new on the second pass
    assert first["started_at"].tzinfo is not None and first["ended_at"] > first["started_at"]
    assert 0 < len(first["log_tail"]) <= 5 and first["host"] and first["scheduler_id"]
    assert first["pid"] != service.pid and first["run_id"] == first["_id"]
    # on its cadence: starts 4 s apart (or a multiple, when a run outlasted its slot)
    for earlier, later in zip(done, done[1:], strict=False):
        gap = (later["started_at"] - earlier["started_at"]).total_seconds()
        assert gap >= 3.5 and min(gap % 4, 4 - gap % 4) < 1.0, gap
    assert_no_overlap(runs)
    text = json.dumps([{k: str(v) for k, v in r.items()} for r in runs])
    assert "s3cret" not in text and "bob:***@" in text  # credentials never recorded
    assert not [r for r in runs if r["status"] == "running"]  # the stop recorded every end
    # the crawls' articles carry the run ids
    assert mongo_db["articles"].count_documents({"run_id": first["run_id"]}) == 4

    listed = run_cli("schedule", "list", "--config", str(config), "--json", env=nc_env)
    assert listed.code == 0, listed.err
    row = json.loads(listed.out)[0]
    assert row["job"] == "maghrib-security" and row["cadence"] == "every 4s"
    assert row["next_run"] and row["last_status"] in ("ok", "degraded")
    history = run_cli("schedule", "history", "--job", "maghrib-security", "--limit", "2",
                      "--json", env=nc_env)
    assert history.code == 0 and len(json.loads(history.out)) == 2
    health = run_cli("schedule", "health", "--config", str(config), "--json", env=nc_env)
    assert health.code == 0, health.err
    report = json.loads(health.out)[0]
    assert report["state"] in ("healthy", "degraded") and report["last_success"]
    table = run_cli("schedule", "history", env=nc_env)
    assert table.code == 0 and "maghrib-security" in table.out


def test_sigkill_restart_keeps_jobs_and_never_runs_twice(mongo_db, start_service,
                                                         replica_server, corpus,
                                                         tmp_path) -> None:
    replica = replica_server(corpus, faults=Faults(latency_ms=1200))  # crawls of ~5 s
    config = write_config(tmp_path, (
        "[scheduler]\ngrace_period_s = 5\nkill_grace_s = 1\nlease_ttl_s = 4\n\n"
        + job_toml("fast", replica.url, interval="3s")
        + job_toml("hourly", replica.url, interval="1h")))
    first = start_service(config)
    running = wait_until(lambda: mongo_db["runs"].find_one(
        {"job": "fast", "status": "running", "pid": {"$exists": True}}), 60, "a running crawl",
        (first,))
    hourly_next = mongo_db["scheduler_jobs"].find_one({"_id": "hourly"})["next_run_time"]
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    # the crawl dies with its scheduler (parent-death signal), so it cannot outlive the lease
    wait_until(lambda: pid_gone(running["pid"]), 10, "the orphaned crawl to die")

    second = start_service(config)
    wait_until(lambda: [r for r in runs_of(mongo_db, "fast")
                        if r.get("scheduler_pid") == second.pid
                        and r["status"] in ("ok", "degraded")], 90,
               "a completed run by the restarted scheduler", (second,))
    assert second.stop() == 0, second.log()

    # the job store kept the jobs: the untouched hourly job kept its next run time
    assert mongo_db["scheduler_jobs"].find_one({"_id": "hourly"})["next_run_time"] == (
        pytest.approx(hourly_next, abs=0.01))
    assert not runs_of(mongo_db, "hourly")
    runs = runs_of(mongo_db, "fast")
    killed = next(r for r in runs if r["_id"] == running["_id"])
    assert killed["status"] == "abandoned" and killed["ended_at"] is not None
    assert_no_overlap(runs)
    assert "Traceback" not in second.log()


def test_two_schedulers_never_overlap(mongo_db, start_service, replica_server, corpus,
                                      tmp_path) -> None:
    replica = replica_server(corpus, faults=Faults(latency_ms=500))
    config = write_config(tmp_path, (
        "[scheduler]\ngrace_period_s = 10\nkill_grace_s = 1\nlease_ttl_s = 5\n\n"
        + job_toml("shared", replica.url, interval="2s")))  # due more often than a crawl lasts
    services = [start_service(config), start_service(config)]
    wait_until(completed(mongo_db, "shared", 3), 120, "three completed runs", tuple(services))
    assert [s.stop() for s in services] == [0, 0]
    runs = runs_of(mongo_db, "shared")
    assert_no_overlap(runs)
    skipped = [r for r in runs if r["status"] == "skipped-overlap"]
    assert skipped, "fires during a run must be recorded as skipped"
    assert {r["scheduler_pid"] for r in runs} <= {s.pid for s in services}


def test_sigterm_records_the_crawls_it_stopped(mongo_db, start_service, replica_server,
                                               corpus, tmp_path) -> None:
    replica = replica_server(corpus, faults=Faults(latency_ms=60000))  # a hung site
    config = write_config(tmp_path, (
        "[scheduler]\ngrace_period_s = 1\nkill_grace_s = 1\nlease_ttl_s = 30\n\n"
        + job_toml("hung", replica.url, interval="2s", timeout="5m")))
    service = start_service(config)
    running = wait_until(lambda: mongo_db["runs"].find_one(
        {"job": "hung", "status": "running", "pid": {"$exists": True}}), 60, "a running crawl",
        (service,))
    assert service.stop(signal.SIGTERM) == 0, service.log()
    run = mongo_db["runs"].find_one({"_id": running["_id"]})
    assert run["status"] == "interrupted" and run["ended_at"] is not None
    # the scheduler did not wait for the hung site: its crawl ended by SIGTERM or, past the
    # kill grace, by SIGKILL (which of the two depends on when Scrapy's graceful stop returns)
    assert run["signal"] in ("SIGTERM", "SIGKILL"), run
    assert pid_gone(running["pid"])
    assert mongo_db["leases"].find_one({"_id": "hung"})["holder"]["owner"] is None  # released
    assert [r["_id"] for r in runs_of(mongo_db, "hung") if r["status"] != "skipped-overlap"] == [
        running["_id"]]  # nothing started after the signal


def test_hung_crawl_is_killed_at_its_timeout(mongo_db, replica_server, corpus, tmp_path,
                                             nc_env) -> None:
    replica = replica_server(corpus, faults=Faults(latency_ms=60000))
    config = write_config(tmp_path, "[scheduler]\nkill_grace_s = 1\n\n" + job_toml(
        "hung", replica.url, timeout="3s", retries=2))
    result = run_cli("schedule", "trigger", "hung", "--config", str(config), env=nc_env)
    assert result.code == 1, result.err
    (run,) = runs_of(mongo_db, "hung")  # a timeout is not retried
    assert run["status"] == "timeout" and run["trigger"] == "manual"
    # killed at its timeout, long before the hung page (60 s) would have let it end; how it
    # ended (SIGTERM while starting, a graceful stop, or SIGKILL after the grace) depends on how
    # far the crawl got in 3 s on a loaded machine
    assert 3 <= run["duration_s"] < 30
    assert run["exit_code"] != 0
    assert pid_gone(run["pid"])
    assert "timeout" in result.out


def test_failing_spider_is_retried_with_backoff_then_failed(mongo_db, tmp_path,
                                                            nc_env) -> None:
    config = write_config(tmp_path, job_toml(
        "broken", f"http://127.0.0.1:{closed_port()}", retries=2, retry_backoff="1s"))
    result = run_cli("schedule", "trigger", "broken", "--config", str(config), env=nc_env)
    assert result.code == 1, result.err
    runs = runs_of(mongo_db, "broken")
    assert [(r["attempt"], r["status"], r["exit_code"]) for r in runs] == [
        (1, "failed", 1), (2, "failed", 1), (3, "failed", 1)]
    for n, (failed, retry) in enumerate(zip(runs, runs[1:], strict=False)):
        backoff = 1 * 2**n
        assert failed["retry_at"] is not None
        assert (retry["started_at"] - failed["ended_at"]).total_seconds() >= backoff - 0.05
    assert runs[-1].get("retry_at") is None
    assert "no page" in " ".join(runs[0]["log_tail"] + runs[0]["output_tail"]).lower() or (
        runs[0]["pages"] == 0)


def test_trigger_respects_the_lease(mongo_db, replica_server, corpus, tmp_path,
                                    nc_env) -> None:
    replica = replica_server(corpus)
    config = write_config(tmp_path, job_toml("busy", replica.url))
    Lease(mongo_db["leases"], "busy", "another-host:123:abc", 60).acquire()
    result = run_cli("schedule", "trigger", "busy", "--config", str(config), env=nc_env)
    assert result.code == 3, result.err
    (run,) = runs_of(mongo_db, "busy")
    assert run["status"] == "skipped-overlap" and "another-host:123:abc" in run["reason"]


def test_malformed_configuration_is_refused(tmp_path, nc_env) -> None:
    config = write_config(tmp_path, '[[jobs]]\nname = "maghrib-security"\n'
                          'spider = "almaghribtoday"\ninterval = "30m"\ntimeout = "soon"\n',
                          name="newscrawl.toml")
    for args in (["run"], ["trigger", "maghrib-security"], ["list"]):
        result = run_cli("schedule", *args, env={**nc_env, "NEWSCRAWL_CONFIG": str(config)})
        assert result.code == 2, result
        assert result.err.strip().splitlines() == [
            f"newscrawl: {config}: job 'maghrib-security': key 'timeout': expected seconds or "
            "a duration like '15m', got 'soon'"]
        assert "Traceback" not in result.err + result.out
    good = write_config(tmp_path, job_toml("a", "http://127.0.0.1:1"))
    unknown = run_cli("schedule", "trigger", "nope", "--config", str(good), env=nc_env)
    assert unknown.code == 2 and "no job named 'nope' (jobs: a)" in unknown.err


def test_scheduler_does_not_install_a_reactor() -> None:
    code = ("import sys, scheduler.service, scheduler.config as c, crawler.cli.schedule; "
            "from crawler.run import spider_names; spider_names(); "
            "print('twisted.internet.reactor' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env={**os.environ}, check=True).stdout
    assert out.strip() == "False"
