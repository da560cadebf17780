"""Health signals of a finished run, judged from its figures and the job's previous runs."""

from __future__ import annotations

from scheduler.config import HealthThresholds
from scheduler.health import evaluate
from scheduler.history import run_figures

LIMITS = HealthThresholds(no_articles_runs=3, max_missing_published_at=0.2, max_error_rate=0.2,
                          min_items=5, min_pages=5)


def run(stored: int = 3, scraped: int = 10, missing: int = 0, pages: int = 20,
        errors: int = 0) -> dict:
    return {"pages": pages, "errors": errors,
            "items": {"stored": stored, "scraped": scraped, "missing_published_at": missing}}


def names(signals: list[dict]) -> list[str]:
    return [s["signal"] for s in signals]


def test_healthy_run_has_no_signal() -> None:
    assert evaluate(LIMITS, run(), []) == []


def test_nothing_stored_for_n_runs_in_a_row() -> None:
    empty = run(stored=0)
    assert evaluate(LIMITS, empty, [empty]) == []  # two in a row: not yet
    assert evaluate(LIMITS, empty, [empty, run()]) == []  # broken by a run that stored
    assert names(evaluate(LIMITS, empty, [empty, empty])) == ["no_articles"]
    off = HealthThresholds(no_articles_runs=0)
    assert evaluate(off, empty, [empty, empty]) == []


def test_published_at_coverage() -> None:
    assert evaluate(LIMITS, run(scraped=10, missing=2), []) == []  # 20%: at the limit
    signals = evaluate(LIMITS, run(scraped=10, missing=3), [])
    assert names(signals) == ["published_at_coverage"] and "30%" in signals[0]["message"]
    assert evaluate(LIMITS, run(scraped=4, missing=4), []) == []  # too few items to judge


def test_error_rate() -> None:
    assert names(evaluate(LIMITS, run(pages=20, errors=5), [])) == ["error_rate"]
    assert evaluate(LIMITS, run(pages=3, errors=3), []) == []  # too few pages to judge


def test_figures_from_the_crawl_stats() -> None:
    stats = {"response_received_count": 12, "newscrawl/stored": 4, "duplicates/url": 1,
             "newscrawl/errors": 1, "finish_reason": "finished", "item_scraped_count": 5,
             "dropped/no_body": 1, "dropped/too.old": 1, "newscrawl/missing_published_at": 2}
    out = run_figures(stats)
    assert out["pages"] == 12 and out["errors"] == 1 and out["finish_reason"] == "finished"
    assert out["items"] == {"scraped": 5, "stored": 4, "duplicates": 1, "dropped": 2,
                            "dropped_by_reason": {"no_body": 1, "too_old": 1},
                            "missing_published_at": 2, "spooled": 0}
    assert out["crawl_failed"] is False and out["spool_file"] is None
    spooled = run_figures({**stats, "newscrawl/spooled": 3,
                           "newscrawl/spool_file": "/tmp/spool/x.jsonl"})
    assert spooled["crawl_failed"] is True and spooled["spool_file"] == "/tmp/spool/x.jsonl"
    assert run_figures({**stats, "finish_reason": "shutdown"})["crawl_failed"] is True
    assert run_figures(None) == {"pages": 0, "errors": 0, "items": {}}
