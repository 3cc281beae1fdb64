"""Search runs over HTTP against the sandbox web and its SearXNG instance (``searx.test``).

The sandbox hides copies on sites that no ``[[watch]]`` names and no page links to
(``hidden_pages``); only a search finds them. Everything is checked in the store, in the crawl
stats and in the sandbox's request log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.runner import project_settings
from crawler.sandbox import PUBLISHER, SEARX_HOST, SandboxServer, demo_config, hidden_pages
from crawler.sandbox.content import generate_headline
from crawler.search import SEARCHED_STAT, searched_ids
from crawler.spiders.originals import OriginalsSpider
from crawler.spiders.search import SearchSpider
from matcher import canonical_url
from repostwatch.config import Config, load_config
from repostwatch.store import Store

ARTICLES = 8


def _config(tmp_path: Path, proxy_url: str, monkeypatch: pytest.MonkeyPatch,
            searx_host: str = SEARX_HOST) -> Config:
    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    text = demo_config(proxy_url, database_url=f"sqlite:///{tmp_path / 'rw.db'}")
    text = text.replace(f"http://{SEARX_HOST}/", f"http://{searx_host}/")
    path = tmp_path / "repostwatch.toml"
    path.write_text(text)
    return load_config(path)


@pytest.fixture
def config(tmp_path: Path, sandbox, monkeypatch: pytest.MonkeyPatch) -> Config:
    return _config(tmp_path, sandbox.proxy_url, monkeypatch)


async def _crawl(config: Config, spider: type, **kwargs: object) -> dict:
    runner = AsyncCrawlerRunner(project_settings(config))
    crawler = runner.create_crawler(spider)
    await crawler.crawl_async(**kwargs)
    return dict(crawler.stats.get_stats())


def _import_originals(config: Config) -> None:
    """The sandbox's articles as originals, with their exact publication times, stored in a
    scrambled order (so that "newest first" cannot pass by following the ids). Imported from
    the sitemap, their dates would be whole days only, leaving ties."""
    from crawler.sandbox.content import generate_article

    store = Store.open(config.database_url)
    try:
        store.ensure_publications(config.rules.values())
        for n in (3, 7, 0, 5, 1, 6, 2, 4):
            a = generate_article(n)
            store.upsert_original(publication=PUBLISHER.name, url=PUBLISHER.article_url(a.slug),
                                  title=a.title, text="\n".join(a.paragraphs),
                                  published=a.published)
    finally:
        store.close()


def _article_of(query: str) -> int:
    """The number of the sandbox article whose text holds the quoted phrase ``query``."""
    from crawler.sandbox.content import generate_article

    def words(text: str) -> str:
        return " " + " ".join(re.findall(r"\w+", text.lower())) + " "

    return next(n for n in range(ARTICLES)
                if words(query) in words(" ".join(generate_article(n).paragraphs)))


def _queries(requests: list[tuple[str, str]], host: str = SEARX_HOST) -> list[str]:
    return [parse_qs(urlsplit(path).query)["q"][0] for h, path in requests
            if h == host and path.startswith("/search")]


def _article_index(config: Config, original_ids: set[int]) -> list[int]:
    """The sandbox article numbers of stored originals, newest first."""
    store = Store.open(config.database_url)
    try:
        urls = {canonical_url(store.original(i).url) for i in original_ids}
    finally:
        store.close()
    slugs = {canonical_url(PUBLISHER.article_url(generate_headline(n).slug)): n
             for n in range(ARTICLES)}
    return sorted((slugs[u] for u in urls), reverse=True)


def _findings(config: Config) -> dict[str, object]:
    store = Store.open(config.database_url)
    try:
        return {canonical_url(f.page_url): f for f in store.findings()}
    finally:
        store.close()


@deferred_f_from_coro_f
async def test_search_finds_the_copies_no_watch_list_names(config: Config, sandbox) -> None:
    await _crawl(config, OriginalsSpider)
    before = len(sandbox.requests)
    stats = await _crawl(config, SearchSpider, budget=2 * ARTICLES)
    served = sandbox.requests[before:]

    assert stats["finish_reason"] == "finished" and stats.get("log_count/ERROR", 0) == 0
    assert stats["repostwatch/search/queries"] == stats["repostwatch/search/answered"] == 16
    assert len(_queries(served)) == 16
    assert searched_ids(stats[SEARCHED_STAT]) and len(searched_ids(stats[SEARCHED_STAT])) == 8
    found = _findings(config)
    for exp in hidden_pages(ARTICLES):
        f = found.get(canonical_url(exp.url))
        assert f is not None, f"{exp.url} was not found by search"
        assert (f.verdict, f.credit_status) == (exp.verdict, exp.credit_status)
        assert canonical_url(f.original_url) == canonical_url(exp.original_url)
    # The publication's own pages are results too, but never fetched; robots.txt is obeyed on
    # result pages (scraperdaily's /private/ copy is indexed by the search engine).
    assert stats["repostwatch/search/skipped_own"] > 0
    assert not [r for r in served if r[0] in PUBLISHER.domains]
    assert not [r for r in served if r[1].startswith("/private/")], (
        served, {k: v for k, v in stats.items() if "robots" in k})
    assert stats.get("robotstxt/forbidden", 0) >= 1
    # Each result page is fetched once, however many queries found it.
    pages = [r for r in served if r[0] != SEARX_HOST and not r[1].endswith("robots.txt")]
    assert len(pages) == len(set(pages))
    assert len(pages) == stats["repostwatch/search/pages_requested"] - stats["robotstxt/forbidden"]
    assert stats["repostwatch/search/duplicates"] > 0
    # The backend's robots.txt (which forbids /search) is not asked: it is our own instance.
    assert (SEARX_HOST, "/robots.txt") not in served
    store = Store.open(config.database_url)
    try:
        assert store.runs(1)[0].kind == "search"
        assert store.runs(1)[0].stats[SEARCHED_STAT] == stats[SEARCHED_STAT]
    finally:
        store.close()


@deferred_f_from_coro_f
async def test_newest_first_then_rotation_within_the_budget(config: Config, sandbox) -> None:
    _import_originals(config)
    newest = canonical_url(hidden_pages(ARTICLES)[0].url)  # copies article 7, the newest
    oldest = canonical_url(hidden_pages(ARTICLES)[1].url)  # copies article 0
    order = []
    for budget in (4, 12, 4, 4):
        before = len(sandbox.requests)
        stats = await _crawl(config, SearchSpider, budget=budget)
        assert len(_queries(sandbox.requests[before:])) == budget  # never more than the budget
        order.append(_article_index(config, searched_ids(stats[SEARCHED_STAT])))
        if len(order) == 1:
            found = _findings(config)
            assert newest in found and oldest not in found
    assert order == [
        [7, 6],  # never searched: newest first
        [5, 4, 3, 2, 1, 0],  # the rest of the never searched
        [7, 6],  # everything searched once: least recently searched first
        [5, 4],  # then the next run's, newest first among them
    ]
    assert oldest in _findings(config)


@deferred_f_from_coro_f
async def test_backend_errors_are_counted_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SandboxServer(articles=ARTICLES) as web:  # its own: flaky.searx.test counts requests
        config = _config(tmp_path, web.proxy_url, monkeypatch, f"flaky.{SEARX_HOST}")
        _import_originals(config)
        stats = await _crawl(config, SearchSpider, budget=6)
        sent = _queries(web.requests, f"flaky.{SEARX_HOST}")
    assert len(sent) == 6  # failed queries are not retried: the budget holds
    assert sorted({_article_of(q) for q in sent}, reverse=True) == [7, 6, 5]  # newest first
    # The backend answers, in the order asked: 500, bad JSON, good; twice.
    assert stats["finish_reason"] == "finished"
    assert stats["repostwatch/search/errors"] == 4 == stats["log_count/ERROR"]
    assert stats["repostwatch/search/errors/http_500"] == 2
    assert stats["repostwatch/search/errors/bad_json"] == 2
    assert stats["repostwatch/search/answered"] == 2
    assert stats["repostwatch/pages_judged"] > 0  # the good answers were followed
    # Searched: only the originals with an answered query; the others come first next run.
    answered = {_article_of(sent[2]), _article_of(sent[5])}
    assert _article_index(config, searched_ids(stats[SEARCHED_STAT])) == sorted(
        answered, reverse=True)


@deferred_f_from_coro_f
async def test_a_broken_backend_searches_nothing(config: Config, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 sandbox) -> None:
    _import_originals(config)
    for host, kind in ((f"broken.{SEARX_HOST}", "http_500"), (f"garbled.{SEARX_HOST}",
                                                              "bad_json")):
        cfg = _config(tmp_path, sandbox.proxy_url, monkeypatch, host)
        stats = await _crawl(cfg, SearchSpider, budget=3)
        assert stats[f"repostwatch/search/errors/{kind}"] == 3 == stats["log_count/ERROR"]
        assert SEARCHED_STAT not in stats and "repostwatch/pages_judged" not in stats


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    return subprocess.run([sys.executable, "-m", "repostwatch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_cli_search(tmp_path: Path, sandbox) -> None:
    config = tmp_path / "repostwatch.toml"
    config.write_text(demo_config(sandbox.proxy_url).replace(f'url = "http://{SEARX_HOST}/"',
                                                             'url = ""'))
    done = _cli(tmp_path, "search")
    assert done.returncode == 2 and "[search] url" in done.stderr
    config.write_text(demo_config(sandbox.proxy_url))
    assert _cli(tmp_path, "originals", "import").returncode == 0
    done = _cli(tmp_path, "search", "--budget", "4")
    assert done.returncode == 0, done.stderr
    assert "queries: 4 (budget 4, failed 0)  originals searched: 2 of 2" in done.stderr
    assert "pages judged:" in done.stderr
    config.write_text(demo_config(sandbox.proxy_url).replace(SEARX_HOST, f"broken.{SEARX_HOST}"))
    done = _cli(tmp_path, "search", "--budget", "2")
    assert done.returncode == 3, done.stderr
    assert "HTTP 500" in done.stderr and "logged 2 errors" in done.stderr
