"""Scrapy extensions of our own that are not about politeness (see ``crawler.politeness``)."""

from __future__ import annotations

import gc

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http.headers import Headers

from .sniff import declared_not_html

__all__ = ["GC_TUNING_SETTING", "HtmlOnly", "QuietCollector", "wants_html"]

GC_TUNING_SETTING = "REPOSTWATCH_GC_TUNING"
# Objects allocated (less those freed) before the youngest generation is collected: Python's
# default is 700. A crawl allocates a few hundred objects a page (requests, tasks, futures).
YOUNG_OBJECTS = 10_000

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


class QuietCollector:
    """Keep Python's garbage collector off the crawl's start-up objects.

    Once the spider is open (the store, the index and the judging processes set up), the
    objects of every imported library are moved to the permanent generation (``gc.freeze``)
    and the youngest generation is collected every ``YOUNG_OBJECTS`` allocations instead of
    700. Every full collection of a crawl walked the objects of start-up again (~110,000 from
    the imports of Scrapy, Twisted, SQLAlchemy, numpy and ours alone): on
    ``benchmarks/crawl.py``'s 5,104 pages the crawl process spent 2.1-2.4 s of its ~14 CPU s
    collecting, 0.7-1.0 s with this (the bare crawl, which has it too: 1.0-1.1 s, 0.3 s).
    Cycles are still collected; the setting ``REPOSTWATCH_GC_TUNING = False`` turns it off.

    The collector is as it was once the spider closes, however it ends (a component that
    refuses to open closes the spider without ever stopping the engine), and once the last of
    several crawls in one process closes (crawls side by side share one collector).
    """

    _crawls = 0  # crawls of this process holding the collector tuned
    _threshold: tuple[int, int, int] = (700, 10, 10)  # as it was before the first of them

    def __init__(self, crawler: Crawler) -> None:
        self._holding = False
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietCollector:
        if not crawler.settings.getbool(GC_TUNING_SETTING, True):
            raise NotConfigured(f"{GC_TUNING_SETTING} is off")
        return cls(crawler)

    def _opened(self) -> None:
        if self._holding:
            return
        self._holding = True
        cls = type(self)
        if cls._crawls == 0:
            cls._threshold = gc.get_threshold()
        cls._crawls += 1
        gc.collect()  # start-up's garbage is freed, not frozen
        gc.freeze()
        gc.set_threshold(YOUNG_OBJECTS, *cls._threshold[1:])

    def _closed(self) -> None:
        if not self._holding:
            return
        self._holding = False
        cls = type(self)
        cls._crawls -= 1
        if cls._crawls == 0:
            gc.set_threshold(*cls._threshold)
            gc.unfreeze()
