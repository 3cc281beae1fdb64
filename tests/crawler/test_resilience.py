"""The crawl against the sandbox's hostile hosts (crawler/sandbox/hostile.py), over HTTP.

Every trouble ends with the page skipped or judged right, the crawl going on, and the problem
counted by kind in the run's stats (``repostwatch/problems/<kind>``); robots.txt that answers
5xx or times out means "disallow" (RFC 9309); Crawl-delay and Retry-After are honoured.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.politeness import retry_after_seconds
from crawler.problems import problem_counts
from crawler.runner import CrawlResult, crawl_failed, project_settings
from crawler.sandbox import PUBLISHER, SandboxServer, archive_size, build_app
from crawler.sandbox.content import generate_headline
from crawler.sandbox.disguise import DISGUISED_COPIES, DISGUISED_TITLE
from crawler.sandbox.hostile import COPY_PATHS, ENCODED_PAGES, HOSTILE_LOG, HostileLog
from crawler.spiders.originals import OriginalsSpider
from crawler.spiders.watch import WatchSpider
from matcher import canonical_url
from repostwatch.config import Config, load_config
from repostwatch.store import Store

P = "repostwatch/problems/"


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[SandboxServer, HostileLog]]:
    app = build_app(articles=3)
    with SandboxServer(app=app) as server:
        yield server, app[HOSTILE_LOG]


def _config(tmp_path: Path, proxy: str, watch: str, crawl: str = "") -> Config:
    q = json.dumps
    path = tmp_path / "repostwatch.toml"
    database = f"sqlite:///{tmp_path / 'rw.db'}"
    path.write_text(
        f"[[publications]]\nname = {q(PUBLISHER.name)}\n"
        f"domains = [{', '.join(q(d) for d in PUBLISHER.domains)}]\n"
        f"originals = [{q(PUBLISHER.sitemap)}]\n\n"
        f"[database]\nurl = {q(database)}\n\n{watch}\n"
        f"[crawl]\nproxy = {q(proxy)}\ndownload_delay = 0\nautothrottle = false\n"
        'allow_private_sites = ["*.test"]\n'
        f"timeout = 4\nretries = 1\nconcurrency_per_site = 4\n{crawl}",
        encoding="utf-8")
    return load_config(path)


async def _crawl(config: Config, spider: type, **kwargs: Any) -> dict[str, Any]:
    crawler = AsyncCrawlerRunner(project_settings(config)).create_crawler(spider)
    await crawler.crawl_async(**kwargs)
    return dict(crawler.stats.get_stats())


async def _watch(tmp_path: Path, hostile: tuple[SandboxServer, HostileLog],
                 watch: str) -> tuple[Config, dict[str, Any]]:
    """Import the sandbox's originals, then crawl ``watch`` (a [[watch]] table); the hostile
    log holds the watch crawl's requests only."""
    server, log = hostile
    config = _config(tmp_path, server.proxy_url, watch)
    assert (await _crawl(config, OriginalsSpider)).get("repostwatch/originals/added") == (
        archive_size(3))  # its own 3 stories and the wire stories it ran
    log.clear()
    return config, await _crawl(config, WatchSpider)


# What each trouble of hostile.test ends as (the kind of problem its page is skipped for).
# A timeout may stand in for any of them on a loaded machine: it is the one problem that load
# alone can cause, and the page is still skipped, never judged.
TROUBLES = {
    "/slow": "timeout", "/stall": "timeout",  # they never answer within [crawl] timeout
    "/huge": "too large", "/huge-stream": "too large", "/bomb": "too large",
    "/loop": "redirects",  # /loop-a <-> /loop-b: reported at whichever hop saw the loop
    "/error": "http error",  # 500, retried once, then given up
    "/broken-chunked": "data loss",
    "/pdf-as-html": "not html", "/image.png": "not html",  # a PDF sent as text/html; a PNG
}


def _skipped(records: list[logging.LogRecord]) -> dict[str, str]:
    """Path → kind of every page the crawl skipped (its INFO line "skipped URL: kind (…)")."""
    out = {}
    for r in records:
        if r.levelno == logging.INFO and r.msg == "skipped %s: %s (%s)":
            url, kind, _ = r.args  # type: ignore[misc]
            path = str(url).removeprefix("http://hostile.test")
            out["/loop" if path in ("/loop-a", "/loop-b") else path] = str(kind)
    return out


@deferred_f_from_coro_f
async def test_hostile_site_is_crawled_to_the_end(
    tmp_path: Path, hostile: tuple[SandboxServer, HostileLog], caplog: pytest.LogCaptureFixture
) -> None:
    _, log = hostile
    caplog.set_level(logging.INFO)
    config, stats = await _watch(
        tmp_path, hostile,
        '[[watch]]\nurl = "http://hostile.test/"\nmax_pages = 40\nmax_depth = 60\n')

    assert stats["finish_reason"] == "finished"
    assert crawl_failed(CrawlResult("watch", stats)) is None  # page problems are not failures
    assert stats.get("log_count/ERROR", 0) == 0
    skipped = _skipped(caplog.records)
    assert set(skipped) == set(TROUBLES)  # these pages, and no other, are skipped
    for path, kind in skipped.items():
        assert kind in (TROUBLES[path], "timeout"), (path, kind)
    assert sum(problem_counts(stats).values()) == len(TROUBLES)  # each counted once
    # the PNG is stopped at its headers, its body never read (unless it timed out before)
    assert stats.get("repostwatch/stopped_at_headers", 0) == (skipped["/image.png"] == "not html")
    assert stats.get("repostwatch/page_cap_reached", 0) >= 1  # the endless calendar
    calendar = {p for h, p, _ in log if p.startswith("/calendar/")}
    assert 10 < len(calendar) < 40

    store = Store.open(config.database_url)
    try:
        found = {canonical_url(f.page_url): f for f in store.findings()}
    finally:
        store.close()
    copied = PUBLISHER.article_url(generate_headline(0).slug)  # the hostile pages copy it
    for path in COPY_PATHS:  # malformed HTML, after a 429, and in every encoding
        f = found.get(canonical_url(f"http://hostile.test{path}"))
        assert f is not None, f"{path} was not found as a copy"
        assert (f.verdict, f.extent, f.credit_status) == ("repost", "full", "uncredited"), path
        assert f.original_url == copied
    for path, _, _, title, _ in ENCODED_PAGES:  # declared in the header, a meta, or not at all
        assert found[canonical_url(f"http://hostile.test{path}")].page_title == title, path
    assert len(found) == len(COPY_PATHS)

    # said once: no warning per page (--verbose has them), one summary line for the host,
    # and Scrapy's own warnings about the same pages (sizes, data loss) only with --verbose
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [w for w in warnings if w.startswith("skipped http")], warnings
    assert f"skipped {len(TROUBLES)} pages of hostile.test: " in "\n".join(warnings)
    assert not [w for w in warnings if "larger than download" in w or "Got data loss" in w
                or "DOWNLOAD_MAXSIZE" in w], warnings


@deferred_f_from_coro_f
async def test_copies_in_disguise_are_found(
    tmp_path: Path, hostile: tuple[SandboxServer, HostileLog]
) -> None:
    # A charset naming no text encoding (hex, rot13, idna, undefined), UTF-16 declared on
    # UTF-8 bytes, or a meta refresh to mailto:/javascript: or after 90 s: each used to skip
    # the page, or judge another page in its place. The page readers see is judged.
    _, log = hostile
    config, stats = await _watch(
        tmp_path, hostile, '[[watch]]\nurl = "http://disguise.test/"\nmax_depth = 3\n')
    assert stats.get("log_count/ERROR", 0) == 0
    store = Store.open(config.database_url)
    try:
        found = {canonical_url(f.page_url): f for f in store.findings()}
    finally:
        store.close()
    for path in DISGUISED_COPIES:
        f = found.get(canonical_url(f"http://disguise.test{path}"))
        assert f is not None, f"{path} was not found as a copy"
        assert (f.verdict, f.extent, f.credit_status) == ("repost", "full", "uncredited"), path
        assert f.page_title == DISGUISED_TITLE, path  # decoded as the UTF-8 it is
    assert len(found) == len(DISGUISED_COPIES)
    paths = [p for h, p, _ in log if h == "disguise.test"]
    assert "/moved/copy" in paths  # the 0-second refresh was followed
    assert "/about" in paths  # a link of every page, but never in place of the late refresh


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(tmp_path: Path,
                                       hostile: tuple[SandboxServer, HostileLog]) -> None:
    _, log = hostile
    _, stats = await _watch(
        tmp_path, hostile, '[[watch]]\nurl = "http://hostile.test/busy?again"\nmax_depth = 0\n')
    times = [t for h, p, t in log if p == "/busy?again"]
    assert len(times) == 2  # 429 with Retry-After: 1, then the page
    assert times[1] - times[0] >= 0.95
    assert stats.get("repostwatch/backoff") == 1
    assert stats.get("repostwatch/pages_judged") == 1


@deferred_f_from_coro_f
async def test_crawl_delay_is_honoured(tmp_path: Path,
                                       hostile: tuple[SandboxServer, HostileLog]) -> None:
    _, log = hostile
    _, stats = await _watch(
        tmp_path, hostile, '[[watch]]\nurl = "http://crawl-delay.test/"\n')
    times = sorted(t for h, p, t in log if h == "crawl-delay.test" and p != "/robots.txt")
    assert len(times) == 5  # the home page and its four pages
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.95, gaps  # Crawl-delay: 1, although download_delay = 0
    assert stats.get("repostwatch/crawl_delay/crawl-delay.test") == 1.0


@pytest.mark.parametrize("host", ["robots-500.test", "robots-slow.test"])
@deferred_f_from_coro_f
async def test_unreadable_robots_txt_means_disallow(
    tmp_path: Path, hostile: tuple[SandboxServer, HostileLog], host: str
) -> None:
    _, log = hostile
    _, stats = await _watch(
        tmp_path, hostile, f'[[watch]]\nurl = "http://{host}/"\n')
    assert [p for h, p, _ in log if h == host] == ["/robots.txt"] * 2  # asked (and retried)
    assert stats.get("repostwatch/robots/unavailable") == 1
    assert stats.get(P + "robots_forbidden") == 1
    assert stats.get("repostwatch/pages_judged", 0) == 0
    problem = crawl_failed(CrawlResult("watch", stats))
    assert problem is not None and "could not fetch any page" in problem


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0), (" 3 ", 3.0), ("Sat, 28 Nov 2026 10:00:30 GMT", 30.0),
    ("Sat, 28 Nov 2026 09:59:00 GMT", 0.0), ("soon", None), ("", None), (None, None),
    ("\u00b2", None),  # a digit to str.isdigit, not to float(): the header's byte 0xB2
])
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    now = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now) == seconds


@deferred_f_from_coro_f
async def test_requests_waiting_for_robots_txt_all_obey_it(
    tmp_path: Path, hostile: tuple[SandboxServer, HostileLog]
) -> None:
    # Three requests to one site at once (start page, sitemap, feed), all forbidden: each
    # must wait for robots.txt and obey it (Scrapy 2.19 let all but the first through).
    _, log = hostile
    base = "http://robots-late.test/private"
    _, stats = await _watch(
        tmp_path, hostile,
        f'[[watch]]\nurl = "{base}/a"\nsitemap = "{base}/b"\nfeed = "{base}/c"\n')
    assert [p for h, p, _ in log if h == "robots-late.test"] == ["/robots.txt"]
    assert stats.get("robotstxt/forbidden") == 3
