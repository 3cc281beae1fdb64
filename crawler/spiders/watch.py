"""The ``watch`` spider: the ``[[watch]]`` sites, crawled within their depth and page caps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.http import Response

from matcher import canonical_url, host_of

from ..config import WatchSite
from ..errors import UsageError
from ..extensions import wants_html
from ..items import FetchedPage
from . import RepostwatchSpider
from .listing import read_listing

__all__ = ["WatchSpider"]


@dataclass
class _SiteState:
    spec: WatchSite
    hosts: set[str]  # the site's host, and where its start page redirected to
    seen: set[str] = field(default_factory=set)  # canonical URLs scheduled so far


class WatchSpider(RepostwatchSpider):
    """Crawl each watched site from its start URL (and its sitemap or feed), same site only.

    Per site: at most ``max_pages`` distinct pages, at most ``max_depth`` links away from the
    start page. A start page that redirects (``example.com`` → ``www.example.com``) makes the
    target host part of the site. Argument ``url`` (``-a url=...``) crawls one site instead
    of the configured ones.
    """

    name = "watch"

    def __init__(self, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if url is not None and not url.startswith(("http://", "https://")):
            raise UsageError(f"--site {url!r} is not an http(s) URL")
        self.only_url = url
        self.sites: list[_SiteState] = []

    async def start(self) -> AsyncIterator[Any]:
        config = self.repostwatch_config()
        specs = [WatchSite(url=self.only_url)] if self.only_url else list(config.watch)
        if not specs:
            self.logger.error("no [[watch]] sites configured: nothing to crawl")
        self.sites = [_SiteState(spec, {host_of(spec.url)}) for spec in specs]
        self._keep_state()
        for i, site in enumerate(self.sites):
            request = self._request(i, site.spec.url, start=True)
            if request is not None:
                yield request
            for extra in (site.spec.sitemap, site.spec.feed):
                if extra:
                    yield Request(extra, callback=self.parse_listing, cb_kwargs={"site": i},
                                  dont_filter=True)

    def _keep_state(self) -> None:
        """With a JOBDIR (``crawl --resume``), Scrapy pickles ``self.state`` when the crawl
        stops and restores it when it resumes: the sites' seen pages and hosts live there, so
        page caps and same-site rules carry over."""
        state = getattr(self, "state", None)
        if state is None:
            return
        kept: dict[str, tuple[set[str], set[str]]] = state.setdefault("watch_sites", {})
        for site in self.sites:
            seen, hosts = kept.setdefault(site.spec.url, (site.seen, site.hosts))
            site.seen, site.hosts = seen, hosts
            hosts.add(host_of(site.spec.url))

    def _request(self, site: int, url: str, *, start: bool = False) -> Request | None:
        state = self.sites[site]
        key = canonical_url(url)
        if key in state.seen:
            return None
        if len(state.seen) >= state.spec.max_pages:
            self.crawler.stats.inc_value("repostwatch/page_cap_reached")
            return None
        state.seen.add(key)
        return Request(url, callback=self.parse_page, cb_kwargs={"site": site, "start": start},
                       meta=wants_html())

    def _follow(self, response: Response, urls: list[str] | tuple[str, ...],
                site: int) -> Iterator[Request]:
        hosts = self.sites[site].hosts
        for href in urls:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if url.startswith(("http://", "https://")) and host_of(url) in hosts:
                request = self._request(site, url)
                if request is not None:
                    yield request

    def parse_listing(self, response: Response, site: int) -> Iterator[Request]:
        """A sitemap (index) or feed of a watched site: every listed page, depth 0."""
        listing = read_listing(response, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        if listing is None:
            self.logger.warning("%s is neither a sitemap nor a feed", response.url)
        elif listing.kind == "index":
            for url in listing.urls:
                yield Request(url, callback=self.parse_listing, cb_kwargs={"site": site})
        else:
            self.sites[site].hosts.add(host_of(response.url))
            yield from self._follow(response, listing.urls, site)

    def parse_page(self, response: Response, site: int,
                   start: bool = False) -> Iterator[FetchedPage | Request]:
        if start:
            self.sites[site].hosts.add(host_of(response.url))
        item = self.page_item(response)
        if item is None:
            return
        yield item
        if response.meta.get("depth", 0) < self.sites[site].spec.max_depth:
            yield from self._follow(response, response.css("a::attr(href)").getall(), site)
