"""Politeness across the fleet: a per-host gate in Redis that every worker passes to fetch.

Scrapy's per-site delay and concurrency hold per process: N workers would hit a site N times
harder. Each worker's HTTP download handler therefore takes the host's gate in Redis right
before the request goes out (after Scrapy's own per-site queue), in one Lua script:

- with a delay (``[crawl] download_delay``, raised by AutoThrottle, by robots.txt
  ``Crawl-delay`` and by ``Retry-After``: this worker's download slot delay for the host,
  ``crawler.politeness``): the key ``P:gate:HOST`` is a lock held while one request to the
  host is in flight, and when its answer is in it is set to expire after the delay. So one
  request at a time per host for the whole fleet, the next starting no sooner than the delay
  after the previous answer: the gap between two requests as the site sees them is the delay
  or more, however long a worker takes between taking the gate and sending. (Scrapy alone
  spaces request starts; this is stricter, and a slow site is crawled a little slower.)
  Retry-After reaches the fleet through the gate of the worker that got the 429;
- without a delay: a sorted set ``P:gate:HOST:holders`` of the requests in flight, at most
  the slot's concurrency (``[crawl] concurrency_per_site``) for the whole fleet.

A hold expires after the download timeout plus a margin, and the worker that hands a dead
worker's leases back lets its holds go too, so a killed worker does not block a host. Time is
Redis's own (``TIME``), so the workers' clocks do not matter.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_redis.connection import get_redis_from_settings

__all__ = ["FleetDownloadHandler"]

_HOLD_MARGIN_S = 5.0  # a hold outlives the download timeout by this much
_FULL_POLL_S = 0.02  # how often a worker asks again when the host's slots are all taken

# KEYS: the host's gate, its holders; ARGV: delay ms, concurrency, hold ms, token.
# Returns 0 (go), > 0 (ms until the host's delay has passed) or -1 (busy: ask again soon).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gate = redis.call('GET', KEYS[1])
if gate then
  if string.sub(gate, 1, 5) == 'held:' then return -1 end
  return math.max(redis.call('PTTL', KEYS[1]), 1)
end
if tonumber(ARGV[1]) > 0 then
  redis.call('SET', KEYS[1], 'held:' .. ARGV[4], 'PX', ARGV[3])
  return 0
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0
"""

# KEYS: the host's gate, its holders; ARGV: delay ms, token. The delay runs from now.
_RELEASE = """
if tonumber(ARGV[1]) > 0 then
  if redis.call('GET', KEYS[1]) == 'held:' .. ARGV[2] then
    redis.call('SET', KEYS[1], 'gap:' .. ARGV[2], 'PX', ARGV[1])
  end
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[2])
return 0
"""


class FleetDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler behind the fleet's per-host gate (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        s = crawler.settings
        self._fleet_crawler = crawler
        self._server = get_redis_from_settings(s)
        self._prefix = f"{s.get('REPOSTWATCH_REDIS_PREFIX')}:gate"
        self._hold_ms = int((s.getfloat("DOWNLOAD_TIMEOUT") + _HOLD_MARGIN_S) * 1000)
        self._acquire = self._server.register_script(_ACQUIRE)
        self._release = self._server.register_script(_RELEASE)

    def _politeness(self, request: Request) -> tuple[str, float, int]:
        """The host's slot key, delay (s) and concurrency, as this worker's downloader has them."""
        engine: Any = self._fleet_crawler.engine
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:  # not through the downloader's slots: the configured defaults
            s = self._fleet_crawler.settings
            return key, s.getfloat("DOWNLOAD_DELAY"), s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        return key, float(slot.delay), int(slot.concurrency)

    async def download_request(self, request: Request) -> Response:
        key, delay, concurrency = self._politeness(request)
        gate, holders = f"{self._prefix}:{key}", f"{self._prefix}:{key}:holders"
        stats = self._fleet_crawler.stats
        # a hold names its worker, so that a dead worker's holds can be let go (Fleet.reap)
        token = f"{stats.get_value('repostwatch/fleet/worker', '')}|{uuid.uuid4().hex}"
        while True:
            wait = int(self._acquire(keys=[gate, holders], args=[
                int(delay * 1000), max(1, concurrency), self._hold_ms, token]))
            if wait == 0:
                break
            stats.inc_value("repostwatch/fleet/gate_waits")
            await asyncio.sleep(wait / 1000 if wait > 0 else _FULL_POLL_S)
        try:
            response: Response = await super().download_request(request)
            return response
        finally:
            self._release(keys=[gate, holders], args=[int(delay * 1000), token])
