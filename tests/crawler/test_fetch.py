"""The one-URL fetcher: redirects, limits, decoding, errors and the SSRF guard.

Every server here is local (127.0.0.1, ephemeral port) and runs in its own thread with its own
event loop; each test runs its coroutine with ``asyncio.run`` in a fresh thread, because under
``--reactor=asyncio`` the main thread's loop belongs to Twisted. Host names that would reach DNS
are answered by a stubbed ``socket.getaddrinfo``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import socket
import threading
import time
from collections.abc import Awaitable, Iterator
from dataclasses import replace
from datetime import UTC
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, web

from crawler import fetch as fetch_module
from crawler.addresses import AddressRefused, GuardedResolver, ip_literal
from crawler.fetch import Fetched, fetch, fetch_many, is_public_address, open_session
from repostwatch.config import CrawlConfig
from repostwatch.errors import FetchError
from tests.localserver import Server

PUBLIC_IP = "93.184.215.14"  # a global address; only ever "reached" through the fake proxy
PAGE = "<!doctype html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>"
CONFIG = CrawlConfig(timeout=10.0)


def run(coro: Awaitable[Any]) -> Any:
    """Run ``coro`` to completion on a new event loop in a new thread."""
    async def main() -> Any:
        return await coro

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def fails(coro: Awaitable[Any]) -> FetchError:
    with pytest.raises(FetchError) as info:
        run(coro)
    return info.value


# ---------------------------------------------------------------- the sandbox site


class Log:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.active = 0
        self.peak = 0
        self.streamed: dict[str, int] = {}
        self.done: dict[str, threading.Event] = {}


def _html(text: str, **kw: Any) -> web.Response:
    return web.Response(text=text, content_type="text/html", **kw)


def _raw(body: bytes, content_type: str, **headers: str) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": content_type, **headers})


def site_app(log: Log) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        return _html(PAGE)

    async def chain(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        target = "/page" if n == 0 else f"/r/{n - 1}"
        # Alternate relative and absolute Location headers.
        location = target if n % 2 else str(request.url.with_path(target))
        raise web.HTTPFound(location)

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop-b" if request.path == "/loop-a" else "/loop-a")

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="<p>no</p>",
                            content_type="text/html")

    async def stream(request: web.Request) -> web.StreamResponse:
        """20 MiB sent as ``?type=`` (a PDF's bytes, after an HTML start tag when the type is
        HTML), counting what actually left the server."""
        name = request.path
        log.done[name] = threading.Event()
        kind = request.query.get("type", "")
        resp = web.StreamResponse(headers={"Content-Type": kind})
        sent = 0
        try:
            await resp.prepare(request)
            if "html" in kind:
                await resp.write(b"<html><body>")
            for _ in range(320):
                await resp.write(b"%PDF" * 16384)
                sent += 65536
        except (ConnectionError, OSError):
            pass
        finally:
            log.streamed[name] = sent
            log.done[name].set()
        return resp

    async def big(request: web.Request) -> web.Response:
        return _html("<html><body>" + "x" * 100_000 + "</body></html>")

    async def bomb(request: web.Request) -> web.Response:
        body = gzip.compress(b"<!doctype html><p>" + b"\0" * (8 * 1024 * 1024))
        return _raw(body, "text/html", **{"Content-Encoding": "gzip"})

    async def gzipped(request: web.Request) -> web.Response:
        return _raw(gzip.compress(PAGE.encode()), "text/html", **{"Content-Encoding": "gzip"})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return _html(PAGE)

    async def busy(request: web.Request) -> web.Response:
        log.active += 1
        log.peak = max(log.peak, log.active)
        await asyncio.sleep(0.2)
        log.active -= 1
        return _html(PAGE)

    async def headers(request: web.Request) -> web.Response:
        return _html(f"<html><p>{request.headers['User-Agent']}|{request.headers['Accept']}</p>")

    async def charset(request: web.Request) -> web.Response:
        text = "<html><head>{meta}</head><body><p>{words}</p></body></html>"
        kind = request.match_info["kind"]
        if kind == "cp1251-header":
            body = text.format(meta="", words="Привет, мир").encode("cp1251")
            return _raw(body, "text/html; charset=windows-1251")
        if kind == "cp1251-meta":
            meta = '<meta charset="windows-1251">'
            return _raw(text.format(meta=meta, words="Привет, мир").encode("cp1251"), "text/html")
        body = text.format(meta="", words="新闻报道，转载请注明出处").encode("gb18030")
        return _raw(body, "text/html; charset=gb18030")

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        log.paths.append(request.path_qs)
        resp: web.StreamResponse = await handler(request)
        return resp

    app = web.Application(middlewares=[record])
    app.router.add_get("/page", page)
    app.router.add_get("/r/{n}", chain)
    app.router.add_get("/loop-a", loop)
    app.router.add_get("/loop-b", loop)
    app.router.add_get("/to", to)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/stream/{name}", stream)
    app.router.add_get("/big", big)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/slow", slow)
    app.router.add_get("/busy/{n}", busy)
    app.router.add_get("/headers", headers)
    app.router.add_get("/charset/{kind}", charset)
    return app


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Server, Log]]:
    log = Log()
    with Server(site_app(log)) as server:
        yield server, log


@pytest.fixture
def site(sandbox: tuple[Server, Log]) -> Server:
    return sandbox[0]


@pytest.fixture
def log(sandbox: tuple[Server, Log]) -> Log:
    sandbox[1].paths.clear()
    return sandbox[1]


def get(url: str, config: CrawlConfig = CONFIG, **kw: Any) -> Fetched:
    kw.setdefault("allow_private", True)
    result: Fetched = run(fetch(url, config, **kw))
    return result


def get_fails(url: str, config: CrawlConfig = CONFIG, **kw: Any) -> FetchError:
    kw.setdefault("allow_private", True)
    return fails(fetch(url, config, **kw))


# ---------------------------------------------------------------- success and redirects


def test_fetches_a_page(site: Server) -> None:
    page = get(site.url("/page"))
    assert page.url == page.final_url == site.url("/page")
    assert page.status == 200
    assert "<p>Hello</p>" in page.html
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.encoding == "utf-8"
    assert page.fetched_at.tzinfo is UTC


def test_sends_user_agent_and_accept(site: Server) -> None:
    page = get(site.url("/headers"), replace(CONFIG, user_agent="repostwatch-test/1"))
    assert "repostwatch-test/1|text/html,application/xhtml+xml" in page.html


def test_follows_a_redirect_chain(site: Server, log: Log) -> None:
    page = get(site.url("/r/4"))
    assert page.url == site.url("/r/4")
    assert page.final_url == site.url("/page")
    assert log.paths == ["/r/4", "/r/3", "/r/2", "/r/1", "/r/0", "/page"]


def test_too_many_redirects(site: Server, log: Log) -> None:
    err = get_fails(site.url("/r/4"), replace(CONFIG, max_redirects=2))
    assert "too many redirects" in str(err)
    assert err.url == site.url("/r/4")
    assert log.paths == ["/r/4", "/r/3", "/r/2"]


def test_redirect_loop(site: Server, log: Log) -> None:
    err = get_fails(site.url("/loop-a"))
    assert "too many redirects" in str(err)
    assert "loop" in str(err)
    assert log.paths == ["/loop-a", "/loop-b"]


def test_redirect_to_another_scheme_is_refused(site: Server) -> None:
    err = get_fails(site.url("/to?url=file:///etc/passwd"))
    assert "'file'" in str(err)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:x",
                                 "example.com/page"])
def test_only_http_and_https(url: str) -> None:
    err = get_fails(url)
    assert "only http and https" in str(err)
    assert err.url == url


# ---------------------------------------------------------------- HTTP and content failures


@pytest.mark.parametrize(("code", "message"), [(404, "HTTP 404 Not Found"),
                                               (500, "HTTP 500 Internal Server Error")])
def test_http_errors(site: Server, code: int, message: str) -> None:
    assert str(get_fails(site.url(f"/status/{code}"))) == message


def test_not_html_is_refused_without_reading_the_body(site: Server, log: Log) -> None:
    err = get_fails(site.url("/stream/pdf?type=application/pdf"))
    assert str(err) == "not an HTML page (Content-Type: application/pdf)"
    assert log.done["/stream/pdf"].wait(10)
    # 20 MiB offered; the client hung up after the headers (socket buffers hold a few MiB).
    assert log.streamed["/stream/pdf"] < 20 * 1024 * 1024


def test_page_larger_than_the_limit(site: Server) -> None:
    err = get_fails(site.url("/big"), replace(CONFIG, max_size_mb=0.01))
    assert str(err) == "page larger than 0.01 MiB"


def test_streamed_page_larger_than_the_limit_is_aborted(site: Server, log: Log) -> None:
    err = get_fails(site.url("/stream/html?type=text/html"), replace(CONFIG, max_size_mb=1))
    assert str(err) == "page larger than 1 MiB"
    assert log.done["/stream/html"].wait(10)
    assert log.streamed["/stream/html"] < 20 * 1024 * 1024


def test_gzip_page_is_decompressed(site: Server) -> None:
    assert "<p>Hello</p>" in get(site.url("/gzip")).html


def test_gzip_bomb_is_stopped_by_the_decompressed_size(site: Server) -> None:
    err = get_fails(site.url("/bomb"), replace(CONFIG, max_size_mb=0.1))
    assert str(err) == "page larger than 0.1 MiB"


def test_slow_response_times_out(site: Server) -> None:
    started = time.monotonic()
    err = get_fails(site.url("/slow"), replace(CONFIG, timeout=0.5))
    assert str(err) == "timed out after 0.5 s"
    assert time.monotonic() - started < 1.5


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = get_fails(f"http://127.0.0.1:{port}/")
    assert str(err) == f"connection refused by 127.0.0.1:{port}"


def test_aiohttp_timeout_reads_like_the_deadline(
    site: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make aiohttp's own per-request timeout fire before the overall deadline.
    monkeypatch.setattr(fetch_module, "_timeout", lambda config: ClientTimeout(sock_read=0.3))
    assert str(get_fails(site.url("/slow"))) == "timed out after 10 s"


def test_tls_error(site: Server) -> None:
    err = get_fails(f"https://127.0.0.1:{site.port}/page")  # TLS spoken to a plain HTTP port
    assert str(err).startswith("TLS error: ")


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_dns(monkeypatch, {})
    err = fails(fetch("http://no-such-host.test/", CONFIG))
    assert str(err) == "cannot resolve host no-such-host.test"


# ---------------------------------------------------------------- decoding and sniffing


@pytest.mark.parametrize(("kind", "words", "encoding"), [
    ("cp1251-header", "Привет, мир", "cp1251"),
    ("cp1251-meta", "Привет, мир", "cp1251"),
    ("gb18030-header", "新闻报道，转载请注明出处", "gb18030"),
])
def test_charsets(site: Server, kind: str, words: str, encoding: str) -> None:
    page = get(site.url(f"/charset/{kind}"))
    assert f"<p>{words}</p>" in page.html
    assert page.encoding == encoding


async def fetch_untyped(body: bytes, content_type: str = "") -> Fetched:
    """Fetch ``body`` from a bare server that sends no Content-Type (aiohttp's always does),
    or ``content_type``."""
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        typed = f"Content-Type: {content_type}\r\n" if content_type else ""
        head = (f"HTTP/1.1 200 OK\r\n{typed}Content-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        return await fetch(f"http://127.0.0.1:{port}/", CONFIG, allow_private=True)


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><p>caf\xc3\xa9</p>",
    b"\xef\xbb\xbf\n  <html><p>caf\xc3\xa9</p></html>",
    b"\r\n<body><p>caf\xc3\xa9</p>",
    b"<html><p>" + b"caf\xc3\xa9 " * 300 + b"</p>",
])
def test_html_without_content_type_is_sniffed(body: bytes) -> None:
    page = run(fetch_untyped(body))
    assert "Content-Type" not in page.headers
    assert "<p>café" in page.html


@pytest.mark.parametrize("body", [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n" * 100, b"hello <html>",
                                  b""])
def test_non_html_without_content_type_is_refused(body: bytes) -> None:
    with pytest.raises(FetchError, match="not an HTML page"):
        run(fetch_untyped(body))


@pytest.mark.parametrize("body", [b"%PDF-1.4\n<p>an article</p>", b"\x89PNG\r\n\x1a\n" * 100,
                                  b""])
def test_non_html_sent_as_html_is_refused_as_a_crawl_refuses_it(body: bytes) -> None:
    """The bytes decide, whatever the Content-Type says: a PDF sent as text/html was judged
    by ``check`` (a crawl skips it as ``not_html``)."""
    with pytest.raises(FetchError) as info:
        run(fetch_untyped(body, "text/html; charset=utf-8"))
    assert str(info.value) == ("not an HTML page (the body does not start like HTML; "
                               "Content-Type: text/html; charset=utf-8)")


# ---------------------------------------------------------------- fetch_many


def test_fetch_many_keeps_order_and_errors_in_place(site: Server) -> None:
    urls = [site.url("/page"), site.url("/status/404"), "ftp://x.example/",
            site.url("/r/1"), site.url("/stream/many?type=application/pdf")]
    results = run(fetch_many(urls, CONFIG, allow_private=True))
    assert [type(r) for r in results] == [Fetched, FetchError, FetchError, Fetched, FetchError]
    assert [r.url for r in results] == urls
    assert results[1].args[0] == "HTTP 404 Not Found"
    assert results[3].final_url == site.url("/page")


def test_fetch_many_limits_requests_per_site(site: Server, log: Log) -> None:
    urls = [site.url(f"/busy/{i}") for i in range(6)]
    results = run(fetch_many(urls, CONFIG, per_site=2, allow_private=True))
    assert all(isinstance(r, Fetched) for r in results)
    assert log.peak == 2


def test_fetch_many_guards_every_url(site: Server, log: Log) -> None:
    results = run(fetch_many([site.url("/page")], CONFIG))
    assert isinstance(results[0], FetchError)
    assert "private or local address" in str(results[0])
    assert log.paths == []


# ---------------------------------------------------------------- the SSRF guard


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), (PUBLIC_IP, True), ("2606:4700:4700::1111", True),
    ("127.0.0.1", False), ("127.1", False), ("2130706433", False), ("0x7f000001", False),
    ("0177.0.0.1", False), ("0x7f.1", False), ("017700000001", False), ("127.0.0.1.", False),
    ("0.0.0.0", False), ("0", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("224.0.1.1", False), ("239.255.255.250", False), ("255.255.255.255", False),
    ("240.0.0.1", False), ("192.0.2.1", False), ("198.18.0.1", False),
    ("::1", False), ("[::1]", False), ("::", False), ("::ffff:127.0.0.1", False),
    ("[::ffff:127.0.0.1]", False), ("::ffff:7f00:1", False), ("::ffff:169.254.169.254", False),
    ("::127.0.0.1", False), ("64:ff9b::10.0.0.1", False), ("2002:7f00:1::", False),
    ("2002:c0a8:101::1", False), ("fc00::1", False), ("fd12:3456::1", False),
    ("fe80::1", False), ("fe80::1%eth0", False), ("fec0::1", False), ("ff02::1", False),
    ("ff0e::1", False), ("2001:db8::1", False),
    ("localhost", False), ("example.com", False), ("", False), ("1:2:3", False),
])
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(("host", "expected"), [
    ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7F000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("%31%32%37.0.0.1", "127.0.0.1"), ("[::1]", "::1"),
    ("8.8.8.8", "8.8.8.8"), ("example.com", None), ("0xdead.example", None),
    ("1.2.3.4.5", None), ("deadbeef", None),
])
def test_ip_literal_notations(host: str, expected: str | None) -> None:
    address = ip_literal(host)
    assert (None if address is None else str(address)) == expected


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "2130706433", "0x7f000001",
                                  "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0",
                                  "169.254.169.254", "10.0.0.1", "192.168.0.1", "[fd00::1]"])
def test_private_literals_are_refused_before_connecting(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connection(*args: Any, **kw: Any) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", no_connection)
    monkeypatch.setattr(asyncio.selector_events.BaseSelectorEventLoop, "sock_connect",
                        no_connection)
    err = fails(fetch(f"http://{host}/latest/meta-data/", CONFIG))
    assert "private or local address" in str(err)
    assert "--allow-private" in str(err)


def test_local_server_is_refused_without_allow_private(site: Server, log: Log) -> None:
    err = get_fails(site.url("/page"), allow_private=False)
    assert str(err).startswith(f"refusing to fetch {site.url('/page')}: 127.0.0.1 resolves to")
    assert log.paths == []
    assert get(site.url("/page"), replace(CONFIG, allow_private=True), allow_private=None)


def stub_dns(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> list[str]:
    """Answer lookups of ``names`` (name -> addresses); other .test names do not exist."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kw: Any) -> Any:
        if not str(host).endswith(".test"):
            return real(host, port, *args, **kw)
        asked.append(host)
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, int(port or 0)) if ":" not in a else (a, int(port or 0), 0, 0))
                for a in names[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_resolver_refuses_a_name_with_any_private_address(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_dns(monkeypatch, {"mixed.test": [PUBLIC_IP, "10.0.0.7"], "v6.test": ["::1"]})
    resolver = GuardedResolver()
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.7"):
        run(resolver.resolve("mixed.test", 80))
    with pytest.raises(AddressRefused, match="::1"):
        run(resolver.resolve("v6.test", 80))


def test_resolver_returns_only_the_vetted_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_dns(monkeypatch, {"public.test": [PUBLIC_IP, PUBLIC_IP, "2606:4700::1"]})
    results = run(GuardedResolver().resolve("public.test", 443))
    assert [(r["host"], r["port"]) for r in results] == [(PUBLIC_IP, 443), ("2606:4700::1", 443)]


def test_names_are_checked_and_the_connection_pinned(
    site: Server, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = stub_dns(monkeypatch, {"sandbox.test": ["127.0.0.1"]})
    url = f"http://sandbox.test:{site.port}/page"
    err = fails(fetch(url, CONFIG))
    assert "sandbox.test resolves to a private or local address (127.0.0.1)" in str(err)
    assert log.paths == []
    # Allowed, the connection goes to the address the resolver returned: the name exists
    # nowhere else.
    page = get(url)
    assert page.final_url == url
    assert log.paths == ["/page"]
    assert asked == ["sandbox.test", "sandbox.test"]


def test_foreign_session_is_rejected_when_names_must_be_checked() -> None:
    async def attempt() -> None:
        async with ClientSession() as session:
            await fetch("http://example.com/", CONFIG, session=session)

    with pytest.raises(ValueError, match="open_session"):
        run(attempt())


def test_session_from_open_session_is_reused(site: Server, log: Log) -> None:
    async def twice() -> list[Fetched]:
        async with open_session(CONFIG, allow_private=True) as session:
            return [await fetch(site.url("/page"), CONFIG, session=session, allow_private=True),
                    await fetch(site.url("/r/0"), CONFIG, session=session, allow_private=True)]

    assert [p.final_url for p in run(twice())] == [site.url("/page")] * 2


# ---------------------------------------------------------------- through a proxy


def proxy_app(seen: list[str]) -> web.Application:
    """A forward proxy that plays every site itself, answering by the target host."""
    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.host}{request.path_qs}")
        if request.host == "example.test" and request.path == "/x":
            return _html(PAGE)
        if request.host == PUBLIC_IP and request.path == "/to":
            raise web.HTTPFound(request.query["url"])
        if request.host == PUBLIC_IP and request.path == "/page":
            return _html(PAGE)
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[CrawlConfig, list[str]]]:
    seen: list[str] = []
    with Server(proxy_app(seen)) as server:
        yield replace(CONFIG, proxy=f"http://127.0.0.1:{server.port}"), seen


def test_fetches_through_the_proxy(proxy: tuple[CrawlConfig, list[str]]) -> None:
    config, seen = proxy
    page = get("http://example.test/x", config)
    assert page.final_url == "http://example.test/x"
    assert "<p>Hello</p>" in page.html
    assert seen[-1] == "example.test/x"


def test_proxy_mode_refuses_names_it_cannot_check(proxy: tuple[CrawlConfig, list[str]]) -> None:
    config, seen = proxy
    seen.clear()
    err = fails(fetch("http://example.test/x", config))
    assert "cannot be checked" in str(err)
    assert "--allow-private" in str(err)
    assert seen == []


def test_proxy_mode_fetches_public_literals(proxy: tuple[CrawlConfig, list[str]]) -> None:
    config, _ = proxy
    page = get(f"http://{PUBLIC_IP}/to?url=/page", config, allow_private=False)
    assert page.final_url == f"http://{PUBLIC_IP}/page"


@pytest.mark.parametrize(("target", "refused"), [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
    ("http://2130706433/", "127.0.0.1"),
    ("http://0x7f.1:8080/admin", "127.0.0.1"),
    ("http://[fd00::1]/", "fd00::1"),
])
def test_redirect_hop_to_a_private_address_is_refused(
    proxy: tuple[CrawlConfig, list[str]], target: str, refused: str
) -> None:
    config, seen = proxy
    seen.clear()
    start = f"http://{PUBLIC_IP}/to?url={target}"
    err = fails(fetch(start, config))
    assert f"({refused}); to allow it: [crawl] allow_private_sites" in str(err)
    assert f"redirected from {start}" in str(err)
    assert err.url == start
    assert len(seen) == 1  # the first hop only: the private target was never requested


def test_redirect_hop_to_an_unchecked_name_is_refused(
    proxy: tuple[CrawlConfig, list[str]]
) -> None:
    config, seen = proxy
    seen.clear()
    err = fails(fetch(f"http://{PUBLIC_IP}/to?url=http://intranet.test/", config))
    assert "intranet.test is resolved by the proxy" in str(err)
    assert len(seen) == 1



@pytest.mark.parametrize("host", ["a..b", "x" * 70 + ".example", ".starts.with.a.dot"])
def test_a_host_name_that_cannot_be_looked_up_fails_like_dns(site: Server, host: str) -> None:
    """Python's IDNA codec refuses an empty label or one over 63 characters with a
    ``UnicodeError`` (no lookup): given as the target or met in a redirect, it is the page's
    own "cannot resolve" error, not a crash of every target with it."""
    assert str(get_fails(f"http://{host}/")) == f"cannot resolve host {host}"
    err = get_fails(site.url(f"/to?url=http://{host}/story"))
    assert str(err) == f"cannot resolve host {host}"


def test_a_host_idna_cannot_decode_is_named_as_written(site: Server,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """yarl's ``URL.host`` decodes punycode and raises ``UnicodeError`` on "xn--a": the message
    for the failed lookup ended ``check`` with a traceback (the other targets lost)."""
    stub_dns(monkeypatch, {})
    assert str(get_fails("http://xn--a.test/")) == "cannot resolve host xn--a.test"
    err = get_fails(site.url("/to?url=http://xn--a.test/story"))
    assert str(err) == "cannot resolve host xn--a.test"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">'
    b"<html><body><p>caf\xc3\xa9</p></body></html>",
    b"<center><p>caf\xc3\xa9</p></center>",
    b"<br />\n<b>Warning</b>: something in /var/www/x.php<br />\n<p>caf\xc3\xa9</p>",
])
def test_html_declared_as_html_is_judged_whatever_it_starts_with(body: bytes) -> None:
    """Declared HTML that starts with a tag is the page: an XHTML page's <?xml prolog, a
    <center> or a PHP warning first."""
    assert "<p>café" in run(fetch_untyped(body, "text/html")).html
