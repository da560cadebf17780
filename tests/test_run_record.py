"""The crawl's own part of its run document (crawler/run_record.py), with a real crawl."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawler.replica.corpus import default_corpus_path
from crawler.replica.faults import Faults


def test_crawl_records_its_figures_and_stops_when_its_run_was_closed(cli, mongo_db,
                                                                     replica_server,
                                                                     tmp_path) -> None:
    lines = [line for line in default_corpus_path().read_text().splitlines()
             if json.loads(line)["section"] == "security"
             and json.loads(line)["outlet"] == "almaghribtoday"][:8]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    replica = replica_server(corpus, faults=Faults(latency_ms=1500))
    # the scheduler gave this run up (its node went silent) while the crawl still runs
    mongo_db["runs"].insert_one({"_id": "gone", "job": "j", "status": "lost",
                                 "started_at": datetime.now(UTC)})
    result = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
                 "--run-id", "gone", "-s", "NEWSCRAWL_RUN_RECORD=True", "-s",
                 "NEWSCRAWL_RUN_CHECK_S=0.5", "-s", "CONCURRENT_REQUESTS=1")
    assert result.code == 1  # stopped before the end: not a finished crawl
    run = mongo_db["runs"].find_one({"_id": "gone"})
    assert run["status"] == "lost"  # the crawl adds its figures, never its status
    assert run["finish_reason"] == "run_closed_by_scheduler"
    assert run["crawl_failed"]  # (nx-27017 0.8.1 turns a `$set` boolean into 1)
    assert run["items"]["stored"] < 8 and run["pages"] >= 1
    assert run["node_software"]["scrapy"].startswith("2.19")
    assert mongo_db["articles"].count_documents({}) == run["items"]["stored"]
