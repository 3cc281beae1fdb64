"""Run Scrapy crawls from the CLI, in this process, one after another.

Each crawl's stats come back to the caller, which turns them into a summary and an exit code
(``scrapy crawl`` itself exits 0 even when a crawl logged errors). A first Ctrl-C stops the
crawls gracefully (what was stored stays stored; a crawl with a JOBDIR saves its queue); a
second one stops at once (nothing more is saved). Either raises ``Interrupted`` saying which.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import Settings

from repostwatch.config import Config
from repostwatch.errors import Interrupted

from .problems import problem_counts

__all__ = ["STORE_FAILED", "CrawlJob", "CrawlResult", "JsonLogFormatter", "crawl_failed",
           "project_settings", "run_crawls"]

STORE_FAILED = "store_failed"
"""The finish reason of a crawl the pipeline closed because the store failed."""


@dataclass(frozen=True)
class CrawlJob:
    """One crawl: the spider, its arguments, (for a resumable crawl) its Scrapy JOBDIR, where
    the pending requests, the seen-request filter and the spider's state are kept, and Scrapy
    settings of its own (e.g. the Redis URL of a distributed crawl)."""

    spider: type[Spider]
    kwargs: dict[str, Any] = field(default_factory=dict)
    jobdir: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CrawlResult:
    spider: str
    stats: dict[str, Any]

    def get(self, key: str, default: int = 0) -> int:
        return int(self.stats.get(key, default) or 0)


def crawl_failed(result: CrawlResult) -> str | None:
    """Why a crawl counts as failed (for the exit code), or None when it did not fail."""
    reason = str(result.stats.get("finish_reason", ""))
    if reason == STORE_FAILED:  # the pipeline logged the store's error
        return (f"the {result.spider} crawl stopped: the store failed (the error above); what "
                "was stored so far is kept")
    if reason and reason != "finished":
        return f"the {result.spider} crawl stopped early ({reason})"
    errors = result.get("log_count/ERROR")  # page problems are not errors: crawler.problems
    if errors:
        return (f"the {result.spider} crawl logged {errors} error{'' if errors == 1 else 's'} "
                "(see above; --verbose "
                "shows the details)")
    # Page problems (timeouts, 5xx, not HTML...) are the open web, not a failure; a crawl that
    # got no page at all is one (every site down, or a proxy/network problem on our side).
    skipped = sum(n for kind, n in problem_counts(result.stats, robots=True).items()
                  if kind != "bad_address")  # never asked for: no sign of a network problem
    if skipped and not (result.get("item_scraped_count") or result.get("item_dropped_count")):
        return f"the {result.spider} crawl could not fetch any page ({skipped} failed)"
    return None


def _one_line(record: logging.LogRecord) -> bool:
    """Without --verbose/--debug, a crawl error is one line: the message and the exception,
    not a Scrapy/Twisted traceback (the crawl summary says how to see more)."""
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        message = record.getMessage()
        if str(exc) not in message:
            message = f"{message}: {type(exc).__name__}: {exc}"
        record.msg = message.splitlines()[0] if message else type(exc).__name__
        record.args = None
        record.exc_info = None
        record.exc_text = None
    return True


class JsonLogFormatter(logging.Formatter):
    """A log record as one JSON object on one line (``--log-format json``): ``time`` (UTC,
    ISO 8601), ``level``, ``logger``, ``message``, and ``exception`` (the traceback) when the
    record carries one. For log collectors (journald, Loki, CloudWatch ...)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def _setup_logging(settings: Settings, log_level: str, log_format: str = "text") -> None:
    from scrapy.utils.log import configure_logging

    if log_level in ("DEBUG", "INFO") and log_format == "text":
        configure_logging(settings)  # Scrapy's own log, tracebacks included
        return
    # Scrapy's handler would print whole tracebacks: use ours, one line per problem (or per
    # JSON object, tracebacks inside it at --verbose/--debug).
    settings.set("LOG_ENABLED", False, "cmdline")
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    if log_level not in ("DEBUG", "INFO"):
        handler.addFilter(_one_line)
    handler.setLevel(log_level)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(log_level)


def project_settings(config: Config, *, log_level: str = "WARNING") -> Settings:
    """The project's Scrapy settings for a crawl using ``config``."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("REPOSTWATCH_CONFIG", str(config.path) if config.path else None, "cmdline")
    settings.set("LOG_LEVEL", log_level, "cmdline")
    return settings


def _start_progress(crawler: Any, log_level: str) -> Callable[[], None] | None:
    """A live progress line on a terminal (``crawler.progress``), ticking once a second;
    returns the function that stops it (None: not a terminal)."""
    from twisted.internet.task import LoopingCall

    from .progress import LiveProgress

    if not LiveProgress.wanted(log_level):
        return None
    live = LiveProgress(lambda: crawler.stats.get_stats() if crawler.stats else {},
                        spider=crawler.spidercls.name)
    ticker = LoopingCall(live.tick)
    ticker.start(1.0, now=False)

    def stop() -> None:
        if ticker.running:
            ticker.stop()
        live.stop()

    return stop


def _settings_of(job: CrawlJob, settings: Settings) -> Settings:
    """The settings of ``job``'s crawl: ``settings`` and the job's own (its spider adds its
    own when its crawler is made)."""
    own = settings.copy()
    if job.jobdir is not None:
        own.set("JOBDIR", str(job.jobdir), "cmdline")
    for key, value in job.settings.items():
        own.set(key, value, "cmdline")
    return own


def _spawn_judges_ahead(config: Config, job: CrawlJob, settings: Settings) -> None:
    """Spawn the judging processes of ``job``'s crawl, if it has any, before the crawler
    machinery is imported and the crawl set up, so that their start runs beside that
    (``crawler.judges.spawn_ahead``)."""
    from .judges import judging_processes, spawn_ahead, stores_pages

    own = _settings_of(job, settings)
    job.spider.update_settings(own)  # as its crawler will
    if stores_pages(own):
        spawn_ahead(config, judging_processes(job.spider.name, own))


async def _crawl_one(runner: Any, job: CrawlJob, active: list[Any],
                     log_level: str) -> CrawlResult:
    """Run one job to its end (``active`` holds its crawler meanwhile, for Ctrl-C)."""
    from scrapy.crawler import Crawler

    crawler = runner.create_crawler(Crawler(job.spider, _settings_of(job, runner.settings)))
    active[:] = [crawler]
    stop_progress = _start_progress(crawler, log_level)
    try:
        await crawler.crawl_async(**job.kwargs)
    finally:
        if stop_progress is not None:
            stop_progress()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlResult(job.spider.name, dict(stats))


def _setup_reactor(runner: Any, reactor: Any) -> None:
    """What Scrapy's ``CrawlerProcess`` does for the reactor, and a ``CrawlerRunner`` leaves to
    its caller: install the DNS resolver of the settings (``TWISTED_DNS_RESOLVER``: a caching
    one, IPv4 and IPv6, ``crawler/settings.py``) and size the reactor's thread pool
    (``REACTOR_THREADPOOL_MAXSIZE``). Without it every connection asked Twisted's default
    resolver in a thread, uncached: a crawl of the local generated web ran at 219 pages/s
    against 296 (``benchmarks/crawl.py --quick``). ``crawler.guard`` still vets each answer at
    connect time (it wraps this resolver)."""
    from scrapy.utils.misc import build_from_crawler, load_object

    # As Scrapy does: the runner stands in for a crawler (its resolvers read only settings).
    resolver = build_from_crawler(load_object(runner.settings["TWISTED_DNS_RESOLVER"]), runner,
                                  reactor=reactor)
    resolver.install_on_reactor()
    reactor.getThreadPool().adjustPoolsize(
        maxthreads=runner.settings.getint("REACTOR_THREADPOOL_MAXSIZE"))


def run_crawls(config: Config, jobs: Sequence[CrawlJob], *, log_level: str = "WARNING",
               log_format: str = "text") -> list[CrawlResult]:
    """Run ``jobs`` one after another in this process; return each crawl's stats.

    ``log_format``: ``text`` (one line per record) or ``json`` (``JsonLogFormatter``)."""
    from .judges import release_ahead

    settings = project_settings(config, log_level=log_level)
    results: list[CrawlResult] = []
    try:
        if jobs:  # first, so that they start beside the imports and set-up below
            _spawn_judges_ahead(config, jobs[0], settings)
        failure, stopping = _run_reactor(settings, jobs, log_level, log_format, results)
    finally:
        release_ahead()  # none left once the first crawl opened; else let go here
    if failure:
        raise failure[0]
    if stopping:
        raise Interrupted(at_once=len(stopping) > 1, results=results)
    return results


def _run_reactor(settings: Settings, jobs: Sequence[CrawlJob], log_level: str, log_format: str,
                 results: list[CrawlResult]) -> tuple[list[BaseException], list[bool]]:
    """Run ``jobs`` in the reactor, their results appended to ``results``; returns the failure
    that stopped them (if any) and the stops asked for (Ctrl-C / SIGTERM, if any)."""
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.utils.defer import deferred_from_coro
    from scrapy.utils.reactor import install_reactor

    install_reactor(settings["TWISTED_REACTOR"])
    from twisted.internet import reactor as installed

    reactor: Any = installed  # the installed reactor's type is only known at run time

    _setup_logging(settings, log_level, log_format)
    runner = AsyncCrawlerRunner(settings)
    _setup_reactor(runner, reactor)
    failure: list[BaseException] = []

    active: list[Any] = []  # the running crawler (to stop on Ctrl-C)

    async def sequence() -> None:
        for job in jobs:
            results.append(await _crawl_one(runner, job, active, log_level))
            if stopping:
                break

    stopping: list[bool] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(True)
        if len(stopping) > 1:
            reactor.callFromThread(reactor.stop)
            return
        logging.getLogger(__name__).warning("interrupted: finishing what is in flight; "
                                            "press Ctrl-C again to stop at once")
        for crawler in active:
            reactor.callFromThread(lambda c=crawler: deferred_from_coro(c.stop_async()))

    def done(outcome: Any) -> None:
        if hasattr(outcome, "value"):
            failure.append(outcome.value)
        reactor.stop()

    # Ctrl-C and SIGTERM (``kill``, a service manager stopping it) stop the crawl gracefully:
    # what is in flight is judged and recorded, the queue is kept for --resume.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        reactor.callWhenRunning(
            lambda: deferred_from_coro(sequence()).addBoth(done)
        )
        reactor.run(installSignalHandlers=False)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failure, stopping
