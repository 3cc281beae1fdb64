"""Scrapy extensions of our own that are not about politeness (see ``crawler.politeness``)."""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http.headers import Headers

from .sniff import declared_not_html

__all__ = ["HtmlOnly", "wants_html"]

_WANTS_HTML = "repostwatch_html_only"  # request meta key


def wants_html(meta: dict[str, object] | None = None) -> dict[str, object]:
    """Request meta for a page that is judged only if it is HTML (``HtmlOnly`` stops the rest
    at the headers)."""
    return {**(meta or {}), _WANTS_HTML: True}


class HtmlOnly:
    """Stop downloading a page at its headers when its Content-Type says it is not HTML.

    Only for requests marked with ``wants_html`` (sitemaps and feeds are XML). The callback
    still gets the (empty) response, so the spider counts it as ``not_html``. A response
    without a Content-Type is downloaded and sniffed by the spider instead.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HtmlOnly:
        return cls(crawler)

    def _headers_received(self, headers: Headers, body_length: int, request: Request,
                          spider: Spider | None = None) -> None:
        if not request.meta.get(_WANTS_HTML) or b"Location" in headers:
            return  # not a page to judge, or a redirect (its own body does not matter)
        if declared_not_html((headers.get(b"Content-Type") or b"").decode("latin-1")):
            self.crawler.stats.inc_value("repostwatch/stopped_at_headers")
            raise StopDownload(fail=False)
