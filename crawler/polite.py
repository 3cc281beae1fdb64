"""A few pages of many sites, fetched politely without Scrapy: the contact, about and imprint
pages that outreach letters name (reports never fetch: the shell hands them what this found).

Polite as a crawl is (docs/crawling.md): robots.txt for ``[crawl] user_agent`` is read first,
once per site (scheme, host and port) for the fetcher's life — a 4xx means no rules, a 5xx or
no answer means nothing is allowed (RFC 9309, as ``crawler.politeness`` does for crawls);
one request at a time per site, ``[crawl] download_delay`` apart, or the site's Crawl-delay
up to ``[crawl] max_crawl_delay``; the limits and the address guard of ``crawler.fetch``
(private addresses only with ``[crawl] allow_private``). Sites are fetched side by side.
Only pages that answered 200 are kept; why each other URL was not is in ``skipped``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import aiohttp
from scrapy.robotstxt import ProtegoRobotParser, RobotParser

from repostwatch.config import CrawlConfig
from repostwatch.errors import FetchError

from .fetch import Fetched, fetch, open_session
from .politeness import DisallowAll

__all__ = ["PoliteFetcher"]

SITES_AT_ONCE = 8  # sites fetched side by side (each one request at a time)


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` ("" when it has none): one robots.txt, one queue."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


class PoliteFetcher:
    """Fetch pages politely (see the module docstring). Keeps each site's robots.txt and the
    time of its last request between calls, so a second round of pages waits its turn too."""

    def __init__(self, config: CrawlConfig, *, allow_private: bool | None = None) -> None:
        self.config = config
        self.allow_private = config.allow_private if allow_private is None else allow_private
        self.skipped: dict[str, str] = {}  # URL → why it was not kept
        self._robots: dict[str, RobotParser] = {}
        self._unreadable: dict[str, str] = {}  # site → why its robots.txt could not be read
        self._last: dict[str, float] = {}  # site → time.monotonic() of its last request

    def fetch(self, urls: Sequence[str]) -> dict[str, Fetched]:
        """The pages among ``urls`` that answered 200, by the URL asked. Runs an event loop
        of its own (in a thread of its own when this one already runs a loop: a reactor's)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.fetch_async(urls))
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(self.fetch_async(urls))).result()

    def pages(self, urls: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``fetch`` as (final URL, HTML) by the URL asked: what ``reports.outreach`` takes."""
        return {url: (page.final_url, page.html) for url, page in self.fetch(urls).items()}

    async def fetch_async(self, urls: Sequence[str]) -> dict[str, Fetched]:
        """``fetch`` for a caller with a running event loop."""
        sites: dict[str, list[str]] = {}
        for url in dict.fromkeys(urls):
            origin = _origin(url)
            if origin:
                sites.setdefault(origin, []).append(url)
            else:
                self.skipped[url] = "not an http(s) URL"
        turns = asyncio.Semaphore(SITES_AT_ONCE)
        kept: dict[str, Fetched] = {}
        async with open_session(self.config, allow_private=self.allow_private) as session:
            async def one(origin: str, pages: list[str]) -> None:
                async with turns:
                    kept.update(await self._site(origin, pages, session))

            await asyncio.gather(*(one(o, p) for o, p in sites.items()))
        return kept

    async def _site(self, origin: str, urls: list[str],
                    session: aiohttp.ClientSession) -> dict[str, Fetched]:
        agent = self.config.user_agent
        robots = await self._robots_of(origin, session)
        delay = max(self.config.download_delay,
                    min(robots.crawl_delay(agent) or 0.0, self.config.max_crawl_delay))
        kept = {}
        for url in urls:
            if not robots.allowed(url, agent):
                why = self._unreadable.get(origin)
                self.skipped[url] = (f"robots.txt could not be read ({why}): nothing is fetched"
                                     if why else "disallowed by robots.txt")
                continue
            try:
                page = await self._get(origin, url, delay, session)
            except FetchError as exc:
                self.skipped[url] = str(exc)
                continue
            if page.status == 200:
                kept[url] = page
            else:
                self.skipped[url] = f"answered HTTP {page.status}, not 200"
        return kept

    async def _get(self, origin: str, url: str, delay: float, session: aiohttp.ClientSession,
                   *, html_only: bool = True) -> Fetched:
        """One request to ``origin``, at least ``delay`` seconds after its previous one."""
        last = self._last.get(origin)
        if last is not None and (wait := last + delay - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        try:
            return await fetch(url, self.config, session=session,
                               allow_private=self.allow_private, html_only=html_only)
        finally:
            self._last[origin] = time.monotonic()

    async def _robots_of(self, origin: str, session: aiohttp.ClientSession) -> RobotParser:
        if not self.config.obey_robots:
            return ProtegoRobotParser(b"", None)
        if origin not in self._robots:
            try:
                text = (await self._get(origin, f"{origin}/robots.txt", self.config.download_delay,
                                        session, html_only=False)).html
                parser: RobotParser = ProtegoRobotParser(text.encode("utf-8"), None)
            except FetchError as exc:
                if exc.status is not None and exc.status < 500:
                    parser = ProtegoRobotParser(b"", None)  # 4xx: no rules
                else:  # 5xx or no answer: assume complete disallow (RFC 9309)
                    parser = DisallowAll()
                    self._unreadable[origin] = str(exc)
            self._robots[origin] = parser
        return self._robots[origin]
