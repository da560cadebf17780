"""`scrapy crawl`, with newscrawl.toml checked before Scrapy builds its spider loader.

Without this, a bad configuration file surfaces from inside Scrapy's start-up as a traceback;
here it is the same one line and exit code 2 as `newscrawl crawl` gives.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler.cli.common import USAGE_ERROR, say_error
from crawler.config import ConfigError


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        from crawler.catalogue import read_configuration

        try:
            read_configuration()
        except ConfigError as exc:
            say_error(str(exc))
            raise SystemExit(USAGE_ERROR) from None
