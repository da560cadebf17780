"""`newscrawl web`: the dashboard (jobs, runs, health, articles) and its JSON API.

FastAPI and uvicorn are imported here, inside the command, so that every other command starts
without them (they come with the `web` extra: `pip install 'newscrawl[web]'`).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.common import console, die, open_store


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound here rather than by uvicorn: a busy port is one clear line, and `--port 0` works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        die(f"--host {host} --port {port}: cannot listen ({exc.strerror or exc})")
    sock.listen(128)
    return sock


def web(
    host: Annotated[str, typer.Option(
        help="Address to listen on. Anything but a loopback address needs a token.")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port (0: any free port).", min=0, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="NEWSCRAWL_WEB_TOKEN", show_envvar=True,
        help="Every request must carry it (browser: login form; scripts: 'Authorization: "
             "Bearer TOKEN'); also enables 'run now'. Prefer the environment variable: "
             "other users can see command lines.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="Schedule file for the jobs (default: $NEWSCRAWL_CONFIG, "
                               "else ./newscrawl.toml).")] = None,
) -> None:
    """Serve the dashboard and its JSON API (/api/, documented at /api/openapi.json)."""
    try:
        import uvicorn

        from crawler.web.access import Access, AccessError
        from crawler.web.app import create_app
    except ImportError as exc:
        die(f"the dashboard needs its libraries ({exc.name} is missing): "
            "pip install 'newscrawl[web]'")
    from crawler.cli.outlets import describe_outlets
    from crawler.cli.schedule import _load
    from scheduler.history import RunHistory

    try:
        access = Access(host, token or None)
    except AccessError as exc:
        die(str(exc))
    schedule = _load(config, required=False)
    store = open_store()  # a reader: the indexes are made by the commands that write
    RunHistory(store.db).ensure_indexes()
    app = create_app(access, store, schedule, describe_outlets())
    sock = listening_socket(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(f"newscrawl web: serving http://{shown}:{bound}/"
                  + (" (token required)" if access.token else "") + " — Ctrl-C stops",
                  highlight=False, soft_wrap=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=False,
                                           server_header=False, proxy_headers=False))
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
