"""The generic extraction chain on its own: dates, titles, bodies, AMP pages, the outlet of a
saved page, charsets. Small hand-made pages show one rule each; the replica renders the AMP and
canonical pages of one article; real pages are in test_real_pages.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse

from crawler.extraction import ArticlePage
from crawler.extraction.decoding import garbled_share, is_garbled
from crawler.extraction.page_dates import declared_zone, url_date
from crawler.extraction.site import (
    NotAUrl,
    country_zone,
    generic_outlet,
    site_host,
    spider_outlet,
)
from crawler.offline import extract_article, looks_like_html
from pipelines.base import ArticleDropped
from tests.conftest import FIXTURES

URL = "https://news.example.ma/politics/2024/08/21/article-123"
PARAGRAPHS = [
    "أعلنت وزارة الداخلية، اليوم الأربعاء، عن حصيلة جديدة للعملية الأمنية التي انطلقت قبل أسبوع.",
    "وأوضح بلاغ للوزارة أن العملية أسفرت عن توقيف عشرات المشتبه فيهم في عدة مدن.",
    "وأكد المصدر ذاته أن الأبحاث ما تزال جارية تحت إشراف النيابة العامة المختصة.",
]


def page(body: str, *, head: str = "", url: str = URL, tz: str = "Africa/Casablanca"
         ) -> ArticlePage:
    html = f"<html lang='ar'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return ArticlePage(html, url, generic_outlet(url, tz))


def paragraphs_html(paragraphs: list[str] = PARAGRAPHS) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def stored(p: ArticlePage):
    """The article the cleaning stages make of a page object."""
    from pipelines.normalize import NormalizePipeline
    from pipelines.timestamps import TimestampsPipeline

    article = p.to_article()
    for stage in (NormalizePipeline, TimestampsPipeline):
        article = stage(outlet=p.outlet).process_item(article)
    return article


# --- dates -----------------------------------------------------------------------------------

ARTICLE = f"<h1>عنوان الخبر</h1><div class='article-body'>{paragraphs_html()}</div>"


@pytest.mark.parametrize("head, body, source, instant", [
    ('<script type="application/ld+json">{"@type": "NewsArticle", '
     '"datePublished": "2024-08-21T10:15:00+01:00"}</script>', ARTICLE, "jsonld",
     "2024-08-21T09:15:00"),
    ('<meta property="article:published_time" content="2024-08-21T10:15:00Z">', ARTICLE, "meta",
     "2024-08-21T10:15:00"),
    ("", f"<time datetime='2024-08-21T10:15:00+00:00'>21 غشت</time>{ARTICLE}", "meta",
     "2024-08-21T10:15:00"),
    ("", f"<span itemprop='datePublished' content='2024-08-21T10:15:00Z'>أمس</span>{ARTICLE}",
     "meta", "2024-08-21T10:15:00"),
    ("", f"<span property='dc:date' content='2024-08-21T10:15:00Z'></span>{ARTICLE}", "meta",
     "2024-08-21T10:15:00"),
    ('<meta name="dcterms.created" content="2024-08-21T10:15:00Z">', ARTICLE, "meta",
     "2024-08-21T10:15:00"),
    ('<meta name="article_date_original" content="Wednesday, August 21, 2024, 11:15 AM">',
     ARTICLE, "meta", "2024-08-21T10:15:00"),
    # a human-readable Arabic date in article:published_time (local time, Casablanca UTC+1)
    ('<meta property="article:published_time" content="الأربعاء 21 غشت 2024 - 11:15">', ARTICLE,
     "meta", "2024-08-21T10:15:00"),
])
def test_machine_readable_dates(head, body, source, instant):
    article = stored(page(body, head=head))
    assert article.date_source == source
    assert article.published_at == datetime.fromisoformat(instant).replace(tzinfo=UTC)


def test_visible_date_near_the_headline_skips_the_clock_and_related_lists():
    body = (
        "<div class='header'><div class='readmoregmttimeband'>آخر تحديث GMT 14:10:54</div></div>"
        "<div class='breaking-ticker'>الثلاثاء 20 غشت 2024 - 09:00 خبر عاجل</div>"
        "<h1>عنوان الخبر</h1><div class='info'><span>الأربعاء 21 غشت 2024 - 11:15</span></div>"
        f"<div class='article-body'>{paragraphs_html()}</div>"
        "<div class='related'><p><a href='/x'>خبر آخر</a> <span>GMT 17:30 2018 الثلاثاء ,16 "
        "كانون الثاني / يناير</span></p></div>"
    )
    article = stored(page(body))
    assert article.date_source == "text"
    assert article.published_at == datetime(2024, 8, 21, 10, 15, tzinfo=UTC)


def test_a_printed_month_and_day_without_a_year_take_the_year_of_the_urls_day():
    body = ("<h1>Attack stokes fears</h1><div class='byline'><span>By Erin Cunningham</span> "
            "<span class='stamp'>March 18 at 3:57 PM</span></div>"
            f"<div class='article-body'>{paragraphs_html()}</div>")
    url = "https://news.example.com/world/2015/03/18/attack_story.html"
    article = stored(page(body, url=url, tz="UTC"))  # no zone printed: the outlet's (here UTC)
    assert (article.date_source, article.published_at) == ("text", datetime(2015, 3, 18, 15, 57,
                                                                             tzinfo=UTC))
    eastern = stored(page(body, url=url, tz="America/New_York"))
    assert eastern.published_at == datetime(2015, 3, 18, 19, 57, tzinfo=UTC)
    japanese = ("<h1>無線LANアプリ</h1><p class='source'>CNET Japan 3/9(木) 18:45配信</p>"
                f"<div class='article-body'>{paragraphs_html()}</div>")
    in_query = "https://headlines.example.co.jp/hl?a=20170309-35097838-cnetj-sci"
    assert stored(page(japanese, url=in_query, tz="Asia/Tokyo")).published_at == datetime(
        2017, 3, 9, 9, 45, tzinfo=UTC
    )  # the URL's day in a query value
    other_day = stored(page(body, url=url.replace("/03/18/", "/03/17/"), tz="UTC"))
    assert other_day.date_source == "url"  # the URL names another day: no year to take


def test_dates_in_related_lists_and_comments_are_never_the_article_date():
    body = (
        f"<h1>عنوان الخبر</h1><div class='article-body'>{paragraphs_html()}</div>"
        "<div class='most-read'><span>GMT 17:30 2018 الثلاثاء ,16 كانون الثاني / يناير</span></div>"
        "<div id='comments'><span>الخميس 22 غشت 2024 - 08:00</span></div>"
    )
    article = stored(page(body, url="https://news.example.ma/politics/article-123"))
    assert article.published_at is None and article.date_source == ""


def test_the_url_date_is_the_least_trusted_and_gives_the_day():
    article = stored(page(ARTICLE))  # nothing but the URL's /2024/08/21/
    assert article.date_source == "url"
    assert article.published_at == datetime(2024, 8, 20, 23, 0, tzinfo=UTC)  # local midnight
    printed = (
        "<h1>عنوان الخبر</h1><p class='date'>21 غشت 2024 - 11:15</p>"
        f"<div class='article-body'>{paragraphs_html()}</div>"
    )
    article = stored(page(printed))
    assert article.date_source == "text"  # the printed time beats the URL's bare day
    assert article.published_at == datetime(2024, 8, 21, 10, 15, tzinfo=UTC)


def test_printed_dates_a_nav_styled_meta_line_a_byline_above_a_far_body_a_labelled_day():
    nav_meta = (
        "<div class='post-info'><h1>عنوان الخبر</h1><ul class='nav meta'><li><a href='/time/x'>"
        "21 غشت 2024 - 11:15</a></li></ul></div>"
        f"<div class='article-body'>{paragraphs_html()}</div>"
    )
    article = stored(page(nav_meta, url="https://news.example.ma/politics/article-123"))
    assert article.published_at == datetime(2024, 8, 21, 10, 15, tzinfo=UTC)
    far = "".join(f"<div class='box'><span>{i}</span></div>" for i in range(60))
    byline = (f"<h1>عنوان الخبر</h1>{far}<p class='autor'><strong>كاتب</strong> | الرباط | "
              f"21/08/2024</p><div class='article-body'>{paragraphs_html()}</div>")
    article = stored(page(byline, url="https://news.example.ma/politics/article-123"))
    assert article.date_source == "text"
    assert article.published_at == datetime(2024, 8, 20, 23, 0, tzinfo=UTC)  # local midnight
    long_body = paragraphs_html(PARAGRAPHS * 30)  # the info box is far from the headline
    labelled = (f"<h1>عنوان الخبر</h1><div class='article-body'>{long_body}</div>"
                "<div class='related-box'><span>20.08.2024</span></div>"
                "<ul><li><strong>Date</strong> 21.08.2024</li><li>Author X</li></ul>")
    article = stored(page(labelled, url="https://news.example.ma/politics/article-123"))
    assert article.published_at == datetime(2024, 8, 20, 23, 0, tzinfo=UTC)
    unlabelled = labelled.replace("<strong>Date</strong> ", "")
    assert stored(page(unlabelled, url="https://news.example.ma/politics/x")).published_at is None


@pytest.mark.parametrize("url, day", [
    ("https://www.youm7.com/story/2020/8/24/وزير-الرى/4943459", "2020-08-24"),
    ("https://www.albayan.ae/across-the-uae/news/2020-06-03-1.3874341", "2020-06-03"),
    ("https://example.com/news/20200317/slug", "2020-03-17"),
    ("https://arabic.sputniknews.com/arab_world/202003171044893040-slug/", ""),
    ("https://example.com/2020/13/45/slug", ""),
])
def test_url_dates(url, day):
    assert url_date(url) == day


def test_page_offsets_give_the_generic_outlet_its_zone():
    assert declared_zone(["2020-06-03T03:01+0400"]) == "Etc/GMT-4"
    assert declared_zone(["2020-12-01T02:00:00-05:00"]) == "Etc/GMT+5"
    assert declared_zone(["2026-01-08T11:42:50+00:00", "2026-01-08T11:42:50Z"]) is None
    assert declared_zone(["2024-08-21T10:15:00+05:30"]) is None  # no whole-hour zone name


# --- titles ----------------------------------------------------------------------------------


def test_title_entities_decoded_and_site_names_stripped():
    head = (
        '<title>"خبر" عاجل &amp; مهم - أخبار العالم - جريدة المثال</title>'
        '<meta property="og:site_name" content="جريدة المثال">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "&quot;خبر&quot; عاجل &amp;amp; مهم"}</script>'
    )
    p = page(f"<h1>\"خبر\" عاجل &amp; مهم</h1>{paragraphs_html()}", head=head)
    assert p.title == '"خبر" عاجل & مهم'
    og = page(paragraphs_html(), head='<meta property="og:title" content="خبر مهم - جريدة المثال">'
              '<meta property="og:site_name" content="جريدة المثال">')
    assert og.title == "خبر مهم"
    only_title = page(f"<h1>خبر مهم</h1>{paragraphs_html()}",
                      head="<title>خبر مهم | أخبار | جريدة المثال</title>")
    assert only_title.title == "خبر مهم"


def test_an_og_title_that_decorates_the_h1_gives_way_to_it():
    head = '<meta property="og:title" content="خبر مهم عن الحكومة | المثال | 19.01.2020">'
    assert page(f"<h1>خبر مهم عن الحكومة</h1>{paragraphs_html()}", head=head).title == (
        "خبر مهم عن الحكومة"
    )
    glued = '<meta property="og:title" content="稱「憂鬱症是不知足」挨轟　吳宗憲：別想--上報">'
    assert page("<h1>稱「憂鬱症是不知足」挨轟　吳宗憲：別想</h1>" + paragraphs_html(),
                head=glued).title == "稱「憂鬱症是不知足」挨轟 吳宗憲：別想"
    arrow = '<meta property="og:title" content="Wie Freenet Kunden gewinnen will › Meedia">'
    assert page(f"<h1>Wie Freenet Kunden gewinnen will</h1>{paragraphs_html()}",
                head=arrow).title == "Wie Freenet Kunden gewinnen will"  # a breadcrumb arrow
    other = '<meta property="og:title" content="خبر مهم عن الحكومة الجديدة">'
    assert page(f"<h1>خبر مهم عن الحكومة</h1>{paragraphs_html()}", head=other).title == (
        "خبر مهم عن الحكومة الجديدة"  # a different wording: the shared title stays first
    )


def test_an_h1_that_twitter_title_repeats_wins_over_a_share_title_in_og_title():
    head = ('<meta property="og:title" content="The Modern Ambitions Behind Neon">'
            '<meta name="twitter:title" content="Why Neon Is the Symbol of the Century">')
    h1 = "<h1 itemprop='headline'>Why Neon Is the Symbol of the Century</h1>"
    assert page(h1 + paragraphs_html(), head=head).title == "Why Neon Is the Symbol of the Century"
    alone = '<meta property="og:title" content="The Modern Ambitions Behind Neon">'
    assert page(h1 + paragraphs_html(), head=alone).title == "The Modern Ambitions Behind Neon"
    shared = head.replace("Why Neon Is the Symbol of the Century", "The Modern Ambitions Behind "
                          "Neon")  # og:title and twitter:title agree: the shared title stays
    assert page(h1 + paragraphs_html(), head=shared).title == "The Modern Ambitions Behind Neon"


def test_the_hatom_entry_title_wins_over_an_older_headline_in_the_metas():
    old = "The Few. The Proud. The Marines ... Getting a Makeover?"
    head = f'<title>{old}</title><meta property="og:title" content="{old}">'
    body = ("<div class='article hnews hentry'><h1 class='entry-title'>The Few. The Proud. The "
            f"New Marines?</h1><div class='entry-content'>{paragraphs_html()}</div></div>")
    assert page(body, head=head).title == "The Few. The Proud. The New Marines?"
    unmarked = body.replace(" hentry", "")  # entry-title outside an hAtom entry: the metas
    assert page(unmarked, head=head).title.endswith("Getting a Makeover?")


# --- bodies ----------------------------------------------------------------------------------


def test_lead_paragraph_before_the_container_is_kept():
    lead = ("أعلنت الحكومة، اليوم الإثنين، عن خطة جديدة لدعم المقاولات الصغرى والمتوسطة "
            "بقيمة مليار درهم.")
    body = (f"<h1>عنوان</h1><div class='lead'><p>{lead}</p></div>"
            f"<div class='article-text'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [lead, *PARAGRAPHS]
    teaser = (f"<h1>عنوان</h1><div class='intro'>{PARAGRAPHS[0]}</div>"
              f"<div class='article-text'>{paragraphs_html()}</div>")
    assert page(teaser).paragraphs == PARAGRAPHS  # a teaser that repeats the opening: once


def test_an_intro_under_the_headline_past_a_share_bar_is_the_lead():
    intro = "أطلقت الحكومة برنامجا من خمس سنوات لدعم المقاولات الصغرى في الجهات كلها."
    body = (f"<header class='article-header'><h1>عنوان</h1><p class='subhead'>{intro}</p></header>"
            "<div class='share-bar'><a href='/f'>فيسبوك</a></div>"
            f"<div class='story'>{paragraphs_html()}</div>")
    head = "<title>عنوان</title>"
    assert page(body, head=head).paragraphs == [intro, *PARAGRAPHS]
    block = (f"<div class='top'><h2>عنوان</h2><div class='meta'>21 غشت 2024</div><p>{intro}</p>"
             f"<div class='share'>فيسبوك تويتر</div></div><div class='story'>{paragraphs_html()}"
             "</div>")  # a block holding a headline and an intro is not one lead paragraph
    assert page(f"<h1>عنوان</h1>{block}").paragraphs == [intro, *PARAGRAPHS]


def test_a_body_split_by_ad_slots_is_their_shared_block():
    ad = "<div class='ad-slot'><script>googletag.cmd.push(function(){});</script></div>"
    parts = [f"<div class='part'><div class='richtext'><p>{p}</p></div></div>" for p in PARAGRAPHS]
    body = f"<h1>عنوان</h1><div class='content'>{ad.join(parts)}{ad}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_modal_boxes_players_and_hidden_text_are_no_body():
    notice = ("لقد قمت بتفعيل مانع الإعلانات في متصفحك، ونرجو منك تعطيله لمواصلة القراءة "
              "ودعم الصحافة المستقلة التي تعيش من الإعلانات.")
    body = (
        f"<h1>عنوان</h1><div class='article-text'><p>{PARAGRAPHS[0]}</p>"
        "<div class='video'><span>شاهد الفيديو</span> <span>02:17</span></div>"
        "<span class='screen-reader-text'>قائمة من ثلاثة عناصر</span>"
        "<div style='display: none'><h2>عنوان فيديو مخفي عن القارئ</h2></div>"
        f"<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p></div>"
        f"<div class='modalwindow'><div class='modalwindow__text'><p>{notice}</p><p>{notice}</p>"
        f"<p>{notice}</p><p>{notice}</p></div></div>"
    )
    assert page(body).paragraphs == PARAGRAPHS


def test_a_block_holding_the_headline_is_no_furniture_and_a_bare_stamp_is_a_date_line():
    body = (f"<div class='wrapper ad_body'><h1>عنوان</h1><div class='text'>"
            f"<p>18 հունվարի 2018 - 15:01 AMT</p>{paragraphs_html()}</div></div>")
    assert page(body, head="<title>عنوان</title>").paragraphs == PARAGRAPHS


def test_paragraphs_split_by_double_br():
    text = "<br><br>".join(PARAGRAPHS)
    story = page(f"<h1>عنوان</h1><div class='story'>{text}<br/> <br/></div>")
    assert story.paragraphs == PARAGRAPHS
    spaced = f"<p>{PARAGRAPHS[0]}</p><p><br> <br> {PARAGRAPHS[1]}<br /><br />{PARAGRAPHS[2]}</p>"
    assert page(f"<div id='articleBody'>{spaced}</div>").paragraphs == PARAGRAPHS


def test_furniture_inside_the_container_is_removed():
    body = (
        "<h1>عنوان</h1><div class='article-content'>"
        f"<p>{PARAGRAPHS[0]}</p>"
        "<p><strong>اقرأ أيضا:</strong> <a href='/a'>الحكومة تصادق على مشروع قانون المالية</a></p>"
        "<div class='b-inject'><a href='/b'>خبر ذو صلة مدرج وسط النص بصورة وعنوان طويل</a>"
        "<span>© REUTERS / PHOTOGRAPHER</span></div>"
        f"<p>{PARAGRAPHS[1]}</p>"
        "<ul><li><a href='/c'>رابط أول إلى خبر آخر</a></li><li><a href='/d'>رابط ثان</a></li></ul>"
        "<p><a href='/e'>خبر آخر في الموضوع نفسه على الموقع</a></p>"
        "<div class='ad-slot'><script>googletag.cmd.push(function(){});</script></div>"
        f"<p>{PARAGRAPHS[2]}</p>"
        "<p class='follow-google'>تابعوا أخبار المغرب من جريدة المثال عبر غوغل نيوز</p>"
        "<p>تابعونا على تويتر وفيسبوك لمعرفة آخر الأخبار</p>"
        "<p>© جميع الصور: وكالة المغرب العربي للأنباء</p>"
        "<p>بروتوكول نشر التعليقات من جريدة المثال</p>"
        "<h3>مواضيع ذات صلة</h3><p>الحكومة تطلق برنامجا جديدا لدعم التشغيل في العالم القروي</p>"
        "</div>"
    )
    assert page(body).paragraphs == PARAGRAPHS


@pytest.mark.parametrize("promo", [
    "Síguenos en Facebook: La Prensa Oficial y en Twitter: @laprensaoem",
    "Suivez-nous sur Twitter et Facebook pour ne rien manquer.",
    "Folgen Sie uns auf Instagram und YouTube.",
    "Siga-nos no Facebook e no Instagram.",
])
def test_a_closing_follow_us_promo_in_other_languages_is_no_paragraph(promo):
    body = f"<h1>Decomisa Aduana</h1><div class='story'>{paragraphs_html()}<p>{promo}</p></div>"
    assert page(body).paragraphs == PARAGRAPHS


@pytest.mark.parametrize("line", [
    "<strong>MUST READ | </strong><strong>Thousands of Australians are calling for it</strong>",
    "<strong>READ | </strong><strong>Insurer's Australian business hit by bushfires</strong>",
    "À lire aussi : Les incendies ravagent l'Australie",
    "Lesen Sie auch: Buschbrände in Australien",
    "Lee también: Incendios en Australia",
])
def test_read_also_lines_in_the_body_are_no_paragraphs(line):
    body = (f"<h1>Megablaze</h1><div class='story'><p>{PARAGRAPHS[0]}</p><p>{line}</p>"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS


def test_a_chinese_most_read_heading_in_brackets_ends_the_body():
    text = [
        "王婉諭呼籲，若吳宗憲還是認為自己是綜藝一哥，作為公眾人物，"
        "在發表言論時，應該要更為自律、謹慎才是。",
        "針對吳宗憲憂鬱症「不知足論」，王婉諭感嘆，很遺憾，"
        "在目前已算相對進步的社會中，仍然還是會看到這種發言。",
    ]
    popular = ("<div class='rss_close'><strong>【熱門點閱】</strong></div><div class='rss_close'>"
               "<strong>●傳武肺病毒恐侵害免疫系統　<a href='/n'>張上淳：需有更多屍檢資訊證實</a>"
               "</strong></div>")
    body = f"<h1>吳宗憲</h1><div class='editor'>{paragraphs_html(text)}{popular}</div>"
    assert page(body).paragraphs == text


def test_trafilatura_only_runs_when_the_page_has_no_body_of_its_own():
    own = page(f"<h1>عنوان</h1><div class='article-body'>{paragraphs_html()}</div>")
    assert own.paragraphs == PARAGRAPHS and "trafilatura" not in own.__dict__
    bare = page("<h1>عنوان</h1><p>نص قصير</p>")
    assert bare.paragraphs == [] or "trafilatura" in bare.__dict__
    assert "trafilatura" in bare.__dict__


# --- AMP pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica():
    from crawler.replica import ReplicaServer, default_corpus_path, load_corpus

    return ReplicaServer(load_corpus(default_corpus_path()))  # rendered in-process, no socket


def rendered(replica, path: str) -> bytes:
    response = replica.handle("GET", path, {"host": "www.almaghribtoday.net"}, b"")
    assert response.status == 200
    return response.body


FIELDS = ("title", "body", "published_at", "dateline")


@pytest.mark.parametrize("spider", ["almaghribtoday", None])
def test_amp_page_gives_the_fields_of_its_canonical_page(replica, spider):
    """With the spider's selectors, and through the generic chain alone (a generic outlet)."""
    site = replica.sites["almaghribtoday"]
    for article in site.in_section("security")[:5]:
        fields = []
        for path in (article.path, article.amp_path):
            url = site.url(path)
            html = rendered(replica, path)
            if spider is None:
                url = url.replace("almaghribtoday.net", "almaghribtoday.example")
            got = extract_article(html, url=url, spider=spider)
            fields.append({f: getattr(got, f) for f in FIELDS})
        canonical, amp = fields
        assert amp == canonical
        assert canonical["dateline"] and canonical["published_at"] == article.published


# --- the outlet of a saved page --------------------------------------------------------------


@pytest.mark.parametrize("host, zone", [
    ("hespress.ma", "Africa/Casablanca"), ("youm7.eg", "Africa/Cairo"),
    ("albayan.ae", "Asia/Dubai"), ("alyaum.sa", "Asia/Riyadh"), ("annahar.lb", "Asia/Beirut"),
    ("alrai.jo", "Asia/Amman"), ("example.com", None), ("lbcgroup.tv", None),
    ("rt.ru", None), ("news.example.co.uk", "Europe/London"), ("maannews.ps", "Asia/Gaza"),
    ("wiwo.de", "Europe/Berlin"), ("chinadaily.com.cn", "Asia/Shanghai"), ("elpais.es", None),
    ("news.example.com.ua", "Europe/Kyiv"),
])
def test_country_zone_only_for_countries_with_one_clock(host, zone):
    assert country_zone(host) == zone


def test_a_url_of_a_known_outlet_uses_its_spider():
    assert spider_outlet("www.almaghribtoday.net")[0] == "almaghribtoday"
    assert spider_outlet("ar.le360.ma")[0] == "le360"
    assert spider_outlet("albayan.ae") is None
    generic = generic_outlet("https://www.albayan.ae/a/b", "Asia/Dubai")
    assert (generic.key, generic.domains, generic.timezone) == ("albayan.ae", ("albayan.ae",),
                                                                 "Asia/Dubai")
    with pytest.raises(NotAUrl):
        site_host("notaurl")
    with pytest.raises(NotAUrl):
        site_host("ftp://example.com/file")


def test_generic_zone_order_page_then_option_then_country():
    html = (f"<html><body><h1>عنوان</h1><p class='date'>21 غشت 2024 - 11:15</p>"
            f"<div class='article-body'>{paragraphs_html()}</div></body></html>").encode()
    url = "https://news.example.eg/politics/article-1"
    assert extract_article(html, url=url).published_at == datetime(2024, 8, 21, 8, 15, tzinfo=UTC)
    moved = extract_article(html, url=url, timezone="Asia/Dubai")  # an option beats the country
    assert moved.published_at == datetime(2024, 8, 21, 7, 15, tzinfo=UTC)
    dotcom = extract_article(html, url="https://news.example.com/politics/article-1")
    assert dotcom.published_at == datetime(2024, 8, 21, 11, 15, tzinfo=UTC)  # UTC
    offset = html.replace(b"</h1>", b"</h1><meta property='article:published_time' "
                          b"content='2024-08-21'><time datetime='2024-08-21T09:00+04:00'></time>")
    assert extract_article(offset, url=url).published_at == datetime(2024, 8, 21, 5, 0, tzinfo=UTC)


def test_non_html_files_are_recognised():
    assert not looks_like_html(b'{"title": "<p>x</p>"}')
    assert not looks_like_html(b"\xef\xbb\xbf  [1, 2]")
    assert not looks_like_html(b"just some text")
    assert looks_like_html(b"\n<!DOCTYPE html><html>")
    assert looks_like_html((FIXTURES / "real" / "youm7_4943459.html").read_bytes())


# --- charsets (issue 8, point 8) -------------------------------------------------------------


def test_garbled_share_counts_replacement_and_mojibake():
    text = "أعلنت وزارة الداخلية عن حصيلة جديدة"
    assert garbled_share(text) == 0
    mojibake = text.encode("utf-8").decode("cp1256")
    assert mojibake.startswith("ط£ط¹ظ„ظ†طھ") and garbled_share(mojibake) > 0.9
    assert garbled_share(text.encode("utf-8").decode("cp1252", errors="replace")) > 0.9
    replaced = text.encode("cp1256").decode("utf-8", errors="replace")
    assert garbled_share(replaced) > 0.9
    assert not is_garbled(text + " \ufffd")


REAL = FIXTURES / "real" / "youm7_4943459.html"
REAL_URL = json.loads(REAL.with_suffix(".json").read_text("utf-8"))["url"]


@pytest.mark.parametrize("encoding, declared", [
    ("cp1256", "utf-8"),  # windows-1256 bytes labelled UTF-8: U+FFFD everywhere
    ("utf-8", "windows-1256"),  # UTF-8 labelled windows-1256: طھط³ظ„ظٹظ…
])
def test_mislabelled_real_page_is_decoded_with_the_charset_it_allows(encoding, declared):
    text = REAL.read_text("utf-8").replace("charset=utf-8", f"charset={declared}")
    body = text.encode(encoding, errors="xmlcharrefreplace")
    response = HtmlResponse(REAL_URL, body=body,
                            headers={"Content-Type": f"text/html; charset={declared}"})
    assert ArticlePage(response.text, REAL_URL, generic_outlet(REAL_URL)).garbled  # the label's
    good = ArticlePage.from_response(
        HtmlResponse(REAL_URL, body=REAL.read_bytes()), generic_outlet(REAL_URL))
    fixed = ArticlePage.from_response(response, generic_outlet(REAL_URL))
    assert not fixed.garbled
    assert (fixed.title, fixed.paragraphs) == (good.title, good.paragraphs)


def test_a_page_garbled_at_its_source_is_dropped_with_a_reason():
    """Replacement characters in the bytes themselves (a CMS that mangled its text): no
    charset reads them, so the article is dropped, counted as garbled_text."""
    text = REAL.read_text("utf-8")
    broken = "".join("\ufffd" if "\u0600" <= ch <= "\u06ff" else ch for ch in text)
    with pytest.raises(ArticleDropped) as dropped:
        extract_article(broken.encode("utf-8"), url=REAL_URL)
    assert dropped.value.reason == "garbled_text"


# --- rules from the second unseen batch (tests/fixtures/real/unseen2) -------------------------


def test_a_page_on_a_generic_domain_is_read_in_its_languages_one_clock():
    html = ("<html lang='ja'><head><meta charset='utf-8'></head><body><h1>見出し</h1>"
            "<div class='day'>2018年6月18日 10:01</div>"
            f"<div class='article-body'>{paragraphs_html()}</div></body></html>").encode()
    article = extract_article(html, url="https://news.example.com/articles/1")
    assert article.published_at == datetime(2018, 6, 18, 1, 1, tzinfo=UTC)  # Tokyo
    arabic = html.replace(b"lang='ja'", b"lang='ar'")  # many clocks: UTC, unless told
    assert extract_article(arabic, url="https://news.example.com/articles/1").published_at == (
        datetime(2018, 6, 18, 10, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(("text", "language"), [
    ("藝人吳宗憲日前錄製節目時稱罹患憂鬱症患者原因是「不知足」，引起廣大社會輿論嘩然。", "zh"),
    ("ナイジェリア北東部ボルノ州で16日夜、自爆攻撃が起き、31人が死亡した。", "ja"),
    ("정부는 오늘 새로운 경제 정책을 발표하고 중소기업 지원을 확대하기로 했다.", "ko"),
    (PARAGRAPHS[0], "ar"),
    ("Exhausted firefighters said they had finally brought the megablaze under control.", ""),
])
def test_a_page_declaring_no_language_gets_the_one_its_script_writes(text, language):
    p = ArticlePage(f"<html><body><h1>x</h1><div class='story'><p>{text}</p><p>{text}</p>"
                    "</div></body></html>", URL, generic_outlet(URL))
    assert p.language == language


def test_a_cms_article_element_and_its_own_header_are_no_furniture():
    body = ("<article class='post hentry tag-elections category-news node-promoted'>"
            "<header class='entry-header'><h1>عنوان الخبر</h1>"
            "<span class='entry-date'>21 غشت 2024 - 11:15</span></header>"
            f"<div class='entry-content'>{paragraphs_html()}</div></article>"
            "<aside class='tag-cloud'><p>" + PARAGRAPHS[0] * 2 + "</p></aside>")
    article = stored(page(body, head="<title>عنوان الخبر</title>"))
    assert article.published_at == datetime(2024, 8, 21, 10, 15, tzinfo=UTC)
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_inline_elements_join_as_written_and_a_single_br_is_a_space():
    text = ("【6月18日 AFP】ナイジェリア北東部ボルノ（<a href='/t/borno'>Borno</a>）州で16日夜、"
            "自爆攻撃が起き、31人が死亡した。")
    lines = "The city council met on Monday<br>and voted the new budget for the year 2025."
    got = page(f"<h1>見出し</h1><div class='story'><p>{text}</p><p>{lines}</p>"
               f"{paragraphs_html()}</div>").paragraphs
    assert got[0].startswith("【6月18日 AFP】ナイジェリア北東部ボルノ（Borno）州で16日夜")
    assert got[1] == "The city council met on Monday and voted the new budget for the year 2025."


def test_a_marked_standfirst_leads_and_a_closing_italic_note_is_dropped():
    dek = "أزمة جديدة في الأفق."
    body = (f"<header class='content-header'><h1>عنوان</h1><div class='ContentHeaderDek-x1'>{dek}"
            f"</div></header><div class='story'>{paragraphs_html()}"
            "<p><em>المزيد</em> <em>في عدد الجريدة اليوم</em></p>"
            "<p>Please follow and like us:</p></div>")
    assert page(body, head="<title>عنوان</title>").paragraphs == [dek, *PARAGRAPHS]
    background = "<p><em>" + PARAGRAPHS[2] * 3 + "</em></p>"  # a long italic paragraph stays
    long_body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}{background}</div>"
    assert page(long_body).paragraphs[-1] == PARAGRAPHS[2] * 3


def test_body_chunks_of_the_containers_class_continue_it_past_cards():
    cards = ("<div class='cards'><div class='card'><a href='/x'>30 Essential Home Repair Tools"
             "</a></div></div>")
    chunks = [f"<section class='chunk'><div class='grid'><div class='item'>"
              f"<div class='body__inner'><p>{p}</p></div></div></div></section>"
              for p in PARAGRAPHS]  # their shared ancestor sits too far up to be found so
    got = page(f"<h1>عنوان</h1><main>{cards.join(chunks)}</main>").paragraphs
    assert got == PARAGRAPHS


def test_the_printed_headline_wins_over_a_quote_variant_or_a_bracketed_note():
    head = ("<meta property=\"og:title\" "
            "content=\"Faker wins 4th title as T1 embody Heartsteel's song\">")
    h1 = "<h1>Faker wins 4th title as T1 embody Heartsteel\u2019s song</h1>"
    assert page(h1 + paragraphs_html(), head=head).title == (
        "Faker wins 4th title as T1 embody Heartsteel\u2019s song"
    )
    note = '<meta property="og:title" content="米朝首脳直通電話（写真＝ロイター）">'
    split = "<h1><span>米朝首脳直通電話</span><span>編集委員 中沢克二</span></h1>"
    assert page(split + paragraphs_html(), head=note).title == "米朝首脳直通電話"
    label = '<meta property="og:title" content="無線LANアプリ（CNET Japan） - Yahoo!ニュース">'
    assert page("<h1>無線LANアプリ</h1>" + paragraphs_html(), head=label).title == (
        "無線LANアプリ"  # a source label, then the portal: the printed headline wins
    )
    printed = "<h1>無線LANアプリ（CNET Japan）</h1>"  # the label printed too: kept
    assert page(printed + paragraphs_html(), head=label).title == "無線LANアプリ（CNET Japan）"


def test_a_grid_class_naming_a_sidebar_is_no_furniture_of_the_article_it_lays_out():
    intro = "A new strain of ransomware spreads through forums and text messages."
    body = ("<div class='o-row c-fixed-sidebar-layout--140--left@lg'><div class='o-col'>"
            "<header class='c-article__header'><h1>Ransomware spreads</h1></header>"
            f"<div class='c-article__main'><div class='c-article__intro'><p>{intro}</p></div>"
            f"<div class='c-article__content'>{paragraphs_html()}</div></div></div>"
            f"<div class='c-sidebar'><p>{PARAGRAPHS[0] * 2}</p></div></div>")
    assert page(body, head="<title>Ransomware spreads</title>").paragraphs == [intro, *PARAGRAPHS]


def test_a_bracketed_date_the_headline_lacks_before_the_site_name_is_no_headline():
    dated = ('<meta property="og:title" '
             'content="与田祐希すっぴんショット公開（2020年2月15日）｜ポータル">'
             '<meta property="og:site_name" content="ポータル">')
    assert page("<h1>与田祐希すっぴんショット公開</h1>" + paragraphs_html(), head=dated).title == (
        "与田祐希すっぴんショット公開"
    )
    printed = "<h1>与田祐希すっぴんショット公開（2020年2月15日）</h1>"  # printed too: kept
    assert page(printed + paragraphs_html(), head=dated).title == (
        "与田祐希すっぴんショット公開（2020年2月15日）"
    )


def test_the_headlines_subheading_and_a_deck_printing_its_date_are_the_standfirst():
    deck = "Coal has been in a slow-motion death spiral over the past ten years"
    body = (f"<section class='title-container'><h1>Emissions dipped</h1><h2>{deck}</h2>"
            f"</section><div class='by'>Nathanael Johnson</div><article>{paragraphs_html()}"
            "</article>")
    assert page(body).paragraphs == [deck, *PARAGRAPHS]
    dated = ("<div class='hl'><h1>Wild goats</h1><div class='hl__deck'><h2>The island makes a "
             "quick comeback. What is the secret?<span class='hl__date'>Monday, 6 January 2020"
             "</span></h2></div></div>")
    assert page(dated + f"<article>{paragraphs_html()}</article>").paragraphs == [
        "The island makes a quick comeback. What is the secret?", *PARAGRAPHS
    ]


def test_a_text_block_of_the_articles_header_is_the_standfirst_without_a_full_stop():
    dek = "Report claims universities created a pool of low-paid staff for teaching"
    for block in (f"<div class='tonal'><div class='x-standfirst'><p>{dek}</p></div></div>",
                  f"<div class='summary'>{dek}</div>"):
        body = (f"<header class='head'><div><h1>Academics on short contracts</h1></div>{block}"
                "<p class='byline'>Richard Adams</p></header>"
                f"<div class='story'>{paragraphs_html()}</div>")
        assert page(body).paragraphs == [dek, *PARAGRAPHS]
    loose = (f"<h1>Academics on short contracts</h1><p>{dek}</p><div class='share'>Share</div>"
             f"<div class='story'>{paragraphs_html()}</div>")
    assert page(loose).paragraphs == PARAGRAPHS  # outside a header, a phrase is no intro


def test_a_subheading_marked_as_standfirst_is_the_lead_without_a_full_stop():
    dek = "Esta acción se suma a la detección del pasado martes 30 de marzo en la garita"
    body = (f"<h1>Decomisa Aduana de Tijuana</h1><h3 class='subtitle'>{dek}</h3><p class="
            f"'published-date'>Ciudad de México</p><div class='story'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [dek, *PARAGRAPHS]
    unmarked = body.replace(" class='subtitle'", "")  # an unmarked heading is no lead
    assert page(unmarked).paragraphs == PARAGRAPHS


def test_a_wire_storys_credits_end_the_body():
    closing = ("<p>Additional reporting by Steve Gorman; Editing by Nick Zieminski</p>"
               "<div><span>Our Standards:</span><a href='/trust'>The Trust Principles.</a></div>")
    body = f"<h1>Parasite wins</h1><div class='story'>{paragraphs_html()}{closing}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    credits = "<p>Reporting by Jane Doe in Paris; Editing by John Roe</p><p>Our Standards: …</p>"
    body = f"<h1>Parasite wins</h1><div class='story'>{paragraphs_html()}{credits}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    bracketed = ("<p /><p> (Reporting by Gus Trompiz, Jean-Stephane Brosse and Marine Pennetier;"
                 " editing by Mike Harrison)</p><div class='x'>SUPPORT US ON FACEBOOK</div>")
    body = f"<h1>Protesters</h1><div class='story'>{paragraphs_html()}{bracketed}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_source_lines_and_republication_notes_are_no_paragraphs():
    body = ("<h1>Antonin Bernanos</h1><div class='story'><p><i>This article originally "
            f"appeared on VICE US.</i></p>{paragraphs_html()}<p>Source : Page Facebook de "
            "Libérons-Les</p><p>Quelle: dpa</p></div>")
    assert page(body).paragraphs == PARAGRAPHS


def test_pull_quotes_set_as_headings_after_the_text_are_no_paragraphs():
    quotes = "<h4>Die Erzählung ist grauenhaft.</h4><h4>Er legt ein Fake-Profil an.</h4>"
    body = f"<h1>Ein Albtraum</h1><div class='story'>{paragraphs_html()}{quotes}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    section = f"<h3>Die Folgen</h3><p>{PARAGRAPHS[0]}</p>"  # a heading followed by text stays
    body = f"<h1>Ein Albtraum</h1><div class='story'>{paragraphs_html()}{section}</div>"
    assert page(body).paragraphs == [*PARAGRAPHS, "Die Folgen", PARAGRAPHS[0]]


def test_a_closing_note_on_the_piece_and_a_closing_thanks_list_are_no_paragraphs():
    note = ("<p><em>Dieser Artikel baut auf einer gemeinsamen Recherche von Markus Reuter, Ben "
            "Siegler und Christoph Langner auf. Letzterer <a href='/x'>wurde selbst abgemahnt</a>"
            " und lieferte wichtige Fakten und Zusammenhänge für diesen Artikel. Solche "
            "Recherchen kosten viel Zeit und Geld, <a href='/s'>wir freuen uns über Spenden</a>, "
            "die solche Stücke ermöglichen.</em></p>")
    thanks = ("<p>Merci à toutes et à tous pour les messages de solidarité,<br>La vérité pour "
              "Adama Nouveau Parti Anticapitaliste</p>")
    for closing in (note, thanks):
        body = f"<h1>Cider</h1><div class='story'>{paragraphs_html()}{closing}</div>"
        assert page(body).paragraphs == PARAGRAPHS


def test_the_time_in_a_header_block_of_the_article_is_its_date_a_site_headers_is_not():
    def published(html: str) -> datetime | None:
        return stored(page(html, tz="Europe/Berlin")).published_at

    article = (f"<article class='article'><section class='header'><time datetime="
               f"'2019-05-15 05:28:29'>15. Mai 2019</time><h2>Flixbus attackiert</h2></section>"
               f"<h1>Flixbus attackiert</h1><div class='story'>{paragraphs_html()}</div></article>")
    assert published(article) == datetime(2019, 5, 15, 3, 28, 29, tzinfo=UTC)  # naive: Berlin
    site = ("<div class='header'><time datetime='2019-05-14 08:00:00'>Heute</time></div>"
            f"<h1>Flixbus attackiert</h1><div class='story'>{paragraphs_html()}</div>")
    assert published(site) != datetime(2019, 5, 14, 6, 0, tzinfo=UTC)


def test_a_site_clock_beside_the_search_box_is_no_date_nor_is_a_datetime_in_words():
    """A site header's clock under the headline, beside the site's search box, in `<time
    datetime='Thursday, 09 January 2014 10:21'>` (not ISO): the byline's printed day is the
    date."""
    clock = ("<div class='right'><div class='search'><form action='/search.html'><input "
             "name='terms'></form></div><div class='fecha'><time datetime='Thursday, 09 January "
             "2014 10:21'>Thursday, 09 January 2014 - <span>10:21 h</span></time></div></div>")
    body = (f"<div class='top'><h1>Prosecutors to decide</h1></div>{clock}<p class='byline'>"
            f"<strong>Patricio Candia</strong> | Palma | 08/01/2014</p>"
            f"<div class='story'>{paragraphs_html()}</div>")
    article = stored(page(body, url="https://news.example.es/local/infanta", tz="Europe/Madrid"))
    assert article.published_at == datetime(2014, 1, 7, 23, 0, tzinfo=UTC)


def test_a_date_line_the_body_opens_with_is_the_date_not_a_paragraph():
    body = (f"<h1>Protesters gather</h1><div class='entry-content'><p>January 18, 2020</p>"
            f"{paragraphs_html()}</div>")
    p = page(body, url="https://news.example.com/protesters-gather/", tz="America/Los_Angeles")
    assert p.paragraphs == PARAGRAPHS
    article = stored(p)
    assert article.date_source == "text"
    assert article.published_at == datetime(2020, 1, 18, 8, 0, tzinfo=UTC)  # local midnight


def test_a_json_ld_date_that_is_local_time_labelled_utc_gives_way_to_the_meta_with_its_offset():
    def published(jsonld_date: str) -> tuple[datetime | None, str]:
        head = ('<meta property="article:published_time" content="2020-08-13T09:08:08+02:00">'
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
                f'"{jsonld_date}"}}</script>')
        article = stored(page(ARTICLE, head=head, url="https://news.example.net/233165"))
        return article.published_at, article.date_source

    # the same wall clock as the meta's, a Z on local time: the meta's instant
    assert published("2020-08-13T09:09:17Z") == (datetime(2020, 8, 13, 7, 8, 8, tzinfo=UTC),
                                                 "meta")
    # the meta's instant written in UTC: JSON-LD stays the first source
    assert published("2020-08-13T07:08:08Z") == (datetime(2020, 8, 13, 7, 8, 8, tzinfo=UTC),
                                                 "jsonld")


def test_an_h2_carrying_the_stated_headline_is_the_headline_when_no_h1_does():
    head = "<meta property='og:title' content='Australian megablaze brought under control'>"
    body = ("<h1 class='logo'>Up Media</h1><div class='teasers'><h2>Most read</h2></div>"
            "<div class='story-top'><h2>Australian megablaze brought under control</h2>"
            "<p>News24<br>13 Jan 2020, 22:11 GMT+10</p></div>"
            f"<div class='story'>{paragraphs_html()}</div>")
    p = page(body, head=head, url="https://news.example.com/news/263700449/megablaze")
    assert p.headline_element is not None and p.headline_element.tag == "h2"
    article = stored(p)
    assert article.published_at == datetime(2020, 1, 13, 12, 11, tzinfo=UTC)  # printed under it


def test_blocks_named_like_the_block_holding_the_headline_are_the_articles_not_furniture():
    """'banner-section' holds the headline and 'banner-text' the body: the class word names
    the article's area; a 'banner' elsewhere on the page is still an ad."""
    body = ("<div class='banner-section'><h1>Australian megablaze brought under control</h1>"
            f"<div class='banner-text'><div>{paragraphs_html()}</div></div></div>"
            "<div class='banner'><p>Publish news of your business, community or sports group "
            "by submitting a news release to us today, free of charge.</p></div>")
    head = "<meta property='og:title' content='Australian megablaze brought under control'>"
    assert page(body, head=head).paragraphs == PARAGRAPHS


def test_a_bullet_summary_above_the_first_paragraph_is_no_paragraph():
    highlights = ("<ul><li>Rivals fear the new timetable will cost them passengers.</li>"
                  "<li>Passengers would not gain either, they say.</li></ul>")
    body = f"<h1>Flixbus attacks</h1><div class='story'>{highlights}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    items = "".join(f"<li>{p}</li>" for p in PARAGRAPHS)  # a body written as a list stays
    listed = page(f"<h1>Flixbus attacks</h1><div class='story'><ul>{items}</ul></div>")
    assert [p.removeprefix("- ") for p in listed.paragraphs] == PARAGRAPHS


def test_a_lead_pictures_caption_before_the_body_is_no_standfirst():
    picture = ("<section class='top'><figure><img src='/a.jpg'><figcaption><p>Competition on "
               "the rails too: Flixtrain bets on travellers the railway is too dear for.</p>"
               "<span>(Photo: dpa)</span></figcaption></figure></section>")
    body = f"<h1>Flixbus attacks</h1>{picture}<div class='story'>{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_div_holding_a_picture_and_its_caption_is_no_paragraph():
    caption = ("<div style='float: left; width: 100%'><img src='/macron.jpg' alt='Macron'><br />"
               "FILE PHOTO: French President Emmanuel Macron delivers his new year wishes to the "
               "military during a ceremony near Orleans, France, January 16, 2020. Julien De "
               "Rosa/Pool via REUTERS</div>")
    body = f"<h1>Protesters</h1><div class='entry-content'>{caption}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    text = f"<div><b>{PARAGRAPHS[0]}</b><br><img src='/a.jpg'></div>"  # text first: a paragraph
    body = f"<h1>Protesters</h1><div class='entry-content'>{text}{paragraphs_html()}</div>"
    assert page(body).paragraphs[0] == PARAGRAPHS[0]


def test_a_class_naming_a_caption_by_its_short_name_cap_is_a_caption():
    photo = ("<div class='img-bx'><img src='/a.jpg'><div class='cap'>"
             "<p class='cap-txt'>写真集未収録の“すっぴんショット”</p></div></div>")
    body = f"<h1>عنوان</h1><div class='news-body'>{photo}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    drop = (f"<p class='has-drop-cap'><span class='drop-cap'>{PARAGRAPHS[0][0]}</span>"
            f"{PARAGRAPHS[0][1:]}</p>")  # a drop cap styles the text's first letter: kept
    body = f"<h1>عنوان</h1><div class='news-body'>{drop}{paragraphs_html(PARAGRAPHS[1:])}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    capital = "<div class='capital-news'>" + paragraphs_html() + "</div>"  # no "cap" word
    assert page(f"<h1>عنوان</h1>{capital}").paragraphs == PARAGRAPHS


def test_a_call_out_for_readers_pictures_is_no_paragraph():
    call = ("<p>Are you in the grips of the wintry storm? Please share your videos, pictures "
            "and stories at iReport.</p>")
    body = f"<h1>After the storm</h1><div class='story'>{call}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_the_deck_in_a_marked_wrapper_of_the_headlines_block_is_the_standfirst():
    deck = "The Amazon has been burning for weeks amid increasing deforestation"
    heading = ("<div class='heading'><h1>The Amazon is on fire</h1><div class='heading__header-"
               f"dek-wrapper'><h2>{deck}</h2><div class='by'>by Madeleine Gregory</div></div>"
               "</div>")
    body = f"{heading}<div class='share'>Share</div><div class='story'>{paragraphs_html()}</div>"
    assert page(body).paragraphs == [deck, *PARAGRAPHS]
    elsewhere = f"<div class='teaser-header'><p>{deck}.</p></div>"  # not beside the headline
    body = (f"<div><h1>The Amazon is on fire</h1></div><div class='share'>Share</div>"
            f"{elsewhere}<div class='share'>Share</div><div class='story'>{paragraphs_html()}"
            "</div>")
    assert page(body).paragraphs == PARAGRAPHS


def test_a_body_cut_into_wrapped_chunks_between_photos_is_read_whole():
    def chunk(texts: list[str]) -> str:
        return "<div class='paragraph'><div>" + paragraphs_html(texts) + "</div></div>"

    photo = ("<div class='ngart-img'><div class='ngart-img__copy'>A lizard on the rocks.</div>"
             "<div class='ngart-img__author'>Photograph by Ed Marshall</div></div>")
    first, middle, last = [PARAGRAPHS[0]], [p * 2 for p in PARAGRAPHS], [PARAGRAPHS[2]]
    body = (f"<h1>Wild goats</h1><div class='main-col'>{chunk(first)}{photo}{chunk(middle)}"
            f"{photo}{chunk(last)}</div><div class='more'><p>{PARAGRAPHS[1]}</p></div>")
    assert page(body).paragraphs == [*first, *middle, *last]


def test_chart_credits_and_a_science_storys_reference_lines_are_no_paragraphs():
    refs = ("<p>(Credit: Clayton Aldern / Grist)</p><p>More information: M. Niekus et al. A "
            "tar-backed tool from the North Sea, PNAS (2019). DOI: 10.1073/pnas.1907828116</p>"
            "<p>Journal information: Proceedings of the National Academy of Sciences</p>")
    body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}{refs}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_printed_time_well_before_the_machine_date_is_the_publication():
    headline = "Frank Witzel erhält Deutschen Buchpreis 2015"

    def published(printed: str) -> datetime:
        body = (f"<aside class='pa'><section><h1>{headline}</h1><div class='ar-date'>{printed}"
                f"</div><div class='text'>{paragraphs_html()}</div></section></aside>")
        head = (f"<title>{headline}</title>"
                "<meta itemprop='dateCreated' content='2019-05-07T17:00:52+02:00'>")
        return stored(page(body, head=head, tz="Europe/Berlin")).published_at

    # a CMS import years later (the article laid out in an <aside>, which holds the headline)
    assert published("12.10.2015, 19:16 Uhr") == datetime(2015, 10, 12, 17, 16, tzinfo=UTC)
    # hours apart, the two may be one instant in two zones: the machine date stays
    assert published("07.05.2019, 08:00 Uhr") == datetime(2019, 5, 7, 15, 0, 52, tzinfo=UTC)
    # a date printed beside a link to another article is that article's
    teaser = "<a href='/x'>Britische Regierung bestätigt Teilnahme an Wahl</a> 12.10.2015, 19:16"
    assert published(teaser) == datetime(2019, 5, 7, 15, 0, 52, tzinfo=UTC)


def test_a_box_shown_on_small_screens_only_is_no_body_text():
    box = ("<div class='collapse-box a-u-hide-from-desktop'><p>Dieser Beitrag stammt aus Ausgabe "
           "7/2019 der Technology Review. Das Heft ist ab 20.06.2019 im Handel erhältlich.</p>"
           "</div>")
    body = f"<h1>عنوان</h1><div class='story'>{box}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_naive_printed_time_is_compared_in_the_zone_the_machine_date_declares():
    headline = "共绘美美与共的人类文明画卷"
    html = (f"<html><head><meta charset='utf-8'><title>{headline}</title><meta "
            "property='article:published_time' content='2019-03-28T08:58:14+08:00'></head><body>"
            f"<h1>{headline}</h1><div class='date-source'><span>2019年03月27日 17:39</span></div>"
            f"<div class='article'>{paragraphs_html()}</div></body></html>")
    got = extract_article(html.encode(), url="https://news.example.cn/2019-03-28/doc-1.shtml")
    # 17:39 Beijing time, 15 hours before the republication's stamp (read as UTC, only 7)
    assert got.published_at == datetime(2019, 3, 27, 9, 39, tzinfo=UTC)


def test_an_app_promo_a_contributors_line_and_a_dialog_after_the_text_are_no_body():
    closing = ("<p>_____</p><p>David McHugh in Frankfurt and Elaine Ganley in Paris "
               "contributed.</p><p class='x1'>不用抽 不用搶 現在用APP看新聞 保證天天中獎 "
               "點我下載APP 按我看活動辦法</p>")
    dialog = ("<div id='dialog-message' class='slideUp hide'><div class='dialog-content'><p>Choose"
              " the plan that's right for you. Digital access or digital and print delivery.</p>"
              "</div></div>")
    body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}{closing}</div>{dialog}"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_data_table_in_the_text_is_no_paragraphs():
    rows = "".join(f"<tr><td>2020-09-0{i}</td><td>$250</td><td>John Roe {i} Jr.</td></tr>"
                   for i in range(1, 6))
    table = ("<table><thead><tr><th>Date</th><th>Amount</th><th>Name</th></tr></thead>"
             f"{rows}</table>")
    body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()[:-4]}{table}</p></div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_paragraph_holding_a_picture_and_its_caption_is_no_paragraph():
    caption = ("<p><span class='x'><span><img src='/a.jpg'></span><span>財政部今天下午將公佈"
               "今年1-2月期統一發票中獎清冊，本期千萬中獎張數為18張。（資料照）</span></span></p>")
    body = f"<h1>عنوان</h1><div class='story'>{caption}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    inline = f"<p><img src='/a.jpg'><br>{PARAGRAPHS[0]}</p>"  # a paragraph's own picture
    body = f"<h1>عنوان</h1><div class='story'>{inline}{paragraphs_html(PARAGRAPHS[1:])}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_json_ld_block_with_a_closing_brace_too_many_keeps_its_date():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
            '"2020-10-26T18:10:00+01:00", "author": {"name": "Avaz"}}}</script>')
    article = stored(page(ARTICLE, head=head, url="https://news.example.net/604722"))
    assert (article.published_at, article.date_source) == (
        datetime(2020, 10, 26, 17, 10, tzinfo=UTC), "jsonld")


def test_a_standfirst_marked_in_south_slavic_above_the_author_box_is_the_lead():
    dek = "Dragi prijatelji, želim da vas obavijestim da sam i ja zakačio koronavirus, napisao je"
    body = (f"<div class='article-wrapper'><h1 class='title'>Direktor pozitivan</h1><p class="
            f"'podtitle'>{dek}</p><div class='author-box'><span>Piše: P. M.</span></div></div>"
            f"<div class='story'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [dek, *PARAGRAPHS]


def test_a_sign_off_glued_to_the_last_paragraph_leaves_the_paragraph():
    last = "박시영은 변상권을 2루수 땅볼로 유도해 4-6-3 병살타로 처리했다."
    body = (f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}<div class='par'>{last}"
            "부산=선수민 기자 sunsoo@example.com</div></div>")
    assert page(body).paragraphs == [*PARAGRAPHS, last]


def test_a_see_also_boxs_label_in_more_languages_is_no_paragraph():
    for label in ("Mira también", "Veja também", "Voir aussi", "Siehe auch", "Vedi anche"):
        box = (f"<article><div><span class='t'>{label}</span><header><a href='/x'>Otra noticia "
               "sobre el mismo asunto</a></header></div></article>")
        body = (f"<h1>عنوان</h1><div class='story'><p>{PARAGRAPHS[0]}</p>{box}"
                f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
        assert page(body).paragraphs == PARAGRAPHS, label


def test_a_naive_json_ld_time_on_a_ukrainian_domain_is_read_on_kyiv_time():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
            '"2020-12-03T18:47"}</script>')
    html = (f"<html lang='ru'><head><meta charset='utf-8'>{head}</head><body>{ARTICLE}"
            "</body></html>").encode()
    article = extract_article(html, url="https://news.example.com.ua/ru/news/1906059")
    assert article.published_at == datetime(2020, 12, 3, 16, 47, tzinfo=UTC)


def test_a_day_only_json_ld_date_gives_way_to_the_time_in_the_articles_own_header_block():
    title = "Shënohen 1 mijë viktima në Francë"
    head = (f"<title>{title}</title><script type='application/ld+json'>{{\"@type\": "
            "\"BlogPosting\", \"datePublished\": \"2020-04-15\"}</script>")
    body = (f"<article class='post'><div class='post-header post-tp-1-header'><h1>{title}</h1>"
            "<div class='post-meta'><time datetime='2020-04-15T20:41:13+02:00'>On Apr 15, 2020"
            f"</time></div></div><div class='entry-content'>{paragraphs_html()}</div></article>")
    article = stored(page(body, head=head, url="https://news.example.net/628086"))
    assert article.published_at == datetime(2020, 4, 15, 18, 41, 13, tzinfo=UTC)
    site = body.replace("<article class='post'>", "<div class='page'>").replace(
        "</article>", "</div>")  # the same block outside an <article>: still a site header
    assert stored(page(site, head=head, url="https://news.example.net/628086")
                  ).published_at.hour != 18


def test_an_appeal_beside_a_donation_or_sign_up_form_is_no_paragraph():
    appeal = ("<div class='td-a-rec'><strong>If our services have assisted you, our work would "
              "be much more secure with your help - </strong><strong>For as little as £5, you "
              "can support us.</strong><form action='/donate' method='post'><input type='hidden'"
              " name='cmd' value='x'><input type='image' src='/donate.gif'></form></div>")
    body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}{appeal}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    wrapped = (f"<h1>عنوان</h1><div class='story'><div><form id='aspnetForm'><input type='hidden'"
               f" name='v'>{paragraphs_html()}</form></div></div>")  # a page-wide form
    assert page(wrapped).paragraphs == PARAGRAPHS


def test_a_closing_pointer_ending_in_a_link_is_no_paragraph():
    pointer = ("<p>For more statistics on the number of global coronavirus cases, you may visit"
               " this&nbsp;<a href='https://example.org/stats'>link</a></p>")
    body = f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}{pointer}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    inside = f"<p>{PARAGRAPHS[0]}</p>{pointer}{paragraphs_html(PARAGRAPHS[1:])}"  # not closing
    assert len(page(f"<h1>عنوان</h1><div class='story'>{inside}</div>").paragraphs) == 4


def test_a_marked_standfirst_block_without_a_full_stop_is_the_lead():
    lead = "В церемонии открытия примут участие вице-премьер и министр транспорта"
    body = (f"<div class='news-header'><h1>Движение открывается</h1><div class='news-header__lead'>"
            f"{lead}</div></div><div class='story'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [lead, *PARAGRAPHS]
    quoted = (f"<h1>Adoptan medidas</h1><div id='sumario'><blockquote> {lead} </blockquote></div>"
              f"<div class='story'>{paragraphs_html()}</div>")
    assert page(quoted).paragraphs == [lead, *PARAGRAPHS]
    unmarked = body.replace("news-header__lead", "news-header__note")  # an unmarked block
    assert page(unmarked).paragraphs == PARAGRAPHS


def test_a_dateline_alone_in_its_paragraph_is_no_paragraph():
    body = (f"<div class='story'><h1>Verkehrsunfallflucht</h1><p><i><a href='/r/x'>Bad Neuenahr"
            f"-Ahrweiler</a> (ots)</i></p>{paragraphs_html()}</div>")  # headline in the body
    assert page(body).paragraphs == PARAGRAPHS
    inline = (f"<h1>Verkehrsunfallflucht</h1><div class='story'><p>Rheine (ots) - {PARAGRAPHS[0]}"
              f"</p>{paragraphs_html(PARAGRAPHS[1:])}</div>")  # a dateline inside the text stays
    assert page(inline).paragraphs[0] == f"Rheine (ots) - {PARAGRAPHS[0]}"


def test_a_closing_contact_block_led_by_a_colon_line_is_no_paragraph():
    contact = ("<p>Rückfragen bitte an: </p><p>Polizei Steinfurt<br>Pressestelle<br>Telefon: "
               "02551 152200</p><p class='originator'>Original-Content von: Polizei Steinfurt, "
               "übermittelt durch news aktuell</p>")
    body = f"<h1>Verkehrsunfallflucht</h1><div class='story'>{paragraphs_html()}{contact}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    quoted = (f"<h1>عنوان</h1><div class='story'>{paragraphs_html()}<p>The minister said:</p>"
              "<p>We will not stop until the work is done.</p></div>")  # a sentence follows
    assert page(quoted).paragraphs[-1] == "We will not stop until the work is done."


def test_a_video_posts_text_in_a_block_naming_the_storys_media_content_is_the_body():
    body = (f"<div class='top-news'><h1>Зірвана операція</h1></div><div class='top-media-content"
            f" video-media'><div class='video_player'><img src='/v.jpg'></div><div class="
            f"'article_text'>{paragraphs_html()}</div></div>")
    blob = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"articleBody\":"
            " \"Text, read-also titles and photo credits run together\"}</script>")
    assert page(body, head=blob).paragraphs == PARAGRAPHS  # not the JSON-LD blob
    player = body.replace("top-media-content video-media", "video-media")  # a player's block
    assert page(player, head=blob).paragraphs != PARAGRAPHS


def test_a_byline_alone_in_a_paragraph_is_no_paragraph():
    byline = "<p><img src='/tiendas.jpg' alt=''>Por FIDEL RENDÓN MATIENZO</p>"
    body = f"<h1>Adoptan medidas</h1><div class='story'>{byline}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    written = "<p><em>Written by: <a href='/a'>Julie Mollins</a> </em></p>"
    body = f"<h1>Adoptan medidas</h1><div class='story'>{written}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    prose = "<p>Por Cuba Y Venezuela Pasan Los Vientos del Norte esta semana, dijo.</p>"  # a phrase
    body = f"<h1>Adoptan medidas</h1><div class='story'>{prose}{paragraphs_html()}</div>"
    assert len(page(body).paragraphs) == 4


def test_a_lead_before_the_body_reads_its_links_as_written():
    lead = ("L’un des écrivains sud-coréens les plus célèbres, <a href='/h'>Hwang Sok-yong</a>, "
            "est un homme heureux.")
    body = (f"<h1>Turpitude et architecture</h1><div class='chapo'><p>{lead}</p></div>"
            f"<div class='texte'>{paragraphs_html()}</div>")
    assert page(body).paragraphs[0] == ("L’un des écrivains sud-coréens les plus célèbres, "
                                        "Hwang Sok-yong, est un homme heureux.")


def test_a_time_opening_the_lead_is_its_stamp_not_its_text():
    lead = "Se realizarán de manera online desde el 3 al 5 de septiembre, desde Puerto Montt."
    body = (f"<div class='heading'><h1>Congresos y seminarios</h1><p class='desc'>"
            f"<time>16:45</time> {lead}</p></div><div class='texto'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [lead, *PARAGRAPHS]
    bare = body.replace("<time>16:45</time>", "16:45")  # a bare clock time alike
    assert page(bare).paragraphs == [lead, *PARAGRAPHS]
    score = body.replace("<time>16:45</time> Se", "3:1 se")  # a score reads as text
    assert page(score).paragraphs[0].startswith("3:1 se realizarán")


def test_a_paragraph_classed_as_the_description_under_the_headline_is_the_standfirst():
    deck = "A polícia informou que os autores dos disparos procuravam o cunhado da vítima"
    body = (f"<div class='container'><span class='date'>01 de Maio de 2020</span>"
            f"<h1>Tuca Almeida morre baleado</h1><p class='description'>{deck}</p></div>"
            "<div class='load-image'><img src='/a.png'></div><div class='author'>Por Redação"
            f"</div><div class='text'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [deck, *PARAGRAPHS]
    picture = body.replace("'description'", "'image-description'")  # a picture's: no lead
    assert page(picture).paragraphs == PARAGRAPHS


def test_a_kicker_under_the_headline_is_the_standfirst_a_kicker_above_it_is_not():
    kicker = ("Patna District Collector Kumar Ravi ordered a lockdown from July 10 to July 16 "
              "in the entire Patna district")
    body = (f"<div class='headline'><h1>Coronavirus in Bihar</h1></div><div class="
            f"'story_kicker'><h2><p>{kicker}</p></h2></div><div class='story-details'>PTI | "
            "July 9, 2020</div><div id='box'><img src='/a.jpg'></div><div id='main'><div "
            "class='story-left'><script>related()</script></div><div class='story-right' "
            f"itemprop='articleBody'>{paragraphs_html()}</div></div>")
    assert page(body).paragraphs == [kicker, *PARAGRAPHS]
    above = ("<div class='headline'><div class='kicker'><p>Coronavirus outbreak in the east"
             "</p></div><h1>Coronavirus in Bihar</h1></div><div class='story-details'>PTI</div>"
             f"<div class='story-right'>{paragraphs_html()}</div>")  # the label over it
    assert page(above).paragraphs == PARAGRAPHS


def test_every_deck_of_a_subtitle_block_beside_the_headline_is_the_standfirst():
    decks = ["Los recortes elevan la demora para operarse un 125% en año y medio",
             "El número de pacientes que aguardan más de 180 días crece un 178%"]
    block = "".join(f"<h2>{deck}</h2>" for deck in decks)
    body = (f"<div class='encabezado'><div class='hgroup'><h1>Las listas de espera</h1><div "
            f"id='subtitulo_noticia'>{block}</div></div></div><div class='firma'>Madrid</div>"
            f"<div id='cuerpo_noticia'>{paragraphs_html()}</div>")
    assert page(body).paragraphs == [*decks, *PARAGRAPHS]
    italian = body.replace("subtitulo_noticia", "sottotitolo")  # Italian 'subtitle' too
    assert page(italian).paragraphs == [*decks, *PARAGRAPHS]
    unmarked = body.replace("subtitulo_noticia", "enlaces")  # a block the page does not mark
    assert page(unmarked).paragraphs == PARAGRAPHS


def test_a_paragraph_that_is_only_a_camelcase_credit_span_is_a_credit():
    photo = ("<div id='lede370'><img src='/a.jpg'><p> <span class='photoCredit'>Courtesy G4"
             "</span></p></div>")
    body = (f"<h1>Olivia Munn</h1><div class='story'><p>{PARAGRAPHS[0]}</p>{photo}"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS
    styled = body.replace("photoCredit", "storyText")  # a style's name: the text stays
    assert "Courtesy G4" in page(styled).paragraphs
    inline = body.replace("<p> <span", "<p>Seen on G4, <span")  # a word inside a sentence
    assert "Seen on G4, Courtesy G4" in page(inline).paragraphs


def test_a_closing_credit_ends_the_body_and_the_box_after_it_is_no_text():
    credit = "<p>Con información de <strong>Paloma Marín</strong> y <strong>Elena G.</strong>.</p>"
    box = ("<div class='despiece'><h2>Un alto muro de opacidad</h2><p>¿Son un secreto de Estado"
           " las listas de espera? No deberían serlo, pero la realidad es otra.</p></div>")
    body = f"<h1>Las listas de espera</h1><div class='texto'>{paragraphs_html()}{credit}{box}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    opening = (f"<h1>Las listas de espera</h1><div class='texto'>{credit}{paragraphs_html()}"
               "</div>")  # before any text: dropped, the text kept
    assert page(opening).paragraphs == PARAGRAPHS


def test_a_short_box_floated_beside_the_text_is_no_paragraph():
    quote = ("<div id='sumario_1' class='izquierda'><p class='texto_grande'>El plazo de demora "
             "media para una intervención crece de 32 a 72 días</p></div>")
    body = (f"<h1>Las listas de espera</h1><div class='texto'><p>{PARAGRAPHS[0]}</p>{quote}"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS
    unfloated = body.replace("'izquierda'", "'destacado'")  # a box not floated: read as text
    assert len(page(unfloated).paragraphs) == 4
    bare = body.replace("<p class='texto_grande'>", "").replace("días</p>", "días")
    assert len(page(bare).paragraphs) == 4  # a floated line of text, no box: read as text
    long_box = body.replace("32 a 72 días", "32 a 72 días. " + PARAGRAPHS[0] * 3)
    assert len(page(long_box).paragraphs) == 4  # longer than a quote or a caption


def test_a_box_of_label_value_rows_in_the_body_is_a_profile_card_not_text():
    rows = "".join(f"<div class='left-align'><strong>{label}:</strong><br><span>{value}</span>"
                   "</div>" for label, value in [("Company", "FACEBOOK"), ("Website",
                   "http://facebook.com"), ("Launch Date", "1/2/2004"), ("Funding", "$2.34B")])
    card = (f"<hr><div class='module-profile'><h2>FACEBOOK</h2><div class='info'>{rows}</div>"
            "<div class='body-copy'><p>Facebook is the world’s largest social network, with "
            "over 500 million users.</p></div><a href='/c/facebook'>Learn more</a></div>")
    body = f"<h1>Zuckerberg in 2005</h1><div class='body-copy'>{paragraphs_html()}{card}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    questions = "".join(f"<p><strong>Q:</strong> {text}</p>" for text in PARAGRAPHS)
    interview = (f"<h1>Zuckerberg in 2005</h1><div class='post'><p>{PARAGRAPHS[0]}</p><div "
                 f"class='qa'>{questions}</div></div>")  # an interview's questions: text
    assert len(page(interview).paragraphs) == 4


def test_a_box_of_links_inside_the_body_is_dropped_with_its_heading():
    links = "".join(f"<a href='/n{i}'>Электронные карты сельхозугодий создают в области {i}</a>"
                    for i in range(3))
    box = f"<div class='frame'><div class='frame_title'> Хроника </div>{links}</div>"
    body = (f"<h1>Птицефабрика</h1><div class='news'><p>{PARAGRAPHS[0]}</p>{box}"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS
    ending = body.replace(" Хроника ", "Related articles")  # an end marker: the body ends
    assert page(ending).paragraphs == PARAGRAPHS[:1]
    sentence = ("<div>Звоните <a href='/a'>Ивану</a> или <a href='/b'>Марии</a> в офис "
                "с девяти утра до шести вечера.</div>")  # a sentence with links: text
    body = f"<h1>Птицефабрика</h1><div class='news'>{paragraphs_html()}{sentence}</div>"
    assert len(page(body).paragraphs) == 4


def test_russian_and_ukrainian_read_also_and_on_the_topic_labels_are_no_paragraphs():
    lines = ["<p>Читайте также: Как изменились цены на бензин в ноябре</p>",
             "<p>Новости по теме</p>", "<p>Читайте також: Де купити квитки на потяг</p>"]
    body = (f"<h1>Птицефабрика</h1><div class='news'><p>{PARAGRAPHS[0]}</p>{''.join(lines)}"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS
    said = ("<p>По теме птицефабрики выступил первый заместитель акима области, "
            "рассказав о сроках строительства.</p>")  # the words inside a sentence: text
    body = f"<h1>Птицефабрика</h1><div class='news'>{said}{paragraphs_html()}</div>"
    assert len(page(body).paragraphs) == 4


def test_a_camel_case_class_is_read_by_its_last_word():
    related = ("<article class='ArticleRelated'><div class='Tagline'>Mehr zum Thema</div><a "
               "href='/x'><h4>Warum Instagram-Posts nicht automatisch Werbung sind</h4></a><p>"
               "Jetzt wird deutlich, wie das Kammergericht die gleiche Sache bewertet.</p>"
               "</article>")
    body = (f"<h1>Vreni-Frost-Urteil</h1><div class='ArticleCopy'><p>{PARAGRAPHS[0]}</p>{related}"
            f"{paragraphs_html(PARAGRAPHS[1:])}</div>")
    assert page(body).paragraphs == PARAGRAPHS
    tagged = PARAGRAPHS[0].replace("الأربعاء", "<a class='textTag' href='/t'>الأربعاء</a>")
    helper = (f"<h1>Vreni-Frost-Urteil</h1><div class='idgGalleryWidthHelper'><p>{tagged}</p>"
              f"{paragraphs_html(PARAGRAPHS[1:])}</div>")  # "Gallery" only qualifies "Helper"
    assert page(helper).paragraphs == PARAGRAPHS


def test_a_social_posts_embed_is_no_body_text_and_its_time_is_not_the_date():
    embed = ("<blockquote class='instagram-media' data-instgrm-permalink='https://example.org/p/1'>"
             "<div><p><a href='https://example.org/p/1'>Ein Beitrag geteilt von Vreni Frost "
             "(@vrenifrost)</a> am <time datetime='2018-03-12T19:30:12+00:00'>Mär 12, 2018 um "
             "12:30 PDT</time></p></div></blockquote>")
    body = (f"<h1>Vreni-Frost-Urteil</h1><div class='meta'>Dienstag, 29. Januar 2019</div>"
            f"<div class='story'><p>{PARAGRAPHS[0]}</p>{embed}{paragraphs_html(PARAGRAPHS[1:])}"
            "</div>")
    article = stored(page(body, url="https://news.example.de/a-172529", tz="Europe/Berlin"))
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert article.published_at == datetime(2019, 1, 28, 23, 0, tzinfo=UTC)


def test_an_about_the_author_box_and_a_discuss_on_social_pointer_close_no_body():
    closing = ("<p>Diskutieren Sie mit dem Autor - auf <a href='https://example.org/t'>Twitter</a>"
               " oder auf <a href='https://example.org/i'>Instagram</a>!</p><div class='box'>"
               "<h6>Über den Autor</h6><div><p>Martin Gerecke ist Rechtsanwalt in Hamburg. Er "
               "berät Unternehmen und Einzelpersonen im Medienrecht.</p></div></div>")
    body = f"<h1>Vreni-Frost-Urteil</h1><div class='story'>{paragraphs_html()}{closing}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_labelled_caption_set_as_a_paragraph_is_no_paragraph():
    caption = ("<p style='font-size:11px'><em>Header Image: </em>People have lived in Ecuador’s "
               "Amazon forests for thousands of years, including those who made this petroglyph "
               "in Napo province. <em>Credit: Tomas Munita (<a href='/cc'>CC BY-NC-ND 2.0</a>)"
               "</em></p>")
    body = f"<h1>Intact forestlands</h1><div class='story'>{paragraphs_html()}{caption}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_caption_led_by_its_label_is_no_paragraph_a_label_inside_a_sentence_is():
    captions = ("<p align='center'><font face='楷体'>图注：奥尔德林的圣餐杯回到了地球上</font></p>"
                "<p>Caption: The museum's main hall after the attack, seen from the street.</p>")
    body = f"<h1>Space</h1><div class='story'>{paragraphs_html()}{captions}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    mention = "<p>The museum printed a caption: its director had left the building at noon.</p>"
    body = f"<h1>Space</h1><div class='story'>{paragraphs_html()}{mention}</div>"
    assert page(body).paragraphs[-1].startswith("The museum printed a caption:")


def test_a_reposts_original_title_after_the_text_is_a_credit_no_paragraph():
    credit = ("<p>原标题：他晚于阿姆斯特朗登月 却是首个敢在月球喝酒的人</p>"
              "<p><strong>作者︱春春</strong></p>")
    body = f"<h1>宇航员</h1><div class='story'>{paragraphs_html()}{credit}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    mention = "这篇报道发表时的原标题：一度被网站编辑删改，随后在读者的要求下又恢复了原样。"
    body = f"<h1>宇航员</h1><div class='story'>{paragraphs_html()}<p>{mention}</p></div>"
    assert page(body).paragraphs[-1] == mention


def test_a_note_on_the_pieces_versions_is_no_paragraph():
    note = ("<p>This is the extended version of an interview that was first published in German "
            "translation in the print edition of Die Weltwoche on January 24th .</p>")
    body = f"<h1>Steve Forbes</h1><div class='story'>{paragraphs_html()}{note}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_pointer_to_the_annex_is_no_paragraph():
    pointer = ("<div class='recense'><a href='#annexe'>Voir en annexe</a> : Place des français et "
               "des européens parmi les publiants des revues (tableau récapitulatif)</div>")
    body = f"<h1>L’évaluation</h1><div class='texte'>{pointer}{paragraphs_html()}</div>"
    assert page(body).paragraphs == PARAGRAPHS


def test_a_data_table_cut_into_one_table_per_row_is_no_paragraphs():
    head = ("<table><thead><tr><th>Domaine</th><th>Articles</th><th>Part</th></tr></thead>"
            "<tbody><tr><td>Revues Généralistes</td><td>316</td><td>2.9</td></tr></tbody></table>")
    rows = "".join(f"<table><tbody><tr><td>{label}</td><td>{n}</td><td>1.{n}</td></tr></tbody>"
                   "</table>" for n, label in enumerate(
                       ["Développement et transition", "Macro économie, Economie Inter."]))
    body = f"<h1>L’évaluation</h1><div class='texte'>{paragraphs_html()}{head}{rows}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    layout = f"<table><tr><td>{PARAGRAPHS[2]}</td></tr></table>"  # text laid out in cells
    body = f"<h1>L’évaluation</h1><div class='texte'>{head}{layout}{paragraphs_html()}</div>"
    assert page(body).paragraphs == [PARAGRAPHS[2], *PARAGRAPHS]


def test_a_block_marked_as_abstract_in_a_second_header_is_the_standfirst():
    abstract = "Die Digitalisierung vernichtet Arbeitsplätze, doch sie schafft auch neue Berufe."
    body = ("<article><header><div class='row'><h1>Sieben Berufe, die Zukunft haben</h1></div>"
            "</header><header class='row'><div class='author'>Olaf Kempin</div><div class="
            f"'abstract'>{abstract}</div></header><div class='story'>{paragraphs_html()}</div>"
            "</article>")
    assert page(body).paragraphs == [abstract, *PARAGRAPHS]
    chapo = body.replace("'abstract'", "'chapo'").replace("Arbeitsplätze", "<a>Arbeitsplätze</a>")
    assert page(chapo).paragraphs == [abstract, *PARAGRAPHS]


def test_a_lead_named_like_the_headlines_block_is_the_standfirst_whatever_its_other_words():
    """'PageArticle_commentHeader' holds an opinion column's headline: its sibling
    'PageArticle_commentLead' (named with the word of their shared block 'PageArticle') is the
    article's lead, though 'comment…' reads as furniture elsewhere."""
    lead = "Vor wenigen Tagen hat das Kammergericht begründet, warum es die Verfügung kassiert."
    body = ("<div class='PageArticle'><div class='PageArticle_commentHeader'><article class="
            "'ArticleHeaderComment'><div class='ArticleHeaderComment_subject'><h1>Was sich nach "
            "dem Urteil ändert</h1></div></article></div><div class='PageArticle_commentLead'>"
            f"<div class='PageArticle_commentLead-content'>{lead}</div></div><div class="
            f"'PageArticle_main'><div class='PageArticle_body'><div class='ArticleCopy'>"
            f"{paragraphs_html()}</div></div></div></div>")
    head = "<title>Was sich nach dem Urteil ändert</title>"
    assert page(body, head=head).paragraphs == [lead, *PARAGRAPHS]
    elsewhere = body.replace("PageArticle_commentLead", "Discussion_commentLead")
    assert page(elsewhere, head=head).paragraphs == PARAGRAPHS  # a comment block named otherwise


def test_a_date_line_in_the_share_bar_under_the_headline_is_the_articles_date():
    bar = ("<div class='social-share'><div class='pull-left'><h5 class='font-blue'>23.01.2019"
           "</h5><div>By Urs Gehriger and Florian Schwab</div></div><div class='pull-right'>"
           "<a href='https://twitter.com/share?url=x'>Twitter</a></div></div>")
    lead = "<p class='article-detail-lead'>Publishing magnate Steve Forbes tells the weekly.</p>"
    body = (f"<div class='detail-content'><h1>Steve Forbes: Trump is indeed a billionaire.</h1>"
            f"{lead}{bar}{paragraphs_html()}</div>")
    url = "https://news.example.ch/ausgaben/artikel/forbes.html"
    article = stored(page(body, url=url, tz="Europe/Zurich"))
    assert article.published_at == datetime(2019, 1, 22, 23, 0, tzinfo=UTC)
    below = (f"<div class='detail-content'><h1>Steve Forbes: Trump is indeed a billionaire.</h1>"
             f"{lead}{paragraphs_html()}{bar}</div>")  # a share bar under the text: no header
    assert stored(page(below, url=url, tz="Europe/Zurich")).published_at is None


def test_a_furniture_class_around_the_whole_text_does_not_hide_it():
    """'share-zone' wraps the intro and the text: with no body outside furniture, the one
    furniture block holding most of the page's prose is the article's."""
    intro = "Les citoyens sont de plus en plus invités à parler. Mais pour quel résultat ?"
    body = (f"<header><h1>Prendre la parole</h1></header><div class='share-zone'><div class="
            f"'intro'><p>{intro}</p></div><figure><img src='/a.jpg'><figcaption>Jean Jaurès à "
            f"l’Assemblée</figcaption></figure><div class='content-body'>{paragraphs_html()}</div>"
            "</div><div class='sidebar'><p>Les plus consultés de la semaine sur le site.</p></div>")
    assert page(body).paragraphs == [intro, *PARAGRAPHS]
    outside = body.replace("<div class='sidebar'>", f"<div class='story'>{paragraphs_html()}"
                           "</div><div class='sidebar'>")  # a body outside furniture
    assert "Mais pour quel résultat" not in " ".join(page(outside).paragraphs)


def test_a_closing_reading_list_under_a_read_also_label_is_no_body():
    reading = ("<p>A lire aussi :</p><p>Revue <em>Projet</em> : <a href='/p'>Savons-nous encore "
               "débattre ?</a> Tout le monde s’accorde sur l’importance de débattre.</p><p>Revue "
               "<em>Esprit</em> : <a href='/e'>Quand le langage travaille</a>.</p>")
    body = f"<h1>Prendre la parole</h1><div class='story'>{paragraphs_html()}{reading}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    box = ("<p>Mira también</p><p><a href='/x'>La Policía reprime las protestas en Minsk</a></p>"
           "<p>El presidente habló de nuevo con Moscú el domingo por la tarde, dijo.</p>")
    body = f"<h1>Prendre la parole</h1><div class='story'>{paragraphs_html()}{box}</div>"
    assert page(body).paragraphs[-1].startswith("El presidente habló")  # text goes on after it


def test_a_page_printing_several_whole_articles_gives_the_one_its_title_names():
    other = [p + " Weitere Recherche." for p in PARAGRAPHS * 2]
    stories = (f"<article><header><h2>Wir haben bereits die Zusage</h2></header><div class="
               f"'detail__content'>{paragraphs_html()}</div></article><article><header><h2>Die "
               f"AfD und der Kurier</h2></header><div class='detail__content'>"
               f"{paragraphs_html(other)}</div></article>")
    head = "<title>Wir haben bereits die Zusage</title>"
    body = f"<h1>Aktuelle Artikel</h1><div class='list'>{stories}</div>"
    assert page(body, head=head).paragraphs == PARAGRAPHS


def test_an_author_box_with_the_name_as_heading_and_the_bio_going_on_from_it_is_no_body():
    box = ("<blockquote><p>Damit das Urteil nicht in Theorie steckenbleibt, müssen die Nutzer "
           "ihre Rechte wahrnehmen.</p><p><span><div class='highlight'><div class='header'>AUTOR"
           "</div><h3>Dr. Thomas Schulte</h3><p>ist Gründungspartner der Kanzlei Dr. Schulte und"
           " Partner in Berlin.</p></div></span></p></blockquote>")
    body = f"<h1>Recht auf Vergessen</h1><div class='story'>{paragraphs_html()}{box}</div>"
    got = page(body).paragraphs
    assert got[-1].startswith("Damit das Urteil") and len(got) == 4
    subhead = (f"<h1>Recht auf Vergessen</h1><div class='story'>{paragraphs_html()}<h3>Angela "
               "Merkel</h3><p>Die Kanzlerin sagte am Montag, sie werde nicht mehr antreten.</p>"
               "</div>")  # a name as a subheading, then a sentence of its own
    assert page(subhead).paragraphs[-1].startswith("Die Kanzlerin")


def test_an_interviews_bold_question_and_its_answer_in_one_p_are_one_paragraph():
    qa = ("<p><strong>Was kostet den Konsumenten Ihre Dienstleistung?<br></strong>Wir prüfen "
          "gerade verschiedene Preispunkte und Modelle.</p>")
    body = f"<h1>Freenet</h1><div class='story'>{paragraphs_html()}{qa}</div>"
    assert page(body).paragraphs[-1] == ("Was kostet den Konsumenten Ihre Dienstleistung? Wir "
                                         "prüfen gerade verschiedene Preispunkte und Modelle.")
    lines = ("<p>Der Rat tagte am Montag.<br>Er beschloss den Haushalt für das Jahr 2025.</p>")
    body = f"<h1>Freenet</h1><div class='story'>{paragraphs_html()}{lines}</div>"
    assert page(body).paragraphs[-2:] == ["Der Rat tagte am Montag.",
                                          "Er beschloss den Haushalt für das Jahr 2025."]


def test_a_donation_appeal_closed_by_its_call_is_no_paragraph():
    appeal = ("<div class='disturber'><h2>CORRECTIV ist spendenfinanziert!</h2><p>CORRECTIV ist "
              "das erste gemeinnützige Recherchezentrum im deutschsprachigen Raum. Unser Ziel ist "
              "eine aufgeklärte Gesellschaft. <a href='/unterstuetzen'>Jetzt unterstützen!</a>"
              "</p></div>")
    body = f"<h1>Die Zusage</h1><div class='story'>{paragraphs_html()}{appeal}</div>"
    assert page(body).paragraphs == PARAGRAPHS
    asked = "<p>Die Stiftung bat die Bürger, für die Opfer des Hochwassers zu spenden.</p>"
    body = f"<h1>Die Zusage</h1><div class='story'>{paragraphs_html()}{asked}</div>"
    assert len(page(body).paragraphs) == 4  # a sentence about giving, no call
