"""URL canonicalisation for dedupe, plus helpers spiders use to classify links.

Arabic news sites hand out the same article under many URLs: http vs https, ``www.``/``m.``
hosts, AMP variants, tracking parameters, and Arabic slugs that arrive raw, percent-encoded
(in either hex case) or in NFD. :func:`canonicalize_url` maps all of them to one ASCII
string, which is what we store and dedupe on. :func:`display_url` turns it back into
something a human can read.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import SplitResult, quote_from_bytes, unquote, unquote_to_bytes, urlsplit

from w3lib.url import safe_url_string

__all__ = ["canonicalize_url", "display_url", "is_loopback", "is_same_site", "url_path_matches"]

UrlRule = Callable[[SplitResult], SplitResult]

# Host prefixes that never name a different site. Only stripped while a dot remains, so
# "m.tv" stays "m.tv".
_HOST_PREFIXES = ("www.", "m.", "amp.")
_DEFAULT_PORTS = {80, 443}

_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga",
        "ref", "ref_src", "spm", "share", "from",
        "amp",  # ?amp and ?amp=1 select the AMP rendering of the same article
    }
)  # fmt: skip

# RFC 3986 pchar minus "%": what may stay literal in a path segment. Everything else,
# including "/" that came from a decoded %2F, is percent-encoded.
_PATH_SAFE = "!$&'()*+,;=:@-._~"
# Query components: no "&", "=", "+" or "#", which would change how the query splits.
_QUERY_SAFE = "!$'()*,;:@/?-._~"


def _strip_host_prefixes(host: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host, stripped = host[len(prefix) :], True
    return host


def _normalize_host(host: str) -> str:
    return _strip_host_prefixes(host.lower().rstrip("."))


def _requote(component: str, safe: str, *, plus_is_space: bool = False) -> str:
    """Decode ``component`` and encode it again, exactly once, with upper-case hex.

    Valid UTF-8 is NFC-normalised in between, so raw, encoded and NFD spellings of an
    Arabic slug meet. Bytes that are not UTF-8 (old windows-1256 links) are kept as they are.
    """
    if plus_is_space:
        component = component.replace("+", " ")
    raw = unquote_to_bytes(component)
    try:
        raw = unicodedata.normalize("NFC", raw.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        pass
    if plus_is_space:
        return quote_from_bytes(raw, safe + " ").replace(" ", "+")
    return quote_from_bytes(raw, safe)


def _canonical_path(path: str) -> str:
    segments: list[str] = []
    for segment in path.split("/"):
        segment = _requote(segment, _PATH_SAFE)
        if segment in ("", "."):  # also collapses duplicate slashes
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    # AMP: almaghribtoday serves /amp/<section>/<id>-<slug>; WordPress appends /amp/.
    while segments and segments[0].lower() == "amp":
        segments.pop(0)
    while segments and segments[-1].lower() == "amp":
        segments.pop()
    return "/" + "/".join(segments)


def _canonical_query(query: str, drop: frozenset[str]) -> str:
    kept: list[tuple[str, str | None]] = []
    for item in query.split("&"):
        if not item:
            continue
        name, has_value, value = item.partition("=")
        name = _requote(name, _QUERY_SAFE, plus_is_space=True)
        key = unquote(name).lower()
        if key.startswith("utm_") or key in _TRACKING_PARAMS or key in drop:
            continue
        value = _requote(value, _QUERY_SAFE, plus_is_space=True)
        if key == "outputtype" and value.lower() == "amp":
            continue
        # "?a" and "?a=" are kept distinct: some servers tell them apart.
        kept.append((name, value if has_value else None))
    kept.sort(key=lambda kv: (kv[0], kv[1] is not None, kv[1] or ""))
    return "&".join(name if value is None else f"{name}={value}" for name, value in kept)


def _canonical_split(url: str, drop: frozenset[str]) -> SplitResult | None:
    # safe_url_string does the WHATWG-style clean-up for us: IDNA hosts, "\" → "/",
    # stray whitespace, raw non-ASCII → percent-encoded UTF-8.
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    if scheme not in ("", "http", "https"):
        return None
    host = _normalize_host(parts.hostname or "")
    if not host:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo, _, _ = parts.netloc.rpartition("@")
    port = parts.port  # raises ValueError for a malformed port
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if port is not None and port not in _DEFAULT_PORTS:
        netloc += f":{port}"
    return SplitResult(
        "https",
        netloc,
        _canonical_path(parts.path),
        _canonical_query(parts.query, drop),
        "",
    )


@lru_cache(maxsize=1 << 13)  # a crawl canonicalizes a URL when it lists it and when it stores it
def _plain_canonical(url: str) -> str:
    parts = _canonical_split(url, frozenset())
    return url.strip() if parts is None else parts.geturl()


def canonicalize_url(
    url: str,
    *,
    extra_rules: Iterable[UrlRule] = (),
    drop_params: Iterable[str] = (),
) -> str:
    """Return the one ASCII URL under which we store and dedupe ``url``.

    https only; lower-case host without ``www.``/``m.``/``amp.`` and default port; AMP forms
    removed (``/amp/...`` prefix, trailing ``/amp``, ``?amp``, ``amp=1``,
    ``outputType=amp``); tracking parameters (``utm_*``, ``fbclid`` ...) and ``drop_params``
    removed (case-insensitive); remaining parameters sorted; no fragment; path decoded,
    NFC-normalised and percent-encoded exactly once with upper-case hex; duplicate and
    trailing slashes removed (root stays "/").

    ``extra_rules`` are site-specific rewrites. Each receives the canonical
    :class:`~urllib.parse.SplitResult` (ASCII, encoded path) and its output is canonicalised
    again, so rules need not worry about encoding; they must be idempotent themselves.

    Non-HTTP URLs (``mailto:``, ``javascript:`` ...) are returned stripped but unchanged;
    scheme-relative ``//host/path`` becomes https. Raises :class:`ValueError` when there is no
    host (relative or empty URL: ``response.urljoin`` it first) or the port is malformed.
    Idempotent.
    """
    rules, drop = tuple(extra_rules), frozenset(p.lower() for p in drop_params)
    if not rules and not drop:
        return _plain_canonical(url)
    parts = _canonical_split(url, drop)
    if parts is None:
        return url.strip()
    if rules:
        for rule in rules:
            parts = rule(parts)
        parts = _canonical_split(parts.geturl(), drop) or parts
    return parts.geturl()


# --- display and classification -----------------------------------------------------------

_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _decode_for_humans(match: re.Match[str]) -> str:
    # Only non-ASCII UTF-8 is decoded (RFC 3987 §3.2): an escaped "/", "&", "%" or space keeps
    # its meaning, and invisible/bidi characters stay escaped so they cannot spoof the text.
    text = unquote_to_bytes(match.group()).decode("utf-8", "surrogateescape")
    out: list[str] = []
    for ch in text:
        if ord(ch) < 0x80 or not ch.isprintable() or ch.isspace():
            out.append(quote_from_bytes(ch.encode("utf-8", "surrogateescape"), safe=""))
        else:
            out.append(ch)
    return "".join(out)


def _display_host(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def display_url(url: str) -> str:
    """Human-readable (IRI) form of ``url``: Arabic slugs and IDN hosts shown as text.

    Not for storage or requests; use :func:`canonicalize_url` for that.
    """
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if parts.hostname and "xn--" in parts.hostname:
        netloc = netloc.replace(parts.hostname, _display_host(parts.hostname))
    path, query, fragment = (
        _ESCAPE_RUN.sub(_decode_for_humans, c) for c in (parts.path, parts.query, parts.fragment)
    )
    return SplitResult(parts.scheme, netloc, path, query, fragment).geturl()


def _host_of(url: str) -> str:
    url = url.strip()
    if "://" not in url and not url.startswith("//"):  # a bare "example.com/path"
        url = "//" + url
    try:
        # safe_url_string IDNA-encodes the host: Unicode and punycode spellings compare equal.
        return _normalize_host(urlsplit(safe_url_string(url)).hostname or "")
    except ValueError:  # malformed port or IPv6 literal: not a site we know
        return ""


def is_same_site(url: str, domains: Iterable[str]) -> bool:
    """True if the host of ``url`` is one of ``domains`` or a subdomain of one.

    ``www.``/``m.`` are ignored on both sides; a bare domain or a URL may be given.
    """
    host = _host_of(url)
    if not host:
        return False
    for domain in domains:
        domain = _host_of(domain)
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def url_path_matches(url: str, pattern: re.Pattern[str]) -> bool:
    """``pattern.search`` against the percent-decoded, NFC path of ``url``.

    Lets spiders write patterns with raw Arabic slugs in mind (e.g. ``r"^/\\d+/\\d{6}-"``)
    whatever the encoding of the link. The path is used as given: pass
    ``canonicalize_url(url)`` first to ignore AMP and slash variants.
    """
    path = unquote(urlsplit(url.strip()).path, errors="replace")
    return pattern.search(unicodedata.normalize("NFC", path)) is not None


def is_loopback(host: str | None) -> bool:
    """localhost, 127.0.0.0/8 or ::1, brackets allowed (other names are not resolved)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
