"""The address guard of crawls (crawler.guard): search results and redirects that point at
private or local addresses, in every notation, are refused before any connection.

Through a proxy, a guard that let one through would send it to the local proxy (logged here),
never onto the network; without a proxy, the targets are local servers that log every request.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.addresses import AddressPolicy, parse_site
from crawler.guard import PinningResolver
from crawler.runner import project_settings
from crawler.sandbox import PUBLISHER, SandboxServer
from crawler.spiders.search import SearchSpider
from crawler.spiders.watch import WatchSpider
from repostwatch.config import Config, load_config
from tests.crawler.test_search_crawl import _import_originals
from tests.localserver import Server

# Private and local targets, each in several notations a socket library accepts.
PRIVATE = [
    "http://127.0.0.1/x", "http://127.1/x", "http://2130706433/x", "http://0x7f000001/x",
    "http://0177.0.0.1/x", "http://10.0.0.1/x", "http://012.0.0.1/x", "http://10.1/x",
    "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://[::ffff:a9fe:a9fe]/x",
    "http://169.254.169.254/latest/meta-data/", "http://2852039166/latest/meta-data/",
    "http://0xa9.0xfe.0xa9.0xfe/x", "http://[fd00::1]/x", "http://0.0.0.0/x",
    # names only the proxy would resolve (not allowed: only *.test is)
    "http://localhost:8080/admin", "http://metadata.google.internal/computeMetadata/v1/",
]
GOOD = "http://copy.test/page"
PAGE = "<html><head><title>A page</title></head><body><p>Nothing copied here.</p></body></html>"


def _proxy_app(seen: list[str]) -> web.Application:
    """A forward proxy playing searx.test (every result list: PRIVATE, their redirects, GOOD)
    and copy.test (a page and a redirector); it logs every request that reaches it."""
    # (the redirects' targets differ from the direct results: Scrapy would drop a repeat unseen)
    results = [*PRIVATE, *(f"http://copy.test/to?url={quote(u + '?via=redirect', safe='')}"
                           for u in PRIVATE), GOOD]

    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.host}{request.path_qs}")
        if request.host == "searx.test" and request.path == "/search":
            return web.json_response({"results": [{"url": u} for u in results]})
        if request.host == "copy.test" and request.path == "/to":
            raise web.HTTPFound(request.query["url"])
        if request.host == "copy.test" and request.path == "/page":
            return web.Response(text=PAGE, content_type="text/html")
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _write_config(tmp_path: Path, crawl: str, *, search: str = "", watch: str = "") -> Config:
    path = tmp_path / "repostwatch.toml"
    path.write_text(
        f'[[publications]]\nname = "{PUBLISHER.name}"\ndomains = ["daily-planet.test"]\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "rw.db"}"\n{watch}\n'
        f"[crawl]\ndownload_delay = 0\nautothrottle = false\ntimeout = 5\n{crawl}\n{search}",
        encoding="utf-8")
    return load_config(path, env={})


async def _crawl(config: Config, spider: type, **kwargs: Any) -> dict[str, Any]:
    runner = AsyncCrawlerRunner(project_settings(config))
    crawler = runner.create_crawler(spider)
    await crawler.crawl_async(**kwargs)
    return dict(crawler.stats.get_stats())


@deferred_f_from_coro_f
async def test_search_results_and_redirects_to_private_addresses_are_refused(
        tmp_path: Path) -> None:
    seen: list[str] = []
    with SandboxServer(app=_proxy_app(seen)) as proxy:
        config = _write_config(
            tmp_path, f'proxy = "{proxy.proxy_url}"\nallow_private_sites = ["*.test"]',
            search='[search]\nurl = "http://searx.test/"\nmin_interval = 0\nmax_results = 100')
        _import_originals(config)
        stats = await _crawl(config, SearchSpider, budget=1)
    hosts = {s.split("/", 1)[0] for s in seen}
    assert hosts == {"searx.test", "copy.test"}  # no private target reached even the proxy
    assert "copy.test/page" in seen  # the public result was fetched and judged
    assert stats["repostwatch/pages_judged"] == 1
    redirects = [s for s in seen if s.startswith("copy.test/to?")]
    assert len(redirects) == len(PRIVATE)  # each redirect was answered, its target refused
    assert stats["repostwatch/problems/address_refused"] == 2 * len(PRIVATE)
    assert "repostwatch/search/result_errors" not in stats  # refusals are not fetch errors


def _site_app(target_port: int) -> tuple[web.Application, list[str]]:
    """A watched site on 127.0.0.1 whose home page links to redirects into other local
    servers (``target_port``) and to one ordinary page."""
    targets = [f"http://127.0.0.1:{target_port}/secret", f"http://localhost:{target_port}/secret",
               f"http://rebind.test:{target_port}/secret", f"http://[::1]:{target_port}/secret",
               f"http://2130706433:{target_port}/secret"]
    links = "".join(f'<a href="/to?url={quote(t, safe="")}">t</a>' for t in targets)

    async def home(request: web.Request) -> web.Response:
        return web.Response(text=f"<html><body>{links}<a href='/page'>p</a></body></html>",
                            content_type="text/html")

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/to", to)
    app.router.add_get("/page", page)
    return app, targets


@deferred_f_from_coro_f
async def test_without_a_proxy_names_are_resolved_and_judged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:  # rebind.test -> loopback
        return real("127.0.0.1" if host == "rebind.test" else host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    secret_hits: list[str] = []

    async def secret(request: web.Request) -> web.Response:
        secret_hits.append(request.path)
        return web.Response(text=PAGE, content_type="text/html")

    secret_app = web.Application()
    secret_app.router.add_route("*", "/{tail:.*}", secret)
    with Server(secret_app) as target:
        app, targets = _site_app(target.port)
        with Server(app) as site:
            config = _write_config(
                tmp_path, "", watch=f'[[watch]]\nurl = "{site.url("/")}"\nallow_private = true')
            assert config.crawl.allow_private_sites == (f"127.0.0.1:{site.port}",)
            stats = await _crawl(config, WatchSpider)
    assert secret_hits == []  # the other local port was never connected to
    assert stats["repostwatch/problems/address_refused"] == len(targets)
    assert stats["repostwatch/pages_judged"] >= 1  # the allowed site itself was crawled
    from twisted.internet import reactor

    assert not isinstance(reactor.nameResolver, PinningResolver)  # put back after the crawl


# ------------------------------------------------------------------ the policy itself


@pytest.mark.parametrize(("entry", "expected"), [
    ("intranet.example", ("intranet.example", None)),
    ("*.test", ("test", None)),
    (".Corp.Example.", ("corp.example", None)),
    ("127.0.0.1:9101", (ipaddress.ip_network("127.0.0.1/32"), 9101)),
    ("[::1]:8080", (ipaddress.ip_network("::1/128"), 8080)),
    ("10.1.0.0/16", (ipaddress.ip_network("10.1.0.0/16"), None)),
    ("fd00::/8", (ipaddress.ip_network("fd00::/8"), None)),
    ("0x7f.1", (ipaddress.ip_network("127.0.0.1/32"), None)),
])
def test_site_entries(entry: str, expected: tuple[Any, Any]) -> None:
    assert parse_site(entry) == expected


@pytest.mark.parametrize("entry", ["", "a b", "http://x.test/", "x.test:notaport",
                                   "10.0.0.0/33", "user@x.test", "*"])
def test_bad_site_entries(entry: str) -> None:
    with pytest.raises(ValueError, match=r"not|invalid|port"):
        parse_site(entry)


def test_policy_judges_literals_names_and_ports() -> None:
    policy = AddressPolicy.of(sites=["127.0.0.1:9101", "intranet.example", "10.1.0.0/16"],
                              proxied=True)
    assert policy.refusal("127.0.0.1", 9101) is None
    refused = policy.refusal("127.0.0.1", 9102)
    assert refused is not None and refused.kind == "private"
    assert policy.refusal("0x7f000001", 9101) is None  # the same address in another notation
    assert policy.refusal("wiki.intranet.example") is None  # a subdomain of an allowed name
    assert policy.refusal("10.1.2.3", 80) is None and policy.refusal("10.2.0.1") is not None
    other = policy.refusal("elsewhere.example")
    assert other is not None and other.kind == "proxied"
    assert "cannot be checked" in str(other)
    assert policy.refusal("93.184.216.34") is None  # public literals pass
    assert AddressPolicy.of(proxied=False).refusal("elsewhere.example") is None  # resolved later
    assert policy.allows_address("10.1.9.9") and not policy.allows_address("10.9.9.9")
    assert AddressPolicy.of(allow_all=True).refusal("169.254.169.254") is None


class _Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


class _FakeDns:
    """A name resolver answering from a table, as Twisted's would (synchronously here)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    def resolveHostName(self, receiver: Any, name: str, port: int = 0,
                        *args: Any) -> Any:
        from twisted.internet.address import IPv4Address

        receiver.resolutionBegan(None)
        for host in self.table.get(name, []):
            receiver.addressResolved(IPv4Address("TCP", host, port))
        receiver.resolutionComplete()
        return receiver


def test_pinning_resolver_drops_a_name_that_now_resolves_privately() -> None:
    dns = _FakeDns({"rebound.test": ["93.184.216.34", "10.0.0.5"],
                    "public.test": ["93.184.216.34"], "lab.test": ["10.0.0.6"]})
    resolver = PinningResolver(dns, AddressPolicy.of(sites=["lab.test"]))
    answers = {}
    for name in ("rebound.test", "public.test", "lab.test"):
        receiver = _Receiver()
        resolver.resolveHostName(receiver, name, 80)
        assert receiver.complete
        answers[name] = receiver.addresses
    assert answers == {"rebound.test": [], "public.test": ["93.184.216.34"],
                       "lab.test": ["10.0.0.6"]}


def test_pinning_resolver_vets_what_the_caching_resolver_of_crawls_gives() -> None:
    """Crawls install Scrapy's caching resolver (``TWISTED_DNS_RESOLVER``); the guard wraps
    it, and vets its answers whether asked or cached."""
    from types import SimpleNamespace

    from scrapy.resolver import CachingHostnameResolver, dnscache

    dns = _FakeDns({"caching-private.test": ["10.0.0.7"], "caching-public.test": ["93.184.216.34"]})
    limit = dnscache.limit  # Scrapy's one cache for the process: left as it was found
    caching = CachingHostnameResolver(SimpleNamespace(nameResolver=dns), cache_size=100)  # type: ignore[arg-type]
    resolver = PinningResolver(caching, AddressPolicy.of())
    try:
        _vet_twice(resolver, dns)
    finally:
        for name in ("caching-private.test", "caching-public.test"):
            dnscache.pop(name, None)
        dnscache.limit = limit


def _vet_twice(resolver: PinningResolver, dns: _FakeDns) -> None:
    for _asked_then_cached in range(2):
        answers = {}
        for name in ("caching-private.test", "caching-public.test"):
            receiver = _Receiver()
            resolver.resolveHostName(receiver, name, 80)
            assert receiver.complete
            answers[name] = receiver.addresses
        assert answers == {"caching-private.test": [], "caching-public.test": ["93.184.216.34"]}
        dns.table.clear()  # the second time, from the cache alone


def test_watch_sites_marked_allow_private_join_the_allowed_sites(tmp_path: Path) -> None:
    config = _write_config(
        tmp_path, 'allow_private_sites = ["intranet.example"]',
        watch='[[watch]]\nurl = "http://127.0.0.1:9101/"\nsitemap = "http://cms.lan/map.xml"\n'
              "allow_private = true\n"
              '[[watch]]\nurl = "http://public.example/"\n')
    assert config.crawl.allow_private_sites == ("intranet.example", "127.0.0.1:9101", "cms.lan")
    assert json.dumps(list(config.crawl.allow_private_sites))  # plain strings, for Scrapy


def test_only_http_is_fetched_even_with_the_guard_lifted() -> None:
    from types import SimpleNamespace

    from scrapy import Request

    from crawler.guard import AddressGuard, AddressRefusedError
    from tests.conftest import run_async

    crawler: Any = SimpleNamespace(signals=None)
    lifted = AddressGuard(crawler, AddressPolicy.of(allow_all=True))
    for url in ("file:///etc/passwd", "ftp://10.0.0.1/x", "s3://bucket/key"):
        with pytest.raises(AddressRefusedError, match="only http and https"):
            run_async(lifted.process_request(Request(url)))
    assert run_async(lifted.process_request(Request("http://10.0.0.1/x"))) is None
