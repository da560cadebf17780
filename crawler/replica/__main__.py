"""`python -m crawler.replica --corpus FILE --port N`: serve the replica site until Ctrl-C.

A bad corpus prints its one-line CorpusError and exits 2, without a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys

from crawler.replica.corpus import CorpusError, default_corpus_path, load_corpus
from crawler.replica.server import HOST_HEADER, ReplicaServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.replica", description="Serve the replica news sites."
    )
    parser.add_argument("--corpus", default=str(default_corpus_path()), help="JSON Lines corpus")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    try:
        articles = load_corpus(args.corpus)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        server = ReplicaServer(articles, host=args.host, port=args.port, verbose=not args.quiet)
        url = server.start()
    except (OSError, LookupError, ValueError) as exc:
        print(f"cannot serve the replica on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Replica site at {url} ({len(articles)} articles from {args.corpus})")
    for site in server.sites.values():
        host = site.outlet.base_url.split("://", 1)[-1]
        print(f"  {site.outlet.key:<20} {host:<30} {len(site.articles)} articles")
    print(f"Outlet chosen by the {HOST_HEADER} header, the Host header or ?_host=HOST.")
    print("Ctrl-C stops.")
    sys.stdout.flush()
    # Ctrl-C stops it even when started from a shell that ignores SIGINT in background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
