"""A crawl's judging processes (``crawler.judges``): batches go over pipes and are judged and
recorded there, a batch's own exception comes back to where it was sent, a process that dies
breaks every batch (the pipeline then stops the crawl), and a crawl that exits without closing
them (a second Ctrl-C) does not wait for them. Spawned ahead of their crawl (by the runner),
they wait to open the store until the crawl has, and the crawl takes those spawned for it."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from collections.abc import AsyncIterator, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import judges as judges_module
from crawler.items import FetchedPage
from crawler.judges import Judges, judging_processes, spawn_ahead, stores_pages
from crawler.pipelines import StorePipeline
from repostwatch.config import load_config
from repostwatch.store import Store
from tests.conftest import run_async, run_python
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, OTHER_TEXT, page_html, paragraphs_html
from tests.repostwatch.clihome import imported

COPY = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
UNRELATED = page_html(f"<p>{OTHER_TEXT}</p>")


@asynccontextmanager
async def _judges(home: Path, processes: int) -> AsyncIterator[Judges]:
    """Judging processes on ``home``'s store (which holds the original), closed after."""
    imported(home)
    judges = Judges(load_config(None), processes)
    try:
        await judges.start()
        yield judges
    finally:
        await judges.close()


def _item(url: str, html: str | None) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, status=200, html=html,  # type: ignore[arg-type]
                       fetched_at=datetime.now(UTC), body=(html or "").encode(),
                       encoding="utf-8")


def test_batches_are_judged_and_recorded_in_the_processes(home: Path) -> None:
    async def judged() -> list[list[str]]:
        async with _judges(home, 2) as judges:
            batches = await asyncio.gather(*(judges.judge(
                [_item(f"https://copycat.test/{n}", COPY),
                 _item(f"https://elsewhere.test/{n}", UNRELATED)], None) for n in range(6)))
        return [[o.verdict for o in batch] for batch in batches]

    assert run_async(judged()) == [["repost", "none"]] * 6
    store = Store.open(load_config(None).database_url)
    try:
        pages = sorted(f.page_url for f in store.findings())
    finally:
        store.close()
    assert pages == sorted(f"https://copycat.test/{n}" for n in range(6))


def test_a_batch_that_fails_fails_where_it_was_sent_and_the_process_goes_on(home: Path) -> None:
    async def both() -> tuple[BaseException | None, list[str]]:
        async with _judges(home, 1) as judges:
            failed: BaseException | None = None
            try:
                await judges.judge([_item("https://copycat.test/broken", None)], None)
            except TypeError as exc:  # no HTML: judging it fails in the process
                failed = exc
            after = await judges.judge([_item("https://copycat.test/1", COPY)], None)
        return failed, [o.verdict for o in after]

    failed, after = run_async(both())
    assert failed is not None and "NoneType" in str(failed)
    assert after == ["repost"]


def test_a_process_that_dies_breaks_every_batch(home: Path) -> None:
    async def after_a_kill() -> list[str]:
        errors = []
        async with _judges(home, 2) as judges:
            await judges.judge([_item("https://copycat.test/1", COPY)], None)
            victim = judges._processes[0].process
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            for _ in range(2):  # the batch that meets the dead process, and any later one
                with pytest.raises(BrokenProcessPool) as err:
                    await asyncio.wait_for(asyncio.gather(*(judges.judge(
                        [_item(f"https://copycat.test/{n}", COPY)], None) for n in range(4))),
                        timeout=60)
                errors.append(str(err.value))
        return errors

    errors = run_async(after_a_kill())
    assert all("repostwatch-judge-1 ended (exit code -9)" in e for e in errors), errors


_EXITING = """
import asyncio, sys
from crawler.judges import Judges
from crawler.items import FetchedPage
from datetime import UTC, datetime
from repostwatch.config import load_config

async def main():
    judges = Judges(load_config(None), 2)
    await judges.start()
    page = FetchedPage(url="https://copycat.test/", final_url="https://copycat.test/",
                       status=200, html="<p>x</p>", fetched_at=datetime.now(UTC))
    await judges.judge([page], None)
    print(",".join(str(p.process.pid) for p in judges._processes), flush=True)
    # no close(): as when a second Ctrl-C stops the reactor at once

asyncio.run(main())
"""


def test_an_exit_without_closing_them_does_not_wait_for_them(home: Path) -> None:
    """They ignore SIGTERM (the crawl's to handle), so multiprocessing's exit, which
    terminates and then joins them, waited for ever: the pipes are closed at exit."""
    imported(home)
    stdout = run_python(_EXITING, home)
    for pid in map(int, stdout.strip().split(",")):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone (a zombie would still answer: they were reaped)


def test_an_exception_that_cannot_be_loaded_comes_back_in_words() -> None:
    """``FetchError`` pickles but does not load (its constructor wants ``url``): the answer
    must load all the same, or the crawl would wait for that batch for ever."""
    from crawler.judging import _error
    from repostwatch.errors import FetchError, StoreError

    kind, exc, trace = pickle.loads(_error(FetchError("gone", url="https://x.test/"), "tb"))
    assert kind == "error" and isinstance(exc, RuntimeError)
    assert str(exc) == "FetchError: gone" and trace == "tb"
    _, exc, _ = pickle.loads(_error(StoreError("the disk is full"), "tb"))
    assert isinstance(exc, StoreError) and str(exc) == "the disk is full"  # as it was


def test_a_batch_that_cannot_be_sent_leaves_the_next_its_own_answer(home: Path) -> None:
    async def both() -> list[str]:
        async with _judges(home, 1) as judges:
            with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
                await judges.judge([lambda: None], None)  # type: ignore[list-item]
            after = await asyncio.wait_for(judges.judge(
                [_item("https://elsewhere.test/1", UNRELATED),
                 _item("https://copycat.test/1", COPY)], None), timeout=60)
        return [o.verdict for o in after]

    assert run_async(both()) == ["none", "repost"]


def test_processes_spawned_before_the_store_exists_open_it_once_told(home: Path) -> None:
    """A first crawl creates its store after the runner spawned its judging processes: they
    must not open it before ``start`` (done once the crawl has opened and migrated it)."""
    async def judged() -> list[str]:
        judges = Judges(load_config(None), 1)  # no store yet
        try:
            await _reading_its_pipe(judges._processes[0].process.pid)  # done importing
            assert judges._processes[0].process.is_alive()
            imported(home)  # the store, created and migrated
            await judges.start()
            outcomes = await asyncio.wait_for(judges.judge(
                [_item("https://copycat.test/1", COPY)], None), timeout=60)
        finally:
            await judges.close()
        return [o.verdict for o in outcomes]

    assert run_async(judged()) == ["repost"]


async def _reading_its_pipe(pid: int | None) -> None:
    """Until the process ``pid`` has waited on a pipe for a while (it has imported what it
    needs and waits for ``OPEN``), where Linux tells (``/proc/PID/wchan``); else 5 s, ~8x what
    its imports take."""
    wchan = Path(f"/proc/{pid}/wchan")
    waiting = told = 0
    for polls in range(600):  # 2 minutes at most
        await asyncio.sleep(0.2)
        where = wchan.read_text() if wchan.exists() else ""
        told += where not in ("", "0")  # "0": running (or the kernel does not say)
        if not told and polls >= 25:  # 5 s without a word: the system does not tell
            return
        waiting = waiting + 1 if "pipe_read" in where else 0
        if waiting == 5:
            return
    raise AssertionError(f"judging process {pid} never waited on its pipe")


def _pids(judges: Judges) -> list[int | None]:
    return [one.process.pid for one in judges._processes]


@pytest.fixture
def ahead() -> Iterator[None]:
    """Spares spawned ahead by a test are let go after it, whatever it asserted."""
    yield
    judges_module.release_ahead()


def test_a_crawl_takes_the_processes_spawned_ahead_for_it(home: Path, ahead: None) -> None:
    imported(home)
    spawn_ahead(load_config(None), 1)
    (spare,) = judges_module._AHEAD
    taken = Judges.for_crawl(load_config(None), 1)  # the pipeline reads the config again
    assert taken is spare and not judges_module._AHEAD

    spawn_ahead(load_config(None), 1)
    (other,) = judges_module._AHEAD
    fresh = Judges.for_crawl(load_config(None), 2)  # another count: the spare is let go
    assert not judges_module._AHEAD and set(_pids(fresh)).isdisjoint(_pids(other))
    other._processes[0].process.join(60)
    assert other._processes[0].process.exitcode == 0  # it ended where it waited

    async def judged() -> list[str]:
        verdicts = []
        for judges in (taken, fresh):
            try:
                await judges.start()
                outcomes = await asyncio.wait_for(judges.judge(
                    [_item(f"https://copycat.test/{len(verdicts)}", COPY)], None), timeout=60)
                verdicts += [o.verdict for o in outcomes]
            finally:
                await judges.close()
        return verdicts

    assert run_async(judged()) == ["repost", "repost"]


def test_the_runner_spawns_ahead_the_processes_of_a_crawl_that_judges(home: Path,
                                                                      ahead: None) -> None:
    from crawler.runner import CrawlJob, _spawn_judges_ahead, project_settings
    from crawler.spiders.originals import OriginalsSpider
    from crawler.spiders.watch import WatchSpider

    with (home / "repostwatch.toml").open("a", encoding="utf-8") as config_file:
        config_file.write("[crawl]\njudge_processes = 2\n")
    config = load_config(None)
    settings = project_settings(config)
    for job in (CrawlJob(OriginalsSpider), CrawlJob(WatchSpider, settings={
            "ITEM_PIPELINES": {}})):  # a crawl that judges nothing, here
        _spawn_judges_ahead(config, job, settings)
        assert not judges_module._AHEAD
    _spawn_judges_ahead(config, CrawlJob(WatchSpider), settings)
    try:
        (spare,) = judges_module._AHEAD
        assert len(spare) == 2
        # What the crawl's pipeline will ask for: the same config, read again, and count.
        own = settings.copy()
        WatchSpider.update_settings(own)
        assert spare.config == load_config(own["REPOSTWATCH_CONFIG"])
        assert judging_processes("watch", own) == 2
    finally:
        judges_module.release_ahead()
    assert not judges_module._AHEAD
    for one in spare._processes:
        one.process.join(60)
        assert one.process.exitcode == 0


class _OwnPipeline(StorePipeline):
    """A pipeline made from the store pipeline (it judges in processes all the same)."""


@pytest.mark.parametrize(("pipelines", "stores"), [
    (None, True), ({}, False), ({f"{__name__}._OwnPipeline": 300}, True),
    ({"crawler.pipelines.StorePipeline": None}, False)])
def test_which_crawls_store_pages(pipelines: dict[str, int | None] | None, stores: bool) -> None:
    from crawler.runner import project_settings

    settings = project_settings(load_config(None))
    if pipelines is not None:
        settings.set("ITEM_PIPELINES", pipelines, "cmdline")
    assert stores_pages(settings) is stores


def test_closing_after_a_start_that_failed_half_way_does_not_wait_for_them(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``start`` failing after a process's pipe was taken (its event loop refused it): ``close``
    still closes that pipe, so the process ends at once instead of after the kill's wait."""
    imported(home)
    monkeypatch.setattr(judges_module, "_WAIT_EXIT_S", 200.0)

    async def refused(*_args: object) -> None:
        raise OSError("refused")

    async def start_then_close() -> None:
        judges = Judges(load_config(None), 1)
        monkeypatch.setattr(asyncio.get_running_loop(), "connect_write_pipe", refused)
        with pytest.raises(OSError, match="refused"):
            await judges.start()
        await asyncio.wait_for(judges.close(), timeout=100)  # 200 s with the pipe left open

    run_async(start_then_close())


_FAILING_EARLY = """
import threading
from crawler import judges
from crawler.runner import CrawlJob, run_crawls
from crawler.spiders.watch import WatchSpider
from repostwatch.config import load_config

failed = []

def crawl():  # signals can only be set in the main thread: run_crawls fails before crawling
    try:
        run_crawls(load_config(None), [CrawlJob(WatchSpider)])
    except ValueError as exc:
        failed.append(str(exc))
        assert "main thread" in str(exc), exc

thread = threading.Thread(target=crawl)
thread.start()
thread.join()
print(len(failed), len(judges._AHEAD), flush=True)
"""


def test_crawls_that_fail_before_starting_let_their_processes_go(home: Path) -> None:
    with (home / "repostwatch.toml").open("a", encoding="utf-8") as config_file:
        config_file.write("[crawl]\njudge_processes = 1\n")
    stdout = run_python(_FAILING_EARLY, home)
    assert stdout.split() == ["1", "0"]  # it failed, and no spare is left waiting
