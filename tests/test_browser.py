"""JavaScript rendering: only declared pages go through scrapy-playwright, the browser is found
(system Chromium, else Playwright's) or the error names both ways to get one, and the scripted
replica section yields its links with a real Chromium and none without.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.browser import (
    CHROMIUM_ARGS,
    BrowserUnavailable,
    abort_request,
    check_browser,
    find_browser,
    launch_options,
)
from crawler.catalogue import module_outlets
from crawler.spider import NewsSpider
from crawler.spiderloader import module_spider
from spiders.hespress import OUTLET as HESPRESS

HespressSpider = module_spider(module_outlets()["hespress"])

HERE_PYTHON = sys.executable  # an existing executable file: stands in for a browser path


def chromium_or_skip() -> str:
    """The browser's description; a skip without one, a failure where CI requires one."""
    try:
        return find_browser().describe()
    except BrowserUnavailable as exc:
        if os.environ.get("NEWSCRAWL_REQUIRE_BROWSER"):  # set by .ci/run
            pytest.fail(f"NEWSCRAWL_REQUIRE_BROWSER is set but {exc}")
        pytest.skip(f"no Chromium on this machine ({exc})")


def spider_for(cls: type[NewsSpider], **settings) -> NewsSpider:
    settings = {"NEWSCRAWL_BROWSER_EXECUTABLES": [HERE_PYTHON], **settings}
    crawler = get_crawler(cls, settings)
    crawler.spider = spider = cls.from_crawler(crawler)
    return spider


def start_requests(spider: NewsSpider) -> list:
    async def collect():
        return [request async for request in spider.start()]

    return asyncio.run(collect())


# --- which requests carry the browser ---


def test_only_the_declared_section_is_rendered():
    spider = spider_for(HespressSpider)
    requests = {r.url: r for r in start_requests(spider)}
    politics = requests["https://www.hespress.com/politique/"]
    assert politics.meta["playwright"] is True
    (method,) = politics.meta["playwright_page_methods"]
    assert method.method == "wait_for_selector"
    assert method.args == (HESPRESS.sections["politics"].wait_for,)
    assert "playwright_include_page" not in politics.meta  # scrapy-playwright closes the page
    others = [r for url, r in requests.items() if url != politics.url]
    assert others and not any(r.meta.get("playwright") for r in others)  # feeds, sitemaps...
    # its next listing page is rendered too; articles found there are plain HTML
    page2 = spider.listing_request("https://www.hespress.com/politique/page/2/", "politics", 2)
    assert page2.meta["playwright"] is True
    article = spider.article_request("https://www.hespress.com/x-1234567.html", "politics")
    assert "playwright" not in article.meta


def test_an_outlet_can_render_every_page():
    class Scripted(NewsSpider):
        name = "scripted"
        outlet = replace(HESPRESS, browser=True, wait_for="main article")

    spider = spider_for(Scripted)
    listings = [r for r in start_requests(spider) if r.callback == spider.parse_listing]
    assert listings and all(r.meta["playwright"] for r in listings)
    article = spider.article_request("https://www.hespress.com/x-1234567.html", "security")
    assert article.meta["playwright"] is True
    assert article.meta["playwright_page_methods"] == []  # no wait condition on articles


def test_browser_can_be_switched_off():
    spider = spider_for(HespressSpider, NEWSCRAWL_BROWSER=False)
    assert not any(r.meta.get("playwright") for r in start_requests(spider))


def test_a_crawl_that_needs_a_browser_without_one_skips_those_pages(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    spider = spider_for(HespressSpider, NEWSCRAWL_BROWSER_EXECUTABLES=["/nonexistent/chromium"])
    urls = [r.url for r in start_requests(spider)]
    assert "https://www.hespress.com/politique/" not in urls
    assert "https://www.hespress.com/faits-divers/" in urls  # the rest of the crawl goes on
    assert spider.crawler.stats.get_value("newscrawl/skipped_sections") == 1  # not an error
    assert spider.crawler.stats.get_value("newscrawl/skipped_section_names") == "politics"


# --- finding a browser ---


def test_no_browser_is_one_clear_line_naming_both_ways(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    settings = {"NEWSCRAWL_BROWSER_EXECUTABLES": ["/nonexistent/chromium", "no-such-chromium"]}
    with pytest.raises(BrowserUnavailable) as caught:
        find_browser(settings)
    message = str(caught.value)
    assert "\n" not in message
    assert "apt-get install -y chromium" in message and "playwright install chromium" in message
    # ...raised only when the crawl needs a browser
    security_only = [HESPRESS.sections["security"]]
    assert check_browser(HESPRESS, security_only, settings=None) is None
    with pytest.raises(BrowserUnavailable):
        check_browser(HESPRESS, HESPRESS.sections.values(), settings)


def test_system_chromium_first_then_playwrights_own(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    system = find_browser({"NEWSCRAWL_BROWSER_EXECUTABLES": ["/nonexistent", HERE_PYTHON]})
    assert (system.kind, system.executable) == ("system", HERE_PYTHON)
    chrome = tmp_path / "chromium-1200" / "chrome-linux" / "chrome"
    chrome.parent.mkdir(parents=True)
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(chrome.stat().st_mode | stat.S_IXUSR)
    own = find_browser({"NEWSCRAWL_BROWSER_EXECUTABLES": ["/nonexistent"]})
    assert (own.kind, own.executable) == ("playwright", None)  # Playwright finds its own


def test_launch_options_flags_and_settings():
    options = launch_options({
        "NEWSCRAWL_BROWSER_EXECUTABLES": [HERE_PYTHON],
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"args": ["--lang=ar"], "timeout": 20000},
    })
    assert options["executable_path"] == HERE_PYTHON and options["headless"] is True
    assert options["args"][: len(CHROMIUM_ARGS)] == list(CHROMIUM_ARGS)
    assert "--no-sandbox" in options["args"] and "--lang=ar" in options["args"]
    assert options["timeout"] == 20000
    configured = launch_options({"PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": HERE_PYTHON}})
    assert configured["executable_path"] == HERE_PYTHON
    with pytest.raises(BrowserUnavailable, match="not an executable"):
        launch_options({"PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": "/nope/chrome"}})


def test_images_fonts_and_media_are_aborted():
    class Request:
        def __init__(self, kind: str):
            self.resource_type = kind

    assert all(abort_request(Request(k)) for k in ("image", "font", "media"))
    assert not any(abort_request(Request(k)) for k in ("document", "script", "fetch", "xhr"))


# --- against the replica ---


def politics_corpus(path: Path, count: int) -> Path:
    """`count` hespress politics articles (listing pages of 10), one security article, and an
    almaghribtoday article."""
    now = datetime.now(UTC).replace(microsecond=0)
    # almaghribtoday first: a request that lost its X-Newscrawl-Host header would be served
    # the corpus's first outlet, so links found prove the header reached the browser's request
    records = [{
        "outlet": "almaghribtoday", "section": "politics",
        "title": "مجلس الحكومة يصادق على مشروع مرسوم يتعلق بالجماعات",
        "body": ("صادق مجلس الحكومة على مشروع مرسوم يتعلق بتنظيم الجماعات الترابية.\n\n"
                 "وقدم الوزير المكلف عرضا حول مضامين المشروع وأهدافه."),
        "published": (now - timedelta(hours=2)).isoformat(),
    }] + [
        {
            "outlet": "hespress", "section": "politics",
            "title": f"البرلمان يناقش مشروع القانون رقم {n} المتعلق بالجماعات الترابية",
            "body": (f"ناقشت لجنة الداخلية بمجلس النواب مشروع القانون رقم {n} المتعلق "
                     "بالجماعات الترابية في جلسة مطولة.\n\nوقدم الوزير عرضا حول أهداف "
                     "المشروع ومستجداته، قبل أن تتدخل الفرق البرلمانية."),
            "published": (now - timedelta(hours=n + 1)).isoformat(),
        }
        for n in range(count)
    ]
    records.append({
        "outlet": "hespress", "section": "security",
        "title": "توقيف شخص متورط في السرقة بالعنف بالرباط",
        "body": ("أوقفت عناصر الشرطة بالرباط شخصا يشتبه في تورطه في السرقة بالعنف.\n\n"
                 "ووضع المشتبه فيه تحت تدبير الحراسة النظرية رهن إشارة البحث القضائي."),
        "published": (now - timedelta(hours=3)).isoformat(),
    })
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


def crawl(cli, replica, tmp_path, *args: str, name: str = "run", env=None) -> dict:
    stats, log = tmp_path / f"{name}.json", tmp_path / f"{name}.log"
    kwargs = {"env": env} if env else {}
    result = cli("crawl", "hespress", "--replica", replica.url, "--stats-file", str(stats),
                 "--log-file", str(log), *args, **kwargs)
    data = json.loads(stats.read_text())[0] if stats.exists() else {}
    return {"result": result, "stats": data.get("stats", {}), "counts": data.get("counts", {}),
            "log": log.read_text(encoding="utf-8") if log.exists() else ""}


def test_crawls_without_browser_pages_never_start_playwright(cli, replica_server, tmp_path,
                                                             nc_env):
    replica = replica_server(politics_corpus(tmp_path / "c.jsonl", 3))
    env = {**nc_env, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path)}
    no_browser = ("-s", "NEWSCRAWL_BROWSER_EXECUTABLES=/nonexistent/chromium")
    plain = crawl(cli, replica, tmp_path, "--section", "security", *no_browser, env=env)
    assert plain["result"].code == 0, plain["result"].err
    assert plain["counts"]["stored"] == 1
    assert not any(key.startswith("playwright/") for key in plain["stats"])
    assert "no Chromium" not in plain["log"]

    # asking for a browser section with no browser: one line before Scrapy starts
    scripted = cli("crawl", "hespress", "--section", "politics", "--replica", replica.url,
                   *no_browser, env=env)
    assert scripted.code == 2
    assert "apt-get install -y chromium" in scripted.err
    assert "playwright install chromium" in scripted.err
    assert len(scripted.err.strip().splitlines()) == 1 and "Traceback" not in scripted.err
    assert replica.requests_for("/politique") == 0

    # all sections: a warning said once, the browser section counted as skipped (not as an
    # error), the others crawled
    everything = crawl(cli, replica, tmp_path, *no_browser, name="all", env=env)
    assert everything["result"].code == 0, everything["result"].err
    warnings = [line for line in everything["result"].err.splitlines() if "chromium" in line]
    assert len(warnings) == 1 and "warning" in warnings[0] and "(politics)" in warnings[0]
    assert everything["counts"]["skipped"] == 1 and everything["counts"]["errors"] == 0
    assert "skipped" in everything["result"].out  # a column of the summary
    assert replica.requests_for("/politique") == 0


def test_scripted_section_yields_its_links_with_the_browser_and_none_without(
    cli, replica_server, tmp_path, mongo_db
):
    chromium_or_skip()
    count = 23  # three listing pages
    replica = replica_server(politics_corpus(tmp_path / "c.jsonl", count))

    without = crawl(cli, replica, tmp_path, "--section", "politics",
                    "-s", "NEWSCRAWL_BROWSER=0", name="without")
    assert without["counts"]["stored"] == 0
    assert not any(key.startswith("playwright/") for key in without["stats"])
    log = replica.request_log.snapshot()
    assert log.get("/politique/") == 1  # the listing was fetched, as plain HTML...
    assert not any(path.startswith("/_replica/links") for path in log)  # ...its script never ran
    assert not any(path.endswith(".html") for path in log)  # so no article was found

    replica.request_log.clear()
    rendered = crawl(cli, replica, tmp_path, "--section", "politics",
                     "-s", "NEWSCRAWL_BROWSER_CONTEXT_PAGES=2", name="with")
    assert rendered["result"].code == 0, rendered["result"].err
    stats = rendered["stats"]
    assert rendered["counts"]["stored"] == count
    assert mongo_db.articles.count_documents({"section": "politics"}) == count
    log = replica.request_log.snapshot()
    # the in-page fetch reached the replica, for this outlet, once per listing page
    links = sorted(path for path in log if path.startswith("/_replica/links"))
    assert links == [f"/_replica/links?host=hespress&section=politics&page={n}" for n in (1, 2, 3)]
    assert sum(n for path, n in log.items() if path.endswith(".html")) == count
    # bounded: every page closed, contexts capped and recycled
    assert stats["playwright/page_count"] == 3 == stats["playwright/page_count/closed"]
    assert stats["playwright/context_count/max_concurrent"] <= 2
    assert stats["newscrawl/browser/contexts_recycled"] >= 1
