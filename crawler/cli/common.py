"""What every command shares: the one-line error convention and the store handle.

Exit codes (the README's): 0 done, 1 a failed crawl or an unreachable database, 2 bad input
(a bad option value, an unknown spider or section, a bad configuration file or URI), 130
interrupted. Every failure is one line on stderr, `newscrawl: <what and where>`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn

import typer
from rich.console import Console
from typer import TyperException

from crawler.config import ConfigError
from crawler.embedded import EmbeddedServerError
from crawler.sections import SectionError
from crawler.store import Store, StoreUnavailable

console = Console()
err_console = Console(stderr=True)

USAGE_ERROR = 2  # bad input: unknown spider/section, bad option, bad file
RUNTIME_ERROR = 1  # the crawl or the database failed


def say_error(message: str) -> None:
    from crawler.terminal import escape_controls  # a message may quote a page or a file

    err_console.print(f"newscrawl: {escape_controls(message)}", markup=False, highlight=False,
                      soft_wrap=True)


def say_warning(message: str) -> None:
    say_error(f"warning: {message}")


def die(message: str, code: int = USAGE_ERROR) -> NoReturn:
    say_error(message)
    raise typer.Exit(code)


@contextlib.contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn expected failures into `newscrawl: <what and where>` and an exit code."""
    try:
        yield
    except TyperException as exc:  # Click's usage errors: one line, no usage box
        if type(exc).__name__ != "NoArgsIsHelpError":  # the help is already shown
            say_error(usage_error(exc))
        raise SystemExit(USAGE_ERROR) from None
    except typer.Abort:
        say_error("aborted")
        raise SystemExit(RUNTIME_ERROR) from None
    except (ConfigError, SectionError) as exc:
        say_error(str(exc))
        raise SystemExit(USAGE_ERROR) from None
    except (StoreUnavailable, EmbeddedServerError) as exc:
        say_error(str(exc))
        raise SystemExit(RUNTIME_ERROR) from None
    except KeyboardInterrupt:
        say_error("interrupted")
        raise SystemExit(130) from None
    except Exception as exc:  # last resort: still one line, never a traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        say_error(f"unexpected {type(exc).__name__}: {first} (NEWSCRAWL_DEBUG=1 shows details)")
        raise SystemExit(RUNTIME_ERROR) from None


def usage_error(exc: TyperException) -> str:
    """`crawl: invalid value for '--max-items': ... (see newscrawl crawl --help)`."""
    message = exc.format_message().strip().rstrip(".").replace("Value error, ", "")
    message = message[:1].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    command = ctx.command_path.partition(" ")[2]
    return f"{command + ': ' if command else ''}{message} (see {ctx.command_path} --help)"


def explain_nothing_found(store: Store, *, outlets: Sequence[str], topics: Sequence[str],
                          sections: Sequence[str] = ()) -> None:
    """After an empty result: a warning for each filter value that explains it (a misspelt
    outlet, section or topic), so that an empty table is never the only answer."""
    from crawler.config import load_config
    from crawler.query import filters_matching_nothing
    from crawler.topics import load_rules

    try:
        topic_names = list(load_rules(load_config().get("topics")))
    except ConfigError as exc:
        topic_names = None
        if topics:
            say_warning(f"topic names not checked: {exc}")
    for reason in filters_matching_nothing(store, outlets=outlets, sections=sections,
                                           topics=topics, topic_names=topic_names):
        say_warning(reason)


def open_store(*, indexes: bool = False) -> Store:
    """A reachable store, or a one-line error naming the server."""
    store = Store()
    store.ping()
    if indexes:
        store.ensure_indexes()
    return store


def check_spider(name: str) -> None:
    from crawler.run import spider_names

    names = spider_names()
    if name not in names:
        die(f"unknown spider {name!r} (known: {', '.join(names)})")


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
