"""Commands that only read start fast: they never import the crawling stack.

Each command runs as a real process under `python -X importtime`, against a real database;
what it imported is read from the import log.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bench.archive import ArchiveGenerator, builtin_outlets
from crawler.database import MongoTarget
from crawler.store import Store

HEAVY = {"scrapy", "twisted", "trafilatura", "numpy"}
SCHEDULE = """
[scheduler]
timezone = "UTC"

[[jobs]]
name = "maghrib-security"
spider = "almaghribtoday"
sections = ["security"]
interval = "30m"
"""


def imported(args: list[str], env: dict[str, str]) -> set[str]:
    """Top-level packages the `newscrawl ARGS` process imported (it must succeed)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from crawler.cli import main; main()",
         *args], env=env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.fixture
def env(nc_env, mongo_uri, tmp_path):
    store = Store(MongoTarget(mongo_uri, mongo_uri.rsplit("/", 1)[1], embedded=False))
    store.ensure_indexes()
    end = datetime.now(UTC)
    store.insert_articles(list(ArchiveGenerator(builtin_outlets(), signatures=False)
                               .documents(60, end)))
    store.close()
    schedule = tmp_path / "newscrawl.toml"
    schedule.write_text(SCHEDULE)
    return {**nc_env, "NEWSCRAWL_CONFIG": str(schedule)}


@pytest.mark.parametrize("args", [
    ["--help"],
    ["query", "--help"],
    ["query"],
    ["query", "--outlet", "hespress", "--section", "security", "--format", "jsonl"],
    ["query", "--search", "الأمن الوطني", "--unique-stories", "--since", "1d",
     "--format", "csv"],
    ["query", "--topic", "security", "--until", "1d", "--limit", "0"],
    ["stories", "--since", "2d"],
    ["stories", "--format", "jsonl", "--min-outlets", "1"],
    ["outlets"],
    ["outlets", "--format", "json"],
    ["schedule", "list"],
    ["schedule", "history"],
    ["schedule", "health"],
], ids=lambda args: " ".join(args[:2]))
def test_reading_commands_do_not_import_the_crawling_stack(env, args):
    loaded = imported(args, env)
    assert "crawler" in loaded and "pymongo" in loaded or "--help" in args
    assert not loaded & HEAVY, f"newscrawl {' '.join(args)} imported {sorted(loaded & HEAVY)}"
