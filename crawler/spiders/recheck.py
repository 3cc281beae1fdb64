"""The ``recheck`` spider: the pages of open findings, fetched again and judged again."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from matcher import web_address
from repostwatch.errors import UsageError

from ..items import GONE_STATUSES, FetchedPage
from ..sniff import html_body
from . import RepostwatchSpider, fetched_page, response_headers

__all__ = ["RecheckSpider", "parse_duration"]

_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``12h``, ``7d``, ``2w``, ``1d12h`` → a timedelta. Raises ``UsageError``."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise UsageError(f"{text!r} is not a duration", hint="use e.g. 12h, 7d or 2w")
    try:
        return sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in parts), timedelta())
    except OverflowError:
        raise UsageError(f"{text!r} is too long a duration",
                         hint="use e.g. 12h, 7d or 2w") from None


class RecheckSpider(RepostwatchSpider):
    """Fetch the page of every open finding (not gone, not a false positive) again, least
    recently checked first; the pipeline judges it with ``assess`` like any crawled page.

    A page answering 404 or 410 is handed on as such (its copies are then gone); other HTTP
    errors, failed fetches and pages that are no longer text are not (a failed fetch must not
    read as "copy removed": the finding stays open for the next recheck).
    Arguments (``-a``): ``limit`` (at most this many pages), ``older_than`` (a duration such
    as ``7d``: only findings last checked longer ago than that).
    """

    name = "recheck"

    def __init__(self, limit: int | str | None = None, older_than: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = int(limit) if limit is not None else None
        if self.limit is not None and self.limit < 1:
            raise UsageError(f"--limit {limit} must be at least 1")
        self.older_than = parse_duration(older_than) if older_than else None

    async def start(self) -> AsyncIterator[Any]:
        config = self.repostwatch_config()
        before = datetime.now(UTC) - self.older_than if self.older_than is not None else None
        stored = await asyncio.to_thread(_pages_to_recheck, config.database_url, before, None)
        # An address no request can be made for (stored by an older `check --save`) is
        # skipped before the limit: it is never checked, so it stays the oldest, and a limit
        # taken first would schedule only such pages at every recheck.
        urls = []
        for url in stored:
            if web_address(url):
                urls.append(url)
            else:
                self.count_problem("bad_address", url, "not an http(s) URL with a host")
        urls = urls[:self.limit] if self.limit is not None else urls
        self.crawler.stats.set_value("repostwatch/recheck/scheduled", len(urls))
        for url in urls:
            try:
                request = Request(url, callback=self.parse_page, cb_kwargs={"url": url},
                                  dont_filter=True,
                                  meta={"handle_httpstatus_list": sorted(GONE_STATUSES)})
            except ValueError as exc:  # what web_address let through and Scrapy refuses
                self.count_problem("bad_address", url, str(exc))
                continue
            yield request

    def parse_page(self, response: Response, url: str) -> Iterator[FetchedPage]:
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if isinstance(response, TextResponse) and html_body(kind, response.body):
            yield fetched_page(response, url=url)
        elif response.status in GONE_STATUSES:
            yield FetchedPage(url=url, final_url=response.url, status=response.status,
                              html="", fetched_at=datetime.now(UTC),
                              headers=response_headers(response), body=response.body)
        else:  # a PDF, an image or a JSON error now: not judged, so not a removed copy either
            self.count_problem("not_html", response.url, kind or "no type")


def _pages_to_recheck(database_url: str, before: datetime | None,
                      limit: int | None) -> list[str]:
    from repostwatch.store import Store

    with Store.open(database_url) as store:
        return store.recheck_pages(checked_before=before, limit=limit)
