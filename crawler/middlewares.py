"""Downloader middlewares of our own."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

__all__ = ["ProxyMiddleware"]


class ProxyMiddleware:
    """Send every request through the HTTP proxy in ``REPOSTWATCH_PROXY``.

    Scrapy's own HttpProxyMiddleware reads the proxy from the process environment, which cannot
    differ between two crawls of one process (tests) and leaks into everything else; this one
    takes it from the crawl's settings (the ``[crawl] proxy`` config key).
    """

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        proxy = crawler.settings.get("REPOSTWATCH_PROXY") or ""
        if not proxy:
            raise NotConfigured  # no proxy: nothing to do (and nothing worth a warning)
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)
