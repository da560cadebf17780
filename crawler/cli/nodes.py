"""`newscrawl nodes status|deploy`: the Scrapyd nodes of `[[scheduler.nodes]]`."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli.common import RUNTIME_ERROR, die, say_error, stdout_is_tty
from crawler.cli.schedule import ConfigOption, JsonOption, _load, print_json

app = typer.Typer(help="Scrapyd nodes that run scheduled crawls (executor = \"scrapyd\").",
                  no_args_is_help=True)
console = Console() if stdout_is_tty() else Console(width=240)

NodeOption = Annotated[list[str] | None, typer.Option(
    "--node", help="Only this node URL (repeatable; default: every configured node).")]


def _nodes(config: Path | None, only: list[str] | None) -> list[Any]:
    schedule = _load(config, check_spiders=False)
    nodes = list(schedule.scheduler.nodes)
    if not nodes:
        die(f"{schedule.label}: scheduler: no [[scheduler.nodes]] configured")
    if only:
        known = {node.url: node for node in nodes}
        for url in only:
            if url.rstrip("/") not in known:
                die(f"--node {url}: not a node of {schedule.label} "
                    f"(nodes: {', '.join(known)})")
        nodes = [known[url.rstrip("/")] for url in only]
    return nodes


def _last_runs(urls: list[str]) -> dict[str, dict[str, Any]]:
    """The newest run of each node, when the database is at hand (never started for this):
    Scrapyd's API does not tell its version, the crawls record it."""
    from crawler.embedded import EmbeddedServer
    from crawler.store import Store
    from scheduler.history import RunHistory

    if not os.environ.get("NEWSCRAWL_MONGO_URI") and EmbeddedServer().state() is None:
        return {}
    try:
        store = Store(timeout_ms=2000)
        try:
            history = RunHistory(store.db)
            return {url: doc for url in urls if (doc := history.last_on_node(url))}
        finally:
            store.close()
    except Exception:
        return {}


@app.command()
def status(config: ConfigOption = None, node: NodeOption = None,
           as_json: JsonOption = False) -> None:
    """Each node: reachable, versions, newscrawl's jobs, free slots (exit 1: one is down)."""
    from scheduler.scrapyd import NodeError, ScrapydNode

    nodes = _nodes(config, node)
    last = _last_runs([n.url for n in nodes])
    rows, failed = [], False
    for node_config in nodes:
        row: dict[str, Any] = {"node": node_config.url, "max_runs": node_config.max_runs,
                               "reachable": False, "error": None}
        client = ScrapydNode.from_config(node_config)
        try:
            daemon = client.daemonstatus()
            jobs = client.jobs()
            row.update(reachable=True, node_name=daemon.get("node_name"),
                       **{state: len(jobs[state]) for state in jobs})
            row["free_slots"] = max(node_config.max_runs - row["pending"] - row["running"], 0)
            try:
                versions = client.versions()
            except NodeError:  # `project 'newscrawl' not found`
                versions = []
            row["deployed_version"] = versions[-1] if versions else None
        except NodeError as exc:
            row["error"] = str(exc)
            failed = True
            say_error(f"node {node_config.url}: {exc}")
        finally:
            client.close()
        software = (last.get(node_config.url) or {}).get("node_software") or {}
        row["scrapyd_version"] = software.get("scrapyd")
        rows.append(row)
    if as_json:
        print_json(rows)
    else:
        table = Table(title="Scrapyd nodes (newscrawl's jobs)", show_edge=False)
        for column in ("node", "state", "name", "scrapyd", "deployed", "pending", "running",
                       "finished", "free slots"):
            table.add_column(column, justify="right" if column in (
                "pending", "running", "finished", "free slots") else "left")
        for row in rows:
            if not row["reachable"]:
                table.add_row(row["node"], row["error"], *["-"] * 7)
                continue
            table.add_row(
                row["node"], "ok", row["node_name"] or "-",
                row["scrapyd_version"] or "? (no run yet)",
                row["deployed_version"] or "not deployed", str(row["pending"]),
                str(row["running"]), str(row["finished"]),
                f"{row['free_slots']}/{row['max_runs']}")
        console.print(table)
    if failed:
        raise typer.Exit(RUNTIME_ERROR)


@app.command()
def deploy(config: ConfigOption = None, node: NodeOption = None) -> None:
    """Build this checkout's egg and upload it to every node (exit 1: a node failed)."""
    from crawler.run import spider_names
    from scheduler.deploy import DeployError, build_egg, egg_version, project_root
    from scheduler.scrapyd import NodeError, ScrapydNode

    failed = False
    answering = []
    for node_config in _nodes(config, node):  # nothing is built for nodes that are down
        client = ScrapydNode.from_config(node_config)
        try:
            client.daemonstatus()
            answering.append(node_config)
        except NodeError as exc:
            failed = True
            say_error(f"node {node_config.url}: deploy failed: {exc}")
        finally:
            client.close()
    if not answering:
        raise typer.Exit(RUNTIME_ERROR)
    try:
        root = project_root()
        version = egg_version(root)
        egg = build_egg(root)
    except DeployError as exc:
        die(str(exc), RUNTIME_ERROR)
    expected = set(spider_names())  # the modules and the outlets this file declares
    console.print(f"egg newscrawl {version} ({len(egg) / 1024:.0f} KiB)", highlight=False)

    def upload(node_config: Any) -> list[str] | str:
        """The spiders the node lists for the version it will run (the newest), or why not;
        listing them now also spares the first crawl that wait."""
        client = ScrapydNode.from_config(node_config)
        try:
            client.addversion(version, egg)
            return client.spiders()
        except NodeError as exc:
            return f"deploy failed: {exc}"
        finally:
            client.close()

    # each node runs `scrapy list` on the egg before it answers: upload to all at once
    with ThreadPoolExecutor(max_workers=min(len(answering), 8)) as pool:
        answers = list(pool.map(upload, answering))
    for node_config, answer in zip(answering, answers, strict=True):
        if isinstance(answer, str):
            failed = True
            say_error(f"node {node_config.url}: {answer}")
        elif set(answer) != expected:
            failed = True
            missing, extra = sorted(expected - set(answer)), sorted(set(answer) - expected)
            differences = ([f"lacks {', '.join(missing)}"] if missing else []) + (
                [f"also has {', '.join(extra)}"] if extra else [])
            say_error(f"node {node_config.url}: deployed, but its spiders differ from this "
                      f"checkout's: it {' and '.join(differences)} (give the node the same "
                      "newscrawl.toml in NEWSCRAWL_CONFIG)")
        else:
            console.print(f"{node_config.url}: deployed newscrawl {version} ({len(answer)} "
                          "spiders)", highlight=False)
    if failed:
        raise typer.Exit(RUNTIME_ERROR)
