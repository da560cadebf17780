"""`newscrawl demo`: the whole product offline, against the local replica site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.common import RUNTIME_ERROR, console, die, open_store
from crawler.cli.crawl import parse_settings, print_summary
from crawler.query import ArticleQuery
from crawler.terminal import safe_text


def demo(
    corpus: Annotated[Path | None, typer.Option(
        help="Corpus (JSON Lines) for the replica site; default: the bundled one.")] = None,
    port: Annotated[int, typer.Option(help="Replica site port (0: any free port).")] = 0,
    full: Annotated[bool, typer.Option("--full", help="Fetch stored articles again.")] = False,
    show: Annotated[int, typer.Option(help="Newest articles to show afterwards.")] = 10,
    setting: Annotated[list[str] | None, typer.Option(
        "-s", "--set", help="Scrapy/newscrawl setting KEY=VALUE for every crawl (repeatable).")
    ] = None,
) -> None:
    """Serve the replica site, crawl it with the real spiders into the store, show the result."""
    from crawler.replica.corpus import CorpusError, default_corpus_path, load_corpus
    from crawler.replica.server import ReplicaServer
    from crawler.run import CrawlRequest, run_crawls, spider_names

    overrides = parse_settings(setting or [])
    path = corpus or default_corpus_path()
    try:
        articles = load_corpus(path)
    except CorpusError as exc:
        die(str(exc))
    except OSError as exc:
        die(f"{path}: cannot read corpus ({exc.strerror or exc})")
    outlets = sorted({a.outlet for a in articles})
    known = set(spider_names())
    if missing := [o for o in outlets if o not in known]:
        die(f"{path}: corpus names unknown outlet {missing[0]!r}")
    store = open_store(indexes=True)
    try:
        server = ReplicaServer(articles, port=port)
        url = server.start()
    except OSError as exc:
        die(f"replica site: cannot listen on port {port} ({exc.strerror or exc})")
    console.print(f"replica site at {url} serving {len(articles)} articles of "
                  f"{', '.join(outlets)}; storing into {store.display_uri}", highlight=False)
    try:
        results = run_crawls(
            [CrawlRequest(o, full=full) for o in outlets],
            {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, **overrides,
             "NEWSCRAWL_REPLICA_URL": url, "NEWSCRAWL_PROGRESS": True},
        )
    finally:
        server.stop()
    print_summary(results)
    newest = ArticleQuery(outlets=outlets, limit=show).run(store)
    for article in newest:
        when = article.get("published_at")
        stamp = when.strftime("%Y-%m-%d %H:%M") if when else "????-??-?? ??:??"
        console.print(safe_text(
            f"{stamp}  {article['outlet']}/{article['section']}  {article['title']}"),
            highlight=False)
    console.print("next: newscrawl query --outlet almaghribtoday --section security",
                  style="dim")
    if any(r.failed for r in results):
        raise typer.Exit(RUNTIME_ERROR)
