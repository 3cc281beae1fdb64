"""What went wrong with one page of a hostile web, in a word: the kinds counted in crawl stats.

Every request of our spiders has ``errback`` set to their ``on_error``, which names the problem
with ``classify``, counts it under ``repostwatch/problems/<kind>`` and logs one warning line. A
page problem is part of crawling the web, not a failure of the crawl: the crawl goes on, the
run's stats keep the counts by kind, and the summary prints them (``crawl_failed`` in
``crawler.runner`` decides the exit code from errors of our own code, not from these).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
)
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

__all__ = ["PROBLEM_KINDS", "STATS_PREFIX", "classify", "quiet_page_errors"]

STATS_PREFIX = "repostwatch/problems/"
PROBLEM_KINDS = {
    "http_error": "the site answered with an HTTP error status (after retries)",
    "timeout": "no complete answer within [crawl] timeout",
    "dns": "the host name does not resolve",
    "connection": "the connection was refused or dropped",
    "data_loss": "the body ended early (e.g. broken chunked encoding)",
    "too_large": "larger than [crawl] max_size_mb (a gzip bomb counts by its unpacked size)",
    "redirects": "a redirect loop, or more than [crawl] max_redirects redirects",
    "robots_forbidden": "robots.txt forbids it (or robots.txt could not be read: RFC 9309)",
    "not_html": "not an HTML page (by its Content-Type, or by its bytes)",
    "other": "anything else (the warning says what)",
}

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((HttpError,), "http_error"),
    ((DownloadTimeoutError, TCPTimedOutError, TwistedTimeoutError, TimeoutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((ResponseDataLossError,), "data_loss"),
    ((DownloadCancelledError,), "too_large"),
    ((DownloadConnectionRefusedError, ConnectError, ConnectionLost, ResponseNeverReceived,
      DownloadFailedError, ConnectionError), "connection"),
)


def classify(failure: Failure) -> tuple[str, str]:
    """``(kind, detail)`` of a failed request: kind is a key of ``PROBLEM_KINDS``."""
    exc: Any = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        return "http_error", f"HTTP {response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots_forbidden", text
        if "max redirections" in text or "redirect loop" in text:
            return "redirects", text
        if any(w in text.lower() for w in ("larger than", "max size", "maxsize")):
            return "too_large", text
        return "other", text or "request ignored"
    if isinstance(exc, ResponseFailed):
        if any("DataLoss" in type(r.value).__name__ for r in exc.reasons):
            return "data_loss", "the body ended early"
        return "connection", str(exc)
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind, str(exc) or type(exc).__name__
    return "other", f"{type(exc).__name__}: {exc}"


class _PageErrorToInfo(logging.Filter):
    """Scrapy logs "Gave up retrying" and a robots.txt it cannot fetch as ERRORs; for us they
    are page problems, reported (counted, one warning line) by ``on_error`` and the robots
    middleware. Turned into INFO records (``--verbose`` shows them), they no longer count as
    errors of the crawl."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR:
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_QUIET = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def quiet_page_errors() -> None:
    """Install ``_PageErrorToInfo`` on the loggers of Scrapy's retry and robots.txt middlewares
    (once per process)."""
    for name in _QUIET:
        log = logging.getLogger(name)
        if not any(isinstance(f, _PageErrorToInfo) for f in log.filters):
            log.addFilter(_PageErrorToInfo())
