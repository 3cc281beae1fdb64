"""The spiders: they discover and fetch pages, and never judge them (pipelines do).

- ``originals``: a publication's sitemaps and feeds → article pages to store as originals.
- ``watch``: the ``[[watch]]`` sites → every page, to be judged by ``assess``.
- ``search``: distinctive sentences of the originals → a SearXNG instance → result pages.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

from ..config import Config, load_config

__all__ = ["RepostwatchSpider"]


class RepostwatchSpider(Spider):
    """Base spider: applies the ``[crawl]`` section of repostwatch.toml to the crawl settings.

    Doing it here (not only in the CLI) makes ``scrapy crawl watch`` behave exactly like
    ``repostwatch crawl``.
    """

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = load_config(settings.get("REPOSTWATCH_CONFIG"))
        for key, value in crawl_settings(config).items():
            settings.set(key, value, priority="spider")

    def repostwatch_config(self) -> Config:
        return load_config(self.settings.get("REPOSTWATCH_CONFIG"))


def crawl_settings(config: Config) -> dict[str, Any]:
    """Scrapy settings for the ``[crawl]`` config (politeness, limits, proxy)."""
    c = config.crawl
    return {
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_site,
        "DOWNLOAD_DELAY": c.download_delay,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.1),
        "DOWNLOAD_TIMEOUT": c.timeout,
        "DOWNLOAD_MAXSIZE": int(c.max_size_mb * 1024 * 1024),
        "DOWNLOAD_WARNSIZE": int(c.max_size_mb * 1024 * 1024 / 2),
        "REDIRECT_MAX_TIMES": c.max_redirects,
        "REPOSTWATCH_PROXY": c.proxy,
    }
