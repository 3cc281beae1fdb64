"""The sandbox web as one aiohttp application: an HTTP forward proxy that plays every site.

Clients use it as their HTTP proxy and send absolute-form requests (``GET http://host/path``).
The app dispatches on the host (any port stripped) to that site's route table, a mapping of
path → handler: unknown host → 502 ``no such sandbox site: HOST``, unknown path → 404 (an HTML
page), methods other than GET and HEAD → 405. Pages are rendered on first request and kept, so
a sandbox of thousands of articles starts in a fraction of a second.

Adding a page is adding a producer to a site's table in ``_Pages.routes``; the hostile hosts
(slow responses, huge pages, redirect loops, wrong encodings...) are in ``hostile.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import partial
from html import escape

from aiohttp import web

from .content import WIRE_NAMESPACE, Article, Headline, generate_article, generate_headline
from .hidden import HIDDEN_SITES, hidden_assignments
from .hostile import FALLBACK, HOSTILE_LOG, hostile_routes
from .searx import searx_tables
from .sites import (
    PUBLISHER,
    REPOST_RULE,
    SITES,
    WIRE_STORIES,
    CopyPage,
    Site,
    WireStory,
    copy_assignments,
    copy_slug,
    html_document,
    html_text,
    wire_article,
)

__all__ = ["REQUEST_LOG", "Handler", "build_app"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RequestLog = list[tuple[str, str]]

REQUEST_LOG = web.AppKey("sandbox_request_log", RequestLog)
_SITES = web.AppKey("sandbox_sites", dict[str, "_Routes"])
_CONTENT_TYPES = {"html": "text/html", "xml": "application/xml", "rss": "application/rss+xml",
                  "txt": "text/plain"}


@dataclass(frozen=True)
class _Routes:
    """One site's route table and its 404 page."""

    paths: dict[str, Handler]
    not_found: Handler


def build_app(articles: int = 8, *, log: RequestLog | None = None) -> web.Application:
    """The sandbox web with ``articles`` publisher articles (1 ≤ articles ≤ 100,000).

    ``log``: a list that receives ``(host, path_qs)`` of every request, in order (a new one if
    None); it is also ``app[REQUEST_LOG]``.
    """
    pages = _Pages(articles)
    log = [] if log is None else log
    app = web.Application(middlewares=[_logging(log, threading.Lock())])
    app[REQUEST_LOG] = log
    app[_SITES] = _route_tables(pages)
    app[HOSTILE_LOG] = []
    for host, paths in hostile_routes(pages.article, app[HOSTILE_LOG]).items():
        fallback = paths.pop(FALLBACK, None) or _cached(*pages.not_found(host), status=404)
        app[_SITES][host] = _Routes(paths, fallback)
    app.router.add_route("*", "/{path:.*}", _dispatch)
    return app


def _route_tables(pages: _Pages) -> dict[str, _Routes]:
    tables = {}
    for host, producers in pages.routes().items():
        paths = {path: _cached(kind, produce) for path, (kind, produce) in producers.items()}
        kind, produce = pages.not_found(host)
        tables[host] = _Routes(paths, _cached(kind, produce, status=404))
    articles = tables[PUBLISHER.host].paths  # answer conditional GETs, as a news CMS does
    for published, slug, _, _ in pages.listed:
        path = f"/news/{slug}.html"
        articles[path] = _conditional(articles[path], published)
    for host, paths in searx_tables(partial(_html_pages, pages)).items():
        tables[host] = _Routes(paths, _cached("txt", lambda: "404 Not Found\n", status=404))
    return tables


def _conditional(handler: Handler, modified: datetime) -> Handler:
    """``handler`` with ETag and Last-Modified, answering 304 Not Modified to a matching
    If-None-Match, or else to an If-Modified-Since not older than ``modified`` (RFC 9110)."""

    async def conditional(request: web.Request) -> web.StreamResponse:
        response = await handler(request)
        assert isinstance(response, web.Response) and isinstance(response.body, bytes)
        etag = hashlib.sha256(response.body).hexdigest()[:20]
        response.etag = etag
        response.last_modified = modified
        if request.if_none_match is not None:
            fresh = any(tag.value in ("*", etag) for tag in request.if_none_match)
        else:
            since = request.if_modified_since
            fresh = since is not None and modified.replace(microsecond=0) <= since
        if not fresh:
            return response
        return web.Response(status=304, headers={
            "ETag": response.headers["ETag"], "Last-Modified": response.headers["Last-Modified"]})

    return conditional


def _html_pages(pages: _Pages) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of every page: what the sandbox SearXNG searches (rendered on its first
    query)."""
    for host, table in pages.routes().items():
        for path, (kind, produce) in table.items():
            if kind == "html":
                yield f"http://{host}{path}", produce()


def _cached(kind: str, produce: Callable[[], str], *, status: int = 200) -> Handler:
    """A handler serving ``produce()`` (rendered once, on first request) as ``kind``."""
    body: list[bytes] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if not body:
            body.append(produce().encode("utf-8"))
        return web.Response(body=body[0], status=status, content_type=_CONTENT_TYPES[kind],
                            charset="utf-8")

    return handler


def _host_of(request: web.Request) -> str:
    """The site a request is for: its host without port, lower case."""
    host = (request.host or "").strip().lower()
    if host.startswith("["):  # an IPv6 literal: [::1]:8080
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


async def _dispatch(request: web.Request) -> web.StreamResponse:
    host = _host_of(request)
    site = request.app[_SITES].get(host)
    if site is None:
        return web.Response(status=502, text=f"no such sandbox site: {host}\n"
                            "(the sandbox web is an HTTP proxy for *.test sites)")
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    handler = site.paths.get(request.path, site.not_found)
    return await handler(request)


def _logging(log: RequestLog, lock: threading.Lock) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        with lock:  # readers are in other threads
            log.append((_host_of(request), request.path_qs))
        return await handler(request)

    return middleware


# --- What each URL serves -------------------------------------------------------------------

Producer = tuple[str, Callable[[], str]]  # (kind: html / xml / rss / txt, render)
_FEED_ITEMS = 50  # the feed lists the newest articles only, like real feeds
_SENTENCE_END = re.compile(r'(?<=[.!?])\s+|(?<=[.!?]")\s+')
_EDITS = {"said": "stated", "percent": "per cent", "meeting": "session", "report": "study",
          "money": "funds", "bill": "invoice", "delays": "hold-ups", "defects": "faults",
          "petition": "appeal", "land": "plot", "rubbish": "litter", "trade": "business",
          "future": "fate", "budget": "spending plan", "plan": "scheme", "warned": "cautioned",
          "years": "winters", "week": "weekend", "months": "months or so"}
_ADS = ("Lose weight without trying: doctors are furious about this trick.",
        "Cheap flights to anywhere. Compare prices in seconds!",
        "Is your phone slow? Clean it with one tap, free today.")


def _date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def _paragraphs(paragraphs: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"<p>{html_text(p)}</p>" for p in paragraphs)


def _edit(paragraphs: tuple[str, ...]) -> list[str]:
    """A lightly edited copy: two words swapped for synonyms per paragraph, one sentence gone."""
    edited = []
    for paragraph in paragraphs:
        text, done = paragraph, 0
        for word, other in _EDITS.items():
            if done < 2 and re.search(rf"\b{word}\b", text):
                text = re.sub(rf"\b{word}\b", other, text, count=1)
                done += 1
        edited.append(text)
    middle = len(edited) // 2
    sentences = _SENTENCE_END.split(edited[middle])
    if len(sentences) > 1:
        del sentences[1]
        edited[middle] = " ".join(sentences)
    return edited


class _Pages:
    """Renders every page of the sandbox web; articles are generated on first use and kept."""

    def __init__(self, articles: int) -> None:
        # validates the count; the hidden sites are found by search only (.hidden)
        self.assignments = copy_assignments(articles) + hidden_assignments(articles)
        self.headlines = [generate_headline(i) for i in range(articles)]
        self._articles: dict[tuple[str, int], Article] = {}
        # the archive's listings: own stories and the wire stories it ran, oldest first
        self.listed = sorted([(h.published, h.slug, h.title, h.author) for h in self.headlines]
                             + [self._wire_listing(w) for w in WIRE_STORIES])

    def article(self, index: int, namespace: str = "publisher") -> Article:
        key = (namespace, index)
        if key not in self._articles:
            self._articles[key] = generate_article(index, namespace=namespace)
        return self._articles[key]

    def routes(self) -> dict[str, dict[str, Producer]]:
        """host → path → what it serves."""
        pub: dict[str, Producer] = {
            "/": ("html", self.publisher_home),
            "/about.html": ("html", self.publisher_about),
            "/robots.txt": ("txt", lambda: f"User-agent: *\nAllow: /\n\nSitemap: "
                                           f"{PUBLISHER.sitemap}\n"),
            "/sitemap.xml": ("xml", self.sitemap),
            "/feed.xml": ("rss", self.feed),
        }
        for head in self.headlines:
            pub[f"/news/{head.slug}.html"] = ("html", partial(self.publisher_article, head.index))
        for n, story in enumerate(WIRE_STORIES):
            pub[f"/news/{story.slug}.html"] = ("html", partial(self.publisher_wire_article, n))
        tables = {PUBLISHER.host: pub}
        for site in (*SITES, *HIDDEN_SITES):
            tables[site.host] = {"/": ("html", partial(self.site_home, site)),
                                 "/robots.txt": ("txt", site.robots_txt)}
        for site, page, index in self.assignments:
            path = self.path(site, page, index)
            if path in tables[site.host]:
                raise ValueError(f"two pages of {site.host} share the path {path}")
            tables[site.host][path] = ("html", partial(self.site_page, site, page, index))
        return tables

    def not_found(self, host: str) -> Producer:
        main = "<h1>Page not found</h1>\n<p>There is no page at this address.</p>"
        site = next((s for s in (*SITES, *HIDDEN_SITES) if s.host == host), None)
        if site is None:
            return "html", lambda: self._publisher_document("Page not found", main)
        return "html", lambda: site.document("Page not found", main)

    def path(self, site: Site, page: CopyPage, index: int) -> str:
        return page.path.format(slug=copy_slug(page, index, site))

    def wire_article(self, n: int) -> Article:
        """``sites.wire_article(n)``, generated once."""
        key = (WIRE_NAMESPACE, n)
        if key not in self._articles:
            self._articles[key] = wire_article(n)
        return self._articles[key]

    def _wire_listing(self, story: WireStory) -> tuple[datetime, str, str, str]:
        head = generate_headline(story.index, namespace=WIRE_NAMESPACE)
        return head.published, story.slug, head.title, story.byline.removeprefix("By ")

    # The publisher ---------------------------------------------------------------------

    def _publisher_document(self, title: str, main: str, *, head: str = "") -> str:
        name = html_text(PUBLISHER.name)
        body = (
            f'<header class="masthead">\n<a class="logo" href="/">{name}</a>\n'
            '<nav class="primary"><a href="/">Home</a> <a href="/about.html">About us</a> '
            '<a href="/feed.xml">RSS</a></nav>\n</header>\n'
            f"<main>\n{main}\n</main>\n"
            f'<footer class="site-footer">\n<p>{html_text(REPOST_RULE)}</p>\n'
            f'<p>&copy; {name} &middot; <a href="/about.html">About us</a></p>\n</footer>'
        )
        head += f'<meta property="og:site_name" content="{name}">\n'
        return html_document(f"{title} | {PUBLISHER.name}", body, head=head)

    def _listing(self, heads: list[Headline]) -> str:
        return self._items([(h.published, h.slug, h.title, h.author) for h in heads])

    @staticmethod
    def _items(entries: list[tuple[datetime, str, str, str]]) -> str:
        return "\n".join(
            f'<li><a href="/news/{slug}.html">{html_text(title)}</a> '
            f'<time datetime="{when.isoformat()}">{_date(when)}</time> '
            f"by {html_text(author)}</li>" for when, slug, title, author in entries
        )

    def publisher_home(self) -> str:
        items = self._items(self.listed[::-1])
        main = f'<h1>Latest news</h1>\n<ul class="stories">\n{items}\n</ul>'
        return self._publisher_document("News", main)

    def publisher_about(self) -> str:
        main = (f"<h1>About {html_text(PUBLISHER.name)}</h1>\n<p>We report on towns, councils and "
                "the places people share.</p>\n<p>Reposting our stories is fine. "
                f"{html_text(REPOST_RULE)}</p>")
        return self._publisher_document("About us", main)

    def publisher_article(self, index: int) -> str:
        near = [self.headlines[i] for i in (index - 1, index + 1, index + 2)
                if 0 <= i < len(self.headlines) and i != index]
        return self._article_page(self.article(index), f"By {self.article(index).author}",
                                  near)

    def publisher_wire_article(self, n: int) -> str:
        """A wire story the paper ran: the wire's byline in place of a reporter's."""
        return self._article_page(self.wire_article(n), WIRE_STORIES[n].byline,
                                  self.headlines[:3])

    def _article_page(self, a: Article, byline: str, near: list[Headline]) -> str:
        url = PUBLISHER.article_url(a.slug)
        when = a.published.isoformat()
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": a.title, "author": {"@type": "Person", "name": a.author},
                         "datePublished": when, "url": url}).replace("</", "<\\/")
        summary = _SENTENCE_END.split(a.paragraphs[0])[0]
        head = (
            f'<meta name="description" content="{escape(summary)}">\n'
            f'<meta property="og:title" content="{escape(a.title)}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="article:published_time" content="{when}">\n'
            f'<link rel="canonical" href="{url}">\n'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">\n'
            f'<script type="application/ld+json">{ld}</script>\n'
        )
        main = (
            f'<article class="story">\n<h1>{html_text(a.title)}</h1>\n'
            f'<p class="byline">{html_text(byline)} &middot; '
            f'<time datetime="{when}">{_date(a.published)}</time></p>\n'
            f"{_paragraphs(a.paragraphs)}\n</article>\n"
            f'<aside class="related">\n<h2>Related stories</h2>\n<ul>\n'
            f"{self._listing(near)}\n</ul>\n</aside>"
        )
        return self._publisher_document(a.title, main, head=head)

    def sitemap(self) -> str:
        urls = "\n".join(
            f"<url><loc>{PUBLISHER.article_url(slug)}</loc>"
            f"<lastmod>{when.isoformat()}</lastmod></url>" for when, slug, _, _ in self.listed
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n'
                "</urlset>\n")

    def feed(self) -> str:
        newest = self.listed[::-1][:_FEED_ITEMS]
        own = {h.slug: h.index for h in self.headlines}
        wire = {story.slug: n for n, story in enumerate(WIRE_STORIES)}
        items = []
        for when, slug, title, _ in newest:
            url = PUBLISHER.article_url(slug)
            a = self.article(own[slug]) if slug in own else self.wire_article(wire[slug])
            summary = _SENTENCE_END.split(a.paragraphs[0])[0]
            items.append(
                f"<item><title>{html_text(title)}</title><link>{url}</link>"
                f'<guid isPermaLink="true">{url}</guid>'
                f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
                f"<description>{html_text(summary)}</description></item>"
            )
        built = format_datetime(newest[0][0], usegmt=True)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
                f"<title>{html_text(PUBLISHER.name)}</title><link>{PUBLISHER.home}</link>\n"
                "<description>Local news</description><language>en</language>\n"
                f"<lastBuildDate>{built}</lastBuildDate>\n" + "\n".join(items)
                + "\n</channel></rss>\n")

    # The watch sites -------------------------------------------------------------------

    def _title(self, site: Site, page: CopyPage, index: int) -> str:
        if page.wire is not None:
            return self.wire_article(page.wire).title
        if not page.copies:
            return self.article(index, site.namespace).title
        title = self.headlines[index].title
        if page.treatment == "excerpt":
            return f"Worth reading: {title}"
        # A page kept out of the answer key sits behind robots.txt: the home page says so.
        return f"Members only: {title}" if not page.expected else title

    def site_home(self, site: Site) -> str:
        items = "\n".join(
            f'<li><a href="{self.path(s, page, index)}">{html_text(self._title(s, page, index))}'
            "</a></li>" for s, page, index in self.assignments if s is site
        )
        main = f'<h1>{html_text(site.name)}</h1>\n<ul class="front">\n{items}\n</ul>'
        return site.document("Home", main)

    def site_page(self, site: Site, page: CopyPage, index: int) -> str:
        if page.wire is not None:
            a = self.wire_article(page.wire)
            when = a.published + timedelta(hours=2)  # licensees run wire copy the same day
        elif page.copies:
            a = self.article(index)
            when = a.published + timedelta(days=1)  # copies appear a day later
        else:
            a = self.article(index, site.namespace)
            when = a.published
        original = PUBLISHER.article_url(a.slug)
        head = ""
        byline = html_text(site.look.byline.format(author=a.author))
        text = _paragraphs(a.paragraphs)
        match page.treatment:
            case "source-link":
                text += (f'\n<p class="credit">Source: <a href="{original}">'
                         f"{html_text(PUBLISHER.name)}</a></p>")
            case "name-line":
                text += (f'\n<p class="credit"><em>This article first appeared in '
                         f"{html_text(PUBLISHER.name)}.</em></p>")
            case "canonical":
                head = f'<link rel="canonical" href="{original}">\n'
            case "ads":
                text = self._with_ads(site, a)
            case "partial":
                text = _paragraphs(a.paragraphs[: math.ceil(len(a.paragraphs) * 0.4)])
            case "edited":
                text = _paragraphs(_edit(a.paragraphs))
            case "excerpt":
                own = self.article(0, site.namespace).paragraphs
                text = (f"<p>{html_text(own[0])}</p>\n<p>This morning's find:</p>\n"
                        f"<blockquote><p>{html_text(a.paragraphs[0])}</p></blockquote>\n"
                        f'<p><a href="{original}">Read more at {html_text(PUBLISHER.name)}</a></p>'
                        f"\n<p>{html_text(own[1])}</p>")
            case "other-source":
                text += '\n<p class="credit">Source: Metro Gazette</p>'
            case "local-cafe":
                paragraphs = list(a.paragraphs)
                paragraphs[1] += (f" Over coffee at the Daily Planet café on Main Street, "
                                  f"{a.names[4]} said the talk of {a.names[0]} was the vote.")
                text = _paragraphs(paragraphs)
            case "wire-signed":  # as the wire sent it: dateline, sign-off, the wire's byline
                byline = html_text(WIRE_STORIES[page.wire or 0].byline)
            case "wire-bare":  # the wire's marks stripped
                story = WIRE_STORIES[page.wire or 0]
                bare = [p.removeprefix(story.dateline) for p in a.paragraphs
                        if p != story.signoff]
                text = _paragraphs(bare)
            case "plain" | "local":
                pass
        look = site.look
        title = self._title(site, page, index)
        main = (f'<{look.post_tag} class="{look.post_class}">\n<h1>{html_text(title)}</h1>\n'
                f'<p class="meta">{byline} &middot; <time datetime="{when.isoformat()}">'
                f"{_date(when)}</time></p>\n{text}\n</{look.post_tag}>")
        return site.document(title, main, head=head)

    def _with_ads(self, site: Site, a: Article) -> str:
        """The article with an ad or a "Read also" box after every paragraph but the last."""
        others = [(self.path(s, p, i), self._title(s, p, i)) for s, p, i in self.assignments
                  if s is site and p.expected and self.headlines[i].slug != a.slug]
        parts = []
        for n, paragraph in enumerate(a.paragraphs):
            parts.append(f"<p>{html_text(paragraph)}</p>")
            if n == len(a.paragraphs) - 1:
                break
            if n % 2 == 0 or not others:
                ad = _ADS[(n // 2) % len(_ADS)]
                parts.append(f'<div class="ad-slot"><small>Advertisement</small> '
                             f"{html_text(ad)}</div>")
            else:
                href, title = others[(n // 2) % len(others)]
                parts.append(f'<div class="read-also">Read also: <a href="{href}">'
                             f"{html_text(title)}</a></div>")
        return "\n".join(parts)
