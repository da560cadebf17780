"""The Arabs Today Group template (almaghribtoday.net and sister sites), as the replica serves it.

Mirrors the real markup (a 2018 snapshot of almaghribtoday's home page and a 2025 article
page's text): class names, the furniture that a crawler must NOT read as the article (the
"آخر تحديث GMT" band, related and most-read lists with their own GMT dates, a second
`id="balmon"`, the comment form, the footer), mixed ' and " quoting and repeated ids.

URL scheme (all links root-relative; canonical, og:url and feed links use the real base_url):
    /                                   home: menu, newest 20 articles
    /<id>-<slug>[/][?page=N]            section listing, 10 articles a page, newest first
    /<id>-<slug>/rss.xml                section feed (newest 30)
    /rss, /home/rss.xml                 site feed (newest 30); so is a feed a section declares
    /<id>/<HHMMSS>-<slug>               article; also any `url_path` / `duplicate_paths`
    /amp/<article path>                 AMP version of an article
    /robots.txt, /sitemap.xml, /search  (robots.txt disallows /search)

One deliberate trap: the newest article of section AMP_LINKED_SECTION is linked from that
section's listing by its AMP URL, so a crawler meets it at two URLs (AMP on the listing, the
canonical path on the home page and in the feeds) and must store it once.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from crawler.jsonio import iso_z
from crawler.outlet import Outlet
from crawler.replica.sites.base import (
    META_CHARSET,
    RSS,
    TEXT,
    XML,
    Page,
    Site,
    declared_feed,
    rss_feed,
    sitemap,
    slugify,
)

if TYPE_CHECKING:
    from crawler.replica.corpus import CorpusArticle

LISTING_PAGE_SIZE = 10
HOME_SIZE = 20
FEED_SIZE = 30
AMP_LINKED_SECTION = "security"
RELATED_MARKER = "قد يهمك أيضــــــــــــــا"  # the tatweels are the real site's
COPYRIGHT = "جميع الحقوق محفوظة لمجموعة العرب اليوم الاعلامية 2023 ©"
MAINTAINED = "Maintained and developed by Arabs Today Group SAL"
ADDRESS = "بناية النخيل - رأس النبع _ خلف السفارة الفرنسية _بيروت - لبنان"
COMMENT_TERMS = (
    "شروط النشر: عدم الإساءة للكاتب أو للأشخاص أو للمقدسات أو مهاجمة الأديان أو الذات الالهية."
    " والابتعاد عن التحريض الطائفي والعنصري والشتائم."
)
WEEKDAYS = ("الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
LEVANTINE_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip


# --- paths ---


def article_path(outlet: Outlet, section: str, published: datetime, title: str) -> str:
    """`/<section id>/<HHMMSS of publication>-<slug of the title>` (the real site's form)."""
    return f"/{section_id(outlet, section)}/{published:%H%M%S}-{slugify(title)}"


def section_id(outlet: Outlet, section: str) -> str:
    """The leading digits of the section's listing path (`/36-في-الأخبار-أيضا` -> `36`)."""
    listings = outlet.sections[section].listings
    found = re.match(r"/(\d+)", listings[0]) if listings else None
    return found.group(1) if found else section


def listing_path(site: Site, section: str) -> str:
    listings = site.outlet.sections[section].listings
    return listings[0].rstrip("/") if listings else f"/{section}"


def gmt_list_date(moment: datetime) -> str:
    """The date form of the site's lists: `GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير`."""
    month = moment.month - 1
    return (
        f"GMT {moment:%H:%M} {moment.year} {WEEKDAYS[moment.weekday()]} ,{moment.day:02d} "
        f"{LEVANTINE_MONTHS[month]} / {MONTHS[month]}"
    )


# --- routing ---


def render(site: Site, path: str, query: Mapping[str, str]) -> Page:
    """The page for a decoded request path; a 404 page in the site's look when there is none."""
    bare = path.rstrip("/") or "/"
    if bare == "/":
        return render_home(site)
    if bare == "/robots.txt":
        return render_robots(site)
    if bare == "/sitemap.xml":
        return Page(200, sitemap(site, site.articles), "feed", XML)
    if bare == "/search":
        return render_search(site, query.get("q", ""))
    if bare in ("/rss", "/home/rss.xml"):
        return render_feed(site, None)
    if bare.endswith("/rss.xml") and (key := site.section_of_listing(bare[: -len("/rss.xml")])):
        return render_feed(site, key)
    if declared_feed(site, bare)[0]:  # another feed a section declares (arabstoday: /ar/rss)
        return render_feed(site, declared_feed(site, bare)[1])
    if key := site.section_of_listing(bare):
        page = query.get("page", "1")
        return render_listing(site, key, int(page)) if page.isdigit() else render_not_found(site)
    if bare.startswith("/amp/") and (article := site.by_path.get(bare[len("/amp") :])):
        return render_amp(site, article)
    if article := site.by_path.get(path) or site.by_path.get(bare):
        return render_article(site, article, article.path)
    if article := site.by_duplicate.get(path) or site.by_duplicate.get(bare):
        return render_article(site, article, bare)
    return render_not_found(site)


# --- pages ---


def render_home(site: Site) -> Page:
    latest = site.newest(HOME_SIZE)
    slides = "\n".join(_home_slide(site, a) for a in latest[:5])
    boxes = "\n".join(
        f'<div id="boxes"><h5 class="kuttisubtitle"><a href="{_href(a.path)}">'
        f"{escape(a.title)}</a></h5>{_list_date(a)}</div>"
        for a in latest[5:]
    )
    content = f"""<div class="homeslider"><ul class="slides">
{slides}
</ul></div>
<div id="housesportboxright">
{boxes}
</div>"""
    title = f"{site.outlet.title} | أخبار المغرب والعالم العربي - أخبار عاجلة"
    head = _site_meta(site, title, "/")
    return Page(200, _layout(site, title, head, content, _most_read(site)), "home")


def render_listing(site: Site, section: str, page: int) -> Page:
    """A listing page; pages past the last one do not exist (404)."""
    articles = site.in_section(section)
    last_page = max(1, -(-len(articles) // LISTING_PAGE_SIZE))
    if not 1 <= page <= last_page:
        return render_not_found(site)
    start = (page - 1) * LISTING_PAGE_SIZE
    amp_linked = _amp_linked(site)
    items = []
    for article in articles[start : start + LISTING_PAGE_SIZE]:
        href = article.amp_path if article is amp_linked else article.path
        items.append(_listing_item(article, href))
        items.extend(_listing_item(article, extra) for extra in article.duplicate_paths)
    base = listing_path(site, section)
    label = _label(site, section)
    href = _href(base)
    nav = []
    if page > 1:
        nav.append(f"<a rel='prev' class='prev' href='{href}?page={page - 1}'>السابق</a>")
    if page < last_page:
        nav.append(f'<a rel="next" class="next" href="{href}?page={page + 1}">التالي</a>')
    heading = f"<h1 class='sectiontitle'><a href=\"{href}\">{escape(label)}</a></h1>"
    content = f"""<div class="newsbox">{heading}
<div class="newstriangle-down-right"></div></div>
<div id="listingnews">
{chr(10).join(items)}
</div>
<div class="pagination">{" ".join(nav)}</div>"""
    title = f"{site.outlet.title} - {label}"
    head = _site_meta(site, title, base if page == 1 else f"{base}?page={page}")
    sidebar = _most_read(site, not_section=section)
    return Page(200, _layout(site, title, head, content, sidebar), "listing")


def render_article(site: Site, article: CorpusArticle, served_path: str) -> Page:
    """The article page. Served at a duplicate path, it names that path as canonical (as a
    careless CMS does) and has no amphtml link, so only the body tells it is the same article."""
    canonical = site.url(served_path)
    is_duplicate = served_path != article.path
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    title = f"{site.outlet.title} - {article.title}"
    head = _article_meta(site, article, title, canonical, amp=not is_duplicate)
    if site.corpus_order.get(article.path, 0) % 3 != 2:  # JSON-LD on 2 of every 3 articles
        head += "\n" + _jsonld(site, article, canonical)
    label, dateline = escape(_label(site, article.section)), escape(_dateline(site, article))
    listing = _href(listing_path(site, article.section))
    content = f"""<div class="newsbox"><h2><a href="{listing}">{label}</a></h2></div>
<h1 class="newstitle">{escape(article.title)}</h1>
<div class='image_container'><img src="{_image(site, article)}" alt="{escape(title)}" class="" />
<div class="caption">{label} - صورة أرشيفية</div></div>
<div class='introtext' id="ninezero">{escape(article.teaser)}</div>
<div class='cauthorboy'><h4 class="coring">{dateline}</h4>{_authors(article)}</div>
<div id="balmon" class='articlebody'>
{body}
{_related_block(site, article)}
<div class="share" id="sharebuttons"><span class='sharetitle'>شارك</span>
<a class="sharebtn twitter" title='تويتر'>تويتر</a>
<a class="sharebtn facebook" title="فيسبوك">فيسبوك</a> <a class='sharebtn whatsapp'>واتساب</a>
</div>
</div>
{_comment_form()}
{_most_read(site, not_section=article.section, exclude=article.path)}
{_related_list(site, article)}"""
    page = _layout(site, title, head, content, "")
    return Page(200, page, "article", main=body)


def render_amp(site: Site, article: CorpusArticle) -> Page:
    """A minimal AMP page: canonical link, JSON-LD always, the body, no comment form."""
    canonical = site.url(article.path)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    title = f"{site.outlet.title} - {article.title}"
    page = f"""<!doctype html>
<html ⚡ lang="ar" dir="rtl">
<head>
{META_CHARSET}
<title>{escape(title)}</title>
<link rel="canonical" href="{escape(canonical)}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<script async src="https://cdn.ampproject.org/v0.js"></script>
{_jsonld(site, article, canonical)}
<style amp-boilerplate>body{{visibility:hidden}}</style>
</head>
<body>
<header class="amp-header"><a href="/">{escape(site.outlet.title)}</a></header>
<article class="amp-article">
<h1 class="amp-title">{escape(article.title)}</h1>
<div class="amp-meta"><span class="amp-dateline">{escape(_dateline(site, article))}</span>
<time datetime="{iso_z(article.published)}">{gmt_list_date(article.published)}</time></div>
<amp-img src="{_image(site, article)}" width="800" height="450" layout="responsive"
 alt="{escape(title)}"></amp-img>
<div class="amp-article-body">{body}</div>
</article>
<footer class="amp-footer">{MAINTAINED}<br>{COPYRIGHT}</footer>
</body>
</html>
"""
    return Page(200, page, "amp", main=body)


def render_feed(site: Site, section: str | None) -> Page:
    """RSS 2.0: the site's newest 30 articles, or one section's."""
    outlet = site.outlet
    title, link = outlet.title, site.url("/")
    if section is not None:
        title = f"{outlet.title} - {_label(site, section)}"
        link = site.url(listing_path(site, section))
    description = f"آخر أخبار {title}"
    feed = rss_feed(
        site, site.newest(FEED_SIZE, section), title=title, link=link, description=description
    )
    return Page(200, feed, "feed", RSS)


def render_robots(site: Site) -> Page:
    text = f"User-agent: *\nDisallow: /search\nAllow: /\n\nSitemap: {site.url('/sitemap.xml')}\n"
    return Page(200, text, "robots", TEXT)


def render_search(site: Site, words: str) -> Page:
    """A search page exists (200) so a crawler that ignores robots.txt would be seen fetching it."""
    found = [a for a in site.articles if words and words in a.title][:LISTING_PAGE_SIZE]
    items = "\n".join(_listing_item(a, a.path) for a in found)
    content = f"""<h1 class='sectiontitle'>نتائج البحث</h1>
<form action="/search" method="get"><input type="text" name="q" value="{escape(words)}" />
<input type="submit" value="بحث" /></form>
<div id="listingnews">
{items}
</div>"""
    title = f"{site.outlet.title} - بحث"
    head = _site_meta(site, title, "/search")
    return Page(200, _layout(site, title, head, content, ""), "search")


def render_not_found(site: Site) -> Page:
    content = """<h1 class='sectiontitle'>الصفحة المطلوبة غير موجودة</h1>
<p class="notfound">عذرا، الصفحة التي تبحث عنها غير موجودة.
<a href="/">العودة إلى الرئيسية</a></p>"""
    title = f"{site.outlet.title} - الصفحة غير موجودة"
    return Page(404, _layout(site, title, "", content, _most_read(site)), "not_found")


# --- page parts ---


def _layout(site: Site, title: str, head: str, content: str, sidebar: str) -> str:
    return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ar-aa" lang="ar" dir="rtl">
<head>
{META_CHARSET}
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1" />
<META NAME="ROBOTS" CONTENT="INDEX, FOLLOW">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title='{escape(site.outlet.title)}' href="/rss" />
{head}
</head>
<body>
<div class="lifestylewrapper">
<div class="bodyaskifull">
{_header(site)}
<div id="newsmaincontainer" class='maincontainer'>
{content}
</div>
<div id="sidebar" class='sidebar'>
{sidebar}
</div>
{_footer(site)}
</div>
</div>
</body>
</html>
"""


def _header(site: Site) -> str:
    band = f"آخر تحديث GMT {datetime.now(UTC):%H:%M:%S}"
    menu = "\n".join(
        f"<li><a href=\"{_href(listing_path(site, key))}\" class='bags{n}'>"
        f"<span> {escape(_label(site, key))} </span></a></li>"
        for n, key in enumerate(site.outlet.sections, start=2)
    )
    logo = f"https://stat.{site.outlet.domains[0]}/images/logo.png"
    return f"""<div class="headaski">
<div class="header">
<div class="nommoc" id="phonedesign">
<div class="readmoregmttimeband">{band}</div>
<div class="navy"><div id="sectionmenu">
<ul class="sb-menu">
<li id="repcol"><a href="/" class="bags1"><span> الرئيسية </span></a></li>
{menu}
<li id="repcol"><a href="/search" class='fives'><span> بحث </span></a></li>
</ul></div></div>
</div>
<div class="logo"><a href="/"><img src="{logo}" alt="{escape(site.outlet.title)}" /></a></div>
<div class="spthree gmt" id="tcenter">{band}</div>
</div>
</div>"""


def _footer(site: Site) -> str:
    links = " | ".join(
        f'<a href="{_href(listing_path(site, key))}">{escape(_label(site, key))}</a>'
        for key in site.outlet.sections
    )
    copyright_block = f"<p class='copyright'>{MAINTAINED}<br />\n{COPYRIGHT}</p>"
    brand = _brand(site)
    return f"""<div class="footer" id="footer">
<div class="footerlinks"><a href="/">الرئيسية</a> | {links} | <a href="/rss">RSS</a></div>
{copyright_block}
</div>
<div class="footer mobilefooter" id="footer">
{copyright_block}
</div>
<div class="vcard"><div class="org">{brand}</div>
<div class="adr"><div class="street-address">{ADDRESS}</div>
<span class="locality">almaghrib</span>, <span class="region">Almaghrib</span></div></div>"""


def _site_meta(site: Site, title: str, path: str) -> str:
    return f"""<link rel="canonical" href="{escape(site.url(path))}" />
<meta property="og:title" content="{escape(title)}" />
<meta property="og:type" content="website" />
<meta property="og:url" content="{escape(site.url(path))}" />
<meta property="og:site_name" content="{_brand(site).capitalize()}" />"""


def _article_meta(
    site: Site, article: CorpusArticle, title: str, canonical: str, *, amp: bool
) -> str:
    lines = [
        f'<meta name="description" content="{escape(article.teaser)}" />',
        f'<link rel="canonical" href="{escape(canonical)}" />',
        f'<meta property="og:title" content="{escape(title)}" />',
        "<meta property='og:type' content='article' />",
        f'<meta property="og:description" content="{escape(article.teaser)}" />',
        f'<meta property="og:url" content="{escape(canonical)}" />',
        f'<meta property="og:image" content="{_image(site, article)}" />',
        f'<meta property="og:site_name" content="{_brand(site).capitalize()}" />',
        f"<meta property='article:section' content='{escape(_label(site, article.section))}' />",
        f'<meta property="article:published_time" content="{iso_z(article.published)}" />',
    ]
    if amp:
        lines.insert(2, f'<link rel="amphtml" href="{escape(site.url(article.amp_path))}" />')
    if article.updated:
        lines.append(
            f'<meta property="article:modified_time" content="{iso_z(article.updated)}" />'
        )
    return "\n".join(lines)


def _jsonld(site: Site, article: CorpusArticle, url: str) -> str:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso_z(article.published),
        "dateModified": iso_z(article.updated or article.published),
        "image": [_image(site, article)],
        "description": article.teaser,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": {"@type": "Organization", "name": site.outlet.title},
    }
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _home_slide(site: Site, article: CorpusArticle) -> str:
    href, title = _href(article.path), escape(article.title)
    image, label = _image(site, article, "exlarge"), escape(_label(site, article.section))
    teaser = escape(article.teaser[:200])
    return f"""<li><h2 class="housemaintitle"><a href="{href}">{title}</a></h2>
<div class='image_container'><a href="{href}"><img src="{image}" alt="{title}" class="">
<h3 class='caption'>{label}</h3></a></div>
<div class='introtext' id="ninezero">
<h4 class="coring">{escape(_dateline(site, article))}</h4>
{teaser}...
<a href="{href}" class='read_more'>اقرأ المزيد</a>
</div></li>"""


def _listing_item(article: CorpusArticle, href: str) -> str:
    return (
        f'<div class="newslist"><h3><a href="{_href(href)}">{escape(article.title)}</a></h3>'
        f"{_list_date(article)}</div>"
    )


def _related_block(site: Site, article: CorpusArticle) -> str:
    """The "قد يهمك أيضا" block inside #balmon: 2 or 3 links to the same section."""
    count = 2 + site.corpus_order.get(article.path, 0) % 2
    others = site.related(article, count)
    if not others:
        return ""
    links = "\n<p>&nbsp;</p>\n".join(
        f'<p><a href="{_href(a.path)}">{escape(a.title)}</a></p>' for a in others
    )
    return f"<p><strong>{RELATED_MARKER}</strong></p>\n{links}"


def _related_list(site: Site, article: CorpusArticle) -> str:
    others = [a for a in site.newest(6, article.section) if a.path != article.path][:5]
    items = "\n".join(
        f"""<div id="arabnewtravcelalsoboxes">
<p class="newsalsokuttisubtitle"><a href="{_href(a.path)}">{escape(a.title)}</a></p>
<div class="cauthorboy"><h5>{escape(_dateline(site, a))}</h5></div>
{_list_date(a)}</div>"""
        for a in others
    )
    return f"""<div class="panelbox" id='relatednews'><div class="paneltitle">أخبار ذات صلة</div>
{items}
</div>"""


def _most_read(site: Site, *, not_section: str | None = None, exclude: str = "") -> str:
    """The "most read" widget; its container repeats the article body's id, as the site does."""
    picked = [a for a in site.most_read(6, not_section=not_section) if a.path != exclude][:5]
    items = "\n".join(
        f'<p><a href="{_href(a.path)}">{escape(a.title)}</a><br />{_list_date(a)}</p>'
        for a in picked
    )
    return f"""<div class="panelbox" id="mostread"><div class='paneltitle'>الأكثر قراءة</div>
<div id="balmon">
{items}
</div></div>"""


def _comment_form() -> str:
    return f"""<div class="commentbox" id='comments'><h3 class="paneltitle">أضف تعليقك</h3>
<form id="commentform" method="post" action="#">
<label for="cname">الإسم *</label> <input type="text" id="cname" name="name" />
<label for="cmail">البريد الألكتروني *</label> <input type="text" id="cmail" name="email" />
<label for="csubject">عنوان التعليق *</label> <input type="text" id="csubject" name="subject" />
<label for="ctext">تعليق *</label> <textarea id="ctext" name="comment"></textarea>
<span class='charsleft'>: Characters Left</span>
<span class="required">إلزامي *</span>
<a class='terms'>شروط الاستخدام</a>
<p class="termstext">{COMMENT_TERMS}</p>
<label><input type="checkbox" name="agree" /> اُوافق على شروط الأستخدام</label>
<label for="ccode">Security Code*</label> <input type="text" id="ccode" name="code" />
<input type="submit" value="إرسال" />
</form></div>"""


# --- small helpers ---


def _amp_linked(site: Site) -> CorpusArticle | None:
    """The article the AMP_LINKED_SECTION listing links by its AMP URL: that section's newest."""
    newest = site.newest(1, AMP_LINKED_SECTION)
    return newest[0] if newest else None


def _list_date(article: CorpusArticle) -> str:
    return f'<span class="coring">{gmt_list_date(article.published)}</span>'


def _href(path: str) -> str:
    return escape(path, quote=True)


def _label(site: Site, section: str) -> str:
    return site.outlet.sections[section].label or section


def _dateline(site: Site, article: CorpusArticle) -> str:
    return article.dateline or f"الرباط - {site.outlet.title}"


def _authors(article: CorpusArticle) -> str:
    return f"<h5>{escape('، '.join(article.authors))}</h5>" if article.authors else ""


def _brand(site: Site) -> str:
    """The site's Latin name, as in its asset names: almaghribtoday.net -> almaghribtoday."""
    return site.outlet.domains[0].split(".")[0]


def _image(site: Site, article: CorpusArticle, size: str = "large") -> str:
    """An image URL of the site's form: the month of publication is in it."""
    number = zlib.crc32(article.path.encode()) % 1_000_000
    return f"https://img.{site.outlet.domains[0]}/{article.published:%Y/%m}/{size}/{number}.jpg"
