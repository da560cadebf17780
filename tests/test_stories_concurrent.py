"""A story is one set, whichever crawls store its parts and in whatever order: concurrent
crawls that each hold part of a story end with one `story_id` (the smallest of the ids they
gave), a report that bridges two stories merges them, and a crawl that labelled articles with
a story another crawl merged meanwhile relabels them when it closes. The crawls of one run in
one process share what the stage holds in memory, and meet as they process."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from crawler.items import Article
from crawler.replica.faults import Faults
from crawler.similarity import new_story_id
from crawler.store import apply_writes
from pipelines.normalize import NormalizePipeline
from pipelines.store import as_write
from pipelines.stories import StoriesPipeline, release_memory, run_memory
from spiders.almaghribtoday import OUTLET
from tests.conftest import FIXTURES, NEWSCRAWL, REPO, wait_until
from tests.test_stories import ROWS, article_of

CORPUS = FIXTURES / "stories" / "concurrent-crawls.jsonl"
HESPRESS_FEED = "/faits-divers/feed/"  # hespress's security feed, fetched beside its listing
HOLD_WRITES = ["-s", "NEWSCRAWL_STORE_BATCH=1000", "-s", "NEWSCRAWL_STORE_FLUSH_S=3600"]


def crawl(spider: str, replica, stats, env) -> subprocess.Popen:
    return subprocess.Popen(
        [NEWSCRAWL, "crawl", spider, "--section", "security", "--replica", replica.url,
         "--stats-file", str(stats), "-s", "AUTOTHROTTLE_ENABLED=false",
         "-s", "DOWNLOAD_DELAY=0", *HOLD_WRITES],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen, timeout: float = 240) -> None:
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-2000:]


def test_two_crawls_at_once_end_with_one_story(nc_env, replica_server, mongo_db, tmp_path):
    """hespress sums up two stories almaghribtoday reports; the two crawls run at once and
    neither stores anything before it closes. hespress has processed its report, and waits on
    a slow feed, when almaghribtoday starts, stores its two reports and closes: neither crawl
    saw the other's articles while processing. When hespress closes, its report matches both:
    the three articles end in one story, the smallest of the three ids."""
    replica = replica_server(CORPUS, faults=Faults(latency_ms=20000,
                                                   latency_paths={HESPRESS_FEED}))
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    summary = next(r for r in rows if r["outlet"] == "hespress")
    hespress = crawl("hespress", replica, tmp_path / "hespress.json", nc_env)
    try:
        wait_until(lambda: any(path.endswith(".html") for path in replica.request_log.snapshot()),
                   120, "hespress fetching its report",
                   abort=lambda: "hespress ended" if hespress.poll() is not None else None)
        almaghrib = crawl("almaghribtoday", replica, tmp_path / "almaghrib.json", nc_env)
        finished(almaghrib)
        assert hespress.poll() is None, "hespress closed before almaghribtoday: too slow a run"
        assert mongo_db.articles.count_documents({"outlet": "hespress"}) == 0
        finished(hespress)
    finally:
        hespress.kill()

    docs = list(mongo_db.articles.find({}, {"_id": 0, "canonical_url": 1, "outlet": 1,
                                            "title": 1, "story_id": 1}))
    assert len(docs) == 3
    assert len({d["story_id"] for d in docs}) == 1
    assert docs[0]["story_id"] == min(new_story_id(d["canonical_url"]) for d in docs)
    assert summary["title"] in {d["title"] for d in docs}
    stats = {name: json.loads((tmp_path / f"{name}.json").read_text())[0]["stats"]
             for name in ("almaghrib", "hespress")}
    assert stats["almaghrib"].get("stories/joined_late", 0) == 0  # nothing stored yet then
    assert stats["hespress"]["stories/joined_late"] == 1  # one report, two stories joined


# --- the same, stage by stage, in every order ---

BRIDGED = ("B2", "C4")  # two stories; an article made of both texts matches each


def bridge_articles() -> list[Article]:
    by_id = {r["id"]: r for r in ROWS}
    when = datetime(2026, 10, 3, 9, tzinfo=UTC)
    articles = []
    for n, row_id in enumerate(BRIDGED):
        article = article_of(by_id[row_id])
        article.published_at = when + timedelta(hours=n)
        articles.append(article)
    bridge = Article(url="https://example.org/bridge", outlet="summary.example",
                     title=by_id[BRIDGED[0]]["title"],
                     body="\n\n".join(by_id[i]["body"] for i in BRIDGED),
                     published_at=when + timedelta(hours=3))
    return [*articles, NormalizePipeline(outlet=OUTLET).process_item(bridge)]


@pytest.mark.parametrize("closing", list(itertools.permutations(range(3))),
                         ids=lambda order: "".join(map(str, order)))
def test_three_crawls_joined_by_a_bridge_whatever_order_they_close_in(store, closing):
    """Three crawls each process one article before any is stored (two stories and a report
    that bridges them); they store and close in every order: one story, the smallest id."""
    articles = bridge_articles()
    stages = [StoriesPipeline(store=store) for _ in articles]

    async def run():
        done = [await stage.process_item(article) for stage, article in zip(stages, articles,
                                                                             strict=True)]
        assert len({a.story_id for a in done}) == 3  # nobody saw anybody
        for n in closing:
            apply_writes(store, [as_write(done[n])])
            await stages[n].join_late_copies()
    asyncio.run(run())
    stored = [store.find_article(a.canonical_url) for a in articles]
    assert {d["story_id"] for d in stored} == {min(new_story_id(a.canonical_url)
                                                   for a in articles)}


def test_a_story_merged_by_another_crawl_is_relabelled_when_this_one_closes(store):
    """This crawl stores an article, another crawl merges its story into a smaller one, and
    this crawl then files a copy under the id it knows: when it closes, the copy follows."""
    by_id = {r["id"]: r for r in ROWS}
    stage = StoriesPipeline(store=store)

    async def run():
        first = await stage.process_item(article_of(by_id["B2"]))
        apply_writes(store, [as_write(first)])
        store.merge_stories([first.story_id], into="0000000000000000")  # another crawl's join
        copy = await stage.process_item(article_of(by_id["B2-page-variant"]))
        assert copy.story_id == first.story_id  # as this crawl knows it
        apply_writes(store, [as_write(copy)])
        await stage.join_late_copies()
        return first, copy
    first, copy = asyncio.run(run())
    for article in (first, copy):
        assert store.find_article(article.canonical_url)["story_id"] == "0000000000000000"


def test_crawls_of_one_run_meet_in_memory_before_anything_is_stored(store):
    """Two crawls of one run in one process: the second sees the first's article while neither
    has stored anything. Its copy was published first, so the first crawl's article becomes
    the later copy; that crawl stores it only after the other crawl's update went by, and
    points it at the original when it closes."""
    by_id = {r["id"]: r for r in ROWS}
    later = article_of(by_id["B2"])
    earlier = article_of(by_id["B2-page-variant"])
    earlier.published_at = later.published_at - timedelta(hours=1)
    memory, other = run_memory("run-1"), run_memory("run-2")
    assert run_memory("run-1") is memory and other is not memory
    release_memory("run-2", other)
    first, second = StoriesPipeline(store=store, memory=memory), StoriesPipeline(
        store=store, memory=memory)
    read_back = []
    signatures_in = store.story_signatures_in
    store.story_signatures_in = lambda bucket, **since: read_back.append(
        signatures_in(bucket, **since)) or read_back[-1]

    async def run():
        a = await first.process_item(later)
        b = await second.process_item(earlier)
        assert b.story_id == a.story_id and b.originals_of == [a.canonical_url]
        for stage, article in ((first, a), (second, b)):
            stage.run_id = article.run_id = "run-1"
        apply_writes(store, [as_write(b)])  # its update finds nothing stored yet
        apply_writes(store, [as_write(a)])
        read_back.clear()
        for stage in (first, second):
            await stage.join_late_copies()
        return a, b
    a, b = asyncio.run(run())
    assert read_back and not any(read_back)  # at close: nothing to read of its own run
    stored = {x.canonical_url: store.find_article(x.canonical_url) for x in (a, b)}
    assert stored[a.canonical_url]["duplicate_of"] == b.canonical_url
    assert stored[b.canonical_url]["duplicate_of"] == ""
    assert {d["story_id"] for d in stored.values()} == {a.story_id}
    for _ in range(2):
        release_memory("run-1", memory)
    fresh = run_memory("run-1")
    assert fresh is not memory  # forgotten once its last crawl closed
    release_memory("run-1", fresh)
