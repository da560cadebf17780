"""`newscrawl extract FILE.html --url URL`: a saved page through the extraction and cleaning
stages of its outlet (a named spider, the spider whose domains match the URL, or a generic
outlet for that site), printed as one JSON object. No network, no database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from crawler.cli.common import check_spider, die
from crawler.items import STORED_FIELDS
from crawler.jsonio import dumps


def extract(
    file: Annotated[Path, typer.Argument(help="A saved HTML page.")],
    url: Annotated[str, typer.Option(help="The URL the page was saved from.")],
    spider: Annotated[
        str, typer.Option(help="Spider whose extraction to use (default: by the URL's domain).")
    ] = "",
    section: Annotated[str, typer.Option(help="Section key to file it under.")] = "",
    timezone: Annotated[
        str, typer.Option(help="IANA zone for times the page prints without an offset.")
    ] = "",
) -> None:
    """Print the article a saved page yields, as one JSON object (no network, no database)."""
    from crawler.extraction.site import NotAUrl, site_host
    from crawler.offline import NotHtml, extract_article
    from pipelines.base import ArticleDropped

    try:
        site_host(url)
    except NotAUrl as exc:
        die(f"--url: {exc}")
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            die(f"--timezone: unknown IANA zone {timezone!r} (e.g. Africa/Casablanca)")
    if spider:
        check_spider(spider)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        die(f"{file}: cannot read ({exc.strerror or exc})")
    try:
        article = extract_article(
            raw, url=url, spider=spider or None, section=section, timezone=timezone or None
        )
    except NotHtml as exc:
        die(f"{file}: {exc}")
    except ArticleDropped as exc:
        die(f"{file}: no article: {exc}", 1)
    record = {name: getattr(article, name) for name in STORED_FIELDS}
    typer.echo(dumps(record, indent=2))
