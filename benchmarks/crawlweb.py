"""The generated web of ``crawl.py``: a few copy-farm hosts, thousands of article pages.

Every page is rendered before serving starts and kept as bytes, so the server only looks up
and sends (it must not be what the crawl waits for). Pages are the sandbox's generated news
articles (``crawler.sandbox.content.generate_article``: 300-600 words, deterministic) inside
page chrome: a header with a menu, a "most read" sidebar linking to other stories of the host,
a footer. One page in ``COPY_EVERY`` copies one of the publisher's originals (plain, with a
source link, or its first 40 %); the others are articles of their own (publisher-namespace
articles numbered from ``OWN_BASE``, which the store never holds: no shared run of 8 words
with any original, by the generator's guarantee). Each host's home page links its listing
pages, 50 stories each, so the watch spider discovers every page by following links.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from aiohttp import web

from crawler.sandbox import PUBLISHER
from crawler.sandbox.content import Article, generate_article, generate_headline

__all__ = ["COPY_EVERY", "OWN_BASE", "BenchWeb", "Story", "original_article"]

COPY_EVERY = 5  # one story in five copies an original
OWN_BASE = 50_000  # the stories' own articles: publisher-namespace numbers from here up
PER_LISTING = 50  # story links per listing page
MOST_READ = 5  # sidebar links per story page
_TREATMENTS = ("plain", "credited", "partial")
_MAX_STORIES = 100_000 - OWN_BASE  # generate_article's range


def original_article(number: int) -> Article:
    """The publisher's original number ``number`` (what the store is filled with)."""
    return generate_article(number)


@dataclass(frozen=True)
class Story:
    """One article page: where it is and, if it copies an original, which one and how."""

    number: int
    host: str
    path: str
    original: int | None  # the copied original's number, or None for the host's own article
    treatment: str = "own"

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


class BenchWeb:
    """``stories`` article pages over ``hosts`` hosts; copies name originals 0..originals-1."""

    def __init__(self, stories: int, *, hosts: int, originals: int) -> None:
        if not 1 <= stories <= _MAX_STORIES or hosts < 1 or originals < 1:
            raise ValueError(f"need 1..{_MAX_STORIES:,} stories, hosts >= 1, originals >= 1")
        self.hosts = [f"copyfarm-{k + 1}.test" for k in range(hosts)]
        self.originals = originals
        self.stories = [self._story(n) for n in range(stories)]
        self._pages: dict[tuple[str, str], bytes] = {}
        self._titles: dict[int, str] = {}

    def _story(self, n: int) -> Story:
        host = self.hosts[n % len(self.hosts)]
        if n % COPY_EVERY:
            return Story(n, host, f"/story/{n}.html", None)
        copy = n // COPY_EVERY
        return Story(n, host, f"/story/{n}.html", copy % self.originals,
                     _TREATMENTS[copy % len(_TREATMENTS)])

    @property
    def planted(self) -> dict[str, str]:
        """URL of each copying story → URL of the original it copies (the answer key)."""
        return {s.url: PUBLISHER.article_url(original_article(s.original).slug)
                for s in self.stories if s.original is not None}

    def home_urls(self) -> list[str]:
        return [f"http://{host}/" for host in self.hosts]

    def html_pages(self) -> int:
        """HTML pages a complete crawl fetches: stories, listings and home pages."""
        return len([key for key in self.render() if key[1] != "/robots.txt"])

    def render(self) -> dict[tuple[str, str], bytes]:
        """(host, path) → body of every page (rendered once, then kept)."""
        if not self._pages:
            for host in self.hosts:
                self._pages[host, "/robots.txt"] = b"User-agent: *\nAllow: /\n"
                mine = [s for s in self.stories if s.host == host]
                lists = math.ceil(len(mine) / PER_LISTING)
                self._pages[host, "/"] = self._home(host, mine, lists)
                for i in range(lists):
                    part = mine[i * PER_LISTING:(i + 1) * PER_LISTING]
                    self._pages[host, f"/list/{i + 1}.html"] = self._listing(host, part, i, lists)
                for i, story in enumerate(mine):
                    most_read = [mine[(i + 7 * k) % len(mine)] for k in range(1, MOST_READ + 1)]
                    self._pages[host, story.path] = self._story_page(story, most_read)
        return self._pages

    def app(self) -> web.Application:
        """An aiohttp app playing every host as an HTTP forward proxy (``SandboxServer(app=)``)."""
        pages = self.render()

        async def serve(request: web.Request) -> web.StreamResponse:
            host = (request.host or "").lower().rsplit(":", 1)[0]
            body = pages.get((host, request.path))
            if body is None:
                return web.Response(status=404, text="not found\n")
            kind = "text/plain" if request.path == "/robots.txt" else "text/html"
            return web.Response(body=body, content_type=kind, charset="utf-8")

        app = web.Application()
        app.router.add_route("GET", "/{path:.*}", serve)
        return app

    # -- rendering ------------------------------------------------------------------------

    def _document(self, host: str, title: str, main: str, *, aside: str = "") -> bytes:
        name = escape(host.removesuffix(".test").replace("-", " ").title())
        menu = " ".join(f'<a href="/list/{i}.html">Page {i}</a>' for i in range(1, 4))
        return (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)} | {name}</title>\n</head>\n<body>\n"
            f'<header class="top"><a class="logo" href="/">{name}</a>\n'
            f'<nav><a href="/">Home</a> {menu}</nav></header>\n'
            f"<main>\n{main}\n</main>\n{aside}"
            f'<footer><p>{name} collects stories from around the region. All rights belong '
            f'to their owners.</p><p><a href="/">Home</a> &middot; '
            f'<a href="/list/1.html">Archive</a></p></footer>\n</body>\n</html>\n'
        ).encode()

    def _links(self, stories: list[Story]) -> Iterator[str]:
        for s in stories:
            yield f'<li><a href="{s.path}">{escape(self._title(s))}</a></li>'

    def _title(self, story: Story) -> str:
        if story.number not in self._titles:
            number = OWN_BASE + story.number if story.original is None else story.original
            self._titles[story.number] = generate_headline(number).title
        return self._titles[story.number]

    def _home(self, host: str, mine: list[Story], lists: int) -> bytes:
        pages = " ".join(f'<a href="/list/{i}.html">{i}</a>' for i in range(1, lists + 1))
        latest = "\n".join(self._links(mine[-20:]))
        main = f"<h1>Latest</h1>\n<ul>\n{latest}\n</ul>\n<p>Archive: {pages}</p>"
        return self._document(host, "Home", main)

    def _listing(self, host: str, part: list[Story], i: int, lists: int) -> bytes:
        nxt = f'<a rel="next" href="/list/{i + 2}.html">Older</a>' if i + 1 < lists else ""
        main = f"<h1>Stories, page {i + 1}</h1>\n<ul>\n" + "\n".join(self._links(part)) + \
            f"\n</ul>\n<p>{nxt}</p>"
        return self._document(host, f"Page {i + 1}", main)

    def _article(self, story: Story) -> Article:
        if story.original is not None:
            return original_article(story.original)
        return generate_article(OWN_BASE + story.number)

    def _story_page(self, story: Story, most_read: list[Story]) -> bytes:
        a = self._article(story)
        paragraphs = a.paragraphs
        if story.treatment == "partial":
            paragraphs = paragraphs[: math.ceil(len(paragraphs) * 0.4)]
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        if story.treatment == "credited":
            body += (f'\n<p class="credit">Source: <a href="{PUBLISHER.article_url(a.slug)}">'
                     f"{escape(PUBLISHER.name)}</a></p>")
        main = (f'<article>\n<h1>{escape(a.title)}</h1>\n<p class="meta">By '
                f"{escape(a.author)}</p>\n{body}\n</article>")
        aside = ('<aside class="most-read"><h2>Most read</h2><ul>\n'
                 + "\n".join(self._links(most_read)) + "\n</ul></aside>\n")
        return self._document(story.host, a.title, main, aside=aside)
