"""Hostile responses stay bounded: a 200 MB gzip bomb, sent with or without
`Content-Encoding`, leaves a crawl well under 300 MB and is counted as dropped with a reason;
feeds and sitemaps are read entry by entry and capped; entities are never expanded (billion
laughs) nor fetched (XXE)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zlib

import pytest

from crawler.feeds import FeedReader, parse_feed
from crawler.replica.corpus import default_corpus_path, load_corpus
from crawler.replica.faults import Faults
from tests.conftest import NEWSCRAWL, REPO

SITEMAP_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')


def sitemap_entry(n: int) -> bytes:
    return f"<url><loc>https://almaghribtoday.net/36/{n:06d}-x</loc></url>\n".encode()


def billion_laughs(inner: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [{entities}]>\n<rss><channel>{inner}'
            '</channel></rss>').encode()


# --- feeds and sitemaps ---


def test_billion_laughs_stays_unexpanded():
    first = "<item><title>خبر أول</title><link>https://almaghribtoday.net/36/1-a</link></item>"
    bomb = "<item><title>x &lol9; y</title><link>https://almaghribtoday.net/36/2-b</link></item>"
    entries = parse_feed(billion_laughs(first + bomb))
    assert [e.title for e in entries] in (["خبر أول"], ["خبر أول", "x"])  # never 10^9 "lol"
    assert all("lol" not in e.title + e.url for e in entries)


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    feed = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
            '<!ENTITY net SYSTEM "http://127.0.0.1:9/dtd">]>\n<rss><channel><item>'
            '<title>عنوان &xxe; &net;</title><link>https://almaghribtoday.net/36/1-a</link>'
            '</item></channel></rss>').encode()
    (entry,) = parse_feed(feed)
    assert entry.title == "عنوان" and "SECRET" not in entry.title


def test_a_sitemap_is_read_entry_by_entry_and_capped():
    body = gzip.compress(SITEMAP_HEAD + b"".join(sitemap_entry(n) for n in range(120))
                         + b"</urlset>")
    capped = FeedReader(body, max_entries=100)
    assert len(list(capped)) == 100 and capped.truncated == "too_many_entries"
    cut = FeedReader(body, max_bytes=2_000)  # cut mid-entry: the complete entries are kept
    entries = list(cut)
    assert 10 < len(entries) < 40 and cut.truncated == "too_large"
    whole = FeedReader(body)
    assert len(list(whole)) == 120 and whole.truncated == ""
    broken = FeedReader(body[:-40])  # a gzip stream that ends early
    assert len(list(broken)) > 100 and broken.truncated == "unreadable"


# --- a crawl against bombs ---


def peak_rss_mb(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    """Run `newscrawl ARGS` as the only child of a fresh Python that reports its peak RSS."""
    report = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
              "sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", report, NEWSCRAWL, *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    return proc, int(proc.stderr.strip().splitlines()[-1]) / 1024


@pytest.fixture(scope="module")
def bombed_crawl(tmp_path_factory, embedded_server):
    """One crawl of almaghribtoday's security section whose sitemaps and one article are 200 MB
    gzip bombs (shared by the tests that read it)."""
    from crawler.replica.server import ReplicaServer
    from tests.conftest import with_database

    tmp = tmp_path_factory.mktemp("bombs")
    articles = load_corpus(default_corpus_path())
    security = [a for a in articles if a.outlet == "almaghribtoday" and a.section == "security"]
    bomb_article = security[0].path
    faults = Faults(bomb_paths={"/bomb-sitemap.xml", bomb_article}, bomb_mb=200)
    config = tmp / "newscrawl.toml"
    config.write_text('[outlets.almaghribtoday.sections.security]\n'
                      'sitemaps = ["/bomb-sitemap.xml", "/bomb-sitemap.xml.gz"]\n',
                      encoding="utf-8")
    env = {**os.environ, "NEWSCRAWL_HOME": str(tmp / "home"), "NEWSCRAWL_CONFIG": str(config),
           "NEWSCRAWL_MONGO_URI": with_database(embedded_server, "nc_bombs")}
    with ReplicaServer(articles, faults=faults) as replica:
        proc, peak = peak_rss_mb(
            ["crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
             "--stats-file", str(tmp / "stats.json")], env)
    stats = json.loads((tmp / "stats.json").read_text())[0]
    return {"proc": proc, "peak_mb": peak, "stats": stats, "security": len(security)}


def test_gzip_bombs_leave_the_crawl_under_300_mb(bombed_crawl):
    assert bombed_crawl["proc"].returncode == 0, bombed_crawl["proc"].stderr[-2000:]
    print(f"\npeak RSS under three 200 MB gzip bombs: {bombed_crawl['peak_mb']:.0f} MB")
    assert bombed_crawl["peak_mb"] < 300


def test_gzip_bombs_are_dropped_with_a_reason(bombed_crawl):
    stats, counts = bombed_crawl["stats"]["stats"], bombed_crawl["stats"]["counts"]
    # the sitemap and the article sent with Content-Encoding: stopped at the download limit
    assert stats["dropped/response_too_large"] == 2
    # the .gz sitemap: read entry by entry, up to the sitemap protocol's 50,000
    assert stats["dropped/feed_too_many_entries"] == 1
    assert counts["dropped"] >= 3 and counts["errors"] == 0
    assert counts["stored"] == bombed_crawl["security"] - 1  # every other article
    summary = " ".join(bombed_crawl["proc"].stdout.split())
    assert "dropped feed_too_many_entries 1, response_too_large 2" in summary


def test_inflating_bomb_is_what_it_claims():
    """The replica's bomb really inflates to 200 MB (so the figures above mean something)."""
    from crawler.replica.server import _inflating_to

    body = _inflating_to(200, True)
    inflated, unpacker = 0, zlib.decompressobj(31)
    data = body
    while data:
        inflated += len(unpacker.decompress(data, 2**20))
        data = unpacker.unconsumed_tail
    assert len(body) < 1_000_000 and inflated >= 200 * 2**20
