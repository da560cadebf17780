"""alyaoum24.com (اليوم 24): Casablanca daily news site, WordPress-like.

Sections are `/news/<section>` (facts from public scrapers); posts are taken to be numbered,
`/<id>.html` (assumed; overridable like every section). Everything else is WordPress's: feeds,
`/page/N/`, JSON-LD and meta.
"""

from __future__ import annotations

from spiders.wordpress_family import category, latest, wordpress_outlet

OUTLET = wordpress_outlet(
    key="alyaoum24",
    title="اليوم 24",
    domain="alyaoum24.com",
    article_path=r"^/\d+\.html$",
    permalink="/{id}.html",
    sections={
        "security": category("حوادث", "/news/accidents"),
        "national": category("وطني", "/news/national"),
        "latest": latest(),
    },
)
