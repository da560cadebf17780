"""Configuration: section URLs overridden from newscrawl.toml, and bad files refused in one
line that names the file and the key."""

from __future__ import annotations

import json

from crawler.replica.corpus import default_corpus_path


def write(tmp_path, text: str):
    path = tmp_path / "newscrawl.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_section_urls_are_overridden_without_code_edits(cli, nc_env, tmp_path, replica_server):
    config = write(tmp_path, """
[outlets.almaghribtoday.sections.security]
listings = ["/1187-أخبار-عاجلة"]
feeds = ["/rss"]
""")
    env = {**nc_env, "NEWSCRAWL_CONFIG": str(config)}
    out = cli("outlets", "--format", "json", env=env)
    assert out.code == 0, out.err
    outlet = next(o for o in json.loads(out.out) if o["spider"] == "almaghribtoday")
    security = outlet["sections"]["security"]
    assert security["listings"] == ["https://www.almaghribtoday.net/1187-أخبار-عاجلة"]
    assert security["feeds"] == ["https://www.almaghribtoday.net/rss"]

    replica = replica_server(default_corpus_path())
    result = cli("crawl", "almaghribtoday", "--section", "security", "--replica", replica.url,
                 env=env)
    assert result.code == 0, result.err
    assert replica.requests_for("/1187-") >= 1 and replica.requests_for("/rss") == 1
    assert replica.requests_for("/36-") == 0


def test_bad_override_key_names_file_and_key(cli, nc_env, tmp_path):
    config = write(tmp_path, '[outlets.almaghribtoday.sections.security]\nlistingz = ["/x"]\n')
    result = cli("crawl", "almaghribtoday", env={**nc_env, "NEWSCRAWL_CONFIG": str(config)})
    assert result.code == 2
    assert "outlets.almaghribtoday.sections.security: unknown key 'listingz'" in result.err
    assert "Traceback" not in result.err


def test_invalid_toml_names_the_file(cli, nc_env, tmp_path):
    config = write(tmp_path, "[outlets\n")
    result = cli("outlets", env={**nc_env, "NEWSCRAWL_CONFIG": str(config)})
    assert result.code != 0
    assert str(config) in result.err and "invalid TOML" in result.err
    assert "Traceback" not in result.err


def test_missing_config_file_is_named(cli, nc_env, tmp_path):
    missing = tmp_path / "nope.toml"
    result = cli("outlets", env={**nc_env, "NEWSCRAWL_CONFIG": str(missing)})
    assert result.code != 0 and f"{missing}: configuration file not found" in result.err


def test_unreadable_extract_file_is_named(cli, tmp_path):
    result = cli("extract", str(tmp_path / "missing.html"), "--spider", "almaghribtoday",
                 "--url", "https://www.almaghribtoday.net/36/101500-x")
    assert result.code == 2 and "missing.html: cannot read" in result.err
    assert "Traceback" not in result.err
