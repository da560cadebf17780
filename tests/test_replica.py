"""The replica site: corpus loading, the Arabs Today look-alike pages, routing, faults, CLI.

Real HTTP against a server on a free port, with a small corpus written to a temporary folder.
The outlets are built here from the Arabs Today family (same domain and section ids as
almaghribtoday), so these tests do not depend on spider modules; the registry and the shipped
corpus have their own tests, skipped while those cannot be loaded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.robotparser import RobotFileParser

import pytest
from parsel import Selector

from crawler.replica import (
    CorpusError,
    Faults,
    ReplicaServer,
    articles_from_records,
    default_corpus_path,
    load_corpus,
)
from crawler.replica.sites import arabstoday
from crawler.replica.sites.base import slugify
from spiders.arabstoday_family import arabstoday_outlet, section

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "https://www.almaghribtoday.net"
SECURITY_LISTING = "/36-في-الأخبار-أيضا"
START = datetime(2024, 11, 1, 8, 0, 5, tzinfo=UTC)
N_SECURITY = 23  # 3 listing pages: 10, 10, 3

ALMAGHRIB = arabstoday_outlet(
    key="almaghribtoday",
    title="المغرب اليوم",
    domain="almaghribtoday.net",
    sections={
        "security": section("أمن وحوادث", "36", "في-الأخبار-أيضا"),
        "politics": section("السياسة", "451", "أخبار-السياسة-والسياسيين"),
        "economy": section("الاقتصاد", "504", "أخبار-الاقتصاد"),
    },
)
CASABLANCA = arabstoday_outlet(
    key="casablancatoday",
    title="الدار البيضاء اليوم",
    domain="casablancatoday.com",
    sections={"security": section("حوادث", "12", "حوادث")},
)
OUTLETS = {o.key: o for o in (ALMAGHRIB, CASABLANCA)}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def security_record(i: int) -> dict:
    return {
        "outlet": "almaghribtoday",
        "section": "security",
        "title": f"توقيف المشتبه فيه رقم {i} بتهمة السرقة في الدار البيضاء",
        "body": (
            f"أوقفت عناصر الشرطة القضائية المشتبه فيه رقم {i} صباح اليوم بحي سيدي مومن.\n\n"
            f"وجرى وضع الموقوف رقم {i} تحت تدبير الحراسة النظرية رهن إشارة البحث.\n\n"
            f"وتتواصل الأبحاث في القضية رقم {i} لتوقيف باقي المتورطين المحتملين."
        ),
        "published": iso(START + timedelta(hours=i)),
    }


def corpus_records() -> list[dict]:
    records = [security_record(i) for i in range(N_SECURITY)]
    records[0] |= {
        "authors": ["كريم أوعلي", "سناء بنعلي"],
        "dateline": "الدار البيضاء - كريم أوعلي",
        "updated": "2024-11-01T12:00:00+01:00",
    }
    records[1]["duplicate_paths"] = ["/36/999999-نسخة-مكررة-من-الخبر"]
    records[3]["url_path"] = "/36/235959-مسار-محدد-سلفا"
    records[4]["summary"] = "ملخص كتبه المحرر"
    politics = {
        "outlet": "almaghribtoday",
        "section": "politics",
        "title": "البرلمان يصادق على قانون المالية!",
        "body": "صادق مجلس النواب على مشروع قانون المالية.\n\nوصوت لصالحه 160 نائبا.",
        "published": "2024-11-02T10:00:00Z",
    }
    economy = [
        {
            "outlet": "almaghribtoday",
            "section": "economy",
            "title": f"ارتفاع صادرات الفوسفاط في الشهر {m}",
            "body": f"ارتفعت صادرات الفوسفاط خلال الشهر {m} بنسبة ملحوظة.",
            "published": f"2024-{m:02d}-15T09:30:00Z",
        }
        for m in (9, 10)
    ]
    casablanca = [
        {
            "outlet": "casablancatoday",
            "section": "security",
            "title": f"حادثة سير بشارع الزرقطوني رقم {i}",
            "body": f"وقعت حادثة سير رقم {i} بشارع الزرقطوني.",
            "published": f"2024-11-0{i}T07:00:00Z",
        }
        for i in (1, 2)
    ]
    # the politics record twice: same title, same second -> the second path gets "-2"
    return records + [politics, dict(politics)] + economy + casablanca


def write_corpus(path: Path, records: list[dict], header: str = "") -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    header = "# replica test corpus\n\n"
    return load_corpus(
        write_corpus(folder / "corpus.jsonl", corpus_records(), header), outlets=OUTLETS
    )


@pytest.fixture(scope="module")
def server(articles):
    with ReplicaServer(articles, outlets=OUTLETS) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(request):
    """Every test starts with no faults and an empty request log."""
    if "server" in request.fixturenames:
        replica = request.getfixturevalue("server")
        replica.faults = Faults()
        replica.request_log.clear()
    yield


def fetch(server_or_url, path: str, *, headers=None, method="GET", data=None):
    """(status, headers, body bytes); error statuses are returned, not raised."""
    base = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    url = base + quote(path, safe="/?=&%_-")
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def page(server, path: str, **kwargs) -> tuple[int, Selector]:
    status, _, body = fetch(server, path, **kwargs)
    return status, Selector(text=body.decode("utf-8"))


def by_title(articles, fragment: str):
    return next(a for a in articles if a.title == fragment)


def security(articles, i: int):
    return by_title(articles, security_record(i)["title"])


# --- corpus ---


def test_corpus_loads_with_paths_of_the_site(articles):
    assert len(articles) == N_SECURITY + 2 + 2 + 2
    first = security(articles, 0)
    assert first.published == START and first.published.tzinfo is not None
    assert first.path == "/36/080005-توقيف-المشتبه-فيه-رقم-0-بتهمة-السرقة-في-الدار-البيضاء"
    assert first.authors == ("كريم أوعلي", "سناء بنعلي")
    assert first.updated == datetime(2024, 11, 1, 11, 0, tzinfo=UTC)  # +01:00 made UTC
    assert security(articles, 3).path == "/36/235959-مسار-محدد-سلفا"  # url_path kept
    assert security(articles, 1).duplicate_paths == ("/36/999999-نسخة-مكررة-من-الخبر",)
    assert security(articles, 4).teaser == "ملخص كتبه المحرر"
    assert security(articles, 5).teaser.startswith("أوقفت عناصر الشرطة القضائية")
    politics = [a.path for a in articles if a.section == "politics"]
    assert politics == [
        "/451/100000-البرلمان-يصادق-على-قانون-المالية",
        "/451/100000-البرلمان-يصادق-على-قانون-المالية-2",
    ]
    for article in articles:
        assert ALMAGHRIB.article_regex.match(article.path), article.path


def test_slug_keeps_arabic_drops_punctuation_and_stops_at_ten_words():
    assert slugify("«عاجل»: توقيف 3 أشخاص، بطنجة؟!") == "عاجل-توقيف-3-أشخاص-بطنجة"
    assert slugify("أ ب ت ث ج ح خ د ذ ر ز س") == "أ-ب-ت-ث-ج-ح-خ-د-ذ-ر"
    assert slugify("يؤكِّد نزاهة") == "يؤكِّد-نزاهة"  # diacritics are kept, as on the site
    assert slugify("!!!") == "article"


def test_records_can_be_loaded_without_a_file():
    loaded = articles_from_records([security_record(1)], outlets=OUTLETS)
    assert loaded[0].path.startswith("/36/090005-")


GOOD = json.dumps(security_record(0), ensure_ascii=False)


def _with(**changes) -> str:
    record = security_record(0) | changes
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"outlet": "almaghribtoday", ', "bad JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_with(title=None), "missing field 'title'"),
        (_with(title=""), "'title' must be a non-empty string"),
        (_with(body=3), "'body' must be a non-empty string, got a number"),
        (_with(outlet="hespress"), "unknown outlet 'hespress'"),
        (_with(section="sports"), "unknown section 'sports' for outlet 'almaghribtoday'"),
        (_with(published="le 3 mai"), "'published' is not an ISO-8601 date-time"),
        (_with(published="2024-11-01T08:00:00"), "'published' has no UTC offset"),
        (_with(updated="tomorrow"), "'updated' is not an ISO-8601 date-time"),
        (_with(authors="كريم"), "'authors' must be a list of non-empty strings"),
        (_with(url_path="36/x"), "'url_path' must be a path starting with '/'"),
    ],
)
def test_corpus_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(f"# comment\n{GOOD}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(path, outlets=OUTLETS)
    text = str(caught.value)
    assert text.startswith(f"{path}:4: "), text
    assert message in text
    assert "\n" not in text


def test_explicit_paths_must_not_collide(tmp_path):
    first = _with(url_path="/36/120000-x")
    second = json.dumps(security_record(1) | {"duplicate_paths": ["/36/120000-x"]})
    path = write_corpus(tmp_path / "c.jsonl", [json.loads(first), json.loads(second)])
    with pytest.raises(
        CorpusError, match=r"c\.jsonl:2: path /36/120000-x is already used on line 1"
    ):
        load_corpus(path, outlets=OUTLETS)


def test_missing_corpus_file_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="cannot read the corpus"):
        load_corpus(tmp_path / "nope.jsonl", outlets=OUTLETS)


def _registry():
    from crawler.replica import sites

    try:
        return sites.outlets()
    except ImportError as exc:  # a spider module being rewritten right now
        pytest.skip(f"outlet registry does not import: {exc}")


def test_registry_names_almaghribtoday_with_its_template():
    registry = _registry()
    assert registry["almaghribtoday"].template == "arabstoday"
    assert registry["almaghribtoday"].domains == ("almaghribtoday.net",)


def test_default_corpus_loads():
    path = default_corpus_path()
    assert path == ROOT / "crawler" / "replica" / "data" / "default.jsonl"
    if not path.exists():
        pytest.skip("default corpus not written yet")
    _registry()
    loaded = load_corpus(path)
    ours = [a for a in loaded if a.outlet == "almaghribtoday"]
    assert len(ours) >= 60
    assert len({a.section for a in ours}) >= 4


# --- pages ---


def test_article_page_markup(server, articles):
    article = security(articles, 0)
    status, headers, body = fetch(server, article.path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    sel = Selector(text=body.decode())
    assert sel.css("html::attr(dir)").get() == "rtl" and sel.css("html::attr(lang)").get() == "ar"
    assert sel.css("title::text").get() == f"المغرب اليوم - {article.title}"
    assert sel.css("h1").getall() == [f'<h1 class="newstitle">{article.title}</h1>']
    # the body: the first #balmon, paragraphs first, then the related block and share buttons
    first_balmon = sel.css("#balmon")[0]
    texts = first_balmon.css("p").xpath("string()").getall()
    assert texts[:3] == article.paragraphs
    assert texts[3] == "قد يهمك أيضــــــــــــــا"
    related = first_balmon.css("p a::attr(href)").getall()
    assert 2 <= len(related) <= 3 and article.path not in related
    assert first_balmon.css("div.share").xpath("string()").re("شارك|تويتر|فيسبوك")
    # furniture around it
    assert sel.css(".readmoregmttimeband::text").re_first(r"^آخر تحديث GMT \d\d:\d\d:\d\d$")
    assert sel.css(".introtext::text").get() == article.paragraphs[0]
    assert sel.css(".cauthorboy h4.coring::text").get() == "الدار البيضاء - كريم أوعلي"
    assert sel.css(".cauthorboy h5::text").get() == "كريم أوعلي، سناء بنعلي"
    assert sel.css("div.caption")
    form = sel.css("#commentform").xpath("string()").get()
    for label in ("الإسم *", "البريد الألكتروني *", "عنوان التعليق *", "تعليق *", "Security Code*"):
        assert label in form
    assert "شروط النشر" in form
    most_read = sel.css("#balmon")[1]
    dates = most_read.css("span.coring::text").getall()
    assert dates and all(d.startswith("GMT ") for d in dates)
    assert arabstoday.gmt_list_date(article.published) not in dates  # other articles' dates
    text = sel.xpath("string(//body)").get()
    assert "Maintained and developed by Arabs Today Group SAL" in text
    assert "جميع الحقوق محفوظة لمجموعة العرب اليوم الاعلامية 2023 ©" in text
    assert "بيروت - لبنان" in text
    # every link is root-relative; only head links name the real site
    assert b"127.0.0.1" not in body
    assert all(h.startswith("/") for h in sel.css("a::attr(href)").getall())
    # head
    canonical = BASE_URL + article.path
    assert sel.css("link[rel=canonical]::attr(href)").get() == canonical
    assert sel.css("meta[property='og:url']::attr(content)").get() == canonical
    assert sel.css("link[rel=amphtml]::attr(href)").get() == BASE_URL + "/amp" + article.path
    assert (
        sel.css("meta[property='og:title']::attr(content)").get()
        == f"المغرب اليوم - {article.title}"
    )
    assert sel.css("meta[property='og:description']::attr(content)").get() == article.paragraphs[0]
    image = sel.css("meta[property='og:image']::attr(content)").get()
    assert image.startswith("https://img.almaghribtoday.net/2024/11/large/") and image.endswith(
        ".jpg"
    )
    meta = "meta[property='article:{}_time']::attr(content)"
    assert sel.css(meta.format("published")).get() == "2024-11-01T08:00:05Z"
    assert sel.css(meta.format("modified")).get() == "2024-11-01T11:00:00Z"
    ld = json.loads(sel.css("script[type='application/ld+json']::text").get())
    assert ld["@type"] == "NewsArticle" and ld["headline"] == article.title
    assert ld["datePublished"] == "2024-11-01T08:00:05Z"
    assert ld["dateModified"] == "2024-11-01T11:00:00Z"
    assert ld["author"] == [{"@type": "Person", "name": n} for n in article.authors]
    assert ld["mainEntityOfPage"]["@id"] == canonical


def test_json_ld_on_two_articles_of_three(server, articles):
    has_ld = []
    for i in range(6):
        _, sel = page(server, security(articles, i).path)
        has_ld.append(bool(sel.css("script[type='application/ld+json']")))
        assert sel.css("meta[property='article:published_time']")
    assert has_ld == [True, True, False, True, True, False]
    _, sel = page(server, security(articles, 1).path)
    assert not sel.css("meta[property='article:modified_time']")  # no `updated`


def test_default_dateline_and_url_path(server, articles):
    status, sel = page(server, security(articles, 3).path)
    assert status == 200
    assert sel.css(".cauthorboy h4.coring::text").get() == "الرباط - المغرب اليوم"
    assert not sel.css(".cauthorboy")[0].css("h5")  # no authors


def test_article_with_trailing_slash_is_served(server, articles):
    status, sel = page(server, security(articles, 5).path + "/")
    assert status == 200
    assert sel.css("link[rel=canonical]::attr(href)").get() == BASE_URL + security(articles, 5).path


def test_duplicate_path_serves_same_body_with_self_canonical(server, articles):
    article = security(articles, 1)
    duplicate = article.duplicate_paths[0]
    _, original = page(server, article.path)
    status, copy = page(server, duplicate)
    assert status == 200
    assert (
        copy.css("#balmon")[0].css("p").getall()[:3]
        == original.css("#balmon")[0].css("p").getall()[:3]
    )
    assert copy.css("link[rel=canonical]::attr(href)").get() == BASE_URL + duplicate
    assert copy.css("meta[property='og:url']::attr(content)").get() == BASE_URL + duplicate
    assert not copy.css("link[rel=amphtml]")


def test_amp_page(server, articles):
    article = security(articles, 2)  # an article whose canonical page has no JSON-LD
    status, _, body = fetch(server, article.amp_path)
    assert status == 200
    text = body.decode()
    assert '<html ⚡ lang="ar"' in text
    sel = Selector(text=text)
    assert sel.css("link[rel=canonical]::attr(href)").get() == BASE_URL + article.path
    assert (
        json.loads(sel.css("script[type='application/ld+json']::text").get())["headline"]
        == article.title
    )
    assert sel.css("h1::text").getall() == [article.title]
    assert sel.css("div.amp-article-body p::text").getall() == article.paragraphs
    assert not sel.css("form")
    # AMP exists for canonical paths only, not for duplicates
    assert fetch(server, "/amp" + security(articles, 1).duplicate_paths[0])[0] == 404


def test_listing_pages_and_pagination(server, articles):
    newest_first = sorted(
        (a for a in articles if a.path.startswith("/36/")), key=lambda a: a.published, reverse=True
    )
    status, first = page(server, SECURITY_LISTING)
    assert status == 200
    items = first.css("div.newslist")
    hrefs = items.css("h3 a::attr(href)").getall()
    # the newest security article is linked by its AMP URL (and only there)
    assert hrefs[0] == newest_first[0].amp_path
    assert hrefs[1:] == [a.path for a in newest_first[1:10]]
    assert items[0].css("span.coring::text").get() == arabstoday.gmt_list_date(
        newest_first[0].published
    )
    assert first.css("a[rel=next]::attr(href)").get() == f"{SECURITY_LISTING}?page=2"
    assert first.css("a[rel=next]::text").get() == "التالي"
    assert first.css("#sidebar a::attr(href)").re(r"^/(451|504)/")  # most read: other sections
    _, second = page(server, SECURITY_LISTING + "/?page=2")  # trailing slash too
    assert second.css("div.newslist h3 a::attr(href)").getall() == [
        a.path for a in newest_first[10:20]
    ]
    assert second.css("a[rel=next]::attr(href)").get() == f"{SECURITY_LISTING}?page=3"
    _, third = page(server, SECURITY_LISTING + "?page=3")
    # three articles, and the duplicate path of one of them listed next to its original
    original = security(articles, 1)
    assert third.css("div.newslist h3 a::attr(href)").getall() == [
        newest_first[20].path,
        original.path,
        original.duplicate_paths[0],
        newest_first[22].path,
    ]
    assert not third.css("a[rel=next]")
    assert third.css("a[rel=prev]::attr(href)").get() == f"{SECURITY_LISTING}?page=2"
    assert fetch(server, SECURITY_LISTING + "?page=4")[0] == 404
    assert fetch(server, SECURITY_LISTING + "?page=0")[0] == 404
    assert fetch(server, SECURITY_LISTING + "?page=x")[0] == 404


def test_home_page_has_menu_and_latest_twenty(server, articles):
    status, sel = page(server, "/")
    assert status == 200
    menu = sel.css("ul.sb-menu a::attr(href)").getall()
    for key, section_ in ALMAGHRIB.sections.items():
        assert section_.listings[0] in menu, key
    linked = set(sel.css("#newsmaincontainer a::attr(href)").getall())
    newest = sorted(
        (a for a in articles if a.outlet == "almaghribtoday"), key=lambda a: a.published
    )
    assert {a.path for a in newest[-20:]} == linked
    assert sel.css(".readmoregmttimeband")


def test_head_request_has_headers_only(server, articles):
    status, headers, body = fetch(server, security(articles, 0).path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_unknown_path_is_a_404_in_the_site_look(server):
    status, headers, body = fetch(server, "/36/000000-لا-يوجد")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    sel = Selector(text=body.decode())
    assert sel.css(".readmoregmttimeband") and sel.css("ul.sb-menu")


# --- feeds, robots ---


def _feed_items(server, path):
    status, headers, body = fetch(server, path)
    assert status == 200 and "xml" in headers["Content-Type"]
    channel = ET.fromstring(body).find("channel")
    return channel, channel.findall("item")


@pytest.mark.parametrize("path", ["/rss", "/home/rss.xml"])
def test_site_feed(server, articles, path):
    channel, items = _feed_items(server, path)
    assert channel.findtext("link") == BASE_URL + "/"
    ours = sorted((a for a in articles if a.outlet == "almaghribtoday"), key=lambda a: a.published)
    assert len(items) == min(30, len(ours))
    assert [i.findtext("link") for i in items] == [BASE_URL + a.path for a in ours[::-1][:30]]
    for item in items:
        assert item.findtext("guid") == item.findtext("link")
        assert item.findtext("title") and item.findtext("description") and item.findtext("category")
        published = item.findtext("pubDate")
        assert published.endswith(" GMT")
        assert parsedate_to_datetime(published).tzinfo is not None
    first = ours[-1]
    assert parsedate_to_datetime(items[0].findtext("pubDate")) == first.published


def test_section_feed(server, articles):
    channel, items = _feed_items(server, "/451-أخبار-السياسة-والسياسيين/rss.xml")
    assert channel.findtext("link") == BASE_URL + "/451-أخبار-السياسة-والسياسيين"
    assert len(items) == 2
    assert all(i.findtext("link").startswith(BASE_URL + "/451/") for i in items)
    assert {i.findtext("category") for i in items} == {"السياسة"}


def test_robots_txt_disallows_search_only(server, articles):
    status, headers, body = fetch(server, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert "Disallow: /search" in text
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in text
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    assert not robots.can_fetch("newscrawl", BASE_URL + "/search?q=x")
    assert robots.can_fetch("newscrawl", BASE_URL + security(articles, 0).path)
    assert fetch(server, "/search?q=توقيف")[0] == 200  # exists, so fetching it would show
    status, _, body = fetch(server, "/sitemap.xml")
    assert status == 200 and ET.fromstring(body).tag.endswith("urlset")


# --- routing ---


def test_routing_picks_the_outlet(server):
    casablanca_path = "/12-حوادث"
    # X-Newscrawl-Host, with www. or m.
    for host in ("www.casablancatoday.com", "m.casablancatoday.com", "casablancatoday.com"):
        status, sel = page(server, casablanca_path, headers={"X-Newscrawl-Host": host})
        assert status == 200, host
        assert sel.css("div.newslist h3 a::text").getall() == [
            "حادثة سير بشارع الزرقطوني رقم 2",
            "حادثة سير بشارع الزرقطوني رقم 1",
        ]
    # the header wins over the query parameter
    headers = {"X-Newscrawl-Host": "www.almaghribtoday.net"}
    assert page(server, casablanca_path + "?_host=casablancatoday.com", headers=headers)[0] == 404
    # Host header, then _host, then the first outlet of the corpus
    assert page(server, casablanca_path, headers={"Host": "www.casablancatoday.com"})[0] == 200
    assert page(server, casablanca_path + "?_host=www.casablancatoday.com")[0] == 200
    assert page(server, casablanca_path)[0] == 404
    assert page(server, SECURITY_LISTING)[0] == 200
    # a named host that is not served
    status, headers, _ = fetch(server, "/", headers={"X-Newscrawl-Host": "www.hespress.com"})
    assert status == 404 and headers["Content-Type"].startswith("text/plain")


def test_request_log_and_stats(server, articles):
    path = security(articles, 7).path
    fetch(server, path)
    fetch(server, path)
    fetch(server, SECURITY_LISTING + "?page=2")
    assert server.request_log[path] == 2
    assert server.request_log[f"{SECURITY_LISTING}?page=2"] == 1
    assert server.requests_for("/36/") == 2
    assert server.requests_for(SECURITY_LISTING) == 1
    status, _, body = fetch(server, "/_replica/stats")
    stats = json.loads(body)
    assert status == 200 and stats["total"] == 3 and stats["requests"][path] == 2
    assert server.requests_for("/_replica") == 0  # control requests are not site traffic


# --- faults ---


def test_latency(server):
    server.faults = Faults(latency_ms=300)
    started = time.monotonic()
    assert fetch(server, "/robots.txt")[0] == 200
    assert time.monotonic() - started >= 0.3


def test_error_paths_answer_503(server, articles):
    server.faults = Faults(error_paths={"/36/"})
    assert fetch(server, security(articles, 0).path)[0] == 503
    assert fetch(server, SECURITY_LISTING)[0] == 200  # "/36-..." is not under "/36/"
    server.faults = Faults()
    assert fetch(server, security(articles, 0).path)[0] == 200


def test_error_rate_fails_first_attempts_then_succeeds(server, articles):
    server.faults = Faults(error_rate=1.0, fail_first_attempts=2)
    path = security(articles, 6).path
    assert [fetch(server, path)[0] for _ in range(3)] == [500, 500, 200]
    assert fetch(server, "/amp" + security(articles, 8).path)[0] == 500  # AMP pages are articles
    assert fetch(server, SECURITY_LISTING)[0] == 200  # listings, feeds... are not
    assert fetch(server, "/rss")[0] == 200
    server.faults = Faults(error_rate=1.0, fail_first_attempts=2)  # new faults: attempts anew
    assert fetch(server, path)[0] == 500


def test_error_rate_picks_a_stable_fraction_of_paths(server, articles):
    paths = [security(articles, i).path for i in range(N_SECURITY)]

    def failing() -> set[str]:
        server.faults = Faults(error_rate=0.5)  # fail_first_attempts defaults to 1
        return {p for p in paths if fetch(server, p)[0] == 500}

    picked = failing()
    assert 0 < len(picked) < len(paths)
    assert all(fetch(server, p)[0] == 200 for p in paths)  # the retry succeeds
    assert failing() == picked


def test_truncated_page_stops_in_the_body(server, articles):
    article = security(articles, 9)
    server.faults = Faults(truncate_paths={"/36/"})
    status, _, body = fetch(server, article.path)
    text = body.decode()
    assert status == 200
    assert article.paragraphs[0] in text and article.paragraphs[-1] not in text
    assert "</html>" not in text and "</body>" not in text and "commentform" not in text


def test_cp1256_page(server, articles):
    article = security(articles, 10)
    server.faults = Faults(cp1256_paths={"/36/"})
    status, headers, body = fetch(server, article.path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=windows-1256"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1256")
    assert '<meta charset="windows-1256">' in text and 'charset="utf-8"' not in text
    assert f'<h1 class="newstitle">{article.title}</h1>' in text


def test_faults_over_http(server):
    data = json.dumps({"error_paths": ["/robots.txt"], "latency_ms": 0}).encode()
    status, _, body = fetch(server, "/_replica/faults", method="POST", data=data)
    assert status == 200 and json.loads(body)["error_paths"] == ["/robots.txt"]
    assert server.faults.error_paths == {"/robots.txt"}
    assert fetch(server, "/robots.txt")[0] == 503
    assert json.loads(fetch(server, "/_replica/faults")[2])["error_paths"] == ["/robots.txt"]
    for bad in (b"{not json", b'{"lag_ms": 3}', b'{"error_rate": 2}', b'{"error_paths": "/x"}'):
        status, _, body = fetch(server, "/_replica/faults", method="POST", data=bad)
        assert status == 400 and json.loads(body)["error"]
    assert server.faults.error_paths == {"/robots.txt"}  # a bad request changes nothing


def test_faults_validate():
    with pytest.raises(ValueError):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError):
        Faults(truncate_paths={"36/"})
    assert Faults.from_dict({"cp1256_paths": ["/a"]}).cp1256_paths == {"/a"}


# --- command line ---


def test_cli_bad_corpus_exits_2_with_one_line(tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text("# a comment\n{oops\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "crawler.replica", "--corpus", str(corpus), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(f"{corpus}:2: bad JSON")
    assert "Traceback" not in done.stderr


def test_cli_serves_until_interrupted(tmp_path):
    _registry()
    corpus = write_corpus(tmp_path / "c.jsonl", [security_record(i) for i in range(3)])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.replica",
            "--corpus",
            str(corpus),
            "--port",
            "0",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Replica site at http://127.0.0.1:"), first + process.stderr.read()
        url = first.split()[3]
        assert "almaghribtoday" in process.stdout.readline()
        status, _, body = fetch(
            url, "/robots.txt", headers={"X-Newscrawl-Host": "www.almaghribtoday.net"}
        )
        assert status == 200 and b"Disallow: /search" in body
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
