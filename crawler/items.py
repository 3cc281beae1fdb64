"""What spiders hand to pipelines: fetched pages, nothing judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["GONE_STATUSES", "ArticlePage", "FetchedPage"]

GONE_STATUSES = frozenset({404, 410})  # a page answering these is gone: its copies too


@dataclass(frozen=True)
class FetchedPage:
    """A page of a watched site (or a search result, or a recheck) to be judged by ``assess``.

    ``headers`` (name, value pairs as received), ``body`` (the response bytes, after transfer
    decoding) and ``encoding`` (what ``html`` was decoded with) are kept as evidence when the
    page holds a copy. A ``status`` in ``GONE_STATUSES`` is not judged: the page is gone. The
    ``repr`` leaves the page out (Scrapy logs an item that fails in a pipeline: the URL will do).
    """

    url: str
    final_url: str
    status: int
    html: str = field(repr=False)
    fetched_at: datetime
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    body: bytes | None = field(default=None, repr=False)
    encoding: str = "utf-8"


@dataclass(frozen=True)
class ArticlePage:
    """An article page of a publication, to be stored as an original."""

    publication: str
    url: str
    final_url: str
    html: str = field(repr=False)
    fetched_at: datetime
    # For conditional GET next time: the response's validators, the sitemap's <lastmod>.
    etag: str | None = None
    last_modified: str | None = None
    lastmod: datetime | None = None
