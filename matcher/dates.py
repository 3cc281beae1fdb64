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
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .markup import bounded

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
_META_WORDS = ("date", "publish", "issued", "created")  # in every name of _META_NAMES
_ITEMPROP = re.compile(r"""^<[a-z][^<>]*\bitemprop\s*=\s*["']?datePublished\b""", re.I)
_START_TAG = {name: re.compile(rf"<{name}(?=[\s/>])", re.I) for name in ("meta", "script", "time")}
_SCRIPT_END = re.compile(r"</script", re.I)
_RAW_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"<>]{8,40})"')
_DATETIME = re.compile(r"(?<![\w:.-])datetime\s*=", re.I)
# A name is matched from its first character only (not from each of its characters again:
# quadratic on a long one).
_ATTR = re.compile(r"""(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
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


def _tags(page: str, name: str, skip: re.Pattern[str] | None = None
          ) -> Iterator[tuple[int, str]]:
    """``(end, tag)`` for each start tag ``<name ...>`` of ``page`` (any case), from its
    ``<`` to its ``>``, each part of the page looked at a bounded number of times (a regular
    expression such as ``<meta\\b[^>]*>`` scans to the page's end from each ``<meta`` with
    no ``>``: 100,000 of them took minutes). ``skip``: where the element's content ends (its
    end tag), searched from the start tag's end; the next tag is looked for after it."""
    start = _START_TAG[name]
    found = start.search(page)
    while found is not None:
        end = page.find(">", found.end())
        if end < 0:
            return  # no tag ends after this one
        yield end, page[found.start() : end + 1]
        after = end
        if skip is not None:
            closed = skip.search(page, end)
            if closed is None:
                return
            after = closed.end()
        found = start.search(page, after)


def _attributes(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)}


def _from_tags(page: str) -> datetime | None:
    """The date of the best-ranked meta tag (wherever it is: broken pages have them in the
    body), else of an ``itemprop="datePublished"`` element (found with string search and
    regular expressions: no second parse of the page)."""
    best: tuple[int, datetime] | None = None
    for _, tag in _tags(page, "meta"):
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
    # Microdata anywhere on the page: the tag around each "datePublished", each part of the
    # page looked at once (not from the page's start for every one of 100,000 in a text).
    at, after = page.find("datePublished"), 0
    while at >= 0:
        start = page.rfind("<", after, at)
        if start < 0 or page.find(">", start, at) >= 0:  # in text: the tag before it ended
            after = at
            at = page.find("datePublished", at + 1)
            continue
        end = page.find(">", at)
        if end < 0:
            return None  # no tag ends after it
        tag = page[start : end + 1]
        if _ITEMPROP.search(tag):
            attrs = _attributes(tag)
            found = parse_date(attrs.get("datetime") or attrs.get("content"))
            if found is not None:
                return found
        after = end
        at = page.find("datePublished", end)
    return None


def _raw_ld_dates(page: str) -> Iterator[str]:
    """The ``"datePublished": "…"`` strings in the page's ``<script>``s of JSON-LD, in page
    order (for JSON-LD that is not valid JSON: ``Page.json_ld`` skips it); a script's content
    is not searched for tags, as a browser does not."""
    for end, tag in _tags(page, "script", skip=_SCRIPT_END):
        if "ld+json" in tag.lower():
            close = _SCRIPT_END.search(page, end)
            if close is None:
                return  # a script that never closes holds no JSON-LD
            found = _RAW_LD_DATE.search(page, end + 1, close.start())
            if found is not None:
                yield found.group(1)


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


def published_date(html: str, json_ld: Iterable[dict[str, Any]] = (),
                   tree: Callable[[], LexborHTMLParser | None] | None = None
                   ) -> datetime | None:
    """When the page in ``html`` says it was published (UTC), or None if it does not say.

    ``json_ld``: the page's JSON-LD items when already parsed (``Page.json_ld``). Meta tags
    are found with string search; ``tree`` gives the page's parsed tree (``Page``'s, parsed
    within the limits of ``matcher.markup``), asked for (for ``<time>`` and where it sits)
    only when nothing before gave a date and the page has a ``<time datetime>``; without it
    the page is parsed here, within the same limits.
    """
    found = _from_json_ld(json_ld) or (_from_tags(html) if html else None)
    if found is None:  # JSON-LD that is not valid JSON (page.py skips it)
        found = next(map(parse_date, _raw_ld_dates(html)), None)  # the first one found
    if found is not None or not any(_DATETIME.search(tag) for _, tag in _tags(html, "time")):
        return found
    parsed = tree() if tree is not None else LexborHTMLParser(bounded(html.encode("utf-8",
                                                                                   "ignore")))
    return _from_time(parsed) if parsed is not None else None
