"""hespress.com (هسبريس): Morocco's most read Arabic news site, on WordPress.

Posts are taken to be `/<slug>-<id>.html` (assumed); the title is `h1.post-title` and the text
`div.article-content` (facts from public scrapers). Crime and police news are filed under faits
divers, so `security` crawls that category. The politics category is declared as filled by a script
after the page has loaded (an empty container, then a JSON request: how the replica serves it;
whether the real page needs it is unverified), so only that listing is rendered in Chromium,
waiting until the inserted links are there; every other page is plain HTML. The news sitemap
(`/sitemap-news.xml`) carries `news:publication_date`, so old entries are skipped before they are
fetched.
"""

from __future__ import annotations

from spiders.wordpress_family import category, latest, wordpress_outlet

OUTLET = wordpress_outlet(
    key="hespress",
    title="هسبريس",
    domain="hespress.com",
    article_path=r"^/[^/]+-\d+\.html$",
    permalink="/{slug}-{id}.html",
    sections={
        "security": category("حوادث", "/faits-divers"),
        "politics": category(
            "سياسة", "/politique", feed=False, browser=True,
            wait_for="#js-posts article .entry-title a",
        ),
        "society": category("مجتمع", "/societe"),
        "latest": latest(sitemaps=("/sitemap-news.xml",)),
    },
    theme={
        "title": ("h1.post-title::text", "h1.entry-title::text"),
        "body": ("div.article-content", ".entry-content"),
    },
)
