"""A crawl interrupted at any point leaves no gap: the next ordinary crawl of the section reads
on past the pages the interrupted one reached, fetches what it left, and every article ends up
stored exactly once; an uninterrupted crawl still stops paginating at the first page of stored
articles."""

from __future__ import annotations

import json
import random
import signal
import subprocess
from datetime import UTC, datetime, timedelta

import pymongo
import pytest

from crawler.frontier import ListingWalk, UnfinishedWalk
from crawler.replica.corpus import default_corpus_path
from crawler.replica.faults import Faults
from crawler.store import Store
from tests.conftest import NEWSCRAWL, REPO, wait_until

LISTING = "/36-في-الأخبار-أيضا"  # almaghribtoday's security listing (10 articles a page)
FAST_STORE = ["-s", "NEWSCRAWL_STORE_BATCH=5", "-s", "NEWSCRAWL_STORE_FLUSH_S=0.3"]


def security_corpus(path, count: int, seed: int = 8) -> list[dict]:
    """`count` distinct almaghribtoday security articles, one an hour, newest first."""
    records = [json.loads(line) for line in default_corpus_path().read_text("utf-8").splitlines()
               if line.strip()]
    paragraphs = [p for r in records for p in r["body"].split("\n\n") if len(p) > 80]
    titles = [r["title"] for r in records]
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, 12, tzinfo=UTC)
    corpus = [{
        "outlet": "almaghribtoday", "section": "security",
        "title": f"{rng.choice(titles)} ({n + 1})",
        "body": "\n\n".join([*rng.sample(paragraphs, 3), f"وهذا هو الخبر رقم {n + 1} من السلسلة."]),
        "published": (start - timedelta(hours=n)).isoformat().replace("+00:00", "Z"),
    } for n in range(count)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in corpus) + "\n",
                    encoding="utf-8")
    return corpus


def crawl_args(replica, stats, *extra: str) -> list[str]:
    return [NEWSCRAWL, "crawl", "almaghribtoday", "--section", "security", "--replica",
            replica.url, "--stats-file", str(stats), *FAST_STORE, *extra]


def wait_for_stored(db, at_least: int, proc: subprocess.Popen, timeout: float = 180) -> int:
    return wait_until(
        lambda: (n := db.articles.estimated_document_count()) >= at_least and n, timeout,
        f"{at_least} articles stored",
        abort=lambda: "the crawl ended" if proc.poll() is not None else None)


def assert_each_stored_once(db, corpus: list[dict]) -> None:
    docs = list(db.articles.find({}, {"title": 1, "canonical_url": 1}))
    assert len(docs) == len(corpus)
    assert len({d["canonical_url"] for d in docs}) == len(corpus)
    assert sorted(d["title"] for d in docs) == sorted(r["title"] for r in corpus)


def test_a_killed_crawl_is_completed_by_the_next_one(
    nc_env, replica_server, mongo_db, tmp_path
):
    corpus = security_corpus(tmp_path / "corpus.jsonl", 60)  # 6 listing pages
    # slow listing pages, fast articles: the kill lands while the listing is being walked
    replica = replica_server(tmp_path / "corpus.jsonl",
                             faults=Faults(latency_ms=2000, latency_paths={LISTING}))
    first = subprocess.Popen(crawl_args(replica, tmp_path / "first.json"), env=nc_env, cwd=REPO,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_stored(mongo_db, 12, first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    stored = mongo_db.articles.count_documents({})
    (walk,) = list(mongo_db.crawl_frontier.find())  # what the killed crawl left
    assert 1 <= walk["page"] < 6 and stored < len(corpus)
    requested_pages = sum(1 for p in replica.request_log.snapshot() if p.startswith(LISTING))
    assert requested_pages < 6  # the listing's end was never reached

    replica.faults = Faults()
    replica.request_log.clear()
    second = subprocess.run(crawl_args(replica, tmp_path / "second.json"), env=nc_env,
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    stats = json.loads((tmp_path / "second.json").read_text())[0]["stats"]
    assert stats["newscrawl/frontier/resumed_walks"] == 1
    assert stats["newscrawl/frontier/pages_read_again"] >= 1
    assert_each_stored_once(mongo_db, corpus)
    assert list(mongo_db.crawl_frontier.find()) == []  # the walk completed, its record went

    replica.request_log.clear()
    third = subprocess.run(crawl_args(replica, tmp_path / "third.json"), env=nc_env, cwd=REPO,
                           capture_output=True, text=True, timeout=600)
    assert third.returncode == 0, third.stderr[-2000:]
    stats = json.loads((tmp_path / "third.json").read_text())[0]["stats"]
    assert stats["newscrawl/pagination_stopped_early"] == 1
    assert replica.request_log.snapshot().get(LISTING) == 1
    assert not any("page=2" in p for p in replica.request_log.snapshot())
    assert_each_stored_once(mongo_db, corpus)


def test_a_crawl_cut_short_by_max_items_is_completed_by_the_next_one(
    cli, replica_server, mongo_db, tmp_path
):
    """A crawl that ends before its pagination and queue did (--max-items, like a timeout or a
    scheduler shutdown) keeps its record, so the next one reads on."""
    corpus = security_corpus(tmp_path / "corpus.jsonl", 50, seed=3)  # 5 listing pages
    # slow listing pages: the first page's 10 articles are stored long before page 2 comes
    replica = replica_server(tmp_path / "corpus.jsonl",
                             faults=Faults(latency_ms=6000, latency_paths={LISTING}))
    cut = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
              "--max-items", "10", "--stats-file", str(tmp_path / "cut.json"))
    assert json.loads((tmp_path / "cut.json").read_text())[0]["finish_reason"] == (
        "closespider_itemcount"), cut.err
    assert 10 <= mongo_db.articles.count_documents({}) < len(corpus)
    assert mongo_db.crawl_frontier.count_documents({}) == 1

    replica.faults = Faults()
    rest = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url)
    assert rest.code == 0, rest.err
    assert_each_stored_once(mongo_db, corpus)
    assert mongo_db.crawl_frontier.count_documents({}) == 0


# --- the walk's decisions, alone ---


def unfinished(walk_id: str, page: int, anchors: list[str], writes: int = 1) -> UnfinishedWalk:
    return UnfinishedWalk(walk_id, page, writes, frozenset(anchors))


def test_a_walk_reads_one_page_past_the_anchors_before_it_may_stop():
    walk = ListingWalk("almaghribtoday", "security", "https://x/36")
    walk.resume([unfinished("dead", 3, ["a30", "a31"])])
    assert walk.read_page(1, ["a1", "a2"]) is False
    assert walk.read_page(2, ["a29", "a30"]) is False  # found here (shifted by new articles)
    assert walk.read_page(3, ["a31", "a32"]) is True  # past it: the usual early stop applies
    assert walk.page == 3 and walk.anchors == ["a31", "a32"]


def test_a_walk_with_nothing_pending_may_stop_at_once():
    walk = ListingWalk("almaghribtoday", "security", "https://x/36")
    walk.resume([unfinished("empty", 0, [])])  # a walk killed before it listed anything
    assert walk.read_page(1, ["a1"]) is True


@pytest.mark.parametrize("moved", [False, True])
def test_covered_walks_are_forgotten_unless_they_moved_on(mongo_uri, moved):
    from crawler.database import MongoTarget

    store = Store(MongoTarget(mongo_uri, pymongo.uri_parser.parse_uri(mongo_uri)["database"],
                              False))
    other = ListingWalk("almaghribtoday", "security", "https://x/36")
    other.writes, other.page, other.anchors = 1, 2, ["a20"]
    store.record_walk(other.document())
    seen = UnfinishedWalk.from_document(store.unfinished_walks(other.key)[0])
    if moved:  # a concurrent crawl's walk went on after it was read
        other.writes, other.page = 2, 3
        store.record_walk(other.document())
    assert store.forget_walks([(seen.id, seen.writes)]) == (0 if moved else 1)
    assert len(store.unfinished_walks(other.key)) == (1 if moved else 0)
    store.close()
