"""barlamane.com (برلمان.كوم): Moroccan political news on WordPress.

Post URLs are the Arabic title slug, one path segment (`/<arabic-slug>/`); the text is the
paragraphs of `.content` (facts from public scrapers). A slug can change after a title edit,
so one post may be met at two URLs: the dedupe stage matches them by their text.
"""

from __future__ import annotations

from spiders.wordpress_family import category, latest, wordpress_outlet

OUTLET = wordpress_outlet(
    key="barlamane",
    title="برلمان.كوم",
    domain="barlamane.com",
    # one segment holding Arabic letters: posts; category and page paths have more segments
    article_path=r"^/[^/]*[\u0600-\u06ff][^/]*/?$",
    permalink="/{slug}/",
    sections={
        "security": category("حوادث", "/category/حوادث"),
        "politics": category("سياسة", "/category/سياسة"),
        "latest": latest(),
    },
    theme={"body": (".content", ".entry-content")},
    title_affixes=("برلمان كوم", "Barlamane"),
)
