"""Politeness Scrapy lacks out of the box (see ../shared/STACK.md and docs/crawling.md).

- ``RobotsTxtMiddleware``: robots.txt as RFC 9309 says. Scrapy's own middleware crawls a site
  whose robots.txt answers 5xx or cannot be fetched (timeout, refused) as if nothing were
  forbidden; the RFC says to assume complete disallow then, and try again later: this run skips
  the site (counted as ``repostwatch/robots/unavailable``), the next run asks again. A 4xx
  robots.txt means no rules (allowed), as before.
- ``SiteDelays``: ``Crawl-delay`` from robots.txt (for our user agent, up to
  ``[crawl] max_crawl_delay`` seconds) becomes the floor of that site's download delay, which
  AutoThrottle may raise but never lower; ``Retry-After`` on a 429 or 503 (seconds or an HTTP
  date, up to ``[crawl] max_retry_after``) slows that site down before the retry, and without
  the header the delay doubles with each 429/503 (backoff); the first good answer ends the
  backoff. Both are per download slot, i.e. per host.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobots
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from .problems import FETCH_FAILURES, classify_error, quiet_robots_fetch_errors

__all__ = ["DisallowAll", "RobotsTxtMiddleware", "SiteDelays", "retry_after_seconds"]

logger = logging.getLogger(__name__)


class DisallowAll(RobotParser):
    """The rules of a site whose robots.txt could not be read: nothing is allowed."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> DisallowAll:
        return cls()

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        return None


class RobotsTxtMiddleware(_ScrapyRobots):
    """Scrapy's robots.txt middleware, with RFC 9309's "unreachable means disallow", and a fix:
    in Scrapy 2.19 the requests that wait for a site's robots.txt share one Deferred, and
    turning it into a Future (``asFuture``) consumes its result, so every waiter but the first
    got None, i.e. "no rules", and fetched pages robots.txt forbids. Here every waiter reads
    the parser from ``_parsers`` once the Deferred has fired."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        settled = self._parsers.get(urlparse_cached(request).netloc, parser)
        return settled if not isinstance(settled, Deferred) else parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._disallow(netloc, f"robots.txt answered HTTP {response.status}")
            return
        if response.status >= 400:  # "unavailable": no rules apply
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMiddleware:
        quiet_robots_fetch_errors()
        return cls(crawler)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest) or classify_error(exc)[0] not in FETCH_FAILURES:
            super()._robots_error(exc, netloc)  # not a fetch failure (a bug): stays an ERROR
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._disallow(netloc, f"robots.txt could not be fetched ({type(exc).__name__})")

    def _disallow(self, netloc: str, why: str) -> None:
        logger.warning("not crawling %s this run: %s (RFC 9309: assume disallow, retry later)",
                       netloc, why)
        self._stats.inc_value("repostwatch/robots/unavailable")
        pending = self._parsers[netloc]
        parser = DisallowAll()
        self._parsers[netloc] = parser
        if pending is not None and not isinstance(pending, RobotParser):
            pending.callback(parser)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²" (latin-1 0xB2): a digit float() refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class SiteDelays:
    """Per-site delay floors from ``Crawl-delay`` and ``Retry-After`` (module docstring).

    Connected to ``response_downloaded`` after AutoThrottle (a higher EXTENSIONS order), so
    the floor is re-applied after every adjustment AutoThrottle makes.
    """

    def __init__(self, crawler: Crawler, max_crawl_delay: float, max_retry_after: float) -> None:
        self.crawler = crawler
        self.max_crawl_delay = max_crawl_delay
        self.max_retry_after = max_retry_after
        self.floors: dict[str, float] = {}  # download slot -> minimum delay in seconds
        self.relaxed: dict[str, tuple[float, float]] = {}  # slot backing off -> (delay, jitter)
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteDelays:
        s = crawler.settings
        if not s.getbool("REPOSTWATCH_SITE_DELAYS", True):
            raise NotConfigured
        return cls(crawler, s.getfloat("REPOSTWATCH_MAX_CRAWL_DELAY", 30.0),
                   s.getfloat("REPOSTWATCH_MAX_RETRY_AFTER", 120.0))

    def _slot(self, request: Request) -> tuple[str, Any]:
        downloader: Any = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return "", None
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or \
            request.headers.get(b"User-Agent") or self.crawler.settings.get("USER_AGENT")
        try:
            delay = robotparser.crawl_delay(agent)
        except (TypeError, ValueError):
            delay = None
        if not delay or delay <= 0:
            return
        key, slot = self._slot(request)
        floor = min(float(delay), self.max_crawl_delay)
        self.floors[key] = max(self.floors.get(key, 0.0), floor)
        self.crawler.stats.set_value(f"repostwatch/crawl_delay/{key}", floor)
        if slot is not None:
            self._apply(slot, floor)

    def _response_downloaded(self, response: Response, request: Request,
                             spider: Spider | None = None) -> None:
        key, slot = self._slot(request)
        if slot is None:
            return
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After") or b""
            wait = retry_after_seconds(header.decode("latin-1") or None)
            backoff = wait if wait is not None else max(2 * slot.delay, 1.0)
            # The slot's delay counts from when the last request was sent, Retry-After from
            # now: add the time the answer took.
            since_sent = min(max(0.0, time.monotonic() - slot.lastseen), self.max_retry_after)
            self.relaxed.setdefault(key, (slot.delay, slot.jitter))  # to return to afterwards
            slot.jitter = 0.0  # a random delay would come back before the time asked
            slot.delay = max(slot.delay, min(backoff, self.max_retry_after) + since_sent)
            self.crawler.stats.inc_value("repostwatch/backoff")
        elif response.status < 400 and key in self.relaxed:
            slot.delay, slot.jitter = self.relaxed.pop(key)  # the site answers again
        floor = self.floors.get(key)
        if floor is not None:
            self._apply(slot, floor)

    @staticmethod
    def _apply(slot: Any, floor: float) -> None:
        # A randomised delay would go down to half the floor: a Crawl-delay is a minimum.
        slot.jitter = 0.0
        slot.delay = max(slot.delay, floor)
