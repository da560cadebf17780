"""`newscrawl db start|stop|status|replay`: the embedded server and the spool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.common import RUNTIME_ERROR, console, die, open_store
from crawler.config import spool_dir
from crawler.embedded import EmbeddedServer
from crawler.store import ArticleWrite, apply_writes

app = typer.Typer(help="The database: embedded server control, status, spool replay.",
                  no_args_is_help=True)


def _embedded_only(action: str) -> None:
    import os

    if os.environ.get("NEWSCRAWL_MONGO_URI"):
        die(f"db {action}: NEWSCRAWL_MONGO_URI is set, so the embedded server is not used")


@app.command()
def start() -> None:
    """Start the embedded server (it also starts on demand)."""
    _embedded_only("start")
    server = EmbeddedServer()
    uri = server.ensure_running()
    state = server.state()
    console.print(f"embedded MongoDB running at {uri} (pid {state.pid if state else '?'})",
                  highlight=False)


@app.command()
def stop() -> None:
    """Stop the embedded server."""
    _embedded_only("stop")
    if EmbeddedServer().stop():
        console.print("embedded MongoDB stopped")
    else:
        console.print("embedded MongoDB was not running")


@app.command()
def status() -> None:
    """Where the data is: URI, pid, data size, article count."""
    import os

    if os.environ.get("NEWSCRAWL_MONGO_URI"):
        store = open_store()
        console.print(f"uri: {store.display_uri}\narticles: {store.article_count()}",
                      highlight=False)
        return
    server = EmbeddedServer()
    state = server.state()
    console.print(f"data: {server.data_dir} ({server.data_size() / 1e6:.1f} MB)", highlight=False)
    if state is None:
        console.print("embedded MongoDB: not running (starts on demand)")
        return
    store = open_store()
    console.print(
        f"uri: {state.uri}\npid: {state.pid}\narticles: {store.article_count()}",
        highlight=False,
    )


def read_spool(path: Path) -> list[ArticleWrite]:
    writes = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            writes.append(ArticleWrite.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            die(f"{path}:{number}: malformed spool line ({exc}); file left in place",
                RUNTIME_ERROR)
    return writes


@app.command()
def replay(
    directory: Annotated[Path | None, typer.Option(
        help="Spool folder (default: $NEWSCRAWL_HOME/spool).")] = None,
) -> None:
    """Write spooled articles (those a crawl could not store) back to MongoDB."""
    folder = directory or spool_dir()
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        console.print(f"nothing to replay in {folder}", highlight=False)
        return
    store = open_store(indexes=True)
    for path in files:
        writes = read_spool(path)
        report = apply_writes(store, writes)
        path.rename(path.with_suffix(".jsonl.replayed"))
        console.print(
            f"{path.name}: {report.stored} stored, {report.duplicates} already stored, "
            f"{report.alternates} alternate URLs, {report.revised} revisions", highlight=False)
