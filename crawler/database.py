"""Which MongoDB newscrawl uses: NEWSCRAWL_MONGO_URI when set, else the embedded server.

A URI that cannot work is refused here, in one line that says what is wrong with it and never
shows its password, before any client is built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from crawler.config import ConfigError

# Mechanisms that authenticate with a user name and a password.
PASSWORD_MECHANISMS = ("DEFAULT", "SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class MongoTarget:
    """A MongoDB URI and the database newscrawl uses on it."""

    uri: str
    database: str
    embedded: bool


def mongo_target() -> MongoTarget:
    """NEWSCRAWL_MONGO_URI when set, else the embedded server (started on demand)."""
    uri = os.environ.get("NEWSCRAWL_MONGO_URI")
    if not uri:
        from crawler.embedded import EmbeddedServer

        uri = EmbeddedServer().ensure_running()
        return MongoTarget(uri=uri, database=database_of(uri), embedded=True)
    return MongoTarget(uri=uri, database=database_of(uri), embedded=False)


def database_of(uri: str) -> str:
    """The URI's database (default `newscrawl`), or a ConfigError saying what is wrong."""
    from pymongo.uri_parser import parse_uri

    try:
        parsed = parse_uri(uri)
    except Exception as exc:  # pymongo raises InvalidURI/ConfigurationError/ValueError
        raise ConfigError(f"NEWSCRAWL_MONGO_URI: invalid MongoDB URI ({exc})") from None
    mechanism = str(parsed["options"].get("authMechanism", "DEFAULT")).upper()
    if parsed.get("username") and not parsed.get("password") and (
            mechanism in PASSWORD_MECHANISMS):
        raise ConfigError(
            f"NEWSCRAWL_MONGO_URI: user {parsed['username']!r} has no password; write "
            "mongodb://USER:PASSWORD@HOST/DATABASE (%-escape ':', '/', '@' in the password)")
    return parsed.get("database") or "newscrawl"
