"""WordPress-like outlets (hespress, alyaoum24, hibapress, barlamane, moroccoworldnews), as the
replica serves them.

What a WordPress theme with Yoast prints: `article:*` meta with the local UTC offset, a JSON-LD
`@graph` (NewsArticle, WebPage, Person), `h1` title, post text in a content div, categories with
`/page/N/` pagination, `/feed/` and `<category>/feed/`, a sitemap index and a Google News sitemap.
And the furniture a crawler must not take for the article: a breaking-news ticker, a mid-text
"اقرأ أيضا" box, a related-posts block with its own dates, share buttons, the comment form, the
"most read" sidebar, the footer. Theme classes differ per outlet (SKINS: hespress prints
`h1.post-title` and `div.article-content`, barlamane `.content`).

A section declared `browser=True` gets a scripted listing: an empty container that a script
fills after a short delay from `/_replica/links?host=...&section=...&page=N` (the host is in
the URL: the X-Newscrawl-Host header only travels on the browser's navigation request).

URL scheme (root-relative links; canonical links, feeds and sitemaps use the real base_url):
    /                                 home: the newest 20 posts
    <listing>/ and <listing>/page/N/  category listing, 10 a page
    <listing>/feed/, /feed/           RSS (newest 30)
    /sitemap.xml                      index of /post-sitemap.xml and the news sitemap
    /sitemap-news.xml, /news-sitemap.xml   Google News sitemap
    the outlet's permalink            post (also any `url_path` / `duplicate_paths`)
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from crawler.outlet import Outlet
from crawler.replica.sites.base import (
    META_CHARSET,
    RSS,
    TEXT,
    XML,
    Page,
    Site,
    declared_feed,
    declared_sitemap,
    human_date,
    iso_local,
    last_page,
    listing_page,
    news_sitemap,
    numeric_id,
    permalink_path,
    robots,
    rss_feed,
    sitemap,
    sitemap_index,
)
from crawler.replica.sites.base import jsonld_script as _jsonld_script

if TYPE_CHECKING:
    from crawler.replica.corpus import CorpusArticle

HOME_SIZE = 20
FEED_SIZE = 30
SCRIPT_DELAY_MS = 300
NEWS_SITEMAPS = ("/sitemap-news.xml", "/news-sitemap.xml")


@dataclass(frozen=True)
class Skin:
    """The theme classes an outlet's pages use."""

    title_class: str = "entry-title"
    body_class: str = "entry-content"


SKINS = {
    "hespress": Skin(title_class="post-title", body_class="article-content"),
    "barlamane": Skin(body_class="content"),
}

WORDS = {  # the furniture's words, Arabic or English
    "ar": {
        "read_also": "اقرأ أيضا:", "related": "مقالات ذات صلة", "share": "شارك هذا المقال",
        "comment": "أضف تعليقك", "name": "الاسم", "email": "البريد الإلكتروني",
        "text": "التعليق", "send": "إرسال التعليق", "most_read": "الأكثر قراءة",
        "breaking": "عاجل", "home": "الرئيسية", "next": "التالي", "prev": "السابق",
        "loading": "جار التحميل...", "rights": "جميع الحقوق محفوظة",
        "not_found": "الصفحة غير موجودة", "photo": "صورة",
    },
    "en": {
        "read_also": "Read also:", "related": "Related posts", "share": "Share this article",
        "comment": "Leave a comment", "name": "Name", "email": "Email", "text": "Comment",
        "send": "Post comment", "most_read": "Most read", "breaking": "Breaking",
        "home": "Home", "next": "Next", "prev": "Previous", "loading": "Loading...",
        "rights": "All rights reserved", "not_found": "Page not found", "photo": "Photo",
    },
}


# --- paths ---


def article_path(outlet: Outlet, section: str, published: datetime, title: str) -> str:
    return permalink_path(outlet, section, published, title)


def listing_path(site: Site, section: str) -> str:
    listings = site.outlet.sections[section].listings
    return listings[0] if listings else "/"


# --- routing ---


def render(site: Site, path: str, query: Mapping[str, str]) -> Page:
    bare = path.rstrip("/") or "/"
    if bare == "/":
        return render_home(site)
    if bare == "/robots.txt":
        text = robots(site, disallow=("/wp-admin/", "/?s="),
                      sitemaps=("/sitemap.xml", NEWS_SITEMAPS[0]))
        return Page(200, text, "robots", TEXT)
    if bare == "/sitemap.xml":
        newest = site.articles[0].published if site.articles else None
        children = [("/post-sitemap.xml", newest), (NEWS_SITEMAPS[0], newest)]
        return Page(200, sitemap_index(site, children), "feed", XML)
    if bare == "/post-sitemap.xml":
        return Page(200, sitemap(site, site.articles), "feed", XML)
    if bare in NEWS_SITEMAPS or declared_sitemap(site, bare):
        return Page(200, news_sitemap(site, site.articles), "feed", XML)
    if bare == "/feed":
        return render_feed(site, None)
    found, section = declared_feed(site, bare)
    if found:
        return render_feed(site, section)
    if bare.endswith("/feed") and (listed := listing_page(site, bare[: -len("/feed")])):
        return render_feed(site, listed[0])
    if listed := listing_page(site, bare):
        return render_listing(site, *listed)
    if article := site.by_path.get(path) or site.by_path.get(bare) or site.by_path.get(bare + "/"):
        return render_article(site, article, article.path)
    if article := site.by_duplicate.get(path) or site.by_duplicate.get(bare):
        return render_article(site, article, path)
    return render_not_found(site)


# --- pages ---


def render_home(site: Site) -> Page:
    items = "\n".join(_teaser(site, a) for a in site.newest(HOME_SIZE))
    content = f'<section class="latest-posts">\n{items}\n</section>'
    page = _layout(site, site.outlet.title, _site_meta(site, site.outlet.title, "/"), content)
    return Page(200, page, "home")


def render_listing(site: Site, section: str, page: int) -> Page:
    last = last_page(site, section)
    if not 1 <= page <= last:
        return render_not_found(site)
    base = listing_path(site, section).rstrip("/")
    label = _label(site, section)
    nav = []
    if page > 1:
        nav.append(f'<a class="prev page-numbers" href="{_href(base)}/page/{page - 1}/">'
                   f'{_w(site, "prev")}</a>')
    if page < last:
        nav.append(f'<a class="next page-numbers" href="{_href(base)}/page/{page + 1}/">'
                   f'{_w(site, "next")}</a>')
    if site.outlet.sections[section].browser:
        posts = _scripted_posts(site, section)
    else:
        start = (page - 1) * 10
        shown = site.in_section(section)[start : start + 10]
        posts = "\n".join(
            _teaser(site, a, href) for a in shown for href in (a.path, *a.duplicate_paths)
        )
        posts = f'<div class="posts-container">\n{posts}\n</div>'
    content = f"""<header class="page-header"><h1 class="page-title">{escape(label)}</h1></header>
{posts}
<nav class="navigation pagination">{" ".join(nav)}</nav>"""
    path = f"{base}/" if page == 1 else f"{base}/page/{page}/"
    title = f"{label} - {site.outlet.title}"
    return Page(200, _layout(site, title, _site_meta(site, title, path), content), "listing")


def render_article(site: Site, article: CorpusArticle, served_path: str) -> Page:
    """A post. At a duplicate path it names that path as canonical, as a changed slug does."""
    skin = SKINS.get(site.outlet.key, Skin())
    canonical = site.url(served_path)
    paragraphs = [f"<p>{escape(p)}</p>" for p in article.paragraphs]
    others = site.related(article, 3)
    if others and len(paragraphs) > 2:  # the theme's mid-text box: no <p>, a link
        box = (f'<div class="read-also"><span>{_w(site, "read_also")}</span> '
               f'<a href="{_href(others[0].path)}">{escape(others[0].title)}</a></div>')
        paragraphs.insert(2, box)
    body = "\n".join(paragraphs)
    related = "\n".join(f'<p><a href="{_href(a.path)}">{escape(a.title)}</a></p>' for a in others)
    label = escape(_label(site, article.section))
    byline = (f'<span class="byline"><span class="author vcard">'
              f'{escape("، ".join(article.authors))}</span></span>') if article.authors else ""
    title = f"{article.title} - {site.outlet.title}"
    head = _article_meta(site, article, title, canonical)
    content = f"""<article id="post-{_post_id(site, article)}" class="post type-post status-publish">
<header class="entry-header">
<span class="cat-links"><a href="{_href(listing_path(site, article.section))}" rel="category">{label}</a></span>
<h1 class="{skin.title_class}">{escape(article.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{iso_local(site, article.published)}">{human_date(site, article.published)}</time></span>
{byline}</div>
</header>
<figure class="post-thumbnail"><img src="{_image(site, article)}" alt="{escape(article.title)}">
<figcaption>{_w(site, "photo")}: {escape(site.outlet.title)}</figcaption></figure>
<div class="{skin.body_class}">
{body}
<p class="related-title"><strong>{_w(site, "related")}</strong></p>
{related}
<div class="share-buttons"><span>{_w(site, "share")}</span>
<a class="share-facebook">Facebook</a> <a class="share-twitter">X</a> <a class="share-whatsapp">WhatsApp</a></div>
</div>
</article>
{_related_section(site, article, others)}
{_comment_form(site)}"""  # noqa: E501
    return Page(200, _layout(site, title, head, content), "article", main=body)


def render_feed(site: Site, section: str | None) -> Page:
    title = site.outlet.title
    if section is not None:
        title = f"{_label(site, section)} - {title}"
    link = site.url("/" if section is None else listing_path(site, section))
    articles = site.newest(FEED_SIZE, section)
    feed = rss_feed(site, articles, title=title, link=link, description=site.outlet.title)
    return Page(200, feed, "feed", RSS)


def render_not_found(site: Site) -> Page:
    content = f'<h1 class="page-title">{_w(site, "not_found")}</h1>'
    return Page(404, _layout(site, _w(site, "not_found"), "", content), "not_found")


# --- page parts ---


def _layout(site: Site, title: str, head: str, content: str) -> str:
    outlet = site.outlet
    direction = "ltr" if outlet.language == "en" else "rtl"
    menu = "\n".join(
        f'<li class="menu-item"><a href="{_href(listing_path(site, key))}">'
        f"{escape(_label(site, key))}</a></li>"
        for key, section in outlet.sections.items() if section.listings
    )
    ticker = "\n".join(
        f'<li><a href="{_href(a.path)}">{escape(a.title)}</a></li>' for a in site.newest(5)
    )
    most_read = "\n".join(
        f'<li><a href="{_href(a.path)}">{escape(a.title)}</a> '
        f'<span class="date">{human_date(site, a.published)}</span></li>'
        for a in site.most_read(5)
    )
    year = site.articles[0].published.year if site.articles else 2026
    return f"""<!DOCTYPE html>
<html lang="{outlet.language}" dir="{direction}">
<head>
{META_CHARSET}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/wp-content/themes/newsroom/style.css" media="all">
<link rel="alternate" type="application/rss+xml" title="{escape(outlet.title)}" href="/feed/">
{head}
</head>
<body class="wp-theme-newsroom">
<header id="masthead" class="site-header">
<div class="site-branding"><a href="/" rel="home">{escape(outlet.title)}</a></div>
<nav id="site-navigation" class="main-navigation"><ul class="menu">
<li class="menu-item"><a href="/">{_w(site, "home")}</a></li>
{menu}
</ul></nav>
<div class="breaking-news"><span class="breaking-title">{_w(site, "breaking")}</span><ul>
{ticker}
</ul></div>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
{content}
</main>
<aside id="secondary" class="widget-area"><section class="widget widget-most-read">
<h2 class="widget-title">{_w(site, "most_read")}</h2><ul>
{most_read}
</ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">
<p>{_w(site, "rights")} © {year} {escape(outlet.title)}</p></div></footer>
</body>
</html>
"""


def _scripted_posts(site: Site, section: str) -> str:
    """An empty container, filled by a script from the replica's JSON endpoint."""
    host = json.dumps(site.outlet.base_url.split("//", 1)[-1].split("/")[0])
    return f"""<div id="js-posts" class="posts-container" data-section="{escape(section)}"></div>
<p class="js-loading">{_w(site, "loading")}</p>
<script>
(function () {{
  var found = location.pathname.match(/\\/page\\/(\\d+)/);
  var page = found ? found[1] : "1";
  var url = "/_replica/links?host=" + encodeURIComponent({host}) +
    "&section=" + encodeURIComponent({json.dumps(section)}) + "&page=" + page;
  setTimeout(function () {{
    fetch(url).then(function (r) {{ return r.json(); }}).then(function (items) {{
      var box = document.getElementById("js-posts");
      items.forEach(function (item) {{
        var post = document.createElement("article");
        post.className = "post";
        var heading = document.createElement("h3");
        heading.className = "entry-title";
        var link = document.createElement("a");
        link.setAttribute("href", item.path);
        link.textContent = item.title;
        heading.appendChild(link);
        var time = document.createElement("time");
        time.setAttribute("datetime", item.published);
        post.appendChild(heading);
        post.appendChild(time);
        box.appendChild(post);
      }});
      document.querySelector(".js-loading").remove();
    }});
  }}, {SCRIPT_DELAY_MS});
}})();
</script>"""


def _teaser(site: Site, article: CorpusArticle, href: str | None = None) -> str:
    return f"""<article class="post">
<h3 class="entry-title"><a href="{_href(href or article.path)}">{escape(article.title)}</a></h3>
<time class="entry-date" datetime="{iso_local(site, article.published)}">{human_date(site, article.published)}</time>
<div class="entry-summary"><p>{escape(article.teaser[:180])}</p></div>
</article>"""  # noqa: E501


def _related_section(site: Site, article: CorpusArticle, others: list[CorpusArticle]) -> str:
    items = "\n".join(
        f'<li><a href="{_href(a.path)}">{escape(a.title)}</a>'
        f'<span class="date">{human_date(site, a.published)}</span></li>'
        for a in others
    )
    return (f'<section class="related-posts"><h2>{_w(site, "related")}</h2><ul>\n{items}\n'
            "</ul></section>")


def _comment_form(site: Site) -> str:
    return f"""<div id="comments" class="comments-area">
<h3 id="reply-title" class="comment-reply-title">{_w(site, "comment")}</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-form-comment"><label for="comment">{_w(site, "text")}</label>
<textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">{_w(site, "name")}</label>
<input id="author" name="author" type="text"></p>
<p class="comment-form-email"><label for="email">{_w(site, "email")}</label>
<input id="email" name="email" type="email"></p>
<p class="form-submit"><input name="submit" type="submit" value="{_w(site, "send")}"></p>
</form></div>"""


def _site_meta(site: Site, title: str, path: str) -> str:
    return f"""<link rel="canonical" href="{escape(site.url(path))}">
<meta property="og:type" content="website">
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{escape(site.url(path))}">
<meta property="og:site_name" content="{escape(site.outlet.title)}">"""


def _article_meta(site: Site, article: CorpusArticle, title: str, canonical: str) -> str:
    published = iso_local(site, article.published)
    modified = iso_local(site, article.updated or article.published)
    locale = "en_US" if site.outlet.language == "en" else "ar_AR"
    lines = [
        f'<meta name="description" content="{escape(article.teaser)}">',
        f'<link rel="canonical" href="{escape(canonical)}">',
        f'<link rel="shortlink" href="{escape(site.url(f"/?p={_post_id(site, article)}"))}">',
        f'<meta property="og:locale" content="{locale}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(title)}">',
        f'<meta property="og:description" content="{escape(article.teaser)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        f'<meta property="og:site_name" content="{escape(site.outlet.title)}">',
        f'<meta property="article:section" content="{escape(_label(site, article.section))}">',
        f'<meta property="article:published_time" content="{published}">',
        f'<meta property="og:image" content="{_image(site, article)}">',
    ]
    if article.updated:
        lines.append(f'<meta property="article:modified_time" content="{modified}">')
    if article.authors:
        lines.append(f'<meta name="author" content="{escape(", ".join(article.authors))}">')
    graph: list[dict] = [
        {
            "@type": "NewsArticle",
            "@id": canonical + "#article",
            "headline": article.title,
            "datePublished": published,
            "dateModified": modified,
            "articleSection": [_label(site, article.section)],
            "inLanguage": site.outlet.language,
            "isPartOf": {"@id": canonical},
            "image": {"@type": "ImageObject", "url": _image(site, article)},
            "publisher": {"@type": "Organization", "name": site.outlet.title},
        },
        {"@type": "WebPage", "@id": canonical, "url": canonical, "name": title,
         "datePublished": published},
    ]
    if article.authors:
        graph[0]["author"] = [{"@type": "Person", "name": n} for n in article.authors]
    if zlib.crc32(article.path.encode()) % 4 != 3:  # Yoast is off on some posts: meta only
        lines.append(_jsonld_script({"@context": "https://schema.org", "@graph": graph}))
    return "\n".join(lines)


# --- small helpers ---


def _w(site: Site, word: str) -> str:
    return WORDS["en" if site.outlet.language == "en" else "ar"][word]


def _label(site: Site, section: str) -> str:
    return site.outlet.sections[section].label or section


def _href(path: str) -> str:
    return escape(path, quote=True)


def _post_id(site: Site, article: CorpusArticle) -> int:
    return numeric_id(site.outlet, article.published, article.title)


def _image(site: Site, article: CorpusArticle) -> str:
    return site.url(
        f"/wp-content/uploads/{article.published:%Y/%m}/{_post_id(site, article)}.jpg"
    )
