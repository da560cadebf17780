"""Which outlets the replica can serve, and which template renders each.

To serve a new outlet, add its spider module to OUTLET_MODULES. To serve a new template family
(say "wordpress"), write `sites/wordpress.py` with the two functions of `Template` below and add
it to TEMPLATES; the outlet's `template` field picks it. An outlet declared in newscrawl.toml has
template "generic" and no module: pass it to ReplicaServer/load_corpus (`outlets=`), and it is
served as a WordPress site (feeds, news sitemap, JSON-LD and meta on its posts).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Protocol

from crawler.outlet import Outlet
from crawler.replica.sites import akhbarona, arabstoday, arc, wordpress
from crawler.replica.sites.base import Page, Site

# The outlets the replica knows: each module defines OUTLET (an Outlet).
OUTLET_MODULES: tuple[str, ...] = (
    "spiders.almaghribtoday",
    "spiders.arabstoday",
    "spiders.casablancatoday",
    "spiders.algeriatoday",
    "spiders.libyatoday",
    "spiders.alsaudiatoday",
    "spiders.emiratesvoice",
    "spiders.hespress",
    "spiders.le360",
    "spiders.alyaoum24",
    "spiders.hibapress",
    "spiders.akhbarona",
    "spiders.barlamane",
    "spiders.moroccoworldnews",
)  # fmt: skip


class Template(Protocol):
    """What a template module provides (see sites/arabstoday.py)."""

    def article_path(self, outlet: Outlet, section: str, published: datetime, title: str) -> str:
        """The canonical path the site would give a new article."""
        ...

    def render(self, site: Site, path: str, query: Mapping[str, str]) -> Page:
        """The page for a decoded request path (a 404 page when there is none)."""
        ...


TEMPLATES: dict[str, Template] = {
    "arabstoday": arabstoday,
    "wordpress": wordpress,
    "arc": arc,
    "akhbarona": akhbarona,
    "generic": wordpress,  # declared in newscrawl.toml: no template of its own
}


@cache
def outlets() -> dict[str, Outlet]:
    """The known outlets by spider name. Imported on first use: spider modules need Scrapy."""
    found = {}
    for name in OUTLET_MODULES:
        outlet = importlib.import_module(name).OUTLET
        found[outlet.key] = outlet
    return found


def template_for(outlet: Outlet) -> Template:
    try:
        return TEMPLATES[outlet.template]
    except KeyError:
        raise LookupError(
            f"outlet {outlet.key!r} uses template {outlet.template!r}, which the replica "
            f"cannot render (known: {', '.join(TEMPLATES)})"
        ) from None
