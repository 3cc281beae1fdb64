"""Reading sitemaps and feeds: which URLs a listing names. Shared by every spider.

Handles sitemap indexes (their entries are more listings), gzipped sitemaps (unpacked up to
the download size limit, so a gzip bomb stops there), url sets, RSS 2.0, RSS 1.0 (RDF) and Atom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

__all__ = ["Listing", "read_listing"]


@dataclass(frozen=True)
class Listing:
    """``kind`` ``index``: ``urls`` are further listings; ``pages``: they are pages."""

    kind: Literal["index", "pages"]
    urls: tuple[str, ...]


def read_listing(response: Response, *, max_size: int) -> Listing | None:
    """The URLs a sitemap or feed lists, or None when ``response`` is neither."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=max_size)
    head = body[:4096].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        sitemap = Sitemap(body)
        urls = tuple(loc for entry in sitemap if (loc := entry.get("loc")))
        return Listing("index" if sitemap.type == "sitemapindex" else "pages", urls)
    if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
        text = TextResponse(response.url, body=body, encoding="utf-8")
        links = text.xpath("//*[local-name()='item']/*[local-name()='link']/text()").getall()
        links += text.xpath(
            "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']"
            "/@href"
        ).getall()
        return Listing("pages", tuple(text.urljoin(link.strip()) for link in links))
    return None
