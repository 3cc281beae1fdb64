"""The ``originals`` spider: a publication's sitemaps and feeds → its article pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from ..items import ArticlePage
from . import RepostwatchSpider

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
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        head = body[:4096].lower()
        kwargs = {"publication": publication}
        if b"<urlset" in head or b"<sitemapindex" in head:
            sitemap = Sitemap(body)
            for entry in sitemap:
                loc = entry.get("loc")
                if not loc:
                    continue
                if sitemap.type == "sitemapindex":
                    yield Request(loc, callback=self.parse_source, cb_kwargs=kwargs)
                else:
                    yield Request(loc, callback=self.parse_article, cb_kwargs=kwargs)
        elif b"<rss" in head or b"<feed" in head or b"<rdf" in head:
            if not isinstance(response, TextResponse):
                response = TextResponse(response.url, body=body, encoding="utf-8")
            links = response.xpath("//item/link/text()").getall()
            links += response.xpath(
                "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']"
                "/@href"
            ).getall()
            for link in links:
                yield Request(response.urljoin(link.strip()), callback=self.parse_article,
                              cb_kwargs=kwargs)
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
