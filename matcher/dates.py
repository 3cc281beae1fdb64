"""When a page says it was published: a page that predates the original is no copy of it.

``published_date`` reads, in this order (the first date found wins):

1. JSON-LD ``datePublished`` of the page's article (an ``Article``-like type first, then any
   item), else ``dateCreated``; in JSON-LD that is not valid JSON (common), the first
   ``"datePublished": "…"`` after the meta tags below have been tried;
2. meta tags: ``article:published_time`` and its kin (``og:published_time``,
   ``datePublished``, ``pubdate``, ``publish-date``, ``DC.date.issued``, ``dcterms.created``,
   ``sailthru.date``, ``parsely-pub-date``…), ``itemprop="datePublished"`` on any element;
3. a ``<time datetime>`` marked ``pubdate``, else the first one on the page that is not in
   a sidebar, footer, navigation, comment, teaser or "related" box (times there belong to
   other articles or to readers; the article's own byline comes first).

Modification dates (``dateModified``, ``article:modified_time``) are never read: a page
updated after the original says nothing about when it first appeared. Dates are ISO 8601
("2026-03-05", "2026-03-05T09:30:00+01:00", "…Z") or RFC 2822; a date without a time zone is
taken as UTC; a date that cannot be read is ignored (never guessed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any

from selectolax.lexbor import LexborHTMLParser

__all__ = ["parse_date", "published_date"]

_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "report", "scholarlyarticle", "techarticle", "socialmediaposting", "posting",
})
_META_NAMES = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "article.published", "published_time", "publish-date", "publish_date",
    "publishdate", "pubdate", "dc.date.issued", "dcterms.issued", "dc.date.created",
    "dcterms.created", "dc.date", "sailthru.date", "parsely-pub-date", "date",
)
_META_RANK = {name: i for i, name in enumerate(_META_NAMES)}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_META_WORDS = ("date", "publish", "issued", "created")  # in every name of _META_NAMES
_ITEMPROP = re.compile(r"""^<[a-z][^<>]*\bitemprop\s*=\s*["']?datePublished\b""", re.I)
_LD_SCRIPT = re.compile(r"<script\b[^>]*ld\+json[^>]*>(.*?)</script", re.S | re.I)
_RAW_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"<>]{8,40})"')
_TIME_TAG = re.compile(r"<time\b[^>]*\bdatetime\s*=", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
# Regions whose times belong to other articles or to readers, not to the page's article.
_ELSEWHERE = re.compile(r"related|sidebar|comment|aside|footer|teaser|recommend|trending|"
                        r"popular|most-?read|more-", re.I)


def parse_date(value: object) -> datetime | None:
    """``value`` as an aware UTC datetime, or None when it is not a date we can read."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    if _ISO_DAY.match(text):
        iso = text.replace(" ", "T", 1) if len(text) > 10 and text[10] == " " else text
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(iso[:10])  # "2026-03-05T9:30" and the like
            except ValueError:
                return None
    else:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _from_json_ld(items: Iterable[dict[str, Any]]) -> datetime | None:
    items = list(items)
    ranked = [i for i in items if _types(i) & _ARTICLE_TYPES] + [
        i for i in items if not _types(i) & _ARTICLE_TYPES]
    for key in ("datePublished", "dateCreated"):
        for item in ranked:
            found = parse_date(item.get(key))
            if found is not None:
                return found
    return None


def _attributes(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)}


def _from_tags(page: str) -> datetime | None:
    """The date of the best-ranked meta tag (wherever it is: broken pages have them in the
    body), else of an ``itemprop="datePublished"`` element (found with string search and
    regular expressions: no second parse of the page)."""
    best: tuple[int, datetime] | None = None
    for m in _META_TAG.finditer(page):
        tag = m.group()
        low = tag.lower()
        if not any(word in low for word in _META_WORDS):
            continue  # most meta tags: no need to read their attributes
        attrs = _attributes(tag)
        name = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
        rank = _META_RANK.get(name.strip().lower())
        if rank is None or (best is not None and best[0] <= rank):
            continue
        found = parse_date(attrs.get("content"))
        if found is not None:
            best = (rank, found)
    if best is not None:
        return best[1]
    at = page.find("datePublished")
    while at >= 0:  # microdata anywhere on the page
        start, end = page.rfind("<", 0, at), page.find(">", at)
        tag = page[start : end + 1] if start >= 0 and end >= 0 else ""
        if _ITEMPROP.search(tag):
            attrs = _attributes(tag)
            found = parse_date(attrs.get("datetime") or attrs.get("content"))
            if found is not None:
                return found
        at = page.find("datePublished", at + 1)
    return None


def _elsewhere(node: Any) -> bool:
    """Whether ``node`` sits in a sidebar, footer, navigation, comment or "related" box. The
    innermost region decides: an ``<article>`` or ``<main>`` inside a wrapper named after the
    layout ("post-wrap has-sidebar-right") is the article."""
    cur = node.parent
    while cur is not None and cur.tag not in ("body", "html"):
        if cur.tag in ("aside", "footer", "nav"):
            return True
        attrs = cur.attributes
        if _ELSEWHERE.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"):
            return True
        if cur.tag in ("article", "main"):
            return False
        cur = cur.parent
    return False


def _from_time(tree: LexborHTMLParser) -> datetime | None:
    for node in tree.css("time[pubdate][datetime]"):
        found = parse_date(node.attributes.get("datetime"))
        if found is not None:
            return found
    for node in tree.css("time[datetime]"):
        if _elsewhere(node):
            continue
        found = parse_date(node.attributes.get("datetime"))
        if found is not None:
            return found
    return None


def published_date(html: str, json_ld: Iterable[dict[str, Any]] = ()) -> datetime | None:
    """When the page in ``html`` says it was published (UTC), or None if it does not say.

    ``json_ld``: the page's JSON-LD items when already parsed (``Page.json_ld``). Meta tags
    are found with regular expressions; the page is parsed again (for ``<time>`` and where it
    sits) only when nothing before gave a date and it has a ``<time datetime>``.
    """
    found = _from_json_ld(json_ld) or (_from_tags(html) if html else None)
    if found is None:  # JSON-LD that is not valid JSON (page.py skips it)
        raw = (_RAW_LD_DATE.search(m.group(1)) for m in _LD_SCRIPT.finditer(html))
        found = next((parse_date(d.group(1)) for d in raw if d is not None), None)
    if found is not None or not _TIME_TAG.search(html):
        return found
    return _from_time(LexborHTMLParser(html))
