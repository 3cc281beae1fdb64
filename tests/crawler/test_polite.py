"""``crawler.polite``: a few pages of a site, fetched as politely as a crawl (robots.txt, one
request at a time with the site's delay, the address guard), keeping what answered 200."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest
from aiohttp import web

from crawler.polite import PoliteFetcher
from repostwatch.config import CrawlConfig
from tests.conftest import run_async
from tests.localserver import Server

DELAY = 0.3
ABOUT = "<html><body><p>Write to <a href='mailto:desk@site.test'>the desk</a></p></body></html>"


def _app(log: list[tuple[str, float]], robots: tuple[int, str]) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        log.append((request.path, time.monotonic()))
        if request.path == "/robots.txt":
            return web.Response(status=robots[0], text=robots[1])
        if request.path in ("/about", "/private/contact", "/imprint"):
            return web.Response(text=ABOUT, content_type="text/html")
        if request.path == "/moved":
            raise web.HTTPFound("/about")
        return web.Response(status=404, text="<p>no such page</p>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


@pytest.fixture
def site() -> Iterator[tuple[Server, list[tuple[str, float]]]]:
    log: list[tuple[str, float]] = []
    with Server(_app(log, (200, "User-agent: *\nDisallow: /private\n"))) as server:
        yield server, log


def _config(**changes: object) -> CrawlConfig:
    return CrawlConfig(**{"download_delay": DELAY, "timeout": 10.0,  # type: ignore[arg-type]
                          "allow_private": True, **changes})


def test_keeps_pages_answering_200_and_obeys_robots(site) -> None:
    server, log = site
    fetcher = PoliteFetcher(_config())
    urls = [server.url(p) for p in ("/contact", "/about", "/private/contact", "/moved")]
    got = run_async(fetcher.fetch_async(urls))
    assert sorted(got) == [server.url("/about"), server.url("/moved")]
    assert got[server.url("/moved")].final_url == server.url("/about")
    assert "mailto:desk@site.test" in got[server.url("/about")].html
    assert fetcher.skipped == {server.url("/contact"): "HTTP 404 Not Found",
                               server.url("/private/contact"): "disallowed by robots.txt"}
    assert "/private/contact" not in [p for p, _ in log]
    # a second round: robots.txt is not asked again, and the site's delay still holds
    run_async(fetcher.fetch_async([server.url("/imprint")]))
    paths = [p for p, _ in log]
    assert paths.count("/robots.txt") == 1 and paths[-1] == "/imprint"
    # one request at a time, DELAY apart (the redirect's second hop belongs to /moved)
    starts = [t for i, (_, t) in enumerate(log) if i == 0 or log[i - 1][0] != "/moved"]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= DELAY - 0.01


def test_a_site_whose_robots_txt_fails_is_not_fetched() -> None:
    log: list[tuple[str, float]] = []
    with Server(_app(log, (503, "busy"))) as server:
        fetcher = PoliteFetcher(_config())
        assert run_async(fetcher.fetch_async([server.url("/about")])) == {}
    assert [p for p, _ in log] == ["/robots.txt"]
    assert fetcher.skipped[server.url("/about")].startswith("robots.txt could not be read "
                                                            "(HTTP 503")


def test_robots_txt_missing_means_no_rules_and_the_guard_holds() -> None:
    log: list[tuple[str, float]] = []
    with Server(_app(log, (404, "none"))) as server:
        assert list(run_async(PoliteFetcher(_config(download_delay=0)).fetch_async(
            [server.url("/private/contact")]))) == [server.url("/private/contact")]
        log.clear()
        guarded = PoliteFetcher(_config(allow_private=False))
        assert run_async(guarded.fetch_async([server.url("/about")])) == {}
    assert log == []  # not even robots.txt: a loopback address is refused before connecting
    assert "private or local address" in guarded.skipped[server.url("/about")]
