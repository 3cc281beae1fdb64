"""HTML surgery on the dev corpus's real pages, for the hard cases (``hardcases.py``).

Real templates keep their chrome, scripts and markup; only their article changes:

- ``Template``: a synthetic copy page of the corpus, whose article slot (where the corpus
  builder put the original's ``<p>`` paragraphs) can be refilled with other text;
- ``Host``: a real page with its own real article, into which text can be inserted after one
  of its long paragraphs;
- ``set_published``: takes away the page's own publication-date markup and declares another
  date in one chosen way (JSON-LD, a meta tag, ``itemprop``, ``<time>``).

Nothing here is committed as data: pages are rebuilt from the corpus on every run.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matcher import Page, align, host_of, tokenize

__all__ = ["DATE_METHODS", "Host", "Template", "hosts", "render_lines", "set_published",
           "templates"]

_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_HOST_MIN_WORDS = 25  # a paragraph of the host's own article, not a caption or a button
_HOST_MIN_PARAGRAPHS = 4


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Template:
    """A real page of another site whose article slot is ``html[start:end]``."""

    url: str
    html: str
    start: int
    end: int
    title: str  # the title of the article now in the slot (shown in the page's headings)
    original_url: str  # the corpus original now in the slot
    kind: str  # the corpus case's kind

    @property
    def host(self) -> str:
        return host_of(self.url)

    def fill(self, body_html: str, *, title: str) -> str:
        """The page with ``body_html`` in the slot and ``title`` instead of the old title."""
        page = self.html[: self.start] + body_html + self.html[self.end :]
        if len(self.title) > 10:
            page = page.replace(_escape(self.title), _escape(title)).replace(self.title, title)
        return page


def _find(page: str, text: str, start: int = 0) -> int:
    """Where ``text`` is in the HTML ``page`` (as written, or with entities), or -1."""
    for form in (html.escape(text, quote=False), text, html.escape(text)):
        at = page.find(form, start)
        if at >= 0:
            return at
    return -1


def _slot_holds_all(template: Template, text: str) -> bool:
    """Whether emptying the slot leaves nothing of the article (8 words in a row) on the page:
    else the slot missed some of it (an edited or re-encoded paragraph)."""
    emptied = Page(template.url, template.fill("", title="Nothing here"))
    return align(tokenize(text), emptied.tokens).longest_words == 0


def templates(cases: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[Template]:
    """The synthetic copy pages of ``kinds`` whose slot is found (in corpus order)."""
    found = []
    for case in cases:
        if case["kind"] not in kinds or not case.get("original"):
            continue
        page = case["candidate"]["html"]
        paras = [p.strip() for p in case["original"]["text"].split("\n") if p.strip()]
        # The slot: from the first of the original's paragraphs on the page to the end of the
        # last one found after it.
        body = max(page.lower().find("<body"), 0)  # not the <head>'s description
        first = next((at for para in paras
                      if (at := _find(page, para[:40], body)) >= 0), -1)
        if first < 0:
            continue
        ends = [_find(page, piece, first) for para in paras
                for piece in (para[-40:], para[-20:])]
        last = max(ends)
        end = page.find("</p>", last) if last >= 0 else -1
        start = page.rfind("<p", 0, first)
        if start < 0 or end < 0:
            continue
        template = Template(case["candidate"]["url"], page, start, end + len("</p>"),
                            case["original"].get("title") or "", case["original"]["url"],
                            case["kind"])
        if _slot_holds_all(template, case["original"]["text"]):
            found.append(template)
    return found


@dataclass(frozen=True)
class Host:
    """A real page with its own article; ``cuts`` are offsets just after its long paragraphs."""

    url: str
    html: str
    cuts: tuple[int, ...]
    paragraphs: tuple[str, ...]  # the text of those paragraphs

    @property
    def host(self) -> str:
        return host_of(self.url)

    def insert(self, pieces: dict[int, str]) -> str:
        """The page with ``pieces[n]`` (HTML) inserted after its ``n``-th long paragraph."""
        page = self.html
        for n in sorted(pieces, reverse=True):
            at = self.cuts[n]
            page = page[:at] + pieces[n] + page[at:]
        return page


def hosts(cases: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[Host]:
    """The real pages of ``kinds`` with at least four long paragraphs (in corpus order)."""
    found = []
    for case in cases:
        if case["kind"] not in kinds:
            continue
        page = case["candidate"]["html"]
        visible = Page(case["candidate"]["url"], page).text
        cuts, texts = [], []
        for m in _P.finditer(page):
            text = html.unescape(_TAG.sub("", m.group(1))).strip()
            # A paragraph a reader sees as one (not inside a <noscript> or a <textarea>).
            shown = " ".join(text.split()) in visible and "<p" not in visible
            if shown and len(text.split()) >= _HOST_MIN_WORDS:
                cuts.append(m.end())
                texts.append(" ".join(text.split()))
        if len(cuts) >= _HOST_MIN_PARAGRAPHS:
            found.append(Host(case["candidate"]["url"], page, tuple(cuts), tuple(texts)))
    return found


def render_lines(lines: list[str], style: str) -> str:
    """Lines of a list-like article as HTML: ``p`` (a paragraph each), ``ul`` or ``table``
    (a row each, the comma-separated parts in cells)."""
    if style == "ul":
        return "<ul>" + "".join(f"<li>{_escape(line)}</li>" for line in lines) + "</ul>"
    if style == "table":
        rows = "".join("<tr>" + "".join(f"<td>{_escape(cell.strip())}</td>"
                                        for cell in line.split(",")) + "</tr>"
                       for line in lines)
        return f"<table><tbody>{rows}</tbody></table>"
    return "".join(f"<p>{_escape(line)}</p>" for line in lines)


# -- publication dates ------------------------------------------------------------------

DATE_METHODS = ("json-ld", "meta-article", "meta-itemprop", "time", "meta-pubdate")
"""How a page can declare when it was published (the last one in RFC 2822 form)."""

_DATE_KEYS = re.compile(r'"(datePublished|dateCreated)"')
_META = re.compile(r"<meta\b[^>]*>", re.I)
_PUBLISHED_META = re.compile(
    r"""(?:property|name|itemprop)\s*=\s*["']?(?:article:published_time|og:published_time|"""
    r"""datePublished|pubdate|publishdate|publish[-_]date|dc\.date[\w.]*|dcterms\.\w+|"""
    r"""sailthru\.date|parsely-pub-date|date|article\.published|published_time)["'\s>]""",
    re.I)
_ITEMPROP = re.compile(r"""itemprop\s*=\s*["']datePublished["']""", re.I)
_TIME_ATTR = re.compile(r"(<time\b[^>]*?)\bdatetime\s*=", re.I)


def _strip_dates(page: str) -> str:
    """The page without its own publication-date markup (renamed, so nothing reads it)."""
    page = _DATE_KEYS.sub('"dateRemoved"', page)
    page = _META.sub(lambda m: "" if _PUBLISHED_META.search(m.group()) else m.group(), page)
    page = _ITEMPROP.sub('itemprop="dateRemoved"', page)
    return _TIME_ATTR.sub(r"\1data-removed=", page)


def set_published(page: str, when: datetime, method: str, *, at: int, fmt: str = "iso") -> str:
    """``page`` declaring ``when`` as its publication date by ``method`` (``DATE_METHODS``).

    ``at``: where the article starts in ``page`` (a ``<time>`` goes there). ``fmt``: ``iso``
    (with the zone), ``z`` (UTC, "Z"), ``day`` (the date alone).
    """
    value = {"iso": when.isoformat(), "z": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "day": when.strftime("%Y-%m-%d")}[fmt]
    marked = ""
    if method == "json-ld":
        marked = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                  f'"@type": "NewsArticle", "datePublished": "{value}"}}</script>')
    elif method == "meta-article":
        marked = f'<meta property="article:published_time" content="{value}">'
    elif method == "meta-itemprop":
        marked = f'<meta itemprop="datePublished" content="{value}">'
    elif method == "meta-pubdate":
        marked = f'<meta name="pubdate" content="{when.strftime("%a, %d %b %Y %H:%M:%S %z")}">'
    elif method != "time":
        raise ValueError(f"unknown date method {method!r}")
    head_part = _strip_dates(page[:at])  # ``at`` is at a tag's start: no tag is cut
    page = head_part + _strip_dates(page[at:])
    at = len(head_part)
    if method == "time":
        stamp = f'<p class="byline"><time datetime="{value}">{when:%d %B %Y}</time></p>'
        return page[:at] + stamp + page[at:]
    head = page.lower().find("</head>")
    return page[:head] + marked + page[head:] if head >= 0 else marked + page
