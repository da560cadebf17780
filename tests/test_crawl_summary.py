"""The crawl summary a newcomer reads first: each outlet's row counts its own errors only, a
section skipped for want of a browser is a warning (counted as skipped, said once), and each log
file is named once."""

from __future__ import annotations

import json
import logging

from scrapy.utils.test import get_crawler

from crawler.catalogue import module_outlets
from crawler.progress import ERRORS, UNATTRIBUTED_ERRORS, ErrorRouter
from crawler.replica.corpus import default_corpus_path
from crawler.spiderloader import module_spider

AlmaghribtodaySpider = module_spider(module_outlets()["almaghribtoday"])
HespressSpider = module_spider(module_outlets()["hespress"])

OUTLETS = ("almaghribtoday", "casablancatoday", "hespress")


def summary_rows(out: str) -> dict[str, dict[str, str]]:
    """The summary table's rows by spider: {column: cell}."""
    lines = out.splitlines()
    header = next(line for line in lines if "spider" in line and "┃" in line)
    columns = [cell.strip() for cell in header.split("┃")]
    rows = {}
    for line in lines:
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) == len(columns) and cells[0] in OUTLETS:
            rows[cells[0]] = dict(zip(columns, cells, strict=True))
    return rows


def test_an_error_counts_only_for_the_crawl_it_belongs_to():
    crawlers = []
    for cls in (AlmaghribtodaySpider, HespressSpider):
        crawler = get_crawler(cls)
        crawler.spider = cls.from_crawler(crawler)
        crawlers.append(crawler)
        ErrorRouter.attach(crawler)
    first, second = crawlers
    log = logging.getLogger("crawler.spider")
    try:
        log.error("Gave up retrying", extra={"spider": first.spider})
        log.error("Middleware failed", extra={"crawler": second})
        log.warning("a warning is not an error", extra={"spider": first.spider})
        log.error("no crawl named")  # two crawls run: it is nobody's row
        assert first.stats.get_value(ERRORS) == 1 and second.stats.get_value(ERRORS) == 1
        assert first.stats.get_value(UNATTRIBUTED_ERRORS) == 1
        ErrorRouter.detach(second)
        log.error("no crawl named, one crawl running")
        assert first.stats.get_value(ERRORS) == 2 and second.stats.get_value(ERRORS) == 1
    finally:
        for crawler in crawlers:
            ErrorRouter.detach(crawler)


def test_demo_without_a_browser_warns_once_and_counts_no_error(cli, nc_env, tmp_path):
    records = [json.loads(line) for line in default_corpus_path().read_text("utf-8").splitlines()
               if line.strip() and json.loads(line)["outlet"] in OUTLETS]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                      encoding="utf-8")
    env = {**nc_env, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path), "COLUMNS": "200"}
    demo = cli("demo", "--corpus", str(corpus), "--show", "1",
               "-s", "NEWSCRAWL_BROWSER_EXECUTABLES=/nonexistent/chromium", env=env)
    assert demo.code == 0, demo.err

    rows = summary_rows(demo.out)
    assert sorted(rows) == list(OUTLETS)
    assert {name: row["errors"] for name, row in rows.items()} == dict.fromkeys(OUTLETS, "0")
    assert {name: row["skipped"] for name, row in rows.items()} == {
        "almaghribtoday": "0", "casablancatoday": "0", "hespress": "1"}
    assert all(int(row["stored"]) > 0 for row in rows.values())

    warnings = [line for line in demo.err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("newscrawl: warning: hespress: skipped 1 section(s) (politics)")
    assert "apt-get install -y chromium" in warnings[0]

    log_lines = [line for line in demo.out.splitlines() if line.startswith("log: ")]
    assert len(log_lines) == 1
    log = open(log_lines[0].removeprefix("log: "), encoding="utf-8").read()
    assert " ERROR: " not in log
    assert log.count("its browser sections are skipped") == 1


def test_a_section_page_the_site_no_longer_serves_is_an_error_that_names_it(
        cli, nc_env, tmp_path, replica_server):
    """A listing or feed answering 404 is what a moved section looks like: the crawl must not
    pass for a quiet day."""
    config = tmp_path / "newscrawl.toml"
    config.write_text('[outlets.almaghribtoday.sections.security]\n'
                      'listings = ["/36-في-الأخبار-أيضا", "/no-such-section"]\n'
                      'feeds = ["/no-such-feed.xml"]\n', encoding="utf-8")
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config), "COLUMNS": "200"}
    replica = replica_server(default_corpus_path())
    result = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
                 env=env)

    row = summary_rows(result.out)["almaghribtoday"]
    assert row["errors"] == "2" and int(row["stored"]) > 0, result.out
    log_path = next(line.removeprefix("log: ") for line in result.out.splitlines()
                    if line.startswith("log: "))
    log = open(log_path, encoding="utf-8").read()
    base = "https://www.almaghribtoday.net"
    assert (f"almaghribtoday section security: listing page {base}/no-such-section "
            "answered HTTP 404") in log
    assert (f"almaghribtoday section security: feed or sitemap {base}/no-such-feed.xml "
            "answered HTTP 404") in log
