"""The ``originals`` spider: a publication's sitemaps and feeds → its article pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from ..items import ArticlePage
from . import RepostwatchSpider
from .listing import read_listing

__all__ = ["OriginalsSpider"]


class OriginalsSpider(RepostwatchSpider):
    """Fetch every article listed by the sources of one publication.

    Arguments (``-a`` with ``scrapy crawl``): ``publication`` (name; optional with one
    configured), ``source`` (one sitemap or feed URL; default: the publication's ``originals``).
    Sitemap indexes are followed; gzipped sitemaps are unpacked; RSS and Atom feeds are read.
    """

    name = "originals"

    def __init__(self, publication: str | None = None, source: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.publication = publication
        self.source = source

    async def start(self) -> AsyncIterator[Any]:
        pub = self.repostwatch_config().publication(self.publication)
        sources = [self.source] if self.source else list(pub.originals)
        if not sources:
            self.logger.error("publication %r has no `originals` sources configured", pub.name)
        for url in sources:
            yield Request(url, callback=self.parse_source, cb_kwargs={"publication": pub.name})

    def parse_source(self, response: Response, publication: str) -> Iterator[Request | ArticlePage]:
        kwargs = {"publication": publication}
        listing = read_listing(response, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        if listing is not None:
            callback = self.parse_source if listing.kind == "index" else self.parse_article
            for url in listing.urls:
                yield Request(url, callback=callback, cb_kwargs=kwargs)
        elif isinstance(response, TextResponse):
            yield from self.parse_article(response, publication)  # a single article URL
        else:
            self.logger.error("%s is neither a sitemap, a feed nor an HTML page", response.url)

    def parse_article(self, response: Response, publication: str) -> Iterator[ArticlePage]:
        if not isinstance(response, TextResponse):
            self.logger.warning("skipping %s: not a text page", response.url)
            return
        yield ArticlePage(
            publication=publication,
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            html=response.text,
            fetched_at=datetime.now(UTC),
        )
