"""No credential in any file newscrawl writes, and nothing it writes readable by others: a
URI with a user and password works against the embedded server (PLAIN) or fails in one line
saying why (SCRAM), and afterwards no file under NEWSCRAWL_HOME holds the password."""

from __future__ import annotations

import json
import os
import stat

import pytest

from crawler.embedded import EmbeddedServer
from crawler.replica.corpus import default_corpus_path
from tests.conftest import run_cli

PASSWORD = "s3cret-Pw0rd"


@pytest.fixture
def home(tmp_path):
    yield tmp_path / "home"
    EmbeddedServer(tmp_path / "home").stop()


def test_credentials_work_or_fail_in_one_line_and_are_never_written(
    home, tmp_path, replica_server
):
    env = {**os.environ, "NEWSCRAWL_HOME": str(home)}
    for name in ("NEWSCRAWL_MONGO_URI", "NEWSCRAWL_CONFIG"):
        env.pop(name, None)
    assert run_cli("db", "start", env=env).code == 0
    port = EmbeddedServer(home).state().port
    base = f"mongodb://reader:{PASSWORD}@127.0.0.1:{port}/newscrawl"

    scram = run_cli("query", env={**env, "NEWSCRAWL_MONGO_URI": base})
    assert scram.code == 1 and len(scram.err.strip().splitlines()) == 1
    assert "SCRAM" in scram.err and "reader:***@" in scram.err and PASSWORD not in scram.err

    plain = {**env, "NEWSCRAWL_MONGO_URI": base + "?authMechanism=PLAIN"}
    records = [line for line in default_corpus_path().read_text("utf-8").splitlines()
               if line.strip() and json.loads(line)["outlet"] == "almaghribtoday"][:6]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(records) + "\n", encoding="utf-8")
    replica = replica_server(corpus)
    crawl = run_cli("crawl", "almaghribtoday", "--replica", replica.url,
                    "--stats-file", str(home / "stats.json"), env=plain)
    assert crawl.code == 0, crawl.err
    assert json.loads((home / "stats.json").read_text())[0]["counts"]["stored"] == 6
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(f'[[jobs]]\nname = "maghrib"\nspider = "almaghribtoday"\n'
                        f'interval = "1h"\nargs = ["--replica", "{replica.url}"]\n')
    trigger = run_cli("schedule", "trigger", "maghrib", "--config", str(schedule), env=plain)
    assert trigger.code == 0, trigger.err + trigger.out
    history = run_cli("schedule", "history", "--json", env=plain)
    assert history.code == 0 and PASSWORD not in history.out

    written = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.parent.name == "logs" for path in written)
    assert any(path.parent.parent.name == "jobs" for path in written)
    assert [path for path in written if PASSWORD.encode() in path.read_bytes()] == []

    for folder in (".", "db", "logs", "jobs"):
        assert stat.S_IMODE((home / folder).stat().st_mode) == 0o700, folder
    for path in written:
        private = stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
        assert private or any(stat.S_IMODE(parent.stat().st_mode) == 0o700
                              for parent in path.parents if parent.is_relative_to(home)), path
    assert stat.S_IMODE(EmbeddedServer(home).log_file.stat().st_mode) == 0o600

