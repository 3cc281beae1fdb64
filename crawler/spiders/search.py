"""The ``search`` spider: distinctive sentences of the originals → a search backend → result
pages, fetched for the pipeline to judge.

The backend is the operator's own SearXNG instance (``[search] url``): its requests go one at a
time, ``min_interval`` seconds apart, in a download slot of their own, are never retried (a
query is a unit of the ``budget``: at most that many requests reach the backend per run) and
skip robots.txt (SearXNG's own robots.txt forbids ``/search`` to crawlers; the instance is
ours; the address guard lets it through, not its redirects). Result pages are ordinary
fetches: the address guard, robots.txt, politeness and limits apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from matcher import CreditRule, canonical_url, host_matches, host_of
from repostwatch.config import load_config
from repostwatch.errors import UsageError
from repostwatch.store import Store

from ..extensions import wants_html
from ..guard import OPERATOR_URL
from ..items import FetchedPage
from ..search import SEARCHED_STAT, SearchTask, plan_search, searched_stat
from ..searxng import SearchBackendError, query_url, result_urls
from . import RepostwatchSpider

__all__ = ["BACKEND_SLOT", "SearchSpider"]

BACKEND_SLOT = "repostwatch-search-backend"  # the download slot of the backend's requests
_RESULT_PRIORITY = 10  # fetch the pages found so far before asking the backend again


class SearchSpider(RepostwatchSpider):
    """Search the web for copies of the originals, within ``[search] budget`` queries.

    Argument ``budget`` (``-a budget=N``) overrides the configured budget for this run. Stats
    under ``repostwatch/search/``: ``queries``, ``answered``, ``errors`` (and
    ``errors/<kind>``: ``http_500``, ``bad_json``, ...), ``results``, ``skipped_own``,
    ``duplicates``, ``pages_requested``, ``result_errors``, and ``searched_ids`` (the
    rotation's memory, see ``crawler.search``).
    """

    name = "search"

    def __init__(self, budget: int | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget: int | None = None
        if budget is not None:
            if not (str(budget).isascii() and str(budget).isdigit()) or int(budget) < 1:
                raise UsageError(f"budget {budget!r} is not a whole number of at least 1")
            self.budget = int(budget)
        self._own: tuple[str, ...] = ()
        self._seen: set[str] = set()
        self._searched: set[int] = set()
        self._max_results = 0

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        search = load_config(settings.get("REPOSTWATCH_CONFIG")).search
        slot = {"concurrency": 1, "delay": search.min_interval, "jitter": 0}
        settings.set("DOWNLOAD_SLOTS", {BACKEND_SLOT: slot}, priority="spider")

    @property
    def _stats(self) -> Any:
        return self.crawler.stats

    async def start(self) -> AsyncIterator[Any]:
        config = self.repostwatch_config()
        search = config.search
        if not search.url:
            self.logger.error("search is disabled: set [search] url to a SearXNG instance")
            return
        budget = self.budget or search.budget
        self._own = tuple(d for p in config.publications for d in p.domains)
        self._max_results = search.max_results
        tasks = await asyncio.to_thread(
            _plan, config.database_url, budget, search.queries_per_original, config.rules)
        self._stats.set_value("repostwatch/search/budget", budget)
        self._stats.set_value("repostwatch/search/originals_planned", len(tasks))
        if not tasks:
            self.logger.warning("no original has a sentence worth searching for")
        queries = [(task, query) for task in tasks for query in task.queries]
        for n, (task, query) in enumerate(queries):
            self._stats.inc_value("repostwatch/search/queries")
            # Decreasing priorities keep the plan's order (newest originals first): Scrapy's
            # scheduler is last-in-first-out within one priority.
            yield Request(
                query_url(search, query), callback=self.parse_results, priority=-n,
                errback=self.search_failed, cb_kwargs={"task": task}, dont_filter=True,
                meta={"download_slot": BACKEND_SLOT, "dont_retry": True,
                      "dont_obey_robotstxt": True, "autothrottle_dont_adjust_delay": True,
                      OPERATOR_URL: True},  # the operator's instance: not a crawled site
            )

    def parse_results(self, response: Response, task: SearchTask) -> Iterator[Request]:
        """A backend answer: fetch each new result page that is not one of ours."""
        try:
            urls = result_urls(response.body)
        except SearchBackendError as exc:
            self._backend_error(exc.kind, response.url, task, str(exc))
            return
        self._stats.inc_value("repostwatch/search/answered")
        self._searched.add(task.original_id)
        self._stats.set_value(SEARCHED_STAT, searched_stat(self._searched))
        self._stats.inc_value("repostwatch/search/results", len(urls))
        taken = 0
        for url in urls:
            if host_matches(host_of(url), self._own):
                self._stats.inc_value("repostwatch/search/skipped_own")
                continue
            if taken == self._max_results:
                break
            taken += 1
            key = canonical_url(url)
            if key in self._seen:
                self._stats.inc_value("repostwatch/search/duplicates")
                continue
            self._seen.add(key)
            self._stats.inc_value("repostwatch/search/pages_requested")
            yield Request(url, callback=self.parse_page, errback=self.page_failed,
                          priority=_RESULT_PRIORITY, meta=wants_html())

    def search_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            kind, problem = f"http_{status}", f"answered HTTP {status}"
        else:
            kind = type(failure.value).__name__
            problem = f"failed: {kind}: {failure.value}"
        self._backend_error(kind, request.url, request.cb_kwargs["task"], problem)

    def _backend_error(self, kind: str, url: str, task: SearchTask, problem: str) -> None:
        # An error, not a warning: the run goes on, but it did not search what it should have,
        # so the command exits 3 and the original is tried first again next run.
        self._stats.inc_value("repostwatch/search/errors")
        self._stats.inc_value(f"repostwatch/search/errors/{kind}")
        self.logger.error("search backend %s %s (a query for %s)", url.split("?", 1)[0],
                          problem, task.original_url)

    def page_failed(self, failure: Failure) -> None:
        """A result page that cannot be fetched: search indexes are often stale, so this is
        counted and logged as a warning, not an error of the run."""
        if not (isinstance(failure.value, IgnoreRequest)
                and not isinstance(failure.value, HttpError)):  # not robots.txt's refusal
            self._stats.inc_value("repostwatch/search/result_errors")
        self.on_error(failure)  # counted by kind like any page problem

    def parse_page(self, response: Response) -> Iterator[FetchedPage]:
        item = self.page_item(response)
        if item is not None:
            yield item


def _plan(database_url: str, budget: int, queries_per_original: int,
          rules: Mapping[str, CreditRule]) -> list[SearchTask]:
    with Store.open(database_url) as store:
        return plan_search(store, budget=budget, queries_per_original=queries_per_original,
                           rules=rules)
