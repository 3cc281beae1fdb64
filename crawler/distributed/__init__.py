"""A crawl shared by several worker processes on any number of machines (docs/scaling.md).

scrapy-redis is the shared frontier: its scheduler queue and duplicate filter live in Redis.
On top of it (each in its own module):

- ``fleet``: leases, heartbeats, seeding and the fleet-wide end of a crawl (Redis side);
- ``scheduler``: ``LeasedScheduler``, scrapy-redis's scheduler using them;
- ``gate``: politeness across workers, a per-host gate in Redis in the download handler;
- ``sites``: the watch spider's page caps and site hosts, shared.

``fleet_settings`` turns a Redis URL and ``[distributed]`` into the Scrapy settings of a
worker. Only the ``watch`` spider runs distributed; the store must be PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from repostwatch.config import Config, DistributedConfig
from repostwatch.errors import UsageError
from repostwatch.redact import safe_url

__all__ = ["REDIS_URL_SETTING", "check_redis", "fleet_settings", "public_url",
           "require_shared_store"]

REDIS_URL_SETTING = "REPOSTWATCH_REDIS_URL"  # set: the watch spider runs as a fleet worker
_GATED = "crawler.distributed.gate.FleetDownloadHandler"


def fleet_settings(redis_url: str, dist: DistributedConfig) -> dict[str, Any]:
    """The Scrapy settings of a fleet worker on ``redis_url``."""
    prefix = dist.key_prefix
    return {
        REDIS_URL_SETTING: redis_url,
        "REDIS_URL": redis_url,  # scrapy-redis's connection
        "REPOSTWATCH_REDIS_PREFIX": prefix,
        "REPOSTWATCH_FLEET_HEARTBEAT_TTL": dist.heartbeat_ttl,
        "REPOSTWATCH_FLEET_IDLE_GRACE": dist.idle_grace,
        "SCHEDULER": "crawler.distributed.scheduler.LeasedScheduler",
        "SCHEDULER_PERSIST": True,  # the fleet's keys outlive each worker (Fleet.join)
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # depth priority kept
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "DOWNLOAD_HANDLERS": {"http": _GATED, "https": _GATED},
    }


def require_shared_store(config: Config) -> None:
    """``UsageError`` (exit 2) unless the store can be shared by workers on other machines."""
    if config.database_url.startswith("sqlite"):
        raise UsageError(
            "a distributed crawl needs a shared PostgreSQL store, and [database] url is "
            f"SQLite ({config.database_url})",
            hint="set [database] url or REPOSTWATCH_DATABASE_URL to "
                 "postgresql+psycopg://user@host:5432/db (docs/scaling.md)")


def public_url(url: str) -> str:
    """``url`` with its password hidden, for messages and logs."""
    return safe_url(url)


def check_redis(url: str) -> None:
    """``UsageError`` (exit 2) naming the problem when Redis at ``url`` cannot be used."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise UsageError(f"cannot use Redis at {public_url(url)}: {exc}",
                         hint="check the URL (redis://[user:password@]host:port/db), the "
                              "password, and that Redis is running and reachable") from None
