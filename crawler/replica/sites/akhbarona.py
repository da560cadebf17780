"""akhbarona.com's custom CMS, as the replica serves it.

An older hand-made PHP site: no JSON-LD, `article:published_time` meta with the local offset,
the title in `h1.article_title`, the text in `#article_body` as lines separated by `<br>` (with
an ad script inside), a visible Maghrebi date, then "مواضيع ذات صلة" and readers' comments with
their own dates, and a "most read" column.

URL scheme:
    /                         home: newest 20
    /<section>/[?page=N]      section listing, 10 a page
    /<section>/<id>.html      article
    /feed/index.rss           site RSS; /rss/<n>.xml: feeds a section declares
    /sitemap.xml              sitemap
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
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
    human_date,
    iso_local,
    last_page,
    listing_page,
    permalink_path,
    robots,
    rss_feed,
    sitemap,
)

if TYPE_CHECKING:
    from crawler.replica.corpus import CorpusArticle

COMMENTERS = ("مواطن غيور", "ابن الشعب", "مغربي حر")


def article_path(outlet: Outlet, section: str, published: datetime, title: str) -> str:
    return permalink_path(outlet, section, published, title)


def render(site: Site, path: str, query: Mapping[str, str]) -> Page:
    bare = path.rstrip("/") or "/"
    if bare == "/":
        return _page(site, site.outlet.title, _list(site, site.newest(20)), "home")
    if bare == "/robots.txt":
        text = robots(site, disallow=("/search/",), sitemaps=("/sitemap.xml",))
        return Page(200, text, "robots", TEXT)
    if bare == "/sitemap.xml":
        return Page(200, sitemap(site, site.articles), "feed", XML)
    found, section = declared_feed(site, bare)
    if found or bare == "/feed/index.rss":
        feed = rss_feed(site, site.newest(30, section), title=site.outlet.title,
                        link=site.url("/"), description=site.outlet.title)
        return Page(200, feed, "feed", RSS)
    if listed := listing_page(site, bare):
        page = query.get("page", "1")
        return render_listing(site, listed[0], int(page) if page.isdigit() else 0)
    if article := site.by_path.get(path) or site.by_path.get(bare):
        return render_article(site, article, article.path)
    if article := site.by_duplicate.get(path) or site.by_duplicate.get(bare):
        return render_article(site, article, path)
    return Page(404, _layout(site, "الصفحة غير موجودة", "", "<h1>الصفحة غير موجودة</h1>"),
                "not_found")


def render_listing(site: Site, section: str, page: int) -> Page:
    last = last_page(site, section)
    if not 1 <= page <= last:
        return Page(404, _layout(site, "الصفحة غير موجودة", "", ""), "not_found")
    shown = site.in_section(section)[(page - 1) * 10 : page * 10]
    base = site.outlet.sections[section].listings[0]
    nav = f'<a rel="next" href="{escape(base)}?page={page + 1}">الصفحة التالية</a>' if (
        page < last) else ""
    label = escape(site.outlet.sections[section].label)
    content = f'<h1 class="section_title">{label}</h1>\n{_list(site, shown)}\n<div class="pages">{nav}</div>'  # noqa: E501
    return _page(site, f"{site.outlet.title} - {label}", content, "listing")


def render_article(site: Site, article: CorpusArticle, served_path: str) -> Page:
    canonical = site.url(served_path)
    lines = "<br>\n<br>\n".join(escape(p) for p in article.paragraphs)
    ad = ("<script>googletag.cmd.push(function(){googletag.display('div-gpt-ad-inread');});"
          "</script>")
    body = lines.replace("<br>\n<br>\n", f"<br>\n{ad}<br>\n", 1)
    related = "\n".join(
        f'<li><a href="{escape(a.path)}">{escape(a.title)}</a> '
        f'<span class="date">{human_date(site, a.published)}</span></li>'
        for a in site.related(article, 3)
    )
    comments = "\n".join(
        f'<div class="comment"><span class="comment_author">{name}</span> '
        f'<span class="comment_date">{human_date(site, article.published + timedelta(hours=n + 1))}'
        f'</span><p>شكرا على الخبر، نتمنى المزيد من اليقظة.</p></div>'
        for n, name in enumerate(COMMENTERS[: 1 + len(article.title) % 3])
    )
    section = site.outlet.sections[article.section]
    author = (f'<div class="article_author">{escape("، ".join(article.authors))}</div>'
              if article.authors else "")
    content = f"""<div class="article">
<div class="breadcrumb"><a href="/">الرئيسية</a> » <a href="{escape(section.listings[0])}">{escape(section.label)}</a></div>
<h1 class="article_title">{escape(article.title)}</h1>
<div class="article_date">{human_date(site, article.published)}</div>
{author}
<div class="article_image"><img src="/uploads/{article.published:%Y%m}/{len(article.title)}.jpg" alt=""></div>
<div id="article_body">
{body}
</div>
<div class="share">شارك: <a>فيسبوك</a> <a>تويتر</a></div>
<div class="related"><h3>مواضيع ذات صلة</h3><ul>
{related}
</ul></div>
<div id="comments"><h3>تعليقات الزوار</h3>
{comments}
<form class="comment_form"><p>أضف تعليقك</p><textarea name="comment"></textarea></form></div>
</div>"""  # noqa: E501
    title = f"{site.outlet.title} - {article.title}"
    meta = [
        f'<link rel="canonical" href="{escape(canonical)}">',
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        f'<meta property="og:description" content="{escape(article.teaser)}">',
        f'<meta property="article:published_time" content="{iso_local(site, article.published)}">',
    ]
    if article.authors:
        meta.append(f'<meta name="author" content="{escape(", ".join(article.authors))}">')
    return Page(200, _layout(site, title, "\n".join(meta), content), "article", main=body)


def _page(site: Site, title: str, content: str, kind: str) -> Page:
    return Page(200, _layout(site, title, "", content), kind)


def _list(site: Site, articles: list[CorpusArticle]) -> str:
    items = "\n".join(
        f'<div class="news_item"><h2><a href="{escape(a.path)}">{escape(a.title)}</a></h2>'
        f'<span class="date">{human_date(site, a.published)}</span></div>'
        for a in articles
    )
    return f'<div class="news_list">\n{items}\n</div>'


def _layout(site: Site, title: str, head: str, content: str) -> str:
    menu = " | ".join(
        f'<a href="{escape(s.listings[0])}">{escape(s.label)}</a>'
        for s in site.outlet.sections.values() if s.listings
    )
    most_read = "\n".join(
        f'<li><a href="{escape(a.path)}">{escape(a.title)}</a></li>' for a in site.most_read(5)
    )
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
{META_CHARSET}
<title>{escape(title)}</title>
{head}
</head>
<body>
<div id="header"><a class="logo" href="/">{escape(site.outlet.title)}</a>
<div id="menu"><a href="/">الرئيسية</a> | {menu}</div></div>
<div id="content">
{content}
</div>
<div id="most_read"><h3>الأكثر قراءة</h3><ul>
{most_read}
</ul></div>
<div id="footer">جميع الحقوق محفوظة © {escape(site.outlet.title)}</div>
</body>
</html>
"""

