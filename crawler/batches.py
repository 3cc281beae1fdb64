"""Pages recorded in batches: the pipeline hands each page to a ``Batcher`` and waits for it.

One store transaction a page was most of the cost of recording it (~1.7 ms on SQLite); one
transaction for a batch costs little more than one for a page. A batch is written when it is
full or when its first page has waited ``delay`` seconds, whichever comes first, so a slow
crawl still records within a fraction of a second. With ``eager`` = N, a batch is also sent
at once while fewer than N batches are under way, and when one of them finishes: writers that
would otherwise wait (judging processes) get what there is, and batches grow only while they
are busy (group commit), so the first and last pages of a crawl wait for no clock.

Each page's ``process_item`` waits until its batch is written: Scrapy counts the item done
only then, so a graceful stop (Ctrl-C once, ``kill`` = SIGTERM) writes every page it fetched
before the crawl closes, and a page whose batch failed fails like a page written alone. A
crawl killed outright (SIGKILL, a power cut) loses the batches in hand, at most ``size`` pages
or ``delay`` seconds of work each, which were never recorded as seen: the next crawl fetches
and judges them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["BATCH_DELAY_S", "BATCH_PAGES", "Batcher"]

# Pages recorded in one store transaction (by a crawl, and by ``check --save``), and how long
# the first page of a batch that does not fill waits for the others.
BATCH_PAGES, BATCH_DELAY_S = 64, 0.25

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Gathers items into batches for ``write`` (which returns one result per item, in order)
    and gives each caller of ``submit`` its own item's result, or the batch's exception."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *,
                 size: int, delay: float, eager: int = 0) -> None:
        if size < 1 or delay < 0 or eager < 0:
            raise ValueError("a batch holds at least one item and waits no less than 0 s")
        self._write = write
        self._size = size
        self._delay = delay
        self._eager = eager  # batches that may be under way before items wait to fill one
        self._items: list[T] = []
        self._waiting: list[asyncio.Future[R]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        """Add ``item`` to the batch in hand and wait for its result."""
        loop = asyncio.get_running_loop()
        waiting: asyncio.Future[R] = loop.create_future()
        self._items.append(item)
        self._waiting.append(waiting)
        if len(self._items) >= self._size or len(self._writes) < self._eager:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(self._delay, self._send)
        return await waiting

    async def drain(self) -> None:
        """Write the batch in hand now and wait for every batch under way."""
        self._send()
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def _send(self) -> None:
        """Start writing the batch in hand (batches under way are not waited for: with
        several writers, say worker processes, they run side by side)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._items:
            return
        items, waiting = self._items, self._waiting
        self._items, self._waiting = [], []
        task = asyncio.ensure_future(self._deliver(items, waiting))
        self._writes.add(task)
        task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writes.discard(task)
        if len(self._writes) < self._eager:  # a writer is free: it takes what is in hand
            self._send()

    async def _deliver(self, items: list[T], waiting: list[asyncio.Future[R]]) -> None:
        try:
            results = await self._write(items)
        except BaseException as exc:  # every page of the batch fails as the batch did
            for future in waiting:
                if not future.done():
                    future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        if len(results) != len(items):  # a broken writer must not leave a page unanswered
            error = RuntimeError(f"a batch of {len(items)} got {len(results)} results")
            for future in waiting:
                if not future.done():
                    future.set_exception(error)
            return
        for future, result in zip(waiting, results, strict=True):
            if not future.done():
                future.set_result(result)
