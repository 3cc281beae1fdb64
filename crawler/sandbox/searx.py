"""A SearXNG instance for the sandbox web: ``http://searx.test/search?q=...&format=json``.

It searches the visible text of the sandbox's own pages (every site, the publisher's too, and
pages robots.txt forbids, as real search engines index those), so a result is real: a page is
found when it holds every quoted phrase (as consecutive words, case and punctuation ignored)
and every other word of the query. Answers have SearXNG's JSON shape (``query``,
``number_of_results``, ``results[]`` with ``url``, ``title``, ``content``, ``engine``),
20 results per page (``pageno``), sorted by URL. A format other than JSON is refused with 403,
as an instance without ``json`` in ``search.formats`` does.

Faulty instances for tests: ``broken.searx.test`` answers 500 to every query,
``garbled.searx.test`` answers 200 with truncated JSON, ``flaky.searx.test`` cycles through
500, truncated JSON and a good answer (per request, in order, from the server's start).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from selectolax.lexbor import LexborHTMLParser

__all__ = ["SEARX_HOST", "SEARX_HOSTS", "searx_tables"]

SEARX_HOST = "searx.test"
SEARX_HOSTS = (SEARX_HOST, f"broken.{SEARX_HOST}", f"garbled.{SEARX_HOST}",
               f"flaky.{SEARX_HOST}")
_PER_PAGE = 20
_SNIPPET_WORDS = 12  # around the match, each side
_ROBOTS = "User-agent: *\nDisallow: /search\nDisallow: /stats\n"
_WORD = re.compile(r"\w+")

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Documents = Callable[[], Iterable[tuple[str, str]]]  # (url, html) of every page to search
_Mode = Literal["good", "500", "garbled"]
_FLAKY: tuple[_Mode, ...] = ("500", "garbled", "good")


@dataclass(frozen=True)
class _Doc:
    url: str
    title: str
    words: tuple[str, ...]  # visible text, as words (original case)
    joined: str  # " word word ... " in lower case, for phrase look-ups


class _Index:
    """The sandbox pages' text, built on the first query (rendering every page once)."""

    def __init__(self, documents: Documents) -> None:
        self._documents = documents
        self._docs: list[_Doc] | None = None

    def docs(self) -> list[_Doc]:
        if self._docs is None:
            self._docs = sorted((_doc(url, html) for url, html in self._documents()),
                                key=lambda d: d.url)
        return self._docs

    def search(self, query: str) -> list[dict[str, object]]:
        phrases = [_words(p) for p in re.findall(r'"([^"]*)"', query)]
        loose = _words(re.sub(r'"[^"]*"', " ", query))
        needles = [" " + " ".join(p).lower() + " " for p in phrases if p]
        needles += [f" {w.lower()} " for w in loose]
        if not needles:
            return []
        return [{"url": d.url, "title": d.title, "content": _snippet(d, needles[0]),
                 "engine": "sandbox", "engines": ["sandbox"], "score": 1.0,
                 "category": "general"}
                for d in self.docs() if all(n in d.joined for n in needles)]


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _doc(url: str, html: str) -> _Doc:
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "template"])
    title = tree.css_first("title")
    body = tree.body
    words = tuple(_words(body.text(separator=" ") if body is not None else ""))
    return _Doc(url, title.text().strip() if title is not None else "", words,
                " " + " ".join(words).lower() + " ")


def _snippet(doc: _Doc, needle: str) -> str:
    start = doc.joined[: doc.joined.find(needle)].count(" ") - 1
    size = needle.count(" ") - 1
    lo, hi = max(0, start - _SNIPPET_WORDS), start + size + _SNIPPET_WORDS
    return " ".join(doc.words[lo:hi])


def searx_tables(documents: Documents) -> dict[str, dict[str, _Handler]]:
    """host → path → handler of the sandbox SearXNG instances (a good one and faulty ones)."""
    index = _Index(documents)
    cycle = itertools.cycle(_FLAKY)
    modes: dict[str, Callable[[], _Mode]] = {
        SEARX_HOST: lambda: "good",
        f"broken.{SEARX_HOST}": lambda: "500",
        f"garbled.{SEARX_HOST}": lambda: "garbled",
        f"flaky.{SEARX_HOST}": lambda: next(cycle),
    }
    return {host: {"/search": _search_handler(index, mode), "/robots.txt": _robots,
                   "/": _home} for host, mode in modes.items()}


def _search_handler(index: _Index, mode: Callable[[], _Mode]) -> _Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "")
        if request.query.get("format") != "json":
            return web.Response(status=403, text="403 Forbidden: format not enabled\n")
        if not query.strip():
            return web.Response(status=400, text="400 Bad Request: no query\n")
        match mode():
            case "500":
                return web.Response(status=500, text="500 Internal Server Error\n")
            case "garbled":
                return web.Response(text=json.dumps({"query": query})[:-1] + ', "results": [',
                                    content_type="application/json")
        try:
            page = max(1, int(request.query.get("pageno", "1")))
        except ValueError:
            page = 1
        results = index.search(query)
        answer = {
            "query": query, "number_of_results": len(results),
            "results": results[(page - 1) * _PER_PAGE: page * _PER_PAGE],
            "answers": [], "corrections": [], "infoboxes": [], "suggestions": [],
            "unresponsive_engines": [],
        }
        return web.json_response(answer)

    return handler


async def _robots(request: web.Request) -> web.StreamResponse:
    return web.Response(text=_ROBOTS)


async def _home(request: web.Request) -> web.StreamResponse:
    return web.Response(text="<!DOCTYPE html><title>SearXNG (sandbox)</title>"
                             "<h1>SearXNG</h1><p>Try /search?q=...&amp;format=json</p>",
                        content_type="text/html")
