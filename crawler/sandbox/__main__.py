"""``python -m crawler.sandbox [--port N] [--articles N]``: serve the sandbox web until Ctrl-C.

Prints one line, ``sandbox web: proxy http://127.0.0.1:PORT (sites: ...)``, on stdout once it
listens. Exit codes: 0 after Ctrl-C, 1 when the port cannot be bound, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from .server import SandboxError, serve
from .sites import PUBLISHER, SITES


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.sandbox",
        description="Serve the sandbox web (a fake publisher and copy sites on *.test) as a "
        "local HTTP proxy.",
        epilog="example: python -m crawler.sandbox --port 8899 --articles 200, then "
        "curl -x http://127.0.0.1:8899 http://daily-planet.test/",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--articles", type=int, default=8,
                        help="number of publisher articles (default: 8)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    sites = ", ".join((PUBLISHER.host, *(site.host for site in SITES)))

    def ready(proxy_url: str) -> None:
        print(f"sandbox web: proxy {proxy_url} (sites: {sites})", flush=True)

    try:
        asyncio.run(serve(args.host, args.port, args.articles, on_ready=ready))
    except KeyboardInterrupt:
        return 0
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
