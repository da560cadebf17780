"""Configuration: section URLs overridden from newscrawl.toml, outlets declared in it, every key
checked, and every bad input refused in one line with the README's exit code (2)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from crawler.catalogue import check_configuration, module_outlets
from crawler.config import ConfigError
from crawler.outlet_config import outlet_from_table
from crawler.replica.corpus import default_corpus_path
from tests.conftest import NEWSCRAWL, REPO

MODULES = module_outlets()
AKHBAR = '[outlets.akhbar]\nbase_url = "https://www.akhbar.example"\n'
LATEST = '[outlets.akhbar.sections.latest]\nsitemaps = ["/news-sitemap.xml"]\n'


def write(tmp_path, text: str):
    path = tmp_path / "newscrawl.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        check_configuration(tomllib.loads(text), "newscrawl.toml", MODULES)
    return str(info.value)


def one_line(result) -> str:
    """The single `newscrawl: ...` line a refused command writes on stderr."""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newscrawl: "), result.err
    assert "Traceback" not in result.err + result.out and "Usage" not in result.err
    return lines[0]


def test_section_urls_are_overridden_without_code_edits(cli, nc_env, tmp_path, replica_server):
    config = write(tmp_path, """
[outlets.almaghribtoday.sections.security]
listings = ["/1187-أخبار-عاجلة"]
feeds = ["/rss"]
""")
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    out = cli("outlets", "--format", "json", env=env)
    assert out.code == 0, out.err
    outlet = next(o for o in json.loads(out.out) if o["spider"] == "almaghribtoday")
    security = outlet["sections"]["security"]
    assert security["listings"] == ["https://www.almaghribtoday.net/1187-أخبار-عاجلة"]
    assert security["feeds"] == ["https://www.almaghribtoday.net/rss"]
    assert outlet["declared_in"] == "spiders/almaghribtoday.py"
    assert outlet["sections_changed_in"] == str(config)

    replica = replica_server(default_corpus_path())
    result = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
                 env=env)
    assert result.code == 0, result.err
    assert replica.requests_for("/1187-") >= 1 and replica.requests_for("/rss") == 1
    assert replica.requests_for("/36-") == 0


# --- every key checked: one line naming file, outlet (or table) and key ---

@pytest.mark.parametrize(("text", "message"), [
    # section overrides of a spider module
    ('[outlets.almaghribtoday.sections.security]\nfeeds = "notalist"\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.feeds': expected a list "
     "of paths or URLs like ['/feed/'], got 'notalist'"),
    ('[outlets.almaghribtoday.sections.security]\nfeeds = [1, 2]\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.feeds': expected a list "
     "of paths or URLs like ['/feed/'], got [1, 2]"),
    ('[outlets.almaghribtoday.sections.security]\nfeeds = ["rss.xml"]\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.feeds': expected a path "
     "starting with '/' or an http(s) URL, got 'rss.xml'"),
    ('[outlets.almaghribtoday.sections.security]\nlistingz = ["/x"]\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.listingz': unknown key "
     "(did you mean 'sections.security.listings'?)"),
    ('[outlets.almaghribtoday.sections.security]\nbrowser = "yes"\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.browser': expected true "
     "or false, got 'yes'"),
    ('[outlets.almaghribtoday.sections]\nsecurity = 3\n',
     "newscrawl.toml: outlet 'almaghribtoday': expected a table for 'sections.security', got 3"),
    ('[outlets.almaghribtoday.sections.security]\nfeeds = ["https://feeds.other.example/x"]\n',
     "newscrawl.toml: outlet 'almaghribtoday': key 'sections.security.feeds': "
     "'https://feeds.other.example/x' is not on the outlet's domains ['almaghribtoday.net']"),
    # names that are neither a spider module nor a declared outlet, and clashes
    ('[outlets.nosuchspider.sections.security]\nfeeds = ["/rss"]\n',
     "newscrawl.toml: outlet 'nosuchspider': key 'base_url': missing: no built-in spider is "
     "named 'nosuchspider', and a new outlet needs its base_url"),
    ('[outlets.almaghrib.sections.security]\nfeeds = ["/rss"]\n',
     "newscrawl.toml: outlet 'almaghrib': key 'base_url': missing: no built-in spider is named "
     "'almaghrib' (did you mean 'almaghribtoday'?)"),
    ('[outlets.hespress]\nbase_url = "https://www.hespress.com"\n',
     "newscrawl.toml: outlet 'hespress': key 'base_url': 'hespress' is a built-in spider; here "
     "only its 'sections' can be changed (declare a new outlet under another name)"),
    # a declared outlet
    (AKHBAR + 'timezon = "UTC"\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'timezon': unknown key (did you mean 'timezone'?)"),
    (AKHBAR + 'article_path = "^/(\\\\d+"\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'article_path': invalid regular expression "
     "'^/(\\\\d+' (missing ), unterminated subpattern at position 2)"),
    (AKHBAR + 'timezone = "Mars/Olympus"\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'timezone': unknown time zone 'Mars/Olympus'"),
    (AKHBAR + 'language = "Arabic"\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'language': expected a language code like 'ar' or "
     "'fr', got 'Arabic'"),
    ('[outlets.akhbar]\nbase_url = "www.akhbar.example"\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'base_url': expected an http(s) URL like "
     "'https://www.example.com', got 'www.akhbar.example'"),
    (AKHBAR + 'domains = ["other.example"]\n' + LATEST,
     "newscrawl.toml: outlet 'akhbar': key 'domains': the host of base_url "
     "'https://www.akhbar.example' is not among ['other.example']"),
    (AKHBAR,
     "newscrawl.toml: outlet 'akhbar': key 'sections': missing (at least one section with "
     "listings, feeds or sitemaps"),
    (AKHBAR + '[outlets.akhbar.sections.latest]\nlabel = "آخر الأخبار"\n',
     "newscrawl.toml: outlet 'akhbar': key 'sections.latest': no listings, feeds or sitemaps"),
    (AKHBAR + LATEST + '[outlets.akhbar.selectors]\ntitle = "h1["\n',
     "newscrawl.toml: outlet 'akhbar': key 'selectors.title': invalid CSS selector 'h1['"),
    (AKHBAR + LATEST + '[outlets.akhbar.selectors]\nheadline = "h1"\n',
     "newscrawl.toml: outlet 'akhbar': key 'selectors.headline': unknown key"),
    # the rest of the file
    ('[outlet.akhbar]\nbase_url = "https://www.akhbar.example"\n',
     "newscrawl.toml: key 'outlet': unknown key (did you mean 'outlets'?)"),
    ('verbose = true\n',
     "newscrawl.toml: key 'verbose': unknown key (allowed: outlets, topics, scheduler, jobs)"),
    ('outlets = 5\n', "newscrawl.toml: expected a table for 'outlets', got 5"),
    ('[topics.weather]\nkeywords = "أمطار"\n',
     "newscrawl.toml: topic 'weather': key 'keywords': expected a list of non-empty strings, "
     "got 'أمطار'"),
    ('[topics.weather]\nkeyword = ["أمطار"]\n',
     "newscrawl.toml: topic 'weather': key 'keyword': unknown key (did you mean 'keywords'?)"),
    ('[topics.weather]\nenabled = true\n',
     "newscrawl.toml: topic 'weather': key 'keywords': missing"),
])
def test_every_key_is_checked(text: str, message: str) -> None:
    assert error(text).startswith(message)


def test_a_declared_outlet_needs_only_a_feed_or_a_sitemap() -> None:
    outlet = outlet_from_table("akhbar", tomllib.loads(AKHBAR + LATEST)["outlets"]["akhbar"])
    assert (outlet.key, outlet.title, outlet.domains, outlet.language, outlet.timezone) == (
        "akhbar", "akhbar", ("akhbar.example",), "ar", "UTC")
    assert outlet.template == "generic" and not outlet.selectors.title
    articles = re.compile(outlet.article_path)
    for path in ("/2026/09/06/إحباط-محاولة/", "/news/12345.html", "/a"):
        assert articles.search(path), path
    for path in ("/", "/news-sitemap.xml", "/news-sitemap.xml/", "/page/2/", "/logo.png",
                 "/wp-content/themes/x/style.css"):
        assert not articles.search(path), path


def test_the_default_article_path_skips_listings_and_their_pages() -> None:
    table = tomllib.loads(AKHBAR + '[outlets.akhbar.sections.security]\n'
                          'listings = ["/category/faits-divers/"]\nfeeds = ["/feed/"]\n'
                          '[outlets.akhbar.selectors]\ntitle = ["h1.headline::text"]\n')
    outlet = outlet_from_table("akhbar", table["outlets"]["akhbar"])
    articles = re.compile(outlet.article_path)
    assert articles.search("/category/faits-divers/arrest-in-fes/")
    for path in ("/category/faits-divers/", "/category/faits-divers/page/3/", "/feed/"):
        assert not articles.search(path), path
    assert outlet.selectors.title == ("h1.headline::text",)


# --- the same through the command line: exit 2 and one line ---

def test_bad_override_stops_the_crawl_in_one_line(cli, nc_env, tmp_path):
    for value, shown in (('"notalist"', "'notalist'"), ("[1, 2]", "[1, 2]")):
        config = write(tmp_path, f'[outlets.almaghribtoday.sections.security]\nfeeds = {value}\n')
        result = cli("crawl", "almaghribtoday", env={**nc_env, "NEWSCRAWL_CONFIG": str(config)})
        assert result.code == 2
        assert one_line(result) == (
            f"newscrawl: {config}: outlet 'almaghribtoday': key 'sections.security.feeds': "
            f"expected a list of paths or URLs like ['/feed/'], got {shown}")


def test_scrapy_crawl_stops_on_a_bad_file_in_the_same_one_line(nc_env, tmp_path):
    config = write(tmp_path, '[outlets.almaghribtoday.sections.security]\nfeeds = "notalist"\n')
    proc = subprocess.run([str(Path(NEWSCRAWL).parent / "scrapy"), "crawl", "almaghribtoday"],
                          env={**nc_env, "NEWSCRAWL_CONFIG": str(config)}, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"newscrawl: {config}: outlet 'almaghribtoday': key 'sections.security.feeds': "
        "expected a list of paths or URLs like ['/feed/'], got 'notalist'"]


@pytest.mark.parametrize(("text", "command", "key"), [
    ('[outlets.nosuchspider.sections.security]\nfeeds = ["/rss"]\n', ["crawl", "nosuchspider"],
     "outlet 'nosuchspider': key 'base_url'"),
    (AKHBAR + 'article_path = "("\n' + LATEST, ["outlets"], "outlet 'akhbar': key 'article_path'"),
    (AKHBAR + 'timezone = "Casablanca"\n' + LATEST, ["schedule", "list"],
     "outlet 'akhbar': key 'timezone'"),
    ('[outlets.le360]\nbase_url = "https://le360.ma"\n', ["crawl", "le360"],
     "outlet 'le360': key 'base_url'"),
    (AKHBAR + 'sitemap = "/x.xml"\n' + LATEST, ["crawl", "akhbar"],
     "outlet 'akhbar': key 'sitemap'"),
])
def test_bad_outlet_declaration_stops_the_command(cli, nc_env, tmp_path, text, command, key):
    config = write(tmp_path, text)
    result = cli(*command, env={**nc_env, "NEWSCRAWL_CONFIG": str(config)})
    assert result.code == 2, result
    assert one_line(result).startswith(f"newscrawl: {config}: {key}: ")


def test_invalid_toml_is_exit_2_for_every_command(cli, nc_env, tmp_path):
    config = write(tmp_path, "[outlets\n")
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    for args in (["crawl", "almaghribtoday"], ["outlets"], ["schedule", "list"]):
        result = cli(*args, env=env)
        assert result.code == 2, (args, result)
        assert one_line(result).startswith(f"newscrawl: {config}: invalid TOML: "), args


def test_missing_config_file_is_named(cli, nc_env, tmp_path):
    missing = tmp_path / "nope.toml"
    result = cli("outlets", env={**nc_env, "NEWSCRAWL_CONFIG": str(missing)})
    assert result.code == 2
    assert one_line(result) == f"newscrawl: {missing}: configuration file not found"


@pytest.mark.parametrize("args", [
    ["crawl", "almaghribtoday", "--max-items", "abc"],
    ["crawl"],
    ["outlets", "--format", "xml"],
    ["query", "--limit", "many"],
    ["extract", "page.html", "--spider", "almaghribtoday"],
    ["demo", "--port", "eighty"],
    ["db", "replay", "--bogus"],
    ["schedule", "history", "--limit", "x"],
    ["nosuchcommand"],
])
def test_bad_option_values_are_one_line_and_exit_2(cli, args):
    result = cli(*args)
    assert result.code == 2, result
    line = one_line(result)
    assert "╭" not in result.err and line.endswith("--help)"), line
    if args[:2] == ["crawl", "almaghribtoday"]:
        assert line.startswith("newscrawl: crawl: invalid value for '--max-items': ")


def test_uri_without_password_says_so(cli, nc_env):
    env = {**nc_env, "NEWSCRAWL_MONGO_URI": "mongodb://reader@127.0.0.1:1/news"}
    for args in (["query"], ["crawl", "almaghribtoday"]):
        result = cli(*args, env=env)
        assert result.code == 2, (args, result)
        assert one_line(result) == (
            "newscrawl: NEWSCRAWL_MONGO_URI: user 'reader' has no password; write "
            "mongodb://USER:PASSWORD@HOST/DATABASE (%-escape ':', '/', '@' in the password)")


def test_unreadable_extract_file_is_named(cli, tmp_path):
    result = cli("extract", str(tmp_path / "missing.html"), "--spider", "almaghribtoday",
                 "--url", "https://www.almaghribtoday.net/36/101500-x")
    assert result.code == 2 and "missing.html: cannot read" in result.err
    assert "Traceback" not in result.err
