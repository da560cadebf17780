"""The outlet a saved page belongs to when no spider is named: a spider whose domains match the
URL, else a generic outlet for that site, with the best timezone we can know for it.

The timezone of a generic outlet: the UTC offset the page's own timestamps carry, else the
one the user gives, else the zone of the country of the domain when that country has only one
clock (read from the tz database's zone.tab, which ships with the `tzdata` package: zones that
keep the same offsets all year count as one; China's legal time is Beijing's), else the one
clock of the page's language when all its newsrooms share one (`language_zone`), else UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler.outlet import Outlet

# Country-code domains sold as generic names (.tv, .io, .me...): they say nothing of a country.
GENERIC_CCTLDS = frozenset({
    "ac", "ai", "am", "cc", "co", "fm", "gg", "im", "io", "la", "me", "ms", "nu", "sh", "tk",
    "to", "tv", "vc", "ws",
})
SYSTEM_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")
# Countries with one legal time where zone.tab lists another zone too (China's Xinjiang time is
# unofficial; zone.tab lists Crimea's Europe/Simferopol under Ukraine by its territorial-claims
# note, while Ukraine's own legal time is Kyiv's).
LEGAL_TIME = {"CN": "Asia/Shanghai", "UA": "Europe/Kyiv"}


# Languages whose newsrooms keep one clock (every country that writes news in them shares it):
# a page in one of them, on a domain that names no country, is read in that clock. Not Arabic,
# English, French, Spanish, Portuguese, Russian...: they span many zones.
LANGUAGE_ZONES = {
    "ja": "Asia/Tokyo", "ko": "Asia/Seoul", "zh": "Asia/Shanghai", "th": "Asia/Bangkok",
    "vi": "Asia/Ho_Chi_Minh", "hy": "Asia/Yerevan", "ka": "Asia/Tbilisi", "he": "Asia/Jerusalem",
    "tr": "Europe/Istanbul", "el": "Europe/Athens", "bg": "Europe/Sofia", "ro": "Europe/Bucharest",
    "hu": "Europe/Budapest", "pl": "Europe/Warsaw", "cs": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "de": "Europe/Berlin", "it": "Europe/Rome", "nl": "Europe/Amsterdam", "da": "Europe/Copenhagen",
    "fi": "Europe/Helsinki", "et": "Europe/Tallinn", "lv": "Europe/Riga", "lt": "Europe/Vilnius",
}


class NotAUrl(ValueError):
    """The --url of a saved page is not an http(s) URL with a host."""


def site_host(url: str) -> str:
    """The host of an http(s) URL, lower-case and without `www.`; NotAUrl otherwise."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or "." not in host:
        raise NotAUrl(f"not an http(s) URL with a host: {url!r}")
    return host.removeprefix("www.")


def language_zone(language: str) -> str | None:
    """The one clock of a page's language (`ja` -> Asia/Tokyo), or None (see LANGUAGE_ZONES)."""
    return LANGUAGE_ZONES.get(language)


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        text = SYSTEM_ZONE_TAB.read_text("utf-8") if SYSTEM_ZONE_TAB.exists() else ""
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            zones.setdefault(fields[0].upper(), []).append(fields[2])
    return {country: tuple(names) for country, names in zones.items()}


def country_zone(host: str) -> str | None:
    """The zone of the host's country-code domain when that country has one zone
    (`.ma` -> Africa/Casablanca, `.eg` -> Africa/Cairo, `.ps` -> Asia/Gaza, `.cn` ->
    Asia/Shanghai); None for .com, .tv, Russia..."""
    tld = host.rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in GENERIC_CCTLDS:
        return None
    country = "GB" if tld == "uk" else tld.upper()
    if country in LEGAL_TIME:
        return LEGAL_TIME[country]
    zones = _zones_by_country().get(country, ())
    return zones[0] if zones and _one_clock(zones) else None


@cache
def _one_clock(zones: tuple[str, ...]) -> bool:
    """Whether the zones keep the same clock this year, winter and summer (Gaza and Hebron,
    Berlin and Büsingen): then the country has one zone as far as its newsrooms go."""
    if len(zones) == 1:
        return True
    year = datetime.now(UTC).year
    instants = [datetime(year, month, 15, tzinfo=UTC) for month in (1, 7)]
    clocks = {tuple(at.astimezone(ZoneInfo(zone)).utcoffset() for at in instants) for zone in zones}
    return len(clocks) == 1


@cache
def spider_outlets() -> tuple[tuple[str, Outlet], ...]:
    """(spider name, outlet) of every spider, loaded once per process."""
    from crawler.run import spider_class, spider_names

    found = ((name, getattr(spider_class(name), "outlet", None)) for name in spider_names())
    return tuple((name, outlet) for name, outlet in found if outlet is not None)


def spider_outlet(host: str) -> tuple[str, Outlet] | None:
    """(spider name, outlet) of the spider whose domains hold `host`, if any."""
    from crawler.urls import is_same_site

    return next(
        ((name, outlet) for name, outlet in spider_outlets() if is_same_site(host, outlet.domains)),
        None,
    )


def generic_outlet(url: str, timezone: str = "UTC") -> Outlet:
    """An outlet for a site nobody declared: its host is its name and its only domain."""
    host = site_host(url)
    scheme = urlsplit(url.strip()).scheme
    return Outlet(
        key=host,
        title=host,
        base_url=f"{scheme}://{host}",
        domains=(host,),
        language="",
        timezone=timezone,
        sections={},
        article_path=".",
    )
