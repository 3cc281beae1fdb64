"""Reading sitemaps and feeds: which URLs a listing names. Shared by every spider.

Handles sitemap indexes (their entries are more listings), gzipped sitemaps (unpacked up to
the download size limit, so a gzip bomb stops there), url sets, RSS 2.0, RSS 1.0 (RDF) and Atom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

__all__ = ["Listing", "read_listing"]


@dataclass(frozen=True)
class Listing:
    """``kind`` ``index``: ``urls`` are further listings; ``pages``: they are pages.

    ``lastmod``: url → the sitemap's ``<lastmod>`` (tz-aware; UTC when the sitemap gives no
    zone), for the entries that have a valid one.
    """

    kind: Literal["index", "pages"]
    urls: tuple[str, ...]
    lastmod: dict[str, datetime] = field(default_factory=dict)


def _lastmod(value: str | None) -> datetime | None:
    """A W3C datetime (``2026-03-06``, ``2026-03-06T10:00:00Z``...) or None when invalid."""
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_listing(response: Response, *, max_size: int) -> Listing | None:
    """The URLs a sitemap or feed lists, or None when ``response`` is neither."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=max_size)
    head = body[:4096].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = Sitemap(body)
        entries = [entry for entry in sitemap if entry.get("loc")]
        urls = tuple(entry["loc"] for entry in entries)
        lastmod = {entry["loc"]: when for entry in entries
                   if (when := _lastmod(entry.get("lastmod"))) is not None}
        return Listing("index" if sitemap.type == "sitemapindex" else "pages", urls, lastmod)
    if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
        text = TextResponse(response.url, body=body, encoding="utf-8")
        links = text.xpath("//*[local-name()='item']/*[local-name()='link']/text()").getall()
        links += text.xpath(
            "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']"
            "/@href"
        ).getall()
        return Listing("pages", tuple(text.urljoin(link.strip()) for link in links))
    return None
