"""Downloader middlewares of our own."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as _ScrapyMetaRefresh
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import BaseSettings
from scrapy.utils.response import get_meta_refresh

from .sniff import html_encoding

__all__ = ["DecodingMiddleware", "ErrbackMiddleware", "MetaRefreshMiddleware", "ProxyMiddleware",
           "RedirectLoopMiddleware"]


class ErrbackMiddleware:
    """Give every request of our spiders an errback (``RepostwatchSpider.on_error``).

    Without one, Scrapy logs a failed download as an ERROR with a traceback; a page that times
    out or answers 500 is ordinary on the open web, so it is counted by kind and logged as a
    warning instead, and the crawl's exit code is left to errors of our own code.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ErrbackMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: Spider | None = self.crawler.spider
        on_error = getattr(spider, "on_error", None)
        if request.errback is None and request.callback is not NO_CALLBACK and on_error:
            request.errback = on_error


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


class RedirectLoopMiddleware:
    """Stop a redirect that leads back to a URL of its own chain, as a page problem.

    Scrapy's duplicate filter would silently drop the repeated URL: the loop would go unseen.
    Runs before Scrapy's RedirectMiddleware (a higher order: responses go from high to low).
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = response.urljoin(location.decode("latin-1").strip()).split("#", 1)[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise IgnoreRequest(f"redirect loop: {request.url} redirects back to {target}")
        return response


class DecodingMiddleware:
    """Give every text response the encoding ``crawler.sniff.decode_html`` decodes it with.

    Scrapy would decode with whatever the Content-Type or a ``<meta>`` names, and a name like
    ``hex`` or ``rot13`` (codecs, not character sets) made ``response.text`` raise in Scrapy's
    meta refresh handling and in link extraction: the page was skipped. With the encoding set
    here, every later reader decodes the page as the judge does. Runs after decompression
    (Scrapy's HttpCompressionMiddleware, order 590) and before meta refreshes (580).
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        return response.replace(encoding=html_encoding(content_type, response.body))


class MetaRefreshMiddleware(_ScrapyMetaRefresh):
    """Scrapy's meta refresh handling, but a refresh to an address that is not http(s)
    (``mailto:``, ``javascript:``) leaves the page as it is: Scrapy 2.19 failed on it and the
    page was skipped. How long a refresh may wait and still count as a redirect is Scrapy's
    ``METAREFRESH_MAXDELAY`` (crawler/settings.py): a page shown longer is the page readers
    see, and is judged."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")

    def process_response(  # type: ignore[override]  # Scrapy's also takes a deprecated spider
        self, request: Request, response: Response
    ) -> Request | Response:
        if isinstance(response, HtmlResponse):
            _, url = get_meta_refresh(response, ignore_tags=self.ignore_tags)
            if url and urlsplit(url).scheme.lower() not in ("http", "https"):
                return response
        return super().process_response(request, response)
