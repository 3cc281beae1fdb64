"""The spiders: they discover and fetch pages, and never judge them (pipelines do).

- ``originals``: a publication's sitemaps and feeds → article pages to store as originals.
- ``watch``: the ``[[watch]]`` sites → every page, to be judged by ``assess``.
- ``recheck``: the pages of open findings, fetched again → judged again.
- ``search``: distinctive sentences of the originals → a SearXNG instance → result pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Spider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from matcher import site_of
from repostwatch.config import Config, load_config

from ..items import FetchedPage
from ..problems import STATS_PREFIX, ProblemLog, classify, quiet_duplicate_warnings
from ..sniff import decode_html, html_body

__all__ = ["RepostwatchSpider", "fetched_page", "response_headers"]


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problem_log = ProblemLog()
        quiet_duplicate_warnings()

    def closed(self, reason: str) -> None:
        """Scrapy calls this when the crawl ends: the page problems, one line per host."""
        lines = self.problem_log.summary()
        for line in lines:
            self.logger.warning(line)
        if lines:
            self.logger.warning("(--verbose lists every skipped page)")

    def repostwatch_config(self) -> Config:
        return load_config(self.settings.get("REPOSTWATCH_CONFIG"))

    def on_error(self, failure: Failure) -> None:
        """The errback of every request (``ErrbackMiddleware``): a page that cannot be had is
        counted by kind (``crawler.problems``) and logged as one warning; the crawl goes on."""
        kind, detail = classify(failure)
        request = getattr(failure, "request", None)
        self.count_problem(kind, request.url if request is not None else "?", detail)

    def page_item(self, response: Response) -> FetchedPage | None:
        """The item for a page to judge, or None (counted as ``not_html``) when it is not HTML
        by its Content-Type or by its first bytes (a PDF sent as text/html)."""
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if not isinstance(response, TextResponse) or not html_body(kind, response.body):
            kind = kind or "no type"
            self.count_problem("not_html", response.url, kind)
            return None
        return fetched_page(response)

    def count_problem(self, kind: str, url: str, detail: str) -> None:
        """Count a page problem: logged at INFO (``--verbose``) and summarised per host when
        the crawl ends (``closed``); a page robots.txt forbids only at debug level, and in no
        summary: that is normal."""
        self.crawler.stats.inc_value(STATS_PREFIX + kind)
        if kind == "robots_forbidden":
            self.logger.debug("skipped %s: %s", url, detail)
        else:
            self.logger.info("skipped %s: %s (%s)", url, kind.replace("_", " "), detail)
            self.problem_log.add(site_of(url), kind, detail)


def crawl_settings(config: Config) -> dict[str, Any]:
    """Scrapy settings for the ``[crawl]`` config (politeness, limits, proxy, addresses)."""
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
        "RETRY_TIMES": c.retries,
        "REPOSTWATCH_MAX_CRAWL_DELAY": c.max_crawl_delay,
        "REPOSTWATCH_MAX_RETRY_AFTER": c.max_retry_after,
        "REPOSTWATCH_JUDGE_PROCESSES": c.judging_processes(beside_a_crawl=True),
        "REPOSTWATCH_PROXY": c.proxy,
        "REPOSTWATCH_ALLOW_PRIVATE": c.allow_private,
        "REPOSTWATCH_ALLOW_PRIVATE_SITES": list(c.allow_private_sites),
    }


def response_headers(response: Response) -> tuple[tuple[str, str], ...]:
    """The response headers as (name, value) pairs, repeated headers kept, in order."""
    return tuple((name.decode("latin-1"), value.decode("latin-1"))
                 for name, values in response.headers.items() for value in values)


def fetched_page(response: TextResponse, *, url: str | None = None) -> FetchedPage:
    """The item for a fetched page, with what is kept as evidence (body, headers).

    ``url``: the address the page is known by (default: the address of the request answered).
    """
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    encoding, html = decode_html(content_type, response.body)  # as `check` decodes it
    return FetchedPage(
        url=url or (response.request.url if response.request else response.url),
        final_url=response.url,
        status=response.status,
        html=html,
        fetched_at=datetime.now(UTC),
        headers=response_headers(response),
        body=response.body,
        encoding=encoding,
    )
