"""Hostile corners of the sandbox web: what a crawler meets on the open web, on purpose.

``hostile.test`` links from its home page to one route per trouble: a slow response, a
stalled body, a huge page (declared and streamed), a gzip bomb, a redirect loop, a 500, a 429
with ``Retry-After``, an endless calendar (a link trap), malformed HTML, broken chunked encoding,
a PDF and an image served as ``text/html`` or as what they are, and pages in windows-1251 and
gb18030 (declared in the header, in a meta tag, or not at all). Pages that hold a copy copy
the publisher's article 0 (uncredited), so the crawl's judgement can be checked.

Robots.txt behaviours have hosts of their own: ``robots-500.test`` (robots.txt answers 500),
``robots-slow.test`` (robots.txt never answers in time), ``robots-late.test`` (robots.txt
forbids ``/private/`` and answers after half a second, while requests wait),
``crawl-delay.test`` (``Crawl-delay: 1`` and five pages); copies that try to hide are on
``disguise.test`` (crawler/sandbox/disguise.py). Nothing here is in the demo's
``[[watch]]``: tests crawl these hosts explicitly. ``HOSTILE_LOG`` (app key) records
``(host, path, monotonic time)`` of each request.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Awaitable, Callable
from functools import cache
from html import escape

from aiohttp import web

from .content import Article
from .disguise import DISGUISE_HOST, disguise_routes

__all__ = ["FALLBACK", "HOSTILE_HOSTS", "HOSTILE_LOG", "HostileLog", "hostile_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HostileLog = list[tuple[str, str, float]]
HOSTILE_LOG = web.AppKey("sandbox_hostile_log", HostileLog)
FALLBACK = "*"  # the path key of a host's handler for every other path (else a 404)
HOSTILE_HOSTS = ("hostile.test", "robots-500.test", "robots-slow.test", "robots-late.test",
                 "crawl-delay.test", DISGUISE_HOST)

STALL_SECONDS = 60.0  # how long slow routes keep the client waiting (any crawl timeout is less)
HUGE_BYTES = 11 * 1024 * 1024  # over the 10 MiB default limit
BOMB_BYTES = 64 * 1024 * 1024  # unpacked size of the gzip bomb (~64 KiB packed)
_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\0" * 4096
_PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 65536

# The pages in other scripts: (path, codec, how it is declared, title, a local paragraph)
ENCODED_PAGES = (
    ("/cp1251-header", "windows-1251", "header", "Новости города",
     "Перепечатка материалов разрешена только со ссылкой на источник."),
    ("/cp1251-meta", "windows-1251", "meta", "Городские новости",
     "Редакция не несёт ответственности за содержание комментариев."),
    ("/cp1251-none", "windows-1251", "none", "Новости дня",
     "Все права защищены. Подписывайтесь на нашу рассылку новостей."),
    ("/gb18030-header", "gb18030", "header", "本地新闻", "转载请注明出处，谢谢合作。"),
    ("/gb18030-meta", "gb18030", "meta", "城市新闻", "本站所有内容均来自网络。"),
    ("/gb18030-none", "gb18030", "none", "今日新闻", "欢迎订阅我们的新闻通讯。"),
)
COPY_PATHS = ("/malformed", "/busy", *(p[0] for p in ENCODED_PAGES))  # pages holding a copy


def _paragraphs(article: Article) -> str:
    return "".join(f"<p>{escape(p)}</p>\n" for p in article.paragraphs)


def _html(body: str, status: int = 200, **headers: str) -> web.Response:
    return web.Response(body=body.encode("utf-8"), status=status,
                        headers={"Content-Type": "text/html; charset=utf-8", **headers})


def _page(title: str, main: str, head: str = "") -> str:
    return (f"<!doctype html><html><head><title>{escape(title)}</title>{head}</head>"
            f"<body><header><a href='/'>Home</a></header><main>{main}</main>"
            "<footer>© 2026 Hostile Media</footer></body></html>")


async def _home(request: web.Request) -> web.StreamResponse:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in sorted(_LINKED))
    return _html(_page("Hostile Media", f"<ul>{links}</ul>"))


async def robots(request: web.Request) -> web.StreamResponse:
    return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")


async def slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(STALL_SECONDS)
    return _html(_page("Slow", "<p>Finally.</p>"))


async def stall(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
    await resp.prepare(request)
    await resp.write(b"<!doctype html><html><head><title>Stalled</title></head><body><p>")
    await asyncio.sleep(STALL_SECONDS)
    return resp


async def huge(request: web.Request) -> web.StreamResponse:
    body = b"<!doctype html><html><body><p>" + b"x" * HUGE_BYTES + b"</p></body></html>"
    return web.Response(body=body, headers={"Content-Type": "text/html"})


async def huge_stream(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/html"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    chunk = b"<p>" + b"y" * 65536 + b"</p>\n"
    try:
        for _ in range(HUGE_BYTES // len(chunk) + 2):
            await resp.write(chunk)
    except (ConnectionError, OSError):
        pass
    return resp


@cache
def _bomb_body() -> bytes:
    return gzip.compress(b"<!doctype html><html><body><p>" + b" " * BOMB_BYTES)


async def bomb(request: web.Request) -> web.StreamResponse:
    return web.Response(body=_bomb_body(), headers={"Content-Type": "text/html",
                                                 "Content-Encoding": "gzip"})


async def loop(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/loop-b" if request.path == "/loop-a" else "/loop-a")


async def error(request: web.Request) -> web.StreamResponse:
    return _html(_page("Error", "<p>Internal error</p>"), status=500)


async def calendar(request: web.Request) -> web.StreamResponse:
    parts = request.path.strip("/").split("/")  # calendar/YEAR/MONTH
    if len(parts) != 3 or parts[0] != "calendar" or not all(x.isdigit() for x in parts[1:]):
        return _html(_page("Not found", "<p>No such page.</p>"), status=404)
    year, month = int(parts[1]), min(max(int(parts[2]), 1), 12)
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    main = (f"<h1>Events in {year}-{month:02d}</h1><p>No events.</p>"
            f'<a href="/calendar/{prev[0]}/{prev[1]}">previous</a> '
            f'<a href="/calendar/{nxt[0]}/{nxt[1]}">next</a>')
    return _html(_page("Calendar", main))


async def broken_chunked(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    await resp.write(b"<!doctype html><html><body><p>The start of a page that never")
    await asyncio.sleep(0.05)
    transport = request.transport
    if transport is not None:  # None: the connection is already gone (a busy machine)
        transport.close()  # no terminating chunk: the body is cut short
    return resp


async def pdf_as_html(request: web.Request) -> web.StreamResponse:
    return web.Response(body=_PDF, headers={"Content-Type": "text/html"})


async def image(request: web.Request) -> web.StreamResponse:
    return web.Response(body=_PNG, headers={"Content-Type": "image/png"})


async def robots_500(request: web.Request) -> web.StreamResponse:
    return _html(_page("Error", "<p>robots.txt is broken</p>"), status=500)


async def robots_slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(STALL_SECONDS)
    return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")


async def late_robots(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(0.5)  # several requests are waiting for it meanwhile
    return web.Response(text="User-agent: *\nDisallow: /private/\n", content_type="text/plain")


async def late_private(request: web.Request) -> web.StreamResponse:
    return _html(_page("Private", "<p>Robots.txt forbids this page.</p>"))


async def delay_robots(request: web.Request) -> web.StreamResponse:
    return web.Response(text="User-agent: *\nCrawl-delay: 1\nAllow: /\n",
                        content_type="text/plain")


async def delay_home(request: web.Request) -> web.StreamResponse:
    links = "".join(f'<a href="/p{i}">page {i}</a> ' for i in range(1, 5))
    return _html(_page("Slowly, please", f"<p>{links}</p>"))


async def delay_page(request: web.Request) -> web.StreamResponse:
    return _html(_page("A page", f"<p>Page {escape(request.path)}.</p>"))


def hostile_routes(article: Callable[[int], Article],
                   log: HostileLog) -> dict[str, dict[str, Handler]]:
    """host → path → handler for the hostile hosts; ``article(0)`` is the copied original."""
    busy_seen: set[str] = set()

    def copy_main(title: str, extra: str = "") -> str:
        a = article(0)
        return f"<article><h1>{escape(title)}</h1>{_paragraphs(a)}{extra}</article>"

    async def busy(request: web.Request) -> web.StreamResponse:
        # 429 with Retry-After: 1 the first time (per query); the copy after that.
        if request.path_qs not in busy_seen:
            busy_seen.add(request.path_qs)
            return _html(_page("Busy", "<p>Too many requests</p>"), status=429,
                         **{"Retry-After": "1"})
        return _html(_page("Busy", copy_main(article(0).title)))


    async def malformed(request: web.Request) -> web.StreamResponse:
        a = article(0)
        broken = "".join(f"<p class=x id=p{i}>{escape(p)}<div><span>" if i % 2 else
                         f"<P>{escape(p)}</b></i></td>\0"
                         for i, p in enumerate(a.paragraphs))
        body = (f"<html><head><title>{escape(a.title)}</title><meta charset=utf-8><body><table>"
                f"<tr><td><font color=red><center>"
                f"<h1>{escape(a.title)}</h2>{broken}<!-- unclosed comment <script>x=1</scr")
        return web.Response(body=body.encode("utf-8"),
                            headers={"Content-Type": "text/html; charset=utf-8"})


    def encoded(codec: str, declared: str, title: str, local: str) -> Handler:
        meta = f'<meta charset="{codec}">' if declared == "meta" else ""
        content_type = f"text/html; charset={codec}" if declared == "header" else "text/html"

        async def handler(request: web.Request) -> web.StreamResponse:
            text = _page(title, copy_main(title, f"<p>{escape(local)}</p>"), head=meta)
            return web.Response(body=text.encode(codec), headers={"Content-Type": content_type})

        return handler

    main_host: dict[str, Handler] = {
        "/": _home, "/robots.txt": robots, "/slow": slow, "/stall": stall, "/huge": huge,
        "/huge-stream": huge_stream, "/bomb": bomb, "/loop-a": loop, "/loop-b": loop,
        "/error": error, "/busy": busy, "/malformed": malformed,
        "/broken-chunked": broken_chunked, "/pdf-as-html": pdf_as_html, "/image.png": image,
        FALLBACK: calendar,  # /calendar/YEAR/MONTH, endlessly
    }
    for path, codec, declared, title, local in ENCODED_PAGES:
        main_host[path] = encoded(codec, declared, title, local)


    async def forbidden_fruit(request: web.Request) -> web.StreamResponse:
        return _html(_page("Copy", copy_main(article(0).title)))


    tables: dict[str, dict[str, Handler]] = {
        "hostile.test": main_host,
        "robots-500.test": {"/robots.txt": robots_500, "/": forbidden_fruit},
        "robots-slow.test": {"/robots.txt": robots_slow, "/": forbidden_fruit},
        "robots-late.test": {"/robots.txt": late_robots,
                             **{f"/private/{n}": late_private for n in ("a", "b", "c")}},
        "crawl-delay.test": {"/robots.txt": delay_robots, "/": delay_home,
                             **{f"/p{i}": delay_page for i in range(1, 5)}},
        DISGUISE_HOST: disguise_routes(article),
    }
    return {host: {path: _timed(host, handler, log) for path, handler in paths.items()}
            for host, paths in tables.items()}


_LINKED = ("/slow", "/stall", "/huge", "/huge-stream", "/bomb", "/loop-a", "/error", "/busy",
           "/calendar/2026/11", "/malformed", "/broken-chunked", "/pdf-as-html", "/image.png",
           *(p[0] for p in ENCODED_PAGES))


def _timed(host: str, handler: Handler, log: HostileLog) -> Handler:
    async def timed(request: web.Request) -> web.StreamResponse:
        log.append((host, request.path_qs, time.monotonic()))
        return await handler(request)

    return timed
