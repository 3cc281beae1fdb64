"""The sandbox web: a local fake internet of a publisher and the sites that copy it.

One aiohttp server on 127.0.0.1 acts as an HTTP forward proxy for fake sites on the reserved
``.test`` domain, so nothing can leak to the real internet. The publisher, The Daily Planet
(``daily-planet.test``), has generated articles, a sitemap and a feed; each watch site copies
some of them in its own way (credited, uncredited, misattributed, excerpted, allow-listed) or
not at all. ``expected_pages()`` is the answer key. Sites that no watch list names
(``HIDDEN_SITES``, answer key ``hidden_pages()``) are found through the sandbox's SearXNG
instance, ``searx.test``. Used by the demo, the tests and the benchmarks::

    with SandboxServer(articles=8) as sandbox:
        urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": sandbox.proxy_url})
        ).open("http://daily-planet.test/sitemap.xml")

Scrapy requests take ``meta["proxy"] = sandbox.proxy_url``; aiohttp clients
``session.get(url, proxy=sandbox.proxy_url)``. From a shell: ``python -m crawler.sandbox``.
"""

from __future__ import annotations

from .app import build_app
from .hidden import HIDDEN_SITES, hidden_pages
from .searx import SEARX_HOST
from .server import SandboxError, SandboxServer, serve
from .sites import (
    PUBLISHER,
    WATCH_SITES,
    WIRE_STORIES,
    ExpectedPage,
    Publisher,
    archive_size,
    demo_config,
    expected_pages,
)

__all__ = [
    "HIDDEN_SITES",
    "PUBLISHER",
    "SEARX_HOST",
    "WATCH_SITES",
    "WIRE_STORIES",
    "ExpectedPage",
    "Publisher",
    "SandboxError",
    "SandboxServer",
    "archive_size",
    "build_app",
    "demo_config",
    "expected_pages",
    "hidden_pages",
    "serve",
]
