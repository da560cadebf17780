"""Who may read the dashboard and who may start a crawl from it.

- Bound to a loopback address without a token, the dashboard is open to this machine only;
  the Host header must name the loopback (a page elsewhere cannot reach it by DNS rebinding).
- Any other address needs a token. When a token is set, every request but the login form and
  the static files must carry it: `Authorization: Bearer <token>` (scripts, the API), or the
  session cookie that the login form sets after the token was typed in (browsers). The cookie
  is signed with a key made at start, HttpOnly and SameSite=Strict.
- "Run now" is the only request that changes anything: a POST from a logged-in session with
  the session's CSRF token in the form (and, when the browser sends one, an Origin of this
  site). Without a token there is no session, so "run now" is off.
Every response carries a Content-Security-Policy that allows scripts, styles and requests from
this site only, no inline script and no framing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.urls import is_loopback

TOKEN_MIN_LENGTH = 16
SESSION_COOKIE = "newscrawl_session"
SESSION_MAX_AGE_S = 12 * 3600
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
OPEN_PATHS = ("/login", "/static/")  # reachable without the token (the login form and its CSS)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class AccessError(ValueError):
    """A bind address and token that would leave the dashboard open; the message says why."""


@dataclass(frozen=True)
class Access:
    """The dashboard's access rule, fixed at start."""

    host: str
    token: str | None = None

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < TOKEN_MIN_LENGTH:
            raise AccessError(
                f"the token must be at least {TOKEN_MIN_LENGTH} characters (make one with "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe())'`)")
        if self.token is None and not is_loopback(self.host):
            raise AccessError(f"--host {self.host}: listening beyond this machine needs a token "
                              "(--token or NEWSCRAWL_WEB_TOKEN)")

    @property
    def allowed_hosts(self) -> list[str]:
        """Host header values accepted: the loopback names when open, any when a token guards."""
        if self.token:
            return ["*"]
        return sorted({*LOOPBACK_NAMES, "[::1]", self.host})

    def token_matches(self, given: str | None) -> bool:
        return bool(self.token and given) and secrets.compare_digest(
            given.encode(), self.token.encode())

    def authenticated(self, request: Request) -> bool:
        """True when no token is set, or the request carries it (header or session)."""
        if not self.token:
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.token_matches(value.strip()):
            return True
        return bool(request.session.get("authenticated"))


def login_session(request: Request) -> None:
    """Mark the session logged in, with a fresh CSRF token."""
    request.session.clear()
    request.session.update(authenticated=True, csrf=secrets.token_urlsafe(32))


def csrf_token(request: Request) -> str | None:
    """The session's CSRF token (None when there is no logged-in session)."""
    if "session" not in request.scope:
        return None
    return request.session.get("csrf") if request.session.get("authenticated") else None


def csrf_problem(request: Request, submitted: str | None) -> str | None:
    """Why this state-changing POST is refused, or None when it may go through."""
    expected = csrf_token(request)
    if expected is None:
        return "log in with the dashboard's token first"
    if not submitted or not secrets.compare_digest(submitted.encode(), expected.encode()):
        return "missing or wrong CSRF token: reload the page and try again"
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        return "cross-site request refused"
    return None


def safe_next(target: str | None) -> str:
    """A local path to go back to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class TokenGate:
    """Refuses requests without the token: 401 for the API, the login form for pages."""

    def __init__(self, app: ASGIApp, access: Access):
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.access.token:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if path.startswith(OPEN_PATHS) or self.access.authenticated(request):
            await self.app(scope, receive, send)
            return
        response: Response
        if path.startswith("/api/") or request.method != "GET":
            response = JSONResponse({"detail": "this dashboard needs its token"},
                                    status_code=401,
                                    headers={"www-authenticate": 'Bearer realm="newscrawl"'})
        else:
            target = path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}",
                                        status_code=303)
        await response(scope, receive, send)


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("path", "").startswith("/static/"):
                    headers.setdefault("cache-control", "public, max-age=3600")
                else:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def session_options(secret: str | None = None) -> dict[str, Any]:
    """SessionMiddleware's arguments: a signing key made at start (a restart logs out)."""
    return {"secret_key": secret or secrets.token_urlsafe(32), "session_cookie": SESSION_COOKIE,
            "max_age": SESSION_MAX_AGE_S, "same_site": "strict", "https_only": False}
