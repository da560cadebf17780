"""The Scrapyd executor with real processes: three Scrapyd nodes (own directories, loopback
ports), the egg deployed once by `newscrawl nodes deploy`, the embedded MongoDB server (its URI
in each node's environment) and the replica site.

The nodes and the deploy are shared by the module; each test starts from empty collections.
Every wait polls the runs or the nodes' job lists with a generous deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pymongo
import pytest

from crawler.replica.corpus import default_corpus_path
from crawler.replica.faults import Faults
from crawler.run import spider_names
from scheduler.scrapyd import NodeError, ScrapydNode, find_job
from tests.conftest import REPO, run_cli, with_database
from tests.test_scheduler import (
    Service,
    assert_no_overlap,
    pid_gone,
    runs_of,
    toml_value,
    wait_until,
    write_config,
)

SCRAPYD = str(Path(sys.executable).parent / "scrapyd")
SCRAPYD_VERSION = metadata.version("scrapyd")  # what the nodes run (this environment's)
COLLECTIONS = ("articles", "story_signatures", "crawl_frontier", "runs", "leases",
               "scheduler_jobs")
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "NEWSCRAWL_STORE_BATCH": 1,
        "NEWSCRAWL_STORE_FLUSH_S": 0.2}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """One `scrapyd` process in its own directory and process group (its crawls included)."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "NEWSCRAWL_HOME": str(root / "home")}
        root.mkdir(parents=True)
        (root / "scrapyd.conf").write_text(
            f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {self.port}\nmax_proc = 2\n"
            f"poll_interval = 0.2\neggs_dir = {root / 'eggs'}\nlogs_dir = {root / 'logs'}\n"
            f"dbs_dir = {root / 'dbs'}\n")
        self.proc: subprocess.Popen | None = None

    def launch(self) -> None:
        with open(self.root / "scrapyd.out", "ab") as out:
            self.proc = subprocess.Popen([SCRAPYD], cwd=self.root, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        client = ScrapydNode(self.url)

        def answers() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                return bool(client.daemonstatus())
            except NodeError:
                return False

        wait_until(answers, 60, f"scrapyd on {self.url}")
        client.close()

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def kill(self) -> None:
        """SIGKILL to the node and its crawls, as when its machine dies."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def jobs(self) -> dict[str, list[dict[str, Any]]]:
        client = ScrapydNode(self.url)
        try:
            return client.jobs()
        finally:
            client.close()

    def log(self) -> str:
        return (self.root / "scrapyd.out").read_text(errors="replace")[-3000:]


@dataclass
class Cluster:
    nodes: list[Node]
    env: dict[str, str]  # the scheduler's (and the CLI's) environment
    db: pymongo.database.Database
    root: Path
    deploy: Any  # the result of `newscrawl nodes deploy`

    def node(self, url: str) -> Node:
        return next(node for node in self.nodes if node.url == url)

    def config(self, jobs: str, name: str = "schedule.toml", **settings: Any) -> Path:
        values = {"executor": "scrapyd", "poll_interval_s": 0.5, "node_lost_after_s": 5,
                  "kill_grace_s": 2, "lease_ttl_s": 5, "grace_period_s": 10, **settings}
        text = "[scheduler]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
        for node in self.nodes:
            text += f'[[scheduler.nodes]]\nurl = "{node.url}"\nmax_runs = 1\n'
        path = self.root / f"{uuid.uuid4().hex[:6]}-{name}"
        path.write_text(text + "\n" + jobs)
        return path


@pytest.fixture(scope="module")
def cluster(embedded_server: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("scrapyd")
    database = f"nc_scrapyd_{uuid.uuid4().hex[:8]}"
    uri = with_database(embedded_server, database)
    env = {**os.environ, "NEWSCRAWL_MONGO_URI": uri, "NEWSCRAWL_HOME": str(root / "home")}
    env.pop("NEWSCRAWL_CONFIG", None)
    nodes = [Node(root / f"node{i}", env) for i in range(3)]
    client = pymongo.MongoClient(uri, tz_aware=True)
    try:
        for node in nodes:  # all three start at once
            node.launch()
        for node in nodes:
            node.wait_ready()
        cluster = Cluster(nodes, env, client[database], root, None)
        cluster.deploy = run_cli("nodes", "deploy", "--config", str(cluster.config("")),
                                 env=env, timeout=600)
        assert cluster.deploy.code == 0, cluster.deploy
        yield cluster
    finally:
        for node in nodes:
            node.stop()
        client.drop_database(database)
        client.close()


@pytest.fixture
def nodes(cluster: Cluster) -> Cluster:
    """The cluster with empty collections and every node up."""
    for name in COLLECTIONS:
        cluster.db[name].drop()
    for node in cluster.nodes:
        if node.proc is None or node.proc.poll() is not None:
            node.start()
    return cluster


def corpus_file(path: Path, picks: dict[tuple[str, str], int]) -> Path:
    """The first N articles of some (outlet, section) pairs of the bundled corpus."""
    lines = []
    for line in default_corpus_path().read_text().splitlines():
        record = json.loads(line)
        key = (record["outlet"], record["section"])
        if picks.get(key, 0) > 0:
            picks[key] -= 1
            lines.append(line)
    path.write_text("\n".join(lines) + "\n")
    return path


def job(name: str, spider: str, replica_url: str, **keys: Any) -> str:
    settings = {"NEWSCRAWL_REPLICA_URL": replica_url, **FAST, **keys.pop("settings", {})}
    keys = {"spider": spider, "sections": ["security"], "interval": "1h", "timeout": "5m",
            "settings": settings, **keys}
    return f'[[jobs]]\nname = "{name}"\n' + "".join(
        f"{k} = {toml_value(v)}\n" for k, v in keys.items())


def started_service(cluster: Cluster, config: Path, services: list[Service]) -> Service:
    service = Service(config, cluster.env, cluster.root / f"scheduler-{uuid.uuid4().hex[:6]}.log")
    services.append(service)
    return service


@pytest.fixture
def services() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:  # a failed test must not leave a scheduler behind
        if service.proc.poll() is None:
            service.proc.kill()
            service.proc.wait()


def canonical_urls(db: pymongo.database.Database) -> list[str]:
    return [doc["canonical_url"] for doc in db["articles"].find({}, {"canonical_url": 1})]


# --- the premise: Scrapyd runs the deployed egg with Scrapy 2.19 ---

def test_deployed_egg_lists_the_spiders_and_schedule_json_stores(nodes: Cluster,
                                                                  replica_server,
                                                                  tmp_path: Path) -> None:
    assert nodes.deploy.err == ""
    deployed = [line for line in nodes.deploy.out.splitlines() if "deployed newscrawl" in line]
    assert len(deployed) == 3 and all("(14 spiders)" in line for line in deployed)
    replica = replica_server(corpus_file(tmp_path / "c.jsonl",
                                         {("almaghribtoday", "security"): 4}))
    client = ScrapydNode(nodes.nodes[0].url)
    assert client.spiders() == spider_names() and len(spider_names()) == 14
    job_id = client.schedule([
        ("spider", "almaghribtoday"), ("jobid", "premise"), ("section", "security"),
        ("setting", f"NEWSCRAWL_REPLICA_URL={replica.url}"),
        ("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "DOWNLOAD_DELAY=0")])
    assert job_id == "premise"
    wait_until(lambda: (find_job(client.jobs(), "premise") or ("",))[0] == "finished", 180,
               "the crawl to finish on the node")
    client.close()
    assert nodes.db["articles"].count_documents({"run_id": {"$exists": True}}) == 4
    assert len(set(canonical_urls(nodes.db))) == 4


# --- dispatch ---

def test_runs_spread_across_nodes_and_every_article_is_stored_once(
        nodes: Cluster, replica_server, services: list[Service], tmp_path: Path) -> None:
    picks = {("almaghribtoday", "security"): 4, ("casablancatoday", "security"): 3,
             ("akhbarona", "security"): 2}
    replica = replica_server(corpus_file(tmp_path / "c.jsonl", dict(picks)))
    jobs = "".join(job(spider, spider, replica.url, interval="3s")
                   for spider in ("almaghribtoday", "casablancatoday", "akhbarona"))
    config = nodes.config(jobs)
    service = started_service(nodes, config, services)

    def each_job_ran() -> bool:
        done = {r["job"] for r in runs_of(nodes.db) if r["status"] in ("ok", "degraded")}
        return done == {"almaghribtoday", "casablancatoday", "akhbarona"}

    wait_until(each_job_ran, 240, "a completed run of each job", (service,))
    assert service.stop() == 0, service.log()

    runs = [r for r in runs_of(nodes.db) if r["status"] not in ("skipped-overlap", "missed")]
    first = {}
    for run in runs:
        first.setdefault(run["job"], run)
    assert {r["node"] for r in first.values()} == {n.url for n in nodes.nodes}  # one each
    done = [r for r in runs if r["status"] in ("ok", "degraded")]
    assert all(r["executor"] == "scrapyd" and r["exit_code"] == 0 for r in done)
    for run in done:  # the figures the crawl recorded, as with the local executor
        assert run["pages"] > 0 and run["finish_reason"] == "finished" and run["log_tail"]
        assert run["log_url"].startswith(run["node"] + "/logs/newscrawl/")
        assert run["node_software"]["scrapyd"] == SCRAPYD_VERSION
    stored = {job_name: sum(r["items"]["stored"] for r in done if r["job"] == job_name)
              for job_name in first}
    assert stored == {"almaghribtoday": 4, "casablancatoday": 3, "akhbarona": 2}
    urls = canonical_urls(nodes.db)
    assert len(urls) == 9 and len(set(urls)) == 9
    for name in first:
        assert_no_overlap([r for r in runs if r["job"] == name])

    # history and health show where each run ran, and read the same fields as for local runs
    history = run_cli("schedule", "history", "--json", "-n", "500", env=nodes.env)
    assert history.code == 0, history.err
    assert {r["node"] for r in json.loads(history.out)} >= {n.url for n in nodes.nodes}
    table = run_cli("schedule", "history", "--status", "ok", "-n", "500", env=nodes.env)
    assert table.code == 0 and "node" in table.out
    assert all(n.url.split("://")[1] in table.out for n in nodes.nodes)
    health = run_cli("schedule", "health", "--config", str(config), "--json", env=nodes.env)
    assert health.code == 0, health.err
    report = {j["job"]: j for j in json.loads(health.out)}
    for item in report.values():  # the stop may have interrupted a later run: failing
        assert item["state"] == {"ok": "healthy", "degraded": "degraded",
                                 "interrupted": "failing"}[item["last_status"]]
    assert all(j["last_node"] in {n.url for n in nodes.nodes} for j in report.values())
    assert all(j["last_success"] for j in report.values())
    text = run_cli("schedule", "health", "--config", str(config), env=nodes.env)
    assert text.code == 0 and "node" in text.out
    # Scrapyd's API does not tell its version: `nodes status` shows what the crawls recorded
    status = run_cli("nodes", "status", "--config", str(config), "--json", env=nodes.env)
    assert status.code == 0, status.err
    assert {row["node"]: row["scrapyd_version"] for row in json.loads(status.out)} == {
        node.url: SCRAPYD_VERSION for node in nodes.nodes}


def test_node_killed_mid_crawl_is_lost_and_the_job_runs_on_another(
        nodes: Cluster, replica_server, tmp_path: Path) -> None:
    replica = replica_server(corpus_file(tmp_path / "c.jsonl",
                                         {("almaghribtoday", "security"): 6}),
                             faults=Faults(latency_ms=3000, latency_paths={"/36/"}))
    config = nodes.config(job("slow", "almaghribtoday", replica.url, retries=2,
                              retry_backoff="1s",  # one article every 3 s: a wide window
                              settings={"CONCURRENT_REQUESTS": 1}))
    with open(tmp_path / "trigger.out", "wb") as out:
        trigger = subprocess.Popen(
            [str(Path(sys.executable).parent / "newscrawl"), "schedule", "trigger", "slow",
             "--config", str(config)], env=nodes.env, cwd=REPO, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        first = wait_until(lambda: nodes.db["runs"].find_one({"job": "slow", "node": {
            "$ne": None}}), 120, "the run to be dispatched")
        # the third article asked for: the first two were answered, the rest are not
        wait_until(lambda: replica.request_log.requests_for("/36/") >= 3, 240,
                   "the crawl to be fetching its articles")
        node = nodes.node(first["node"])
        (crawl,) = node.jobs()["running"]
        node.kill()
        wait_until(lambda: pid_gone(crawl["pid"]), 30, "the crawl to die with its node")
        assert trigger.wait(timeout=400) == 0, (tmp_path / "trigger.out").read_text()
    finally:
        if trigger.poll() is None:
            trigger.kill()
            trigger.wait()
    runs = runs_of(nodes.db, "slow")
    assert [r["status"] for r in runs] == ["lost", "ok"], [(r["status"], r.get("reason"))
                                                          for r in runs]
    lost, retry = runs
    assert lost["_id"] == first["_id"] and node.url in lost["reason"]
    assert retry["node"] != node.url and retry["attempt"] == 2
    stored_before = nodes.db["articles"].count_documents({"run_id": lost["_id"]})
    assert 0 < stored_before < 6 and retry["items"]["stored"] == 6 - stored_before
    urls = canonical_urls(nodes.db)
    assert len(urls) == 6 and len(set(urls)) == 6  # nothing stored twice
    assert "lost" in (tmp_path / "trigger.out").read_text()


def test_timeout_cancels_the_crawl_on_its_node(nodes: Cluster, replica_server,
                                               tmp_path: Path) -> None:
    replica = replica_server(corpus_file(tmp_path / "c.jsonl",
                                         {("almaghribtoday", "security"): 2}),
                             faults=Faults(latency_ms=120000))  # a hung site
    config = nodes.config(job("hung", "almaghribtoday", replica.url, timeout="15s",
                              retries=2))
    result = run_cli("schedule", "trigger", "hung", "--config", str(config), env=nodes.env)
    assert result.code == 1, result.err
    (run,) = runs_of(nodes.db, "hung")  # a timeout is not retried
    assert run["status"] == "timeout" and "timeout of 15s" in run["reason"]
    assert 15 <= run["duration_s"] < 15 + 2 + 32
    state, info = find_job(nodes.node(run["node"]).jobs(), run["_id"])
    assert state == "finished"  # cancelled on its node, not left running there
    assert "timeout" in result.out


def test_restarted_scheduler_adopts_the_run_in_flight(nodes: Cluster, replica_server,
                                                      services: list[Service],
                                                      tmp_path: Path) -> None:
    replica = replica_server(corpus_file(tmp_path / "c.jsonl",
                                         {("almaghribtoday", "security"): 4}),
                             faults=Faults(latency_ms=2000))
    config = nodes.config(job("steady", "almaghribtoday", replica.url, interval="3s"))
    first = started_service(nodes, config, services)
    in_flight = wait_until(lambda: nodes.db["runs"].find_one(
        {"job": "steady", "status": "running", "node": {"$ne": None}}), 120,
        "a run sent to a node", (first,))
    node = nodes.node(in_flight["node"])
    wait_until(lambda: (find_job(node.jobs(), in_flight["_id"]) or ("",))[0] == "running", 120,
               "the crawl running on its node", (first,))
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    second = started_service(nodes, config, services)
    wait_until(lambda: nodes.db["runs"].find_one({"_id": in_flight["_id"],
                                                  "status": {"$ne": "running"}}), 240,
               "the adopted run to end", (second,))
    wait_until(lambda: [r for r in runs_of(nodes.db, "steady")
                        if r["started_at"] > in_flight["started_at"]
                        and r["status"] in ("ok", "degraded")], 240,
               "a later run by the restarted scheduler", (second,))
    assert second.stop() == 0, second.log()

    adopted = nodes.db["runs"].find_one({"_id": in_flight["_id"]})
    assert adopted["status"] == "ok", adopted.get("reason")
    assert adopted["adopted_by"].split(":")[1] == str(second.pid)
    assert adopted["items"]["stored"] == 4
    runs = runs_of(nodes.db, "steady")
    assert_no_overlap(runs)  # no second run while the first was alive on its node
    crawled = []  # ...and the nodes agree: their crawls of the job never overlap
    for each in nodes.nodes:
        crawled += [(j["start_time"], j["end_time"]) for j in each.jobs()["finished"]
                    if j["id"] in {r["_id"] for r in runs}]
    crawled.sort()
    assert len(crawled) >= 2
    assert all(end <= start for (_, end), (start, _) in zip(crawled, crawled[1:], strict=False))
    assert "Traceback" not in second.log()


# --- the nodes commands ---

def test_nodes_status_against_live_and_dead_nodes(nodes: Cluster) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    config = nodes.config("")
    config.write_text(config.read_text() + f'[[scheduler.nodes]]\nurl = "{dead}"\n')
    result = run_cli("nodes", "status", "--config", str(config), "--json", env=nodes.env)
    assert result.code == 1
    assert result.err.splitlines() == [f"newscrawl: node {dead}: unreachable (connection "
                                       "refused)"]
    rows = {row["node"]: row for row in json.loads(result.out)}
    version = nodes.deploy.out.split("egg newscrawl ", 1)[1].split()[0]
    for node in nodes.nodes:
        row = rows[node.url]
        assert row["reachable"] and row["node_name"] and row["error"] is None
        assert row["deployed_version"] == version.replace(".", "_").replace("+", "_")
        assert row["free_slots"] == 1 and row["running"] == row["pending"] == 0
        assert row["finished"] >= 0 and row["max_runs"] == 1
    assert rows[dead]["reachable"] is False and "connection refused" in rows[dead]["error"]


def test_nodes_deploy_errors_name_the_node(nodes: Cluster, replica_server,
                                           tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    not_scrapyd = replica_server(corpus_file(tmp_path / "c.jsonl",
                                             {("almaghribtoday", "security"): 1})).url
    config = nodes.config("")
    config.write_text(config.read_text() + f'[[scheduler.nodes]]\nurl = "{dead}"\n'
                      f'[[scheduler.nodes]]\nurl = "{not_scrapyd}"\n')
    result = run_cli("nodes", "deploy", "--config", str(config), "--node", dead, "--node",
                     not_scrapyd, env=nodes.env, timeout=600)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"newscrawl: node {dead}: deploy failed: unreachable (connection refused)",
        f"newscrawl: node {not_scrapyd}: deploy failed: not a Scrapyd API answer (HTTP 404)"]
    unknown = run_cli("nodes", "deploy", "--config", str(config), "--node",
                      "http://10.9.9.9:6800", env=nodes.env)
    assert unknown.code == 2 and "not a node of" in unknown.err
    # an outlet the scheduler's file declares, unknown to a node that lacks the file
    declared = nodes.config('[outlets.akhbar]\nbase_url = "https://www.akhbar.example"\n'
                            '[outlets.akhbar.sections.latest]\nfeeds = ["/feed/"]\n')
    live = nodes.nodes[0].url
    lacking = run_cli("nodes", "deploy", "--config", str(declared), "--node", live,
                      env=nodes.env, timeout=600)
    assert lacking.code == 1
    assert lacking.err.splitlines() == [
        f"newscrawl: node {live}: deployed, but its spiders differ from this checkout's: it "
        "lacks akhbar (give the node the same newscrawl.toml in NEWSCRAWL_CONFIG)"]
    assert "Traceback" not in result.err + unknown.err + lacking.err


def test_nodes_that_cannot_reach_the_database_are_refused(nc_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    config = write_config(tmp_path, (
        '[scheduler]\nexecutor = "scrapyd"\n[[scheduler.nodes]]\nurl = "http://10.0.0.5:6800"\n'
        + job("a", "almaghribtoday", "http://127.0.0.1:1")))
    result = run_cli("schedule", "run", "--config", str(config), env=nc_env)
    assert result.code == 2, result
    assert result.err.splitlines() == [
        f"newscrawl: {config}: node 'http://10.0.0.5:6800': cannot reach the "
        f"database: {nc_env['NEWSCRAWL_MONGO_URI']} is on this machine's loopback "
        "address; set NEWSCRAWL_MONGO_URI to a MongoDB the nodes can reach, here and in "
        "each node's environment"]
