"""Real Scrapy crawls over HTTP against the sandbox web, checked in the database.

In-process crawls use AsyncCrawlerRunner on the session's asyncio reactor (pytest-twisted);
the CLI commands that start a reactor of their own (`demo`, `crawl`) run as subprocesses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import scrapy
from aiohttp import web
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.runner import project_settings
from crawler.sandbox import (
    PUBLISHER,
    SandboxServer,
    archive_size,
    demo_config,
    expected_pages,
)
from crawler.spiders.originals import OriginalsSpider
from crawler.spiders.watch import WatchSpider
from matcher import canonical_url
from repostwatch.config import Config, load_config
from repostwatch.store import Store
from tests.conftest import run_python

ARCHIVE = archive_size()  # the paper's own stories and the wire stories it ran


@pytest.fixture
def config(tmp_path: Path, sandbox, monkeypatch: pytest.MonkeyPatch) -> Config:
    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "repostwatch.toml"
    path.write_text(demo_config(sandbox.proxy_url,
                                database_url=f"sqlite:///{tmp_path / 'rw.db'}"))
    return load_config(path)


async def _crawl(config: Config, spider: type, **kwargs: object) -> dict:
    runner = AsyncCrawlerRunner(project_settings(config))
    crawler = runner.create_crawler(spider)
    await crawler.crawl_async(**kwargs)
    return dict(crawler.stats.get_stats())


@deferred_f_from_coro_f
async def test_import_then_crawl_finds_every_expected_copy(config: Config, sandbox) -> None:
    stats = await _crawl(config, OriginalsSpider)
    assert stats.get("repostwatch/originals/added") == ARCHIVE
    assert stats.get("log_count/ERROR", 0) == 0

    stats = await _crawl(config, WatchSpider)
    assert stats.get("log_count/ERROR", 0) == 0
    assert stats["finish_reason"] == "finished"
    assert stats.get("repostwatch/originals_indexed") == ARCHIVE

    store = Store.open(config.database_url)
    try:
        found = {canonical_url(f.page_url): f for f in store.findings()}
        runs = store.runs()
    finally:
        store.close()
    expected = expected_pages()
    for exp in expected:
        key = canonical_url(exp.url)
        if exp.verdict == "none":
            assert key not in found, f"{exp.url} should not be a finding"
            continue
        assert key in found, f"{exp.url} was not found as a copy"
        f = found[key]
        assert f.verdict == exp.verdict, exp.url
        assert f.credit_status == exp.credit_status, (exp.url, f.credit_reason)
        assert f.kept_apart == exp.kept_apart, exp.url  # copies of wire stories are apart
        assert canonical_url(f.original_url) == canonical_url(exp.original_url or ""), exp.url
    copies = [e for e in expected if e.verdict != "none"]
    assert len(found) == len(copies)
    store = Store.open(config.database_url)  # evidence: kept for every copy, and only copies
    try:
        kept = {exp.url: store.page_versions(exp.url) for exp in expected}
    finally:
        store.close()
    for exp in expected:
        assert len(kept[exp.url]) == (exp.verdict != "none"), exp.url
    assert stats.get("repostwatch/evidence_kept") == len(copies)
    assert stats.get("repostwatch/lacking_credit") == sum(
        e.credit_status not in ("credited", "allowed") and e.kept_apart is None for e in copies)
    assert [r.status for r in runs[:2]] == ["finished", "finished"]


@deferred_f_from_coro_f
async def test_originals_from_a_feed(config: Config) -> None:
    stats = await _crawl(config, OriginalsSpider, source=PUBLISHER.feed)
    assert stats.get("repostwatch/originals/added") == ARCHIVE
    store = Store.open(config.database_url)
    try:
        originals = store.originals()
    finally:
        store.close()
    assert all(o.url.startswith(PUBLISHER.home) and o.title and len(o.tokens) > 100
               for o in originals)
    assert all(o.author and o.published and o.published.tzinfo for o in originals)
    # The repost rule under every article is site chrome, not article text.
    assert not any("Reposts are welcomed" in o.text for o in originals)


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed_and_nothing_is_fetched_twice(config: Config, sandbox) -> None:
    await _crawl(config, OriginalsSpider)
    before = len(sandbox.requests)
    await _crawl(config, WatchSpider)
    served = sandbox.requests[before:]
    assert not [r for r in served if r[1].startswith("/private/")]
    pages = [r for r in served if not r[1].endswith("robots.txt")]
    assert len(pages) == len(set(pages))


@deferred_f_from_coro_f
async def test_crawl_twice_is_idempotent(config: Config, sandbox) -> None:
    await _crawl(config, OriginalsSpider)
    await _crawl(config, WatchSpider)
    store = Store.open(config.database_url)
    first = store.counts()
    store.close()
    stats = await _crawl(config, OriginalsSpider)
    assert stats.get("repostwatch/originals/unchanged") == ARCHIVE
    await _crawl(config, WatchSpider)
    store = Store.open(config.database_url)
    assert store.counts() == first
    store.close()


@deferred_f_from_coro_f
async def test_originals_are_fetched_again_only_when_they_may_have_changed(
        config: Config, sandbox) -> None:
    from datetime import timedelta

    from repostwatch.store import Validators

    await _crawl(config, OriginalsSpider)
    store = Store.open(config.database_url)
    try:
        validators = store.original_validators()
    finally:
        store.close()
    assert len(validators) == ARCHIVE
    assert all(v.etag and v.last_modified and v.lastmod for v in validators.values())

    # The sitemap's <lastmod> is not newer than at the last fetch: no article is requested.
    before = len(sandbox.requests)
    stats = await _crawl(config, OriginalsSpider)
    assert not [r for r in sandbox.requests[before:] if r[1].startswith("/news/")]
    assert stats.get("repostwatch/originals/lastmod_unchanged") == ARCHIVE
    assert stats.get("repostwatch/originals/unchanged") == ARCHIVE

    # A newer <lastmod> (here: an older one remembered) → a conditional GET, answered 304.
    store = Store.open(config.database_url)
    try:
        for o in store.originals():
            v = validators[canonical_url(o.url)]
            assert v.lastmod is not None
            store.set_original_validators(o.url, v._replace(lastmod=v.lastmod - timedelta(1)))
    finally:
        store.close()
    for source in (PUBLISHER.sitemap, PUBLISHER.feed):  # a feed gives no lastmod at all
        stats = await _crawl(config, OriginalsSpider, source=source)
        assert stats.get("downloader/response_status_count/304") == ARCHIVE, source
        assert stats.get("repostwatch/originals/not_modified") == ARCHIVE
        assert stats.get("repostwatch/originals/unchanged") == ARCHIVE
        assert not any(stats.get(f"repostwatch/originals/{k}") for k in ("added", "updated"))
        assert stats.get("item_scraped_count", 0) == 0  # nothing handed on to extract

    # Without validators (say, a database from before they were kept) articles are fetched.
    store = Store.open(config.database_url)
    try:
        for o in store.originals():
            store.set_original_validators(o.url, Validators(None, None, None))
    finally:
        store.close()
    stats = await _crawl(config, OriginalsSpider)
    assert stats.get("downloader/response_status_count/304", 0) == 0
    assert stats.get("repostwatch/originals/unchanged") == ARCHIVE


def _cli(cwd: Path, *args: str, **more_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in __import__("os").environ.items()
           if not k.startswith("REPOSTWATCH_")} | more_env
    return subprocess.run([sys.executable, "-m", "repostwatch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_demo_end_to_end(tmp_path: Path) -> None:
    # Settings for real work in the environment are not the demo's: it neither records into
    # that database nor asks for a Redis queue's shared store (it failed so with REDIS_URL).
    real = tmp_path / "real.db"
    done = _cli(tmp_path, "demo", "--dir", "d", REPOSTWATCH_DATABASE_URL=f"sqlite:///{real}",
                REPOSTWATCH_REDIS_URL="redis://127.0.0.1:1/0")
    assert done.returncode == 0, done.stderr
    assert not real.exists()
    assert "pages judged:" in done.stdout and "lacking credit:" in done.stdout
    copies = [e for e in expected_pages() if e.verdict != "none"]
    assert f"copies found:        {len(copies)} " in done.stdout
    reports = list((tmp_path / "d" / "reports").glob("*.html"))
    assert len(reports) == 1
    html = reports[0].read_text()
    assert "scraperdaily.test" in html and "<script" not in html.lower()
    assert (tmp_path / "d" / "repostwatch.db").exists()
    again = _cli(tmp_path, "demo", "--dir", "d")  # idempotent: same numbers
    assert again.returncode == 0, again.stderr
    assert again.stdout.split("database:")[0] == done.stdout.split("database:")[0]
    # the demo's reports are recorded like any other: `report --list` shows both
    listed = _cli(tmp_path, "--config", "d/repostwatch.toml", "report", "--list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and all(str(tmp_path / "d" / "reports") in ln for ln in lines)


def test_cli_crawl_and_check_against_the_sandbox(tmp_path: Path, sandbox) -> None:
    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    assert _cli(tmp_path, "crawl").returncode == 2  # no originals yet: says what to do
    done = _cli(tmp_path, "originals", "import", f"{PUBLISHER.home}missing-sitemap.xml")
    assert done.returncode == 3
    assert ("no articles found at http://daily-planet.test/missing-sitemap.xml (it answered "
            "HTTP 404)") in done.stderr  # robots.txt's 200 is not the source's answer
    done = _cli(tmp_path, "originals", "import")
    assert done.returncode == 0, done.stderr
    assert f"{ARCHIVE} added" in done.stderr
    done = _cli(tmp_path, "crawl")
    assert done.returncode == 0, done.stderr
    assert "pages judged:" in done.stderr
    target = next(e for e in expected_pages() if e.credit_status == "uncredited")
    done = _cli(tmp_path, "check", "--json", "--allow-private", target.url)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["credit_status"] == "uncredited" and data["publication"] == PUBLISHER.name
    done = _cli(tmp_path, "check", "--allow-private", "http://nowhere.test/")
    assert done.returncode == 3 and "502" in done.stdout


def test_sandbox_command_serves_until_interrupted(tmp_path: Path) -> None:
    import signal
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "repostwatch", "sandbox"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        proxy = line.split("proxy ", 1)[1].split()[0]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
        with opener.open(PUBLISHER.sitemap, timeout=10) as resp:
            assert b"<urlset" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err


def _archive_app() -> web.Application:
    """A site of 60 pages with a 6-link menu on each, behind a bare-domain redirect."""

    async def handle(request: web.Request) -> web.Response:
        if request.host == "archive.test":
            raise web.HTTPMovedPermanently(f"http://www.archive.test{request.path_qs}")
        if request.host != "www.archive.test":
            raise web.HTTPBadGateway()
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        n = int(request.path.strip("/").removeprefix("p") or 0)
        menu = "".join(f'<a href="/p{i}">menu {i}</a> ' for i in range(6))
        body = f"<html><body><nav>{menu}</nav><p>Page {n}</p><a href='/p{n + 1}'>next</a>"
        return web.Response(text=body + "</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


@deferred_f_from_coro_f
async def test_page_cap_counts_pages_and_follows_a_redirected_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    with SandboxServer(app=_archive_app()) as web_server:
        path = tmp_path / "repostwatch.toml"
        path.write_text(
            '[[publications]]\nname = "P"\n'
            '[[watch]]\nurl = "http://archive.test/"\nmax_pages = 20\nmax_depth = 50\n'
            f'[crawl]\nproxy = "{web_server.proxy_url}"\ndownload_delay = 0\n'
            'allow_private_sites = ["*.test"]\n'
            f'[database]\nurl = "sqlite:///{tmp_path / "rw.db"}"\n')
        stats = await _crawl(load_config(path), WatchSpider)
    assert stats.get("repostwatch/pages_judged") == 20
    assert stats.get("repostwatch/page_cap_reached", 0) > 0


@deferred_f_from_coro_f
async def test_judging_in_worker_processes_finds_the_same_copies(config: Config) -> None:
    from crawler.pipelines import JUDGE_PROCESSES_SETTING

    await _crawl(config, OriginalsSpider)
    runner = AsyncCrawlerRunner(project_settings(config))
    runner.settings.set(JUDGE_PROCESSES_SETTING, 1, "cmdline")
    crawler = runner.create_crawler(WatchSpider)
    await crawler.crawl_async()
    stats = dict(crawler.stats.get_stats())
    assert stats.get("log_count/ERROR", 0) == 0
    expected = expected_pages()
    copies = [e for e in expected if e.verdict != "none"]
    store = Store.open(config.database_url)
    try:
        found = {(canonical_url(f.page_url), f.verdict, f.credit_status)
                 for f in store.findings()}
    finally:
        store.close()
    assert found == {(canonical_url(e.url), e.verdict, e.credit_status) for e in copies}
    assert stats.get("repostwatch/evidence_kept") == len(copies)
    assert stats["repostwatch/pages_judged"] == stats["item_scraped_count"]  # all, in a worker


@deferred_f_from_coro_f
async def test_sites_on_two_ports_of_one_host_are_two_sites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The publisher on 127.0.0.1:A (``domains = ["127.0.0.1:A"]``), a copier on 127.0.0.1:B
    linking to it: the copy is found, and the crawl of B never follows links into A."""
    from tests.localserver import Server
    from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    publisher_hits: list[str] = []

    async def publisher(request: web.Request) -> web.Response:
        publisher_hits.append(request.path)
        return web.Response(text=page_html("<p>Our own page</p>"), content_type="text/html")

    pub_app = web.Application()
    pub_app.router.add_get("/{tail:.*}", publisher)
    with Server(pub_app) as pub:
        own = pub.url("/news/pier.html")

        async def copier(request: web.Request) -> web.Response:
            if request.path == "/copy.html":
                body = paragraphs_html(ORIGINAL_PARAGRAPHS)
            else:
                body = (f'<a href="/copy.html">pier</a> <a href="{own}">the original</a> '
                        f'<a href="{pub.url("/")}">their home</a>')
            return web.Response(text=page_html(body), content_type="text/html")

        copy_app = web.Application()
        copy_app.router.add_get("/{tail:.*}", copier)
        with Server(copy_app) as copies:
            path = tmp_path / "repostwatch.toml"
            path.write_text(
                f'[[publications]]\nname = "The Daily Planet"\n'
                f'domains = ["127.0.0.1:{pub.port}"]\n'
                f'[[watch]]\nurl = "{copies.url("/")}"\n'
                '[crawl]\ndownload_delay = 0\nautothrottle = false\nallow_private = true\n'
                f'[database]\nurl = "sqlite:///{tmp_path / "rw.db"}"\n', encoding="utf-8")
            config = load_config(path)
            store = Store.open(config.database_url)
            try:
                store.ensure_publications(config.rules.values())
                store.upsert_original(publication="The Daily Planet", url=own,
                                      title="Old grain pier to close", text=ORIGINAL_TEXT)
            finally:
                store.close()
            stats = await _crawl(config, WatchSpider)
    assert stats.get("log_count/ERROR", 0) == 0
    assert publisher_hits == []
    store = Store.open(config.database_url)
    try:
        [finding] = store.findings()
    finally:
        store.close()
    assert (finding.page_url, finding.verdict) == (copies.url("/copy.html"), "repost")
    assert finding.site == f"127.0.0.1:{copies.port}"


def test_an_empty_import_names_the_answers_of_its_source_not_of_robots_txt() -> None:
    from crawler.spiders.originals import import_problem

    status = "downloader/response_status_count/"
    robots = {f"{status}200": 1, "robotstxt/response_status_count/200": 1}
    assert import_problem({**robots, f"{status}404": 1}, "http://x.test/s.xml") == (
        "no articles found at http://x.test/s.xml (it answered HTTP 404)")
    assert import_problem({f"{status}200": 2, "robotstxt/response_status_count/200": 1,
                           f"{status}404": 3}, "http://x.test/s.xml") == (
        "no articles found at http://x.test/s.xml (answers: 1 × HTTP 200, 3 × HTTP 404)")
    assert import_problem({"repostwatch/originals/unchanged": 7}, "http://x.test/s.xml") is None


@pytest.mark.parametrize("tuning", [True, False])
@deferred_f_from_coro_f
async def test_the_collector_leaves_start_up_objects_alone_while_crawling(
        config: Config, sandbox, tuning: bool) -> None:
    """``QuietCollector``: while pages are judged, the objects of start-up are frozen and the
    youngest generation is collected less often; afterwards the collector is as it was."""
    import gc

    from scrapy import signals

    from crawler.extensions import GC_TUNING_SETTING, YOUNG_OBJECTS

    before = (gc.get_freeze_count(), gc.get_threshold())
    settings = project_settings(config)
    settings.set(GC_TUNING_SETTING, tuning, priority="cmdline")
    crawler = AsyncCrawlerRunner(settings).create_crawler(WatchSpider)
    seen: list[tuple[int, tuple[int, int, int]]] = []

    def judged(**_: object) -> None:  # held here: signals keep weak references
        seen.append((gc.get_freeze_count(), gc.get_threshold()))

    crawler.signals.connect(judged, signal=signals.item_scraped)
    await crawler.crawl_async()

    assert crawler.stats.get_value("finish_reason") == "finished"
    assert len(seen) > 10  # pages were judged
    if tuning:
        assert all(frozen > 10_000 and threshold == (YOUNG_OBJECTS, *before[1][1:])
                   for frozen, threshold in seen)
    else:
        assert set(seen) == {before}
    assert (gc.get_freeze_count(), gc.get_threshold()) == before


class _Refusing:
    """A pipeline that refuses to open: Scrapy closes the spider, the engine never starts."""

    async def open_spider(self) -> None:
        from scrapy.exceptions import CloseSpider

        raise CloseSpider("not today")


class _Waiting(scrapy.Spider):
    """Requests nothing; it waits for ``release`` (if any) and notes the collector then."""

    name = "waiting"

    def __init__(self, release: asyncio.Event | None = None, seen: list | None = None,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.release, self.seen = release, seen

    async def start(self):  # type: ignore[override]
        import gc

        if self.release is not None:
            await self.release.wait()
        if self.seen is not None:
            self.seen.append((gc.get_freeze_count() > 0, gc.get_threshold()))
        return
        yield


def _collector_only() -> dict[str, object]:
    return {"EXTENSIONS": {"crawler.extensions.QuietCollector": 500}, "ITEM_PIPELINES": {},
            "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False}


@deferred_f_from_coro_f
async def test_the_collector_is_restored_when_a_component_refuses_to_open() -> None:
    import gc

    before = (gc.get_freeze_count(), gc.get_threshold())
    runner = AsyncCrawlerRunner({**_collector_only(),
                                 "ITEM_PIPELINES": {f"{__name__}._Refusing": 100}})
    crawler = runner.create_crawler(_Waiting)
    with contextlib.suppress(Exception):  # how Scrapy reports the refusal is its own affair
        await crawler.crawl_async()
    assert (gc.get_freeze_count(), gc.get_threshold()) == before


@deferred_f_from_coro_f
async def test_crawls_side_by_side_leave_the_collector_as_it_was() -> None:
    """The first crawl to close leaves the collector tuned for the one still running; the last
    restores it."""
    import gc

    from scrapy import signals

    from crawler.extensions import YOUNG_OBJECTS

    before = (gc.get_freeze_count(), gc.get_threshold())
    runner = AsyncCrawlerRunner(_collector_only())
    first_closed, seen = asyncio.Event(), []
    first, second = runner.create_crawler(_Waiting), runner.create_crawler(_Waiting)

    def closed(**_: object) -> None:  # held here: signals keep weak references
        first_closed.set()

    first.signals.connect(closed, signal=signals.spider_closed)
    await asyncio.gather(first.crawl_async(),
                         second.crawl_async(release=first_closed, seen=seen))
    assert seen == [(True, (YOUNG_OBJECTS, *before[1][1:]))]
    assert (gc.get_freeze_count(), gc.get_threshold()) == before


_RUN_CRAWLS = """
from crawler.runner import run_crawls
from repostwatch.config import load_config
from twisted.internet import reactor

run_crawls(load_config(None), [])
print(type(reactor.nameResolver).__name__)
"""

_RESOLVING = """
import sys
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.reactor import install_reactor
from crawler.runner import _setup_reactor, project_settings
from repostwatch.config import load_config

settings = project_settings(load_config(None))
settings.set("REACTOR_THREADPOOL_MAXSIZE", 23, "cmdline")
install_reactor(settings["TWISTED_REACTOR"])
from twisted.internet import reactor

_setup_reactor(AsyncCrawlerRunner(settings), reactor)
print(reactor.getThreadPool().max)
names = sys.argv[1:]


def resolve(name):  # the addresses a connection to ``name`` would be given
    seen = []

    class Receiver:
        def resolutionBegan(self, resolution): pass
        def addressResolved(self, address): seen.append(address.host)
        def resolutionComplete(self):
            print(name, sorted(set(seen)), flush=True)
            names.remove(name)
            if not names:
                reactor.stop()
    reactor.nameResolver.resolveHostName(Receiver(), name, 80)


for name in list(names):
    reactor.callWhenRunning(resolve, name)
reactor.run()
"""


def _python(code: str, home: Path, *args: str) -> list[str]:
    (home / "repostwatch.toml").write_text("", encoding="utf-8")
    return run_python(code, home, *args).splitlines()


def test_crawls_of_the_cli_resolve_names_as_scrapy_s_own_process_does(tmp_path: Path) -> None:
    """``run_crawls`` (a ``CrawlerRunner``) installs the DNS resolver of the settings and sizes
    the thread pool, as ``CrawlerProcess`` does: without them every connection was resolved
    uncached in a thread, and a crawl ran ~25 % slower (``benchmarks/crawl.py``). It gives
    IPv6 addresses too (Scrapy's default resolver gave none for ``::1``)."""
    resolver = project_settings(load_config(None))["TWISTED_DNS_RESOLVER"].rsplit(".", 1)[1]
    assert _python(_RUN_CRAWLS, tmp_path) == [resolver]
    lines = _python(_RESOLVING, tmp_path, "::1", "127.0.0.1")
    assert lines[0] == "23"
    assert sorted(lines[1:]) == ["127.0.0.1 ['127.0.0.1']", "::1 ['::1']"]
