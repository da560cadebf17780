"""moroccoworldnews.com (Morocco World News): Morocco's English-language news site, WordPress.

Posts are taken to be dated and numbered, `/<yyyy>/<mm>/<id>/<slug>/` (assumed). English text goes
through the same chain; times are Moroccan local time (Africa/Casablanca).
"""

from __future__ import annotations

from spiders.wordpress_family import category, latest, wordpress_outlet

OUTLET = wordpress_outlet(
    key="moroccoworldnews",
    title="Morocco World News",
    domain="moroccoworldnews.com",
    language="en",
    article_path=r"^/\d{4}/\d{2}/\d+/[^/]+/?$",
    permalink="/{yyyy}/{mm}/{id}/{slug}/",
    sections={
        "security": category("Crime", "/category/morocco/crime"),
        "politics": category("Politics", "/category/politics"),
        "latest": latest("Latest"),
    },
    title_affixes=("MWN",),
)
