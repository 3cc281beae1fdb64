"""The ``watch`` spider: the ``[[watch]]`` sites, crawled within their depth and page caps."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from ..config import WatchSite
from ..items import FetchedPage
from . import RepostwatchSpider

__all__ = ["WatchSpider"]


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class WatchSpider(RepostwatchSpider):
    """Crawl each watched site from its start URL (and its sitemap or feed), same site only.

    Per site: at most ``max_depth`` links away from the start page and ``max_pages`` pages.
    Argument ``url`` (``-a url=...``) crawls one site instead of the configured ones.
    """

    name = "watch"

    def __init__(self, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.only_url = url
        self.sites: list[WatchSite] = []
        self.scheduled: Counter[int] = Counter()

    async def start(self) -> AsyncIterator[Any]:
        config = self.repostwatch_config()
        self.sites = [WatchSite(url=self.only_url)] if self.only_url else list(config.watch)
        if not self.sites:
            self.logger.error("no [[watch]] sites configured: nothing to crawl")
        for i, site in enumerate(self.sites):
            self.scheduled[i] += 1
            yield Request(site.url, callback=self.parse_page, cb_kwargs={"site": i})
            for extra in (site.sitemap, site.feed):
                if extra:
                    yield Request(extra, callback=self.parse_listing, cb_kwargs={"site": i})

    def _follow(self, response: Response, urls: list[str], site: int) -> Iterator[Request]:
        spec = self.sites[site]
        host = _host(spec.url)
        for href in urls:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if not url.startswith(("http://", "https://")) or _host(url) != host:
                continue
            if self.scheduled[site] >= spec.max_pages:
                self.crawler.stats.inc_value("repostwatch/page_cap_reached")
                return
            self.scheduled[site] += 1
            yield Request(url, callback=self.parse_page, cb_kwargs={"site": site})

    def parse_listing(self, response: Response, site: int) -> Iterator[Request]:
        """A sitemap or feed of a watched site: every listed page, depth 0."""
        urls = response.xpath("//*[local-name()='loc']/text()").getall()
        urls += response.xpath("//item/link/text()").getall()
        yield from self._follow(response, urls, site)

    def parse_page(self, response: Response, site: int) -> Iterator[FetchedPage | Request]:
        if not isinstance(response, HtmlResponse):
            self.crawler.stats.inc_value("repostwatch/skipped_not_html")
            return
        yield FetchedPage(
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            html=response.text,
            fetched_at=datetime.now(UTC),
        )
        if response.meta.get("depth", 0) < self.sites[site].max_depth:
            yield from self._follow(response, response.css("a::attr(href)").getall(), site)
