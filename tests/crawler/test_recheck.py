"""Evidence and rechecks, over HTTP: crawls of a small site whose pages change between them.

The site (``copies.test``) is an aiohttp app served through ``SandboxServer(app=...)``; its
pages are a dict the test edits between crawls. The originals are sandbox articles stored
directly, so no publisher site is needed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from aiohttp import web
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.runner import CrawlResult, crawl_failed
from crawler.sandbox import PUBLISHER, SandboxServer
from crawler.sandbox.content import generate_article
from crawler.sandbox.sites import html_document, html_text
from crawler.spiders.recheck import RecheckSpider, parse_duration
from crawler.spiders.watch import WatchSpider
from repostwatch.config import Config, load_config
from repostwatch.errors import UsageError
from repostwatch.store import Store
from tests.crawler.test_crawl import _crawl

SITE = "http://copies.test"
Pages = dict[str, tuple[int, str]]  # path → (status, HTML)


def _copy(index: int, *, credit: bool = False) -> str:
    a = generate_article(index)
    text = "\n".join(f"<p>{html_text(p)}</p>" for p in a.paragraphs)
    if credit:
        text += (f'\n<p>Source: <a href="{PUBLISHER.article_url(a.slug)}">'
                 f"{html_text(PUBLISHER.name)}</a></p>")
    return html_document(a.title, f"<article><h1>{html_text(a.title)}</h1>\n{text}</article>")


def _site(pages: Pages) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        if request.host.split(":")[0] != "copies.test":
            raise web.HTTPBadGateway()
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if request.path == "/":
            links = "".join(f'<a href="{p}">{p}</a> ' for p in sorted(pages))
            return web.Response(text=html_document("Copies", links), content_type="text/html")
        status, html = pages.get(request.path, (404, html_document("Not found", "gone")))
        return web.Response(status=status, text=html, content_type="text/html")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


@pytest.fixture
def site_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    pages: Pages = {}
    with SandboxServer(app=_site(pages)) as server:
        path = tmp_path / "repostwatch.toml"
        path.write_text(
            f'[[publications]]\nname = "{PUBLISHER.name}"\n'
            f'domains = ["{PUBLISHER.host}"]\n'
            f'[[watch]]\nurl = "{SITE}/"\n'
            f'[crawl]\nproxy = "{server.proxy_url}"\ndownload_delay = 0\nautothrottle = false\n'
            'allow_private_sites = ["*.test"]\n'
            f'[database]\nurl = "sqlite:///{tmp_path / "rw.db"}"\n')
        config = load_config(path)
        store = Store.open(config.database_url)
        try:
            store.ensure_publications(config.rules.values())
            for i in range(5):
                a = generate_article(i)
                store.upsert_original(publication=PUBLISHER.name, url=PUBLISHER.article_url(a.slug),
                                      title=a.title, text="\n".join(a.paragraphs))
        finally:
            store.close()
        yield config, pages


def _copies(config: Config) -> dict[str, object]:
    store = Store.open(config.database_url)
    try:
        return {c.page_url.removeprefix(SITE): c
                for o in store.originals() for c in store.copies_of(o.id)}
    finally:
        store.close()


def _versions(config: Config, path: str) -> list:
    store = Store.open(config.database_url)
    try:
        return store.page_versions(SITE + path)
    finally:
        store.close()


@deferred_f_from_coro_f
async def test_evidence_is_kept_for_copies_and_an_edit_keeps_both_versions(site_config) -> None:
    config, pages = site_config
    pages.update({"/copy": (200, _copy(0)), "/local": (200, html_document("Soup", "<p>Soup</p>"))})
    stats = await _crawl(config, WatchSpider)
    assert stats.get("repostwatch/pages_judged") == 3  # home, copy, local
    assert stats.get("repostwatch/evidence_kept") == 1
    [version] = _versions(config, "/copy")
    assert version.body == pages["/copy"][1].encode("utf-8") and version.html == pages["/copy"][1]
    assert version.content_hash == hashlib.sha256(version.body).hexdigest()
    assert version.status == 200 and version.final_url == SITE + "/copy"
    assert ("Content-Type", "text/html; charset=utf-8") in version.headers
    assert _versions(config, "/local") == [] and _versions(config, "/") == []

    await _crawl(config, WatchSpider)  # unchanged: no second version
    assert [v.id for v in _versions(config, "/copy")] == [version.id]
    pages["/copy"] = (200, _copy(0, credit=True))
    await _crawl(config, WatchSpider)
    first, second = _versions(config, "/copy")
    assert (first.id, first.html) == (version.id, _copy(0))
    assert second.html == _copy(0, credit=True) and second.fetched_at >= first.last_seen_at


@deferred_f_from_coro_f
async def test_recheck_follows_credit_takedowns_and_removals(site_config) -> None:
    config, pages = site_config
    pages.update({"/credit-later": (200, _copy(0)), "/deleted": (200, _copy(1)),
                  "/withdrawn": (200, _copy(2)), "/removed": (200, _copy(3)),
                  "/broken": (200, _copy(4))})
    await _crawl(config, WatchSpider)
    before = _copies(config)
    assert sorted(before) == ["/broken", "/credit-later", "/deleted", "/removed", "/withdrawn"]
    assert all(c.credit_status == "uncredited" for c in before.values())

    pages.update({"/credit-later": (200, _copy(0, credit=True)),
                  "/deleted": (404, html_document("Not found", "<p>No such page</p>")),
                  "/withdrawn": (410, ""),
                  "/removed": (200, html_document("Sorry", "<p>This story was removed.</p>")),
                  "/broken": (500, "")})
    stats = await _crawl(config, RecheckSpider)
    assert stats.get("repostwatch/recheck/scheduled") == 5
    assert stats.get("repostwatch/pages_gone") == 2 and stats.get("repostwatch/gone") == 3
    # /broken: retried, then given up: a page problem, counted; the recheck itself succeeded
    assert stats.get("repostwatch/problems/http_error") == 1
    assert crawl_failed(CrawlResult("recheck", stats)) is None
    after = _copies(config)
    credited = after["/credit-later"]
    assert (credited.credit_status, credited.review_state) == ("credited", "new")
    assert [h.credit_status for h in credited.history] == ["credited", "uncredited"]
    assert len(_versions(config, "/credit-later")) == 2
    for path, status in (("/deleted", 404), ("/withdrawn", 410), ("/removed", 200)):
        gone = after[path]
        assert gone.review_state == "gone", path
        assert gone.credit_status == "uncredited"  # the finding keeps what the copy was
        assert [(h.verdict, h.http_status) for h in gone.history] == [("none", status),
                                                                      ("repost", 200)], path
    broken = after["/broken"]  # a failed fetch is not a removal: still open, not re-judged
    assert broken.review_state == "new" and len(broken.history) == 1

    # Only open findings are revisited: the gone ones are not fetched again.
    stats = await _crawl(config, RecheckSpider, limit="1")
    assert stats.get("repostwatch/recheck/scheduled") == 1
    assert stats.get("repostwatch/pages_judged", 0) + stats.get(
        "repostwatch/problems/http_error", 0) == 1
    stats = await _crawl(config, RecheckSpider, older_than="1d")
    assert stats.get("repostwatch/recheck/scheduled") == 0


@deferred_f_from_coro_f
async def test_a_stored_address_that_cannot_be_fetched_is_skipped(site_config) -> None:
    """An older ``check --save`` stored a page under any ``--url`` ("notaurl"): recheck skips
    it as a page problem of its own and rechecks the rest (it stopped at its start, at every
    recheck after, with "Missing scheme in request url")."""
    from matcher import Page, assess
    from repostwatch.store import PageRecord

    config, pages = site_config
    pages["/copy"] = (200, _copy(0))
    await _crawl(config, WatchSpider)
    with Store.open(config.database_url) as store:
        for address in ("notaurl", f"{SITE}:99999/x"):  # no request can be made for either
            page = Page(address, _copy(1))
            result = assess(page, store.load_index(), config.rules)
            assert result.is_copy
            store.record_pages([PageRecord(result, page, status=200)])
    for limit in (None, "1", "1"):  # the skipped pages are never the ones a limit takes
        stats = await _crawl(config, RecheckSpider, **({"limit": limit} if limit else {}))
        assert stats.get("repostwatch/recheck/scheduled") == 1
        assert stats.get("repostwatch/problems/bad_address") == 2
        assert stats.get("repostwatch/pages_judged") == 1
        assert crawl_failed(CrawlResult("recheck", stats)) is None
    from repostwatch.store.reviews import review

    with Store.open(config.database_url) as store:  # only that page left open
        [real] = [f for f in store.findings() if f.page_url == f"{SITE}/copy"]
        review(store, real.id, "false_positive")
    stats = await _crawl(config, RecheckSpider)
    assert stats.get("repostwatch/recheck/scheduled") == 0
    assert crawl_failed(CrawlResult("recheck", stats)) is None  # nothing failed


@deferred_f_from_coro_f
async def test_an_error_sent_as_html_does_not_take_a_copy_down(site_config) -> None:
    """A site answering 200 text/html with a JSON error (or plain text, or a file) serves no
    page: it is skipped as not_html, and the copy it held stays open (judged, the page would
    have read as the copy taken down)."""
    config, pages = site_config
    pages["/copy"] = (200, _copy(0))
    await _crawl(config, WatchSpider)
    pages["/copy"] = (200, '{"error": "rate limited, try again later"}')
    for spider in (WatchSpider, RecheckSpider):
        stats = await _crawl(config, spider)
        assert stats.get("repostwatch/problems/not_html") == 1, spider
        assert [c.review_state for c in _copies(config).values()] == ["new"], spider


def test_durations() -> None:
    assert parse_duration("7d").days == 7
    assert parse_duration("1d12h").total_seconds() == 36 * 3600
    assert parse_duration(" 90m ").total_seconds() == 5400
    assert parse_duration("2w").days == 14
    for bad in ("", "7", "d", "7x", "-1d", "1d 2"):
        with pytest.raises(UsageError):
            parse_duration(bad)


def test_cli_recheck(tmp_path: Path, sandbox) -> None:
    from crawler.sandbox import demo_config
    from tests.crawler.test_crawl import _cli

    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    assert _cli(tmp_path, "recheck").returncode == 2  # no originals yet
    assert _cli(tmp_path, "originals", "import").returncode == 0
    assert _cli(tmp_path, "crawl").returncode == 0
    done = _cli(tmp_path, "recheck", "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert "pages judged: 2 " in done.stderr and "findings now gone: 0" in done.stderr
    done = _cli(tmp_path, "recheck", "--older-than", "1d")
    assert done.returncode == 0, done.stderr
    assert "nothing to recheck" in done.stderr
    done = _cli(tmp_path, "recheck", "--older-than", "soon")
    assert done.returncode == 2 and "not a duration" in done.stderr
