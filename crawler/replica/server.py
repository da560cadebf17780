"""The replica HTTP server: the outlets' look-alike sites, served from a corpus, with faults.

Standard library only (ThreadingHTTPServer in a daemon thread), so tests, `newscrawl demo` and
benchmarks need nothing else. The crawler sends each request here with the outlet's real host
in `X-Newscrawl-Host`; which outlet a request is for is decided by, in order: that header, the
`Host` header, a `_host` query parameter, else the first outlet of the corpus. A host that is
named but not served gets a plain 404.

Control endpoints (never logged, never faulted): `GET /_replica/stats` (the request log as
JSON), `GET /_replica/faults`, `POST /_replica/faults` (JSON body: the new Faults). And one
content endpoint, logged: `GET /_replica/links?host=H&section=S&page=N`, a listing page's
article links as JSON, which the scripted listings fetch from inside the browser (the host is
in the URL because the X-Newscrawl-Host header only travels on the navigation request).
"""

from __future__ import annotations

import functools
import json
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.outlet import Outlet
from crawler.replica import sites
from crawler.replica.corpus import CorpusArticle
from crawler.replica.faults import Faults
from crawler.replica.sites.base import HTML, META_CHARSET, TEXT, XML, Site, listing_links
from crawler.replica_routing import HOST_HEADER  # the header a routed request carries

JSON = "application/json; charset=utf-8"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class RequestLog(Counter[str]):
    """Requests per decoded path (with `?query` when there is one), updated from many threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()

    def record(self, path: str) -> None:
        with self._lock:
            self[path] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self)

    def requests_for(self, prefix: str) -> int:
        """How many requests asked for paths starting with `prefix`."""
        with self._lock:
            return sum(n for path, n in self.items() if path.startswith(prefix))

    def clear(self) -> None:
        with self._lock:
            super().clear()


class ReplicaServer:
    """Serves the corpus's outlets over HTTP on `host:port` (port 0: a free one)."""

    def __init__(
        self,
        articles: list[CorpusArticle],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        outlets: Mapping[str, Outlet] | None = None,
        verbose: bool = False,
    ) -> None:
        self.sites = _build_sites(articles, outlets)
        self.host, self.port = host, port
        self.verbose = verbose
        self.request_log = RequestLog()
        self._attempts: Counter[str] = Counter()  # article requests since the faults were set
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> str:
        """Listen and serve in a daemon thread; returns the base URL."""
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self.port), _Handler)
            self._httpd.replica = self
            self.port = self._httpd.server_address[1]
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name=f"replica:{self.port}", daemon=True
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for `python -m crawler.replica`)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> ReplicaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- faults and statistics ---

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        """New faults; attempts of `fail_first_attempts` count afresh from now."""
        with self._lock:
            self._faults = faults
            self._attempts.clear()

    def requests_for(self, prefix: str) -> int:
        return self.request_log.requests_for(prefix)

    # --- requests ---

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response:
        """The response to one request (no sockets here, so it reads top to bottom).

        `headers` has lower-case names; `target` is the request target (`/path?query`).
        """
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith("/_replica/"):
            return self._control(method, path, body, query)
        self.request_log.record(f"{path}?{unquote(parts.query)}" if parts.query else path)
        faults = self._faults
        if delay := faults.delays(path):
            time.sleep(delay)
        site = self._site_for(headers, query)
        if site is None:
            return _text(404, "no replica site for this host\n")
        if faults.errors(path):
            return Response(503, _error_page(503, "Service Unavailable"), HTML)
        if faults.bombs(path):
            return _gzip_bomb(path, faults.bomb_mb)
        page = sites.template_for(site.outlet).render(site, path, query)
        if page.kind in ("article", "amp") and faults.error_rate:
            if faults.fails_article(path, self._attempt(path)):
                return Response(500, _error_page(500, "Internal Server Error"), HTML)
        text, content_type = page.body, page.content_type
        if faults.truncates(path) and content_type == HTML:
            text = _truncate(text, page.main)
        if faults.cp1256(path) and content_type == HTML:
            text = text.replace(META_CHARSET, '<meta charset="windows-1256">')
            encoded = text.encode("cp1256", errors="xmlcharrefreplace")
            return Response(page.status, encoded, "text/html; charset=windows-1256")
        if faults.mislabels(path) and content_type == HTML:  # windows-1256 bytes, "utf-8" label
            return Response(page.status, text.encode("cp1256", errors="xmlcharrefreplace"), HTML)
        if faults.mislabels_utf8(path) and content_type == HTML:  # the reverse lie
            text = text.replace(META_CHARSET, '<meta charset="windows-1256">')
            return Response(page.status, text.encode("utf-8"), "text/html; charset=windows-1256")
        return Response(page.status, text.encode("utf-8"), content_type)

    def _attempt(self, path: str) -> int:
        with self._lock:
            self._attempts[path] += 1
            return self._attempts[path]

    def _site_for(self, headers: Mapping[str, str], query: Mapping[str, str]) -> Site | None:
        """The outlet a request is for (see the module docstring for the order)."""
        named = headers.get(HOST_HEADER.lower())
        if named:
            return self._site_named(named)
        by_host = self._site_named(headers.get("host", ""))
        if by_host is not None:
            return by_host
        if query.get("_host"):
            return self._site_named(query["_host"])
        return next(iter(self.sites.values()), None)

    def _site_named(self, host: str) -> Site | None:
        name = host.strip().lower().split(":")[0].removeprefix("www.").removeprefix("m.")
        for site in self.sites.values():
            if any(name == d or name.endswith("." + d) for d in site.outlet.domains):
                return site
        return None

    def _control(
        self, method: str, path: str, body: bytes, query: Mapping[str, str] | None = None
    ) -> Response:
        query = query or {}
        if path == "/_replica/links" and method in ("GET", "HEAD"):
            site = self._site_named(query.get("host", ""))
            page = query.get("page", "1")
            if site is None or query.get("section") not in site.outlet.sections:
                return _json(404, {"error": "no such host or section"})
            self.request_log.record(
                f"/_replica/links?host={site.outlet.key}&section={query['section']}&page={page}"
            )
            if delay := self._faults.delays(path):
                time.sleep(delay)
            number = int(page) if page.isdigit() else 1
            return _json(200, listing_links(site, query["section"], number))
        if path == "/_replica/stats" and method in ("GET", "HEAD"):
            snapshot = self.request_log.snapshot()
            data = {"total": sum(snapshot.values()), "requests": snapshot}
            return _json(200, data)
        if path == "/_replica/faults" and method in ("GET", "HEAD"):
            return _json(200, self._faults.to_dict())
        if path == "/_replica/faults" and method == "POST":
            try:
                self.faults = Faults.from_dict(json.loads(body or b"{}"))
            except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
                return _json(400, {"error": str(exc)})
            return _json(200, self._faults.to_dict())
        return _json(404, {"error": f"no control endpoint {method} {path}"})


def _build_sites(
    articles: list[CorpusArticle], outlets: Mapping[str, Outlet] | None
) -> dict[str, Site]:
    """One Site per outlet of the corpus, in the order the corpus first names them."""
    keys = list(dict.fromkeys(a.outlet for a in articles))
    known = outlets if outlets is not None else (sites.outlets() if keys else {})
    missing = [k for k in keys if k not in known]
    if missing:
        raise ValueError(f"articles name unknown outlet(s): {', '.join(missing)}")
    return {k: Site.build(known[k], (a for a in articles if a.outlet == k)) for k in keys}


def _truncate(html: str, main: str) -> str:
    """The page cut in the middle of its article body (or of the page), no closing tags."""
    at = html.find(main) if main else -1
    cut = at + len(main) // 2 if at >= 0 else len(html) // 2
    return html[:cut]


def _gzip_bomb(path: str, megabytes: int) -> Response:
    """A small gzip body that inflates to `megabytes` MB of sitemap (or HTML for pages)."""
    xml = path.endswith((".gz", ".xml")) or "sitemap" in path or "feed" in path
    body = _inflating_to(megabytes, xml)
    if path.endswith(".gz"):
        return Response(200, body, "application/gzip")
    return Response(200, body, XML if xml else HTML, {"Content-Encoding": "gzip"})


@functools.lru_cache(maxsize=4)
def _inflating_to(megabytes: int, xml: bool) -> bytes:
    if xml:
        head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        unit = "<url><loc>https://bomb.invalid/article</loc></url>\n"
    else:
        head, unit = "<!DOCTYPE html><html><body>\n", "<p>bomb bomb bomb bomb</p>\n"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip container
    megabyte = (unit * (2**20 // len(unit) + 1))[: 2**20].encode()
    parts = [packer.compress(head.encode())]
    parts += [packer.compress(megabyte) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


def _error_page(status: int, reason: str) -> bytes:
    page = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body>"
    return (page + "</html>\n").encode()


def _text(status: int, text: str) -> Response:
    return Response(status, text.encode(), TEXT)


def _json(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False, indent=1).encode(), JSON)


def _raw_target(target: str) -> str:
    """http.server reads the request line as latin-1; undo that for raw (unencoded) UTF-8."""
    try:
        return target.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return target


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Fourteen crawls of one process open up to 224 connections at once; with the default
    # backlog of 5 the kernel dropped some, and their requests timed out.
    request_queue_size = 256
    replica: ReplicaServer


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "ReplicaSite/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(self._handle())

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(self._handle(), with_body=False)

    def do_POST(self) -> None:  # noqa: N802
        self._respond(self._handle())

    def _handle(self) -> Response:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        method = "GET" if self.command == "HEAD" else self.command
        try:
            return self.server.replica.handle(method, _raw_target(self.path), headers, body)
        except Exception:  # a replica bug: answer 500 and show it, never hang the client
            traceback.print_exc()
            return Response(500, _error_page(500, "Replica Error"), HTML)

    def _respond(self, response: Response, *, with_body: bool = True) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.replica.verbose:
            super().log_message(format, *args)
