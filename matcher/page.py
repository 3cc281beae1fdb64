"""HTML → the parts of a web page the matcher needs, parsed once and lazily.

Parsing uses selectolax (the Lexbor HTML5 engine): it builds the same tree a browser does from
broken markup and is about ten times faster than lxml+trafilatura (see STACK.md). From one parse
we keep: the whole *visible* text (what we match on, so that no extraction mistake can hide a
copy), the links with where they sit, and the ``<head>`` signals (canonical, og:url, JSON-LD,
title, language). Main-article extraction (trafilatura, ``matcher.article``) is only used
for originals.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .dates import published_date
from .text import Tokens, normalize_space, tokenize

__all__ = ["Link", "Page"]

_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "object", "canvas"]
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th "
    "tr ul caption option button label title body html".split()
)
# Regions of a page, innermost first wins; class/id hints catch templates without HTML5 tags.
_REGION_TAGS = {"footer": "footer", "header": "header", "nav": "nav", "aside": "aside",
                "article": "article", "main": "article"}
_REGION_HINT = re.compile(r"footer|header|sidebar|(?<![a-z])nav|menu|related|comment", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0", re.I)


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


@dataclass(frozen=True, slots=True)
class _Parsed:
    text: str
    title: str
    lang: str
    links: tuple[Link, ...]
    canonical: str | None
    og_url: str | None
    og_site_name: str | None
    json_ld: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Page:
    """A fetched web page. Only ``url`` and ``html`` are needed; the rest is derived lazily.

    ``final_url`` is the address after redirects (defaults to ``url``) and is the base for
    resolving relative links.
    """

    url: str
    html: str
    final_url: str | None = None
    fetched_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_text(cls, url: str, text: str, *, title: str = "") -> Page:
        """A page known only by its visible text (already extracted): no links, no <head>.

        For judging text from elsewhere (benchmarks, other crawlers' output) without HTML.
        """
        page = cls(url, "")
        parsed = _Parsed(text=text, title=title, lang="", links=(), canonical=None,
                         og_url=None, og_site_name=None, json_ld=())
        page.__dict__["_parsed"] = parsed  # fills the cached_property
        return page

    @property
    def address(self) -> str:
        return self.final_url or self.url

    @cached_property
    def _parsed(self) -> _Parsed:
        return _parse(self.html, self.address)

    @property
    def text(self) -> str:
        """Everything a reader can see, blocks separated by newlines."""
        return self._parsed.text

    @cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.text)

    @property
    def title(self) -> str:
        return self._parsed.title

    @property
    def lang(self) -> str:
        return self._parsed.lang

    @property
    def links(self) -> tuple[Link, ...]:
        return self._parsed.links

    @property
    def canonical(self) -> str | None:
        return self._parsed.canonical

    @property
    def og_url(self) -> str | None:
        return self._parsed.og_url

    @property
    def og_site_name(self) -> str | None:
        return self._parsed.og_site_name

    @property
    def json_ld(self) -> tuple[dict[str, Any], ...]:
        return self._parsed.json_ld

    @property
    def host(self) -> str:
        return urlsplit(self.address).hostname or ""

    @cached_property
    def published(self) -> datetime | None:
        """When the page says it was published (UTC), or None (``matcher.dates``: JSON-LD,
        meta tags, ``<time>``). Read on first use: judging asks only for copies."""
        return published_date(self.html, self.json_ld)


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def _json_ld(tree: LexborHTMLParser) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "null")
        except ValueError:
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


def _meta(tree: LexborHTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'meta[property="{prop}"]') or tree.css_first(f'meta[name="{prop}"]')
    value = node.attributes.get("content") if node is not None else None
    return value.strip() if value else None


def _region_and_hidden(node: LexborNode) -> tuple[str, bool]:
    region = ""
    hidden = False
    cur: LexborNode | None = node
    while cur is not None and cur.tag not in ("body", "html", "-document"):
        attrs = cur.attributes
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            hidden = True
        style = attrs.get("style")
        if style and _HIDDEN_STYLE.search(style):
            hidden = True
        if not region:
            tag = cur.tag or ""
            if tag in _REGION_TAGS:
                region = _REGION_TAGS[tag]
            else:
                hint = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
                m = _REGION_HINT.search(hint)
                if m:
                    region = {"header": "header", "footer": "footer"}.get(
                        m.group().lower(), m.group().lower()
                    )
        cur = cur.parent
    return region or "body", hidden


def _text_and_links(root: LexborNode | None, base: str) -> tuple[str, tuple[Link, ...]]:
    """Visible text (blocks on their own lines) and links with their offset in that text."""
    if root is None:
        return "", ()
    parts: list[str] = []
    size = 0
    links: list[Link] = []
    for node in root.traverse(include_text=True):
        if node.is_text_node:
            prev = node.prev
            chunk = node.text_content or ""
            if prev is not None and prev.tag in _BLOCK_TAGS:
                chunk = "\n" + chunk
        elif node.tag in _BLOCK_TAGS:
            chunk = "\n"
        else:
            chunk = ""
            if node.tag == "a":
                href = _absolute(base, node.attributes.get("href"))
                if href is not None:
                    rel = tuple((node.attributes.get("rel") or "").lower().split())
                    region, hidden = _region_and_hidden(node)
                    text = normalize_space(node.text() or "")
                    links.append(Link(href, text, rel, region, hidden, size))
        parts.append(chunk)
        size += len(chunk)
    text, mapping = _clean_lines("".join(parts))
    fixed = tuple(
        Link(lk.href, lk.text, lk.rel, lk.region, lk.hidden, mapping(lk.offset)) for lk in links
    )
    return text, fixed


def _clean_lines(raw: str) -> tuple[str, Callable[[int], int]]:
    """Collapse white space line by line; return the text and a map of raw → clean offsets."""
    out: list[str] = []
    starts: list[int] = []  # raw offset of each kept line
    clean_starts: list[int] = []
    pos = 0
    raw_pos = 0
    for line in raw.split("\n"):
        clean = normalize_space(line)
        if clean:
            if out:
                pos += 1
            starts.append(raw_pos)
            clean_starts.append(pos)
            out.append(clean)
            pos += len(clean)
        raw_pos += len(line) + 1

    def mapping(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return 0
        return min(clean_starts[i] + (offset - starts[i]), clean_starts[i] + len(out[i]))

    return "\n".join(out), mapping


def _parse(html: str, url: str) -> _Parsed:
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = _absolute(url, base_node.attributes.get("href")) if base_node is not None else None
    base = base or url
    title_node = tree.css_first("title")
    html_node = tree.css_first("html")
    canonical_node = tree.css_first('link[rel="canonical"]')
    parsed_ld = _json_ld(tree)
    canonical = _absolute(base, canonical_node.attributes.get("href")) if canonical_node else None
    og_url = _absolute(base, _meta(tree, "og:url"))
    og_site_name = _meta(tree, "og:site_name")
    tree.strip_tags(_DROP_TAGS)
    text, links = _text_and_links(tree.body, base)
    return _Parsed(
        text=text,
        title=normalize_space(title_node.text()) if title_node is not None else "",
        lang=((html_node.attributes.get("lang") or "") if html_node is not None else "").lower(),
        links=links,
        canonical=canonical,
        og_url=og_url,
        og_site_name=og_site_name,
        json_ld=parsed_ld,
    )
