"""Cost of `crawler.dates.parse_date` per call: the common forms Arabic pages print, read by our
own regexes, against dateparser on the same strings.

    python bench/bench_dates.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.dates import parse_date  # noqa: E402

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def forms() -> list[tuple[str, str]]:
    """(text, timezone) of every readable row of the dates fixture."""
    with open(ROOT / "tests" / "fixtures" / "arabic-dates.tsv", encoding="utf-8") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return [(text, tz) for text, tz, _crawled, expected in rows if expected != "NONE"]


def per_call_us(func, samples: list[tuple[str, str]], rounds: int) -> list[float]:
    """Microseconds per call, one figure per round."""
    figures = []
    for _ in range(rounds):
        began = time.perf_counter()
        for text, tz in samples:
            func(text, tz)
        figures.append((time.perf_counter() - began) / len(samples) * 1e6)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    samples = forms()

    import dateparser

    ours = per_call_us(lambda text, tz: parse_date(text, tz=tz, now=NOW), samples, args.rounds)
    theirs = per_call_us(
        lambda text, tz: dateparser.parse(text, languages=["ar"], settings={
            "TIMEZONE": tz, "RETURN_AS_TIMEZONE_AWARE": True, "RELATIVE_BASE": NOW}),
        samples, max(args.rounds // 20, 3))
    print(f"{len(samples)} forms, median of {args.rounds} rounds")
    print(f"parse_date:       {statistics.median(ours):8.1f} µs per call")
    print(f"dateparser (ar):  {statistics.median(theirs):8.1f} µs per call "
          f"({statistics.median(theirs) / statistics.median(ours):.0f}x)")


if __name__ == "__main__":
    main()
