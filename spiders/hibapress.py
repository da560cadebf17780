"""hibapress.com (هبة بريس): Moroccan news on WordPress; the Arabic edition is ar.hibapress.com.

Only the feed is publicly documented; categories and the `/details-<id>.html` permalink are
the theme's usual ones and can be overridden in newscrawl.toml. Articles are read with the
generic chain (JSON-LD, meta) where the theme's classes differ.
"""

from __future__ import annotations

from spiders.wordpress_family import category, latest, wordpress_outlet

OUTLET = wordpress_outlet(
    key="hibapress",
    title="هبة بريس",
    domain="ar.hibapress.com",
    base_url="https://ar.hibapress.com",
    article_path=r"^/details-\d+\.html$",
    permalink="/details-{id}.html",
    sections={
        "security": category("حوادث", "/category/faits-divers"),
        "national": category("وطنية", "/category/national"),
        "latest": latest(),
    },
)
