"""What went wrong with one page of a hostile web, in a word: the kinds counted in crawl stats.

Every request of our spiders has ``errback`` set to their ``on_error``, which names the problem
with ``classify``, counts it under ``repostwatch/problems/<kind>`` and logs one warning line. A
page problem is part of crawling the web, not a failure of the crawl: the crawl goes on, the
run's stats keep the counts by kind, and the summary prints them (``crawl_failed`` in
``crawler.runner`` decides the exit code from errors of our own code, not from these).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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

from .guard import AddressRefusedError

__all__ = ["FETCH_FAILURES", "PROBLEM_KINDS", "STATS_PREFIX", "ProblemLog", "classify",
           "classify_error", "problem_counts", "quiet_duplicate_warnings",
           "quiet_robots_fetch_errors"]

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
    "address_refused": "a private or local address, or a name only the proxy could resolve "
                       "(the address guard: docs/crawling.md)",
    "not_html": "not an HTML page (by its Content-Type, or by its bytes)",
    "bad_address": "a stored page address that is not an http(s) URL with a host (recheck)",
    "other": "anything else (the warning says what)",
}

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, TCPTimedOutError, TwistedTimeoutError, TimeoutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((ResponseDataLossError,), "data_loss"),
    ((DownloadCancelledError,), "too_large"),
    ((DownloadConnectionRefusedError, ConnectError, ConnectionLost, ResponseNeverReceived,
      DownloadFailedError, ConnectionError), "connection"),
)


def classify(failure: Failure) -> tuple[str, str]:
    """``(kind, detail)`` of a failed request: kind is a key of ``PROBLEM_KINDS``."""
    return classify_error(failure.value)


def classify_error(exc: Any) -> tuple[str, str]:
    """``(kind, detail)`` of the exception a request failed with (see ``classify``)."""
    if isinstance(exc, HttpError):
        response = exc.response
        return "http_error", f"HTTP {response.status}"
    if isinstance(exc, AddressRefusedError):
        return "address_refused", str(exc)
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


FETCH_FAILURES = frozenset({"timeout", "dns", "connection", "data_loss", "too_large"})
"""Kinds that mean the answer could not be had at all (not an answer we dislike)."""


def problem_counts(stats: Mapping[str, Any], *, robots: bool = False) -> dict[str, int]:
    """The page problems of a crawl by kind, from its stats (``robots``: with the pages
    robots.txt forbids, which are normal and not printed)."""
    return {k.removeprefix(STATS_PREFIX): int(v or 0) for k, v in sorted(stats.items())
            if k.startswith(STATS_PREFIX) and (robots or k != STATS_PREFIX + "robots_forbidden")}


class _FetchFailureToInfo(logging.Filter):
    """Scrapy logs a robots.txt it cannot fetch as an ERROR; for us that is a page problem
    (the site is skipped this run, RFC 9309, and the robots middleware warns once). Such
    records become INFO (``--verbose`` shows them) and no longer count as errors of the crawl;
    any other error there (a bug) stays an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if record.levelno == logging.ERROR and exc is not None and (
                classify_error(exc)[0] in FETCH_FAILURES):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_robots_fetch_errors() -> None:
    """Install ``_FetchFailureToInfo`` on the logger of Scrapy's robots.txt middleware (once
    per process). Scrapy's "Gave up retrying" is INFO by the RETRY_GIVE_UP_LOG_LEVEL setting."""
    log = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, _FetchFailureToInfo) for f in log.filters):
        log.addFilter(_FetchFailureToInfo())


class _DuplicateToInfo(logging.Filter):
    """Scrapy warns about a page too large or cut short (its size, "Got data loss"), and our
    spiders count and summarise the same page as a problem: Scrapy's line becomes INFO
    (``--verbose`` shows it), so a default run says it once."""

    _MESSAGES = ("bytes which is larger than download", "Got data loss in ",
                 "exceeded DOWNLOAD_MAXSIZE")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and any(
                m in record.getMessage() for m in self._MESSAGES):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_duplicate_warnings() -> None:
    """Install ``_DuplicateToInfo`` on the loggers of Scrapy's download handler and
    decompression middleware (once per process)."""
    for name in ("scrapy.core.downloader.handlers.http11",
                 "scrapy.downloadermiddlewares.httpcompression"):
        log = logging.getLogger(name)
        if not any(isinstance(f, _DuplicateToInfo) for f in log.filters):
            log.addFilter(_DuplicateToInfo())


MAX_SUMMARY_HOSTS = 10  # hosts named one by one in the summary; the rest are counted


class ProblemLog:
    """The page problems of one crawl by host, for one summary at its end: a crawl of a site
    full of dead links says "skipped 40 pages of a.test: 38 HTTP 404, 2 timeout" once
    instead of printing 40 warnings (each is logged at INFO: ``--verbose`` lists them)."""

    def __init__(self) -> None:
        self._hosts: dict[str, dict[str, int]] = {}

    def add(self, host: str, kind: str, detail: str) -> None:
        """Count one problem; an HTTP error counts by its status ("HTTP 404")."""
        label = detail if kind == "http_error" else kind.replace("_", " ")
        counts = self._hosts.setdefault(host or "?", {})
        counts[label] = counts.get(label, 0) + 1

    def summary(self) -> list[str]:
        """One line per host (most problems first, at most ``MAX_SUMMARY_HOSTS``)."""
        ranked = sorted(self._hosts.items(), key=lambda hc: (-sum(hc[1].values()), hc[0]))
        lines = []
        for host, counts in ranked[:MAX_SUMMARY_HOSTS]:
            n = sum(counts.values())
            what = ", ".join(f"{c} {label}" for label, c in
                             sorted(counts.items(), key=lambda lc: (-lc[1], lc[0])))
            lines.append(f"skipped {n} page{'' if n == 1 else 's'} of {host}: {what}")
        rest = ranked[MAX_SUMMARY_HOSTS:]
        if rest:
            n = sum(sum(c.values()) for _, c in rest)
            lines.append(f"skipped {n} page{'' if n == 1 else 's'} of {len(rest)} more hosts")
        return lines
