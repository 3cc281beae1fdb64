"""``LeasedScheduler``: scrapy-redis's scheduler with leases, heartbeats and a fleet-wide end.

What scrapy-redis's ``Scheduler`` does not give, and this adds (``crawler.distributed.fleet``
keeps the Redis side):

- a popped request is leased, and acknowledged only when Scrapy is done with it: its
  response or error went through the callback, the items it yielded were stored and the
  requests it yielded were queued (the scraper's ``enqueue_scrape`` finishing), or it was
  replaced by a follow-up request (a redirect or a retry, which carries the lease in its meta
  and acknowledges it when queued). A worker killed at any point loses nothing: its leases go
  back to the queue when its heartbeat expires;
- the start requests are queued by one worker only, the first to join (``spider.fleet_seeder``
  tells the spider): the others would queue the sitemaps and feeds again, which skip the
  duplicate filter;
- the crawl ends when the whole fleet is idle (nothing queued, nothing leased, anywhere) for
  ``idle_grace`` seconds, not when this worker's share runs out;
- an idle worker looks at the shared queue every tick, not every 5 s (Scrapy's heartbeat).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler

from .fleet import Fleet, FleetKeys

__all__ = ["LEASE_META", "LeasedScheduler"]

logger = logging.getLogger(__name__)

LEASE_META = "repostwatch_lease"  # request meta: the lease id of a request popped from Redis
_TICKS_PER_TTL = 4  # heartbeats per heartbeat TTL
_MAX_TICK_S = 1.0  # an idle worker looks at the shared queue at least this often


class LeasedScheduler(Scheduler):  # type: ignore[misc]  # scrapy_redis has no type hints
    """The scheduler of a fleet worker (module docstring)."""

    crawler: Crawler
    fleet: Fleet

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        scheduler: LeasedScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    # -- the crawl's life ---------------------------------------------------------------

    def open(self, spider: Any) -> None:
        s = self.crawler.settings
        self.fleet = Fleet(self.server, FleetKeys(s.get("REPOSTWATCH_REDIS_PREFIX"), spider.name),
                           heartbeat_ttl=s.getfloat("REPOSTWATCH_FLEET_HEARTBEAT_TTL"),
                           idle_grace=s.getfloat("REPOSTWATCH_FLEET_IDLE_GRACE"))
        self.seeder = self.fleet.join()
        spider.fleet_seeder = self.seeder  # only the seeder's spider yields start requests,
        spider.fleet_seeded = self.fleet.seeded  # and says when they are all queued
        super().open(spider)
        stats = self.crawler.stats
        stats.set_value("repostwatch/fleet/worker", self.fleet.worker)
        stats.set_value("repostwatch/fleet/seeder", int(self.seeder))
        self.crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        self._idle_since: float | None = None
        self._hook_scraper()
        from twisted.internet.task import LoopingCall

        self._ticker = LoopingCall(self._tick)
        self._ticker.start(min(_MAX_TICK_S, self.fleet.ttl_ms / 1000 / _TICKS_PER_TTL),
                           now=False)  # the engine is not running yet

    def close(self, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()
        handed = self.fleet.leave()
        if handed:
            logger.warning("handed %d request%s in flight back to the fleet", handed,
                           "" if handed == 1 else "s")
        # scrapy-redis's close would flush the shared queue (SCHEDULER_PERSIST is on): the
        # fleet's keys outlive any one worker; the next crawl wipes them (Fleet.join).

    def _tick(self) -> None:
        """Heartbeat; hand back dead workers' leases; notice the fleet's end; wake the engine."""
        try:
            self.fleet.beat()
            handed = self.fleet.reap()
            if handed:
                logger.warning("handed %d request%s of a dead worker back to the queue", handed,
                               "" if handed == 1 else "s")
                self.crawler.stats.inc_value("repostwatch/fleet/requeued", handed)
            engine = self.crawler.engine
            if engine is None or not engine.spider_is_idle():
                self._idle_since = None
            elif self.fleet.idle():
                now = time.monotonic()
                self._idle_since = self._idle_since or now
                if now - self._idle_since >= self.fleet.idle_grace:
                    self.fleet.finish()
            else:
                self._idle_since = None
            self._wake(engine)
        except Exception:  # a Redis hiccup must not stop the heartbeat for good
            logger.exception("fleet heartbeat failed (the next tick tries again)")

    @staticmethod
    def _wake(engine: Any) -> None:
        # Scrapy polls an idle scheduler only every 5 s (its engine heartbeat); other workers'
        # requests must be picked up sooner. No public API schedules the engine's next call.
        slot = getattr(engine, "_slot", None)
        if slot is not None and getattr(slot, "nextcall", None) is not None:
            slot.nextcall.schedule()

    def _spider_idle(self, spider: Any) -> None:
        if not self.fleet.finished():
            raise DontCloseSpider  # this worker is out of work, the fleet is not

    # -- leases ---------------------------------------------------------------------------

    def _hook_scraper(self) -> None:
        """Acknowledge a lease when the scraper has finished with its response or error."""
        engine = self.crawler.engine
        assert engine is not None
        scraper = engine.scraper
        enqueue_scrape = scraper.enqueue_scrape

        def enqueue_and_ack(result: Any, request: Request) -> Any:
            done = enqueue_scrape(result, request)
            lease = request.meta.get(LEASE_META)
            if lease is not None:
                done.addBoth(self._ack_then, lease)
            return done

        scraper.enqueue_scrape = enqueue_and_ack  # type: ignore[method-assign]

    def _ack_then(self, outcome: Any, lease: str) -> Any:
        self.fleet.ack(lease)
        return outcome

    def enqueue_request(self, request: Request) -> bool:
        lease = request.meta.pop(LEASE_META, None)
        try:  # scrapy-redis's enqueue_request, in one atomic step (Fleet.push)
            fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
            if not self.fleet.push(self.df.key, self.queue.key, fingerprint, -request.priority,
                                   self.queue._encode_request(request)):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if lease is not None:  # a redirect or retry replaces the leased request: queued
                self.fleet.ack(lease)  # first, then acknowledged (at least once)

    def next_request(self) -> Request | None:
        popped = self.fleet.pop()
        if popped is None:
            return None
        lease, data = popped
        request: Request = self.queue._decode_request(data)
        request.meta[LEASE_META] = lease
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
