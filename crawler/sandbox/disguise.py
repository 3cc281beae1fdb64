"""Copies in disguise: pages of ``disguise.test`` that try to hide a copy from a crawler.

Each copy page copies the publisher's article 0 (uncredited), under a title with a non-ASCII
letter (so a wrong decoding shows). The tricks:

- a charset that names no text encoding, in the Content-Type (``hex``, ``idna``) or in a
  ``<meta>`` (``rot13``, ``undefined``), or a ``<meta>`` that declares UTF-16 on a page whose
  bytes are UTF-8 (browsers read it as UTF-8, as the Encoding Standard says); one such page
  links to a further copy, which must be found too;
- a ``<meta http-equiv="refresh">`` to a ``mailto:`` or ``javascript:`` address, or to another
  page of the site after 90 seconds: the page readers see is the copy itself;
- a refresh after 0 seconds (a redirect in all but name) from a notice page to the copy.

``/about`` holds no copy. ``DISGUISED_COPIES`` lists the paths where a copy must be found and
``DISGUISED_TITLE`` their title.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from .content import Article

__all__ = ["DISGUISED_COPIES", "DISGUISED_TITLE", "DISGUISE_HOST", "disguise_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DISGUISE_HOST = "disguise.test"
DISGUISED_TITLE = "Café owners count the cost"

# path → (charset in the Content-Type or None, <head> extra)
_CHARSETS: dict[str, tuple[str | None, str]] = {
    "/charset/hex": ("hex", ""),
    "/charset/idna": ("idna", ""),
    "/charset/rot13": (None, '<meta charset="rot13">'),
    "/charset/undefined": (None, '<meta http-equiv="Content-Type" '
                                 'content="text/html; charset=undefined">'),
    "/charset/utf-16": (None, '<meta charset="utf-16">'),
}
_REFRESHES = {
    "/refresh/mailto": "99999;url=mailto:editor@disguise.test",
    "/refresh/javascript": "0;url=javascript:void(0)",
    "/refresh/late": "90;url=/about",
}
_LINKED_FROM_HEX = "/charset/linked"  # only a link on the hex page leads here
_NOTICE, _MOVED = "/refresh/notice", "/moved/copy"
DISGUISED_COPIES = (*_CHARSETS, _LINKED_FROM_HEX, *_REFRESHES, _MOVED)


def _document(title: str, main: str, head: str = "") -> str:
    return (f"<!doctype html><html><head>{head}<title>{escape(title)}</title></head>"
            f"<body><header><a href='/'>Home</a> <a href='/about'>About</a></header>"
            f"<main>{main}</main><footer>Disguise Daily</footer></body></html>")


def _response(html: str, charset: str | None = "utf-8") -> web.Response:
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    return web.Response(body=html.encode("utf-8"), headers={"Content-Type": content_type})


def disguise_routes(article: Callable[[int], Article]) -> dict[str, Handler]:
    """path → handler of ``disguise.test``; ``article(0)`` is the copied original."""

    def copy(head: str = "", extra: str = "") -> str:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article(0).paragraphs)
        main = f"<article><h1>{escape(DISGUISED_TITLE)}</h1>{paragraphs}{extra}</article>"
        return _document(DISGUISED_TITLE, main, head)

    def charset_page(charset: str | None, head: str, extra: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return _response(copy(head, extra), charset)

        return handler

    def refresh_page(content: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return _response(copy(f'<meta http-equiv="refresh" content="{escape(content)}">'))

        return handler

    async def home(request: web.Request) -> web.StreamResponse:
        paths = (*_CHARSETS, *_REFRESHES, _NOTICE)
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths)
        return _response(_document("Disguise Daily", f"<ul>{links}</ul>"))

    async def about(request: web.Request) -> web.StreamResponse:
        return _response(_document("About us", "<p>A small site of borrowed news.</p>"))

    async def notice(request: web.Request) -> web.StreamResponse:
        head = f'<meta http-equiv="refresh" content="0; url={_MOVED}">'
        return _response(_document("Moved", "<p>This story has moved.</p>", head))

    async def plain_copy(request: web.Request) -> web.StreamResponse:
        return _response(copy())

    async def robots(request: web.Request) -> web.StreamResponse:
        return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")

    routes: dict[str, Handler] = {"/": home, "/robots.txt": robots, "/about": about,
                                  _NOTICE: notice, _MOVED: plain_copy,
                                  _LINKED_FROM_HEX: plain_copy}
    for path, (charset, head) in _CHARSETS.items():
        extra = f'<p><a href="{_LINKED_FROM_HEX}">More</a></p>' if charset == "hex" else ""
        routes[path] = charset_page(charset, head, extra)
    for path, content in _REFRESHES.items():
        routes[path] = refresh_page(content)
    return routes
