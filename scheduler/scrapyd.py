"""The Scrapyd executor: each crawl runs on one of the configured Scrapyd nodes.

Dispatch: a due run goes to a reachable node with a free slot (its `max_runs` minus the
newscrawl jobs it has pending or running), fewest first, through `schedule.json`: sections,
max_pages and full as spider arguments; the run id as Scrapyd's job id and as
NEWSCRAWL_RUN_ID; the job's settings as `setting=KEY=VALUE`. The database is never sent: each
node reads NEWSCRAWL_MONGO_URI from its own environment (Scrapyd lists every job's settings to
anyone who can reach it).

Watching: the node's `listjobs.json` every `poll_interval_s`; a node that does not answer, or
no longer knows the job, for `node_lost_after_s` has its run recorded `lost`. Stopping:
`cancel.json` with SIGTERM (Scrapy's graceful stop), again with SIGKILL after `kill_grace_s`.
The crawl writes its own figures into its run document (crawler/run_record.py); the log tail
is read from the node's log URL.

scrapyd-client's `ScrapydClient` has no request timeout (a silent node would hang the
scheduler) and no cancel signal, so the few calls are made here with requests.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from pymongo.errors import PyMongoError

from crawler.store import redact
from scheduler.config import JobConfig, NodeConfig, SchedulerSettings
from scheduler.executor import ENDED, LOST, RUNNING, Executor, NoFreeSlot, Outcome, StartFailed
from scheduler.history import find_run, recorded_by_crawl, run_figures

log = logging.getLogger("newscrawl.scheduler.scrapyd")

PROJECT = "newscrawl"  # the Scrapyd project the egg is deployed as
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
DEPLOY_TIMEOUT_S = 300.0  # addversion.json runs `scrapy list` on the node


class NodeError(Exception):
    """A node did not answer, or refused; the message is one line."""


def _one_line(text: Any) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no reason given"


def _why(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return found.group(1).strip().lower() if found else type(exc).__name__


class ScrapydNode:
    """The few Scrapyd API calls newscrawl makes, each with a timeout and one-line errors."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None):
        self.url = url
        self.session = requests.Session()
        self.session.auth = auth

    @classmethod
    def from_config(cls, node: NodeConfig) -> ScrapydNode:
        return cls(node.url, node.auth())

    def _call(self, method: str, endpoint: str, *, read_timeout: float = READ_TIMEOUT_S,
              **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, f"{self.url}/{endpoint}",
                                            timeout=(CONNECT_TIMEOUT_S, read_timeout), **kwargs)
        except requests.RequestException as exc:
            raise NodeError(f"unreachable ({_why(exc)})") from None
        if response.status_code == 401:
            raise NodeError("refused: HTTP 401, wrong or missing username/password")
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("status") not in ("ok", "error"):
            raise NodeError(f"not a Scrapyd API answer (HTTP {response.status_code})")
        if data["status"] != "ok":
            raise NodeError(f"refused: {_one_line(data.get('message'))}")
        return data

    def daemonstatus(self) -> dict[str, Any]:
        return self._call("GET", "daemonstatus.json")

    def jobs(self) -> dict[str, list[dict[str, Any]]]:
        """newscrawl's pending, running and finished jobs (all projects are listed; works
        before the first deploy)."""
        data = self._call("GET", "listjobs.json")
        return {state: [job for job in data.get(state, []) if job.get("project") == PROJECT]
                for state in ("pending", "running", "finished")}

    def versions(self) -> list[str]:
        return self._call("GET", "listversions.json", params={"project": PROJECT})["versions"]

    def spiders(self) -> list[str]:
        return self._call("GET", "listspiders.json", params={"project": PROJECT},
                          read_timeout=DEPLOY_TIMEOUT_S)["spiders"]

    def schedule(self, params: list[tuple[str, str]]) -> str:
        return self._call("POST", "schedule.json", data=[("project", PROJECT), *params],
                          read_timeout=DEPLOY_TIMEOUT_S)["jobid"]

    def cancel(self, job_id: str, signal: str) -> str | None:
        return self._call("POST", "cancel.json", data={"project": PROJECT, "job": job_id,
                                                       "signal": signal}).get("prevstate")

    def addversion(self, version: str, egg: bytes) -> int:
        """Upload an egg; returns the number of spiders the node found in it."""
        return int(self._call("POST", "addversion.json",
                              data={"project": PROJECT, "version": version},
                              files={"egg": ("newscrawl.egg", egg)},
                              read_timeout=DEPLOY_TIMEOUT_S).get("spiders", 0))

    def log_tail(self, log_url: str, lines: int, *, size: int = 65536) -> list[str]:
        """The last lines of a job's log ([] when it cannot be read). Its length first: Twisted
        mishandles a suffix range longer than the file."""
        if lines <= 0 or not log_url:
            return []
        url = f"{self.url}{log_url}"
        timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        try:
            length = int(self.session.head(url, timeout=timeout).headers["Content-Length"])
            response = self.session.get(url, timeout=timeout, headers={
                "Range": f"bytes={max(length - size, 0)}-"})
        except (requests.RequestException, KeyError, ValueError):
            return []
        if response.status_code not in (200, 206):
            return []
        text = response.content.decode("utf-8", "replace").splitlines()
        return [redact(line) for line in text[-lines:]]

    def close(self) -> None:
        self.session.close()


def find_job(jobs: dict[str, list[dict[str, Any]]], job_id: str) -> tuple[str, dict] | None:
    for state in ("running", "pending", "finished"):
        for job in jobs.get(state, []):
            if job.get("id") == job_id:
                return state, job
    return None


def dispatch_params(job: JobConfig, run_id: str) -> list[tuple[str, str]]:
    """`schedule.json` parameters for a run (besides the project)."""
    params = [("spider", job.spider), ("jobid", run_id),
              ("setting", f"NEWSCRAWL_RUN_ID={run_id}"), ("setting", "NEWSCRAWL_RUN_RECORD=True")]
    if job.sections:
        params.append(("section", ",".join(job.sections)))
    if job.max_pages:
        params.append(("max_pages", str(job.max_pages)))
    if job.full:
        params.append(("full", "1"))
    if job.max_items:
        params.append(("setting", f"CLOSESPIDER_ITEMCOUNT={job.max_items}"))
    params += [("setting", f"{key}={value}") for key, value in job.settings.items()]
    return params


@dataclass
class ScrapydCrawl:
    node: ScrapydNode
    job_id: str
    answered_at: float = field(default_factory=time.monotonic)  # last word of it from the node
    log_url: str | None = None
    silence: str | None = None  # why the node has said nothing of it lately


class ScrapydExecutor(Executor):
    name = "scrapyd"

    def __init__(self, settings: SchedulerSettings, db: Any):
        self.settings = settings
        self.db = db
        self.poll_s = settings.poll_interval_s
        self.nodes = {node.url: ScrapydNode.from_config(node) for node in settings.nodes}
        self.max_runs = {node.url: node.max_runs for node in settings.nodes}
        self._dispatch = threading.Lock()  # one choice of node at a time in this process
        self._last_used: dict[str, float] = {}
        self._sending = dict.fromkeys(self.nodes, 0)  # schedule.json calls under way

    # --- dispatch ---

    def _choose(self, job: JobConfig) -> ScrapydNode:
        """The node with a free slot and the fewest newscrawl jobs (least recently used
        first among equals)."""
        urls = list(job.nodes) or list(self.nodes)
        loads, problems = [], []
        for url in urls:
            try:
                jobs = self.nodes[url].jobs()
            except NodeError as exc:
                problems.append(f"{url} {exc}")
                continue
            busy = len(jobs["pending"]) + len(jobs["running"]) + self._sending[url]
            if busy < self.max_runs[url]:
                loads.append((busy, self._last_used.get(url, 0.0), url))
        if loads:
            return self.nodes[min(loads)[2]]
        if len(problems) == len(urls):
            raise StartFailed("no node can take the run: " + "; ".join(problems),
                              retryable=True)
        raise NoFreeSlot(f"all {len(urls) - len(problems)} reachable node(s) are busy")

    def start(self, job: JobConfig, doc: dict[str, Any]) -> ScrapydCrawl:
        run_id = doc["_id"]
        params = dispatch_params(job, run_id)
        with self._dispatch:
            node = self._choose(job)
            self._last_used[node.url] = time.monotonic()
            self._sending[node.url] += 1  # its slot is taken while the call is under way
        try:  # (slow when the node must first list the egg's spiders)
            node.schedule(params)
        except NodeError as exc:
            raise StartFailed(f"node {node.url}: schedule.json {exc}", retryable=True) from None
        finally:
            with self._dispatch:
                self._sending[node.url] -= 1
        doc.update(node=node.url, scrapyd_job=run_id,
                   command=["schedule.json", *(redact(f"{k}={v}") for k, v in params)])
        log.info("job %s: run %s sent to %s", job.name, run_id, node.url)
        return ScrapydCrawl(node, run_id)

    # --- watching ---

    def state(self, crawl: ScrapydCrawl) -> str:
        try:
            found = find_job(crawl.node.jobs(), crawl.job_id)
            crawl.silence = None if found else "the node does not know the job"
        except NodeError as exc:
            found, crawl.silence = None, f"the node is {exc}"
        if found:
            state, info = found
            crawl.answered_at = time.monotonic()
            crawl.log_url = info.get("log_url") or crawl.log_url
            return ENDED if state == "finished" else RUNNING
        if self._recorded(crawl.job_id):  # ended and recorded, though the node forgot it
            return ENDED
        if time.monotonic() - crawl.answered_at >= self.settings.node_lost_after_s:
            return LOST
        return RUNNING

    def lost_reason(self, crawl: ScrapydCrawl) -> str:
        return (f"node {crawl.node.url}: {crawl.silence or 'no word of the job'} for "
                f"{self.settings.node_lost_after_s:g}s; the crawl is given up there")

    def _recorded(self, run_id: str) -> bool:
        try:
            doc = find_run(self.db, run_id, {"finish_reason": 1})
        except PyMongoError:
            return False
        return bool(doc and doc.get("finish_reason"))

    def stop(self, crawl: ScrapydCrawl) -> None:
        """cancel.json with SIGTERM; with SIGKILL after the kill grace if it still runs."""
        for signal, wait_s in (("TERM", self.settings.kill_grace_s),
                               ("KILL", self.settings.kill_grace_s + 30)):
            try:
                before = crawl.node.cancel(crawl.job_id, signal)
            except NodeError as exc:
                log.warning("run %s: cannot cancel on %s: %s", crawl.job_id, crawl.node.url, exc)
                return
            if before != "running":  # taken out of the node's queue, or already over
                return
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                if self.state(crawl) != RUNNING:
                    return
                time.sleep(min(0.5, self.poll_s))

    def finish(self, crawl: ScrapydCrawl, doc: dict[str, Any]) -> Outcome:
        recorded = recorded_by_crawl(self.db, crawl.job_id)
        doc.update(recorded)
        doc["log_url"] = f"{crawl.node.url}{crawl.log_url}" if crawl.log_url else None
        doc["log_tail"] = crawl.node.log_tail(crawl.log_url or "",
                                              self.settings.log_tail_lines)
        if not recorded:
            doc.update({key: value for key, value in run_figures(None).items()
                        if key not in doc})
            return Outcome(None, "the crawl ended without recording its figures (it crashed "
                                 "or was killed, or the node's NEWSCRAWL_MONGO_URI names "
                                 "another database than the scheduler's)")
        return Outcome(1 if recorded.get("crawl_failed") else 0)

    def adopt(self, doc: dict[str, Any]) -> ScrapydCrawl | None:
        node = self.nodes.get(doc.get("node") or "")
        if node is None:  # a node no longer in the configuration
            return None
        return ScrapydCrawl(node, doc.get("scrapyd_job") or doc["_id"])

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()
