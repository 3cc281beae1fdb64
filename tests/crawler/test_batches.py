"""``crawler.batches.Batcher``: pages recorded in batches, each caller answered for its own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.batches import Batcher


class Writer:
    """Records the batches it was given; fails the batch holding ``poison``."""

    def __init__(self, poison: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.poison = poison

    async def __call__(self, items: Sequence[int]) -> list[int]:
        await asyncio.sleep(0)
        if self.poison in items:
            raise RuntimeError("disk full")
        self.batches.append(list(items))
        return [item * 10 for item in items]


@deferred_f_from_coro_f
async def test_a_full_batch_is_written_at_once_and_each_caller_gets_its_own_result() -> None:
    writer = Writer()

    batcher = Batcher(writer, size=3, delay=3600)  # the delay never comes into it
    waiting = [asyncio.ensure_future(batcher.submit(i)) for i in range(6)]
    for _ in range(10):  # a few turns of the loop, no waiting on a clock
        await asyncio.sleep(0)
    assert all(w.done() for w in waiting)
    assert [w.result() for w in waiting] == [0, 10, 20, 30, 40, 50]
    assert writer.batches == [[0, 1, 2], [3, 4, 5]]


@deferred_f_from_coro_f
async def test_a_batch_that_does_not_fill_is_written_after_the_delay() -> None:
    writer = Writer()
    batcher = Batcher(writer, size=100, delay=0.05)
    first = await asyncio.gather(batcher.submit(1), batcher.submit(2))
    second = await batcher.submit(3)
    assert [*first, second] == [10, 20, 30]
    assert writer.batches == [[1, 2], [3]]


class SlowWriter(Writer):
    """Holds each batch until ``release`` is set (a judging process at work)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await self.release.wait()
        return [item * 10 for item in items]


@deferred_f_from_coro_f
async def test_an_eager_batcher_sends_at_once_to_a_free_writer_and_groups_while_it_is_busy(
) -> None:
    writer = SlowWriter()
    batcher = Batcher(writer, size=100, delay=3600, eager=1)  # the delay never comes into it
    first = asyncio.ensure_future(batcher.submit(1))
    for _ in range(5):  # a few turns of the loop, no waiting on a clock
        await asyncio.sleep(0)
    assert writer.batches == [[1]]  # the writer was free: no waiting for more
    later = [asyncio.ensure_future(batcher.submit(i)) for i in (2, 3, 4)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert writer.batches == [[1]]  # held while the writer is busy
    writer.release.set()
    results = await asyncio.gather(first, *later)
    assert results == [10, 20, 30, 40]
    assert writer.batches == [[1], [2, 3, 4]]  # sent together as soon as the writer was free


@deferred_f_from_coro_f
async def test_an_eager_batcher_still_sends_a_full_batch_while_its_writers_are_busy() -> None:
    writer = SlowWriter()
    batcher = Batcher(writer, size=2, delay=3600, eager=1)
    waiting = [asyncio.ensure_future(batcher.submit(i)) for i in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert writer.batches == [[0], [1, 2], [3, 4]]
    writer.release.set()
    assert await asyncio.gather(*waiting) == [0, 10, 20, 30, 40]


@deferred_f_from_coro_f
async def test_drain_writes_what_is_in_hand_without_waiting_for_the_delay() -> None:
    writer = Writer()
    batcher = Batcher(writer, size=100, delay=3600)
    waiting = [asyncio.ensure_future(batcher.submit(i)) for i in (7, 8)]
    await asyncio.sleep(0)
    await batcher.drain()
    assert all(w.done() for w in waiting)
    assert [w.result() for w in waiting] == [70, 80]
    assert writer.batches == [[7, 8]]


@deferred_f_from_coro_f
async def test_a_failed_batch_fails_each_of_its_callers_and_no_other() -> None:
    writer = Writer(poison=4)
    batcher = Batcher(writer, size=2, delay=3600)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(6)),
                                   return_exceptions=True)
    # batches [0, 1], [2, 3], [4, 5]: the last one fails
    assert results[:4] == [0, 10, 20, 30]
    assert [type(r) for r in results[4:]] == [RuntimeError, RuntimeError]
    assert writer.batches == [[0, 1], [2, 3]]


@deferred_f_from_coro_f
async def test_a_writer_that_answers_too_few_results_fails_its_batch() -> None:
    async def short(items: Sequence[int]) -> list[int]:
        return list(items)[:-1]

    batcher = Batcher(short, size=2, delay=3600)
    results = await asyncio.gather(batcher.submit(1), batcher.submit(2),
                                   return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


def test_sizes_that_cannot_work_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        Batcher(Writer(), size=0, delay=1)
    with pytest.raises(ValueError, match="at least one item"):
        Batcher(Writer(), size=1, delay=1, eager=-1)
