"""Extraction: our chain vs trafilatura, time per page and accuracy on the same checks.

Three sets of saved pages:
- `replica`: the bundled replica pages (tests/fixtures/<outlet>/), through each outlet's spider
  (its selectors, then the generic chain) as a crawl extracts them;
- `real`: the five real pages of Arab outlets the generic chain was built against
  (tests/fixtures/real/), through the generic outlet, as `newscrawl extract FILE --url URL`;
- `heldout`: real pages of other outlets nobody tuned for (tests/fixtures/real/heldout/);
- `unseen`: real pages of other outlets whose expected values were written before any extractor
  ran on them (tests/fixtures/real/unseen/; four Arab outlets in Arabic, six others);
- `unseen2`: a second such batch, added after the rules drawn from `unseen` (twelve outlets, six
  languages; tests/fixtures/real/unseen2/);
- `unseen3`: a third, added after the rules drawn from `unseen2` (nine outlets, four languages;
  tests/fixtures/real/unseen3/);
- `unseen4`: a fourth, added after the rules drawn from `unseen3` (ten outlets, English and German;
  tests/fixtures/real/unseen4/);
- `unseen5`: a fifth, added after the rules drawn from `unseen4` (ten outlets, English, German and
  French; tests/fixtures/real/unseen5/);
- `unseen6`: a sixth, added after the rules drawn from `unseen5` (ten outlets, six languages;
  tests/fixtures/real/unseen6/);
- `unseen7`: a seventh, added after the rules drawn from `unseen6` (eight outlets, seven
  languages; tests/fixtures/real/unseen7/);
- `unseen8`: an eighth, added after the rules drawn from `unseen7` (eight outlets, five languages;
  tests/fixtures/real/unseen8/);
- `unseen9`: a ninth, added after the rules drawn from `unseen8` (eight outlets, six languages;
  tests/fixtures/real/unseen9/);
- `unseen10`: a tenth, added after the rules drawn from `unseen9` (seven outlets, five languages;
  tests/fixtures/real/unseen10/);
- `unseen11`: an eleventh, added with `unseen10` (eight outlets, four
  languages; tests/fixtures/real/unseen11/);
- `unseen12`: a twelfth, added with `unseen11` (twelve outlets, English, French and German;
  tests/fixtures/real/unseen12/);
- `unseen13`: a thirteenth, added after the rules drawn from `unseen12` (five outlets, English
  and Spanish; tests/fixtures/real/unseen13/);
- `unseen14`: a fourteenth, added after the rules drawn from `unseen13` (three outlets, German
  and English; tests/fixtures/real/unseen14/).

Our time is extraction proper, from the page's bytes: decoding, the page object and the
timestamps stage (which reads the date); accuracy is read after all the cleaning stages
(validate, normalize, timestamps), as `newscrawl extract` prints it. Trafilatura's time is
`trafilatura.extract(html, url=url)`; its accuracy is read
from `bare_extraction` with metadata and htmldate's extensive date search, times without an
offset read in the zone our path assumed. Checks (crawler/extraction/checks.py): title, instant
of publication, first and last paragraph, no furniture in the body.

    python bench/bench_extraction.py [--rounds 5] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extraction.checks import (  # noqa: E402
    CHECKS,
    check,
    ours,
    trafilatura_extracted,
)
from crawler.offline import page_for  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PARAGRAPH_START = 60
REAL_SETS = ("real", "heldout", "unseen", "unseen2", "unseen3", "unseen4", "unseen5",
             "unseen6", "unseen7", "unseen8", "unseen9", "unseen10", "unseen11",
             "unseen12", "unseen13", "unseen14")
REPLICA_FURNITURE = [  # the replica templates' furniture (tests/test_fixtures.py checks more)
    "قد يهمك", "آخر تحديث GMT", "Maintained and developed", "شروط النشر", "الأكثر قراءة",
    "أضف تعليقك", "جميع الحقوق محفوظة", "Related posts", "Leave a comment", "googletag",
]


@dataclass
class Page:
    set: str
    name: str
    html: bytes
    url: str
    spider: str | None
    expected: dict
    ours_ms: list[float] = field(default_factory=list)
    theirs_ms: list[float] = field(default_factory=list)
    ours_checks: dict[str, bool] = field(default_factory=dict)
    theirs_checks: dict[str, bool] = field(default_factory=dict)


def replica_expected(want: dict) -> dict:
    paragraphs = want["body"].split("\n\n")
    return {
        "title": want["title"], "published_at": want["published_at"],
        "first_paragraph_start": paragraphs[0][:PARAGRAPH_START],
        "last_paragraph_start": paragraphs[-1][:PARAGRAPH_START],
        "boilerplate": REPLICA_FURNITURE,
    }


def load_pages() -> list[Page]:
    from crawler.run import spider_names

    pages = []
    spiders = set(spider_names())
    for case in sorted(FIXTURES.glob("*/*.json")):
        if case.parent.name in spiders:
            want = json.loads(case.read_text("utf-8"))
            pages.append(Page("replica", f"{case.parent.name}/{case.stem}",
                              case.with_suffix(".html").read_bytes(), want["url"],
                              case.parent.name, replica_expected(want)))
    for kind in REAL_SETS:
        folder = FIXTURES / "real" if kind == "real" else FIXTURES / "real" / kind
        for case in sorted(folder.glob("*.json")):
            want = json.loads(case.read_text("utf-8"))
            pages.append(Page(kind, case.stem, case.with_suffix(".html").read_bytes(),
                              want["url"], None, want))
    return pages


def extract_only(html: bytes, url: str, spider: str | None) -> object:
    """Page object, raw Article and its dates: what extraction costs, without the storage keys
    (search terms, content hash) the normalize stage computes."""
    from pipelines.timestamps import TimestampsPipeline

    page, outlet = page_for(html, url=url, spider=spider)
    return TimestampsPipeline(outlet=outlet).process_item(page.to_article())


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def measure(pages: list[Page], rounds: int) -> None:
    import trafilatura

    trafilatura.extract("<html><body><p>warm up</p></body></html>")
    for page in pages:
        _, outlet = page_for(page.html, url=page.url, spider=page.spider)
        page.ours_checks = check(page.expected, ours(page.html, page.url, page.spider))
        page.theirs_checks = check(
            page.expected, trafilatura_extracted(page.html, page.url, outlet.timezone)
        )
    for _ in range(rounds):  # alternate, so load on the machine hits both alike
        for page in pages:
            page.ours_ms.append(timed(extract_only, page.html, page.url, page.spider)[0])
            page.theirs_ms.append(timed(trafilatura.extract, page.html, url=page.url)[0])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(pages: list[Page], rounds: int) -> str:
    lines = [
        f"rounds: {rounds}; times are medians per page in ms; accuracy = checks passed / checks",
        "",
        "| set | pages | ours ms/page | trafilatura ms/page | ours / trafilatura "
        "| ours accuracy | trafilatura accuracy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("replica", *REAL_SETS):
        group = [p for p in pages if p.set == name]
        if not group:
            continue
        ours_ms = median([median(p.ours_ms) for p in group])
        theirs_ms = median([median(p.theirs_ms) for p in group])
        ratio = median([median(p.ours_ms) / median(p.theirs_ms) for p in group])
        total = len(group) * len(CHECKS)
        mine = sum(sum(p.ours_checks.values()) for p in group)
        other = sum(sum(p.theirs_checks.values()) for p in group)
        lines.append(
            f"| {name} | {len(group)} | {ours_ms:.1f} | {theirs_ms:.1f} | {ratio:.2f} "
            f"| {mine}/{total} ({mine / total:.0%}) | {other}/{total} ({other / total:.0%}) |"
        )
    lines += ["", "Per check (real pages; ours / trafilatura):", "",
              "| check | " + " | ".join(REAL_SETS) + " |", "| --- |" + " ---: |" * len(REAL_SETS)]
    for name in CHECKS:
        cells = []
        for kind in REAL_SETS:
            group = [p for p in pages if p.set == kind]
            mine = sum(p.ours_checks[name] for p in group)
            other = sum(p.theirs_checks[name] for p in group)
            cells.append(f"{mine}/{len(group)} vs {other}/{len(group)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Per page (real pages):", "",
              "| set | page | ours ms | trafilatura ms | ours: failed checks "
              "| trafilatura: failed checks |", "| --- | --- | ---: | ---: | --- | --- |"]
    for page in pages:
        if page.set == "replica":
            continue
        failed_ours = ", ".join(k for k, v in page.ours_checks.items() if not v) or "none"
        failed_theirs = ", ".join(k for k, v in page.theirs_checks.items() if not v) or "none"
        lines.append(
            f"| {page.set} | {page.name} | {median(page.ours_ms):.1f} "
            f"| {median(page.theirs_ms):.1f} | {failed_ours} | {failed_theirs} |"
        )
    replica_failed = [
        f"{p.name}: ours {sorted(k for k, v in p.ours_checks.items() if not v)}"
        for p in pages if p.set == "replica" and not all(p.ours_checks.values())
    ]
    if replica_failed:
        lines += ["", "Replica pages where ours failed a check:", *replica_failed]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="(the output is markdown)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura and htmldate log every odd page
    warnings.simplefilter("ignore")
    pages = load_pages()
    measure(pages, args.rounds)
    print(report(pages, args.rounds))


if __name__ == "__main__":
    main()
