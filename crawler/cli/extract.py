"""`newscrawl extract FILE.html`: a saved page through a spider's extraction and pipelines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.common import check_spider, die
from crawler.items import STORED_FIELDS
from crawler.jsonio import to_jsonable


def extract(
    file: Annotated[Path, typer.Argument(help="A saved HTML page.")],
    spider: Annotated[str, typer.Option(help="Spider whose extraction to use.")],
    url: Annotated[str, typer.Option(help="The URL the page was saved from.")],
    section: Annotated[str, typer.Option(help="Section key to file it under.")] = "",
) -> None:
    """Print the article a saved page yields, as one JSON object (no network, no database)."""
    from crawler.offline import extract_article  # Scrapy: not for `--help` or other commands
    from pipelines.base import ArticleDropped

    check_spider(spider)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        die(f"{file}: cannot read ({exc.strerror or exc})")
    try:
        article = extract_article(raw, url=url, spider=spider, section=section)
    except ArticleDropped as exc:
        die(f"{file}: no article: {exc}", 1)
    record = {name: getattr(article, name) for name in STORED_FIELDS}
    typer.echo(json.dumps(to_jsonable(record), ensure_ascii=False, indent=2))
