"""The ``watch`` spider: the ``[[watch]]`` sites, crawled within their depth and page caps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import BaseSettings

from matcher import canonical_url, host_of
from repostwatch.config import WatchSite, load_config
from repostwatch.errors import UsageError

from ..extensions import wants_html
from ..items import FetchedPage
from . import RepostwatchSpider
from .listing import read_listing

__all__ = ["WatchSpider"]


@dataclass
class _SiteState:
    spec: WatchSite
    hosts: Any  # set[str] (or the fleet's SharedHosts): the site's host, and redirect targets
    seen: set[str] = field(default_factory=set)  # canonical URLs scheduled so far
    # a fleet's admission (crawler.distributed.sites): (keys, parent) -> verdicts
    shared_admit: Callable[[list[str], str], list[str]] | None = None

    def admit(self, keys: list[str], parent: str) -> list[str]:
        """For each canonical URL: ``new`` (schedule it), ``seen`` (already scheduled) or
        ``cap`` (``max_pages`` reached). ``parent``: the page whose links they are."""
        if self.shared_admit is not None:  # the fleet's pages of the site
            return self.shared_admit(keys, parent)
        verdicts = []
        for key in keys:
            if key in self.seen:
                verdicts.append("seen")
            elif len(self.seen) >= self.spec.max_pages:
                verdicts.append("cap")
            else:
                self.seen.add(key)
                verdicts.append("new")
        return verdicts


class WatchSpider(RepostwatchSpider):
    """Crawl each watched site from its start URL (and its sitemap or feed), same site only.

    Per site: at most ``max_pages`` distinct pages, at most ``max_depth`` links away from the
    start page. A start page that redirects (``example.com`` → ``www.example.com``) makes the
    target host part of the site. Argument ``url`` (``-a url=...``) crawls one site instead
    of the configured ones. With a Redis URL (setting ``REPOSTWATCH_REDIS_URL`` or
    ``[distributed] redis_url``) the crawl is one worker of a fleet (``crawler.distributed``).
    """

    name = "watch"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from ..distributed import REDIS_URL_SETTING, fleet_settings, require_shared_store

        config = load_config(settings.get("REPOSTWATCH_CONFIG"))
        url = settings.get(REDIS_URL_SETTING) or config.distributed.redis_url
        if url:
            require_shared_store(config)
            for key, value in fleet_settings(url, config.distributed).items():
                settings.set(key, value, priority="spider")

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
        self._share_state()
        if not getattr(self, "fleet_seeder", True):
            return  # a fleet worker that joined a crawl another worker started
        for i, site in enumerate(self.sites):
            for request in self._requests(i, [site.spec.url], "", start=True):
                yield request
            for extra in (site.spec.sitemap, site.spec.feed):
                if extra:
                    yield Request(extra, callback=self.parse_listing, cb_kwargs={"site": i},
                                  dont_filter=True)
        seeded = getattr(self, "fleet_seeded", None)
        if seeded is not None:  # Scrapy queued each start request before asking for the next
            seeded()

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

    def _share_state(self) -> None:
        """In a fleet, the sites' page counts and hosts are the fleet's (distributed.sites)."""
        from ..distributed import REDIS_URL_SETTING

        if not self.settings.get(REDIS_URL_SETTING):
            return
        from scrapy_redis.connection import get_redis_from_settings

        from ..distributed.fleet import FleetKeys
        from ..distributed.sites import share_site

        server = get_redis_from_settings(self.settings)
        keys = FleetKeys(self.settings.get("REPOSTWATCH_REDIS_PREFIX"), self.name)
        for site in self.sites:
            site.shared_admit, site.hosts = share_site(server, keys, site.spec, site.hosts)

    def _requests(self, site: int, urls: list[str], parent: str, *,
                  start: bool = False) -> Iterator[Request]:
        """Requests for the pages among ``urls`` that the site's state admits."""
        verdicts = self.sites[site].admit([canonical_url(u) for u in urls], parent)
        for url, verdict in zip(urls, verdicts, strict=True):
            if verdict == "cap":
                self.crawler.stats.inc_value("repostwatch/page_cap_reached")
            elif verdict == "new":
                yield Request(url, callback=self.parse_page,
                              cb_kwargs={"site": site, "start": start}, meta=wants_html())

    def _follow(self, response: Response, urls: list[str] | tuple[str, ...],
                site: int) -> Iterator[Request]:
        hosts = self.sites[site].hosts
        links = []
        for href in urls:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if url.startswith(("http://", "https://")) and host_of(url) in hosts:
                links.append(url)
        yield from self._requests(site, links, response.url)

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
