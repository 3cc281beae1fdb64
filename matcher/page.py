"""HTML → the parts of a web page the matcher needs, parsed once and worked out lazily.

Parsing uses selectolax (the Lexbor HTML5 engine): it builds the same tree a browser does from
broken markup and is about ten times faster than lxml+trafilatura (see STACK.md). One walk of
the tree (``matcher.dom``) gives the whole *visible* text (what we match on, so that no
extraction mistake can hide a copy). Everything else is worked out from the same tree only
when asked: the links with where they sit, and the ``<head>`` signals (canonical, og:url,
JSON-LD, title, language). Most pages of a crawl copy nothing, and credit evidence is looked
for only on copies. Main-article extraction (trafilatura, ``matcher.article``) is only used
for originals. A hostile page cannot make the parser walk without end: see ``matcher.markup``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import published_date
from .dom import Placement, Walk, clean_text, offset_map, visible_text, walk
from .markup import MAX_TEXT, bounded
from .mentions import may_mention, mentioning
from .text import Tokens, normalize_space, tokenize
from .urls import as_browsers_read, site_of

__all__ = ["Link", "Page"]

# An absolute http(s) URL that urljoin gives back unchanged: a host (and port), a path without
# ";" params, a non-empty query and fragment, nothing urlsplit strips or checks.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::[0-9]*)?(?:/[\w.~!$&'()*+,=:@%/\-]*)?"
    r"(?:\?[\w.~!$&'()*+,;=:@%/?\-]+)?(?:#[\w.~!$&'()*+,;=:@%/?#\-]+)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink: absolute ``href``, its text, ``rel`` values and where it sits.

    ``region`` is one of ``article``, ``header``, ``nav``, ``footer``, ``aside``, ``sidebar``,
    ``related``, ``comment``, ``menu``, ``body``; ``hidden`` is true when the link or an
    ancestor is hidden by an attribute or inline style; ``offset`` is the character position of
    the link in the page's visible text (to tell a credit next to the copy from a footer one).
    """

    href: str
    text: str
    rel: tuple[str, ...] = ()
    region: str = "body"
    hidden: bool = False
    offset: int = 0

    @property
    def nofollow(self) -> bool:
        return any(r in ("nofollow", "ugc", "sponsored") for r in self.rel)


class _Document:
    """A parsed page: the tree, the one walk over it, and what is worked out from them.

    The tree (Lexbor holds 0.2–1 MB for a page) can be let go once the page is judged
    (``release``): what was worked out stays, anything else asked later parses again.
    """

    def __init__(self, html: str | None, url: str, *, text: str = "", title: str = "",
                 utf8: bytes | None = None) -> None:
        self._url = url
        self._html = html
        self._utf8 = utf8
        if html is None:  # known only by its text
            self.__dict__.update(text=text, title=title, _walk=Walk(), _tree=None)

    @property
    def parsed(self) -> bool:
        return self._html is not None

    @cached_property
    def _tree(self) -> LexborHTMLParser | None:
        # Encoded here as selectolax would encode it: the limits are checked on the bytes.
        assert self._html is not None
        data = self._utf8 if self._utf8 is not None else self._html.encode("utf-8", "ignore")
        return LexborHTMLParser(bounded(data))

    @cached_property
    def _walk(self) -> Walk:
        return walk(self._tree) if self._tree is not None else Walk()

    def release(self) -> None:
        """Let the tree go, keeping the text and the title (which every caller wants)."""
        if self._html is not None and "_tree" in self.__dict__:
            _ = self.text, self.title
            for name in ("_tree", "_walk", "_link_parts"):
                self.__dict__.pop(name, None)

    @cached_property
    def raw(self) -> str:
        return "".join(self._walk.parts)[:MAX_TEXT]

    @cached_property
    def text(self) -> str:
        return clean_text(self.raw)

    def _first(self, tag: str, **attrs: str) -> LexborNode | None:
        """The first ``<head>``-kind element with ``tag`` whose attributes are as given
        (``""``: present; ``rel``/``type`` compared ignoring ASCII case, as CSS does)."""
        for node in self._walk.heads.get(tag, ()):
            have = node.attributes
            if all(_same(name, have.get(name), want) for name, want in attrs.items()):
                return node
        return None

    def _meta(self, prop: str) -> str | None:
        node = self._first("meta", property=prop) or self._first("meta", name=prop)
        value = node.attributes.get("content") if node is not None else None
        return value.strip() if value else None

    @cached_property
    def base(self) -> str:
        node = self._first("base", href="")
        base = _absolute(self._url, node.attributes.get("href")) if node is not None else None
        return base or self._url

    @cached_property
    def title(self) -> str:
        node = self._first("title")
        return normalize_space(node.text()) if node is not None else ""

    @cached_property
    def lang(self) -> str:
        tree = self._tree
        root = tree.root if tree is not None else None
        return ((root.attributes.get("lang") or "") if root is not None else "").lower()

    @cached_property
    def canonical(self) -> str | None:
        node = self._first("link", rel="canonical")
        return _absolute(self.base, node.attributes.get("href")) if node is not None else None

    @cached_property
    def og_url(self) -> str | None:
        return _absolute(self.base, self._meta("og:url"))

    @cached_property
    def og_site_name(self) -> str | None:
        return self._meta("og:site_name")

    @cached_property
    def json_ld(self) -> tuple[dict[str, Any], ...]:
        found: list[dict[str, Any]] = []
        for node in self._walk.heads.get("script", ()):
            if not _same("type", node.attributes.get("type"), "application/ld+json"):
                continue
            try:
                data = json.loads(node.text() or "null")
            except (ValueError, RecursionError):  # nested past the parser's stack: hostile
                continue  # malformed JSON-LD is common and carries no signal
            stack = [data]
            while stack:
                item = stack.pop()
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    found.append(item)
                    if isinstance(item.get("@graph"), list):
                        stack.extend(item["@graph"])
        return tuple(found)

    @cached_property
    def _link_parts(self) -> tuple[list[int], Placement, Callable[[int], int]]:
        return self._walk.offsets(), Placement(), offset_map(self.raw, self.text)

    def _link(self, n: int, href: str) -> Link:
        offsets, placement, mapping = self._link_parts
        node = self._walk.anchors[n][0]
        rel = tuple((node.attributes.get("rel") or "").lower().split())
        region, hidden = placement.of(node)
        text = normalize_space(visible_text(node))
        return Link(href, text, rel, region, hidden, mapping(offsets[n]))

    @cached_property
    def links(self) -> tuple[Link, ...]:
        base = self.base
        hrefs = ((n, _absolute(base, node.attributes.get("href")))
                 for n, (node, _) in enumerate(self._walk.anchors))
        return tuple(self._link(n, href) for n, href in hrefs if href is not None)

    def links_mentioning(self, needles: tuple[str, ...]) -> tuple[Link, ...]:
        if "links" in self.__dict__ or may_mention(self.base, needles):
            return tuple(link for link in self.links if may_mention(link.href, needles))
        base, anchors, out = self.base, self._walk.anchors, []
        raw = [node.attrs.get("href") or "" for node, _ in anchors]
        for n in mentioning(raw, needles):
            href = _absolute(base, raw[n])
            if href is not None and may_mention(href, needles):
                out.append(self._link(n, href))
        return tuple(out)


def _same(name: str, value: str | None, want: str) -> bool:
    if value is None:
        return False
    if not want:
        return True
    if name in ("rel", "type"):
        return value.isascii() and value.lower() == want
    return value == want


def _absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, if it is an http(s) URL."""
    if not href:
        return None
    href = href.strip()
    if _PLAIN_URL.fullmatch(href) and _plain_base(base):
        return href  # what urljoin would return, at a tenth of the cost
    try:  # "\\\\ours.example/a" is scheme-relative to a browser, a path to urljoin
        url = urljoin(base, as_browsers_read(href))
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


@lru_cache(maxsize=1024)
def _plain_base(base: str) -> bool:
    """Whether urljoin can use ``base`` at all (it raises on some malformed ones)."""
    try:
        urlsplit(base)
    except ValueError:
        return False
    return bool(base)


@dataclass(frozen=True)
class Page:
    """A fetched web page. Only ``url`` and ``html`` are needed; the rest is derived lazily.

    ``final_url`` is the address after redirects (defaults to ``url``) and is the base for
    resolving relative links. ``utf8`` is ``html.encode("utf-8")`` when the caller has it
    already (a crawl has the response's body, UTF-8 for most pages: ``crawler.sniff.utf8_of``):
    it is parsed as it is, instead of encoding ``html`` again (~1 ms a megabyte).
    """

    url: str
    html: str
    final_url: str | None = None
    fetched_at: datetime | None = field(default=None, compare=False)
    utf8: bytes | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_text(cls, url: str, text: str, *, title: str = "") -> Page:
        """A page known only by its visible text (already extracted): no links, no <head>.

        For judging text from elsewhere (benchmarks, other crawlers' output) without HTML.
        """
        page = cls(url, "")
        page.__dict__["_doc"] = _Document(None, url, text=text, title=title)
        return page

    def __getstate__(self) -> dict[str, Any]:
        # The parsed tree cannot be pickled: a page sent to another process parses again.
        state = dict(self.__dict__)
        doc = state.get("_doc")
        if doc is not None and doc.parsed:
            del state["_doc"]
        state.pop("tokens", None)
        return state

    @property
    def address(self) -> str:
        return self.final_url or self.url

    def release(self) -> None:
        """Let the parse tree go (Lexbor holds 0.2–1 MB for a page): the text, tokens, title
        and whatever was asked for stay; links or ``<head>`` signals asked for later are
        worked out again from the HTML. ``assess`` calls it when it is done with a page, so
        that pages held by a caller (a crawl has many in flight) do not hold their trees."""
        if "_doc" in self.__dict__:
            self._doc.release()

    @cached_property
    def _doc(self) -> _Document:
        return _Document(self.html, self.address, utf8=self.utf8)

    @property
    def text(self) -> str:
        """Everything a reader can see, blocks separated by newlines."""
        return self._doc.text

    @cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.text)

    @property
    def title(self) -> str:
        return self._doc.title

    @property
    def lang(self) -> str:
        return self._doc.lang

    @property
    def links(self) -> tuple[Link, ...]:
        """Every http(s) link, in page order."""
        return self._doc.links if self._doc.parsed else ()

    def links_mentioning(self, needles: tuple[str, ...]) -> tuple[Link, ...]:
        """The links (as ``links`` gives them, in order) whose address may name one of
        ``needles`` (host names): every link whose ``href`` holds a needle as a whole name,
        ignoring case, or may once percent-decoded (``matcher.mentions``). The others are
        skipped before they are resolved and placed: on a page of a hundred links, only the
        few that can matter are worked out."""
        return self._doc.links_mentioning(needles) if self._doc.parsed else ()

    @property
    def canonical(self) -> str | None:
        return self._doc.canonical if self._doc.parsed else None

    @property
    def og_url(self) -> str | None:
        return self._doc.og_url if self._doc.parsed else None

    @property
    def og_site_name(self) -> str | None:
        return self._doc.og_site_name if self._doc.parsed else None

    def meta(self, prop: str) -> str | None:
        """The ``content`` of the first ``<meta property=prop>`` (else ``<meta name=prop>``),
        stripped; None when absent or empty. Names are compared exactly, as CSS does."""
        return self._doc._meta(prop) if self._doc.parsed else None

    @property
    def json_ld(self) -> tuple[dict[str, Any], ...]:
        return self._doc.json_ld if self._doc.parsed else ()

    @property
    def host(self) -> str:
        """The site (``urls.site_of``): the host, with its port unless 80 or 443."""
        return site_of(self.address)

    @cached_property
    def published(self) -> datetime | None:
        """When the page says it was published (UTC), or None (``matcher.dates``: JSON-LD,
        meta tags, ``<time>``). Read on first use: judging asks only for copies."""
        doc = self._doc
        return published_date(self.html, self.json_ld,
                              tree=lambda: doc._tree if doc.parsed else None)
