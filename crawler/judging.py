"""Judging fetched pages and recording them, a batch at a time: the work the pipeline does in
the crawl's threads, or hands to judging processes (``REPOSTWATCH_JUDGE_PROCESSES``).

A judging process imports this module and what it needs (the matcher, the config, the store)
and nothing of Scrapy: a process starts in about half the time (``crawler.pipelines`` pulls in
Scrapy, Twisted and aiohttp, ~0.4 s of imports a process on this machine).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from matcher import Assessment, CreditRule, FingerprintIndex, Page, assess
from repostwatch.config import Config

from .items import GONE_STATUSES, FetchedPage
from .sniff import utf8_of
from .targets import Target, decoded

if TYPE_CHECKING:
    from repostwatch.store import Store

__all__ = ["OPEN", "Outcome", "assess_in_processes", "judge", "judge_and_record", "judging_pool",
           "outcome_of", "page_of", "serve", "worker_judge", "worker_open", "worker_ready"]

PAGES_A_TASK = 20  # pages judged by one task of ``assess_in_processes``


@dataclass(frozen=True)
class Outcome:
    """What the crawl stats need of one judged page (small: it crosses processes)."""

    judged: bool  # False: gone (404 / 410), not judged
    gone: int = 0  # findings of the page marked gone
    evidence_kept: bool = False
    verdict: str = "none"
    credit_status: str | None = None  # for copies
    lacks_credit: bool = False


def judge_and_record(store: Store, index: FingerprintIndex, config: Config,
                     rules: Mapping[str, CreditRule], items: Sequence[FetchedPage],
                     run_id: int | None) -> list[Outcome]:
    """Judge each of ``items`` (unless gone) and record them all in one transaction."""
    from repostwatch.store import PageRecord

    records = []
    for item in items:
        page = page_of(item)  # one parse serves the judgement and the record
        records.append(PageRecord(judge(page, item.status, index, rules, config), page,
                                  status=item.status, run_id=run_id, headers=item.headers,
                                  body=item.body, encoding=item.encoding))
    recorded = store.record_pages(records)
    return [outcome_of(r.result, done) for r, done in zip(records, recorded, strict=True)]


def page_of(item: FetchedPage) -> Page:
    return Page(item.url, item.html, final_url=item.final_url, fetched_at=item.fetched_at,
                utf8=utf8_of(item.encoding, item.body, item.html))


def judge(page: Page, status: int, index: FingerprintIndex, rules: Mapping[str, CreditRule],
          config: Config) -> Assessment | None:
    """The judgement of a fetched page; None for a page that answered 404 / 410 (``status``):
    it is gone, and so are the copies it held."""
    if status in GONE_STATUSES:
        return None
    return assess(page, index, rules, thresholds=config.thresholds)


def outcome_of(result: Any, recorded: Any) -> Outcome:
    copy = result is not None and result.is_copy and result.credit is not None
    return Outcome(
        judged=result is not None, gone=recorded.gone,
        evidence_kept=recorded.version_id is not None,
        verdict=result.verdict if copy else "none",
        credit_status=result.credit.status if copy else None,
        lacks_credit=bool(copy and result.lacks_credit))


_WORKER: dict[str, Any] = {}  # in a judging process: its store, index and config


def worker_open(config: Config, crawl_pid: int, recording: bool = True) -> None:
    """Initializer of a judging process: ``worker_ready``, then open the store and the index.
    A process that records nothing (``check``'s) reads a SQLite store without SQLAlchemy where
    it can (``repostwatch.store.readonly``: ~0.3 s less to start)."""
    worker_ready(crawl_pid)
    _open(config, recording)


def worker_ready(crawl_pid: int) -> None:
    """Ctrl-C and SIGTERM (sent to the whole process group by a terminal or a service manager)
    are the crawl's to handle: it stops gracefully, and the pages in flight must still be
    judged and recorded here. A process whose crawl has gone ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def leave_with_the_crawl() -> None:
        # A crawl killed outright (SIGKILL) cannot shut its pool down: a worker that finds
        # itself orphaned exits, instead of lingering with the crawl's stderr open. The crawl's
        # pid comes from the crawl itself: it may be dead before this worker got here.
        while os.getppid() == crawl_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=leave_with_the_crawl, daemon=True).start()


def _open(config: Config, recording: bool) -> None:
    if not recording:
        from repostwatch.store.readonly import open_for_judging

        quick = open_for_judging(config.database_url, config.index_cache, config.rules)
        if quick is not None:  # open for the life of the process
            _WORKER.update(config=config, reader=quick.reader, rules=quick.rules,
                           index=quick.index)
            return
    from repostwatch.store import Store
    from repostwatch.store.reviews import allowed_rules

    store = Store.open(config.database_url, migrate=False)
    _WORKER.update(config=config, store=store, rules=allowed_rules(store, config.rules),
                   index=store.load_index(cache_dir=config.index_cache))


def judging_pool(config: Config, processes: int, *, recording: bool = True
                 ) -> ProcessPoolExecutor:
    """``processes`` judging processes, spawned (a fork would copy the crawl's reactor and
    threads) and opened by ``worker_open``; ``recording=False``: they only judge."""
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=worker_open,
                               initargs=(config, os.getpid(), recording))


def worker_judge(items: Sequence[FetchedPage], run_id: int | None) -> list[Outcome]:
    return judge_and_record(_WORKER["store"], _WORKER["index"], _WORKER["config"],
                            _WORKER["rules"], items, run_id)


def worker_assess(targets: Sequence[Target]) -> list[Assessment]:
    """``assess`` the page of each target in a judging process (a JSON Lines record is
    decoded here: ``UsageError`` for a bad one); nothing is recorded."""
    config: Config = _WORKER["config"]
    return [assess(Page(t.url, t.html or "", final_url=t.final_url, utf8=t.utf8),
                   _WORKER["index"], _WORKER["rules"], thresholds=config.thresholds)
            for t in map(decoded, targets)]


def assess_in_processes(targets: Sequence[Target], config: Config,
                        processes: int) -> list[Assessment]:
    """``assess`` the page of each target (in hand, or a JSON Lines record) in ``processes``
    judging processes, with the store's allow-list counted (as ``worker_open`` loads it);
    results in the order given. A bad record raises ``UsageError`` naming the first.

    Ctrl-C cancels what has not started: the pages being judged finish, no more are begun."""
    # Sent without their UTF-8 (``Target.utf8``): pickling the bytes costs what they save.
    light = [replace(t, utf8=None) for t in targets]
    tasks = [light[i:i + PAGES_A_TASK] for i in range(0, len(light), PAGES_A_TASK)]
    pool = judging_pool(config, processes, recording=False)
    try:
        results = [result for done in pool.map(worker_assess, tasks) for result in done]
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


OPEN = b"open"
"""The first frame a crawl sends its judging process (``crawler.judges``): the store and its
index cache are ready (migrated, up to date), open them."""


def serve(requests: Connection, answers: Connection, config: Config, crawl_pid: int) -> None:
    """A crawl's judging process (``crawler.judges``, which feeds it): import the store's code
    while the crawl starts, open the store and the index once the crawl says ``OPEN``, then
    judge and record each batch read from ``requests`` and write its outcomes (or its
    exception) to ``answers``, until the crawl closes ``requests``. Here, not beside the
    feeding, so that the process imports no asyncio (~40 ms)."""
    worker_ready(crawl_pid)
    # What takes long comes first, while the crawl starts: SQLAlchemy's imports (~0.3 s).
    for module in ("repostwatch.store.db", "repostwatch.store.reviews"):
        importlib.import_module(module)

    try:
        first = requests.recv_bytes()
    except EOFError:  # let go before the crawl started
        return
    try:
        if first != OPEN:
            raise RuntimeError(f"a judging process was sent {first[:20]!r} before {OPEN!r}")
        _open(config, recording=True)
    except Exception:  # the crawl stops on our exit, and says that our error is above
        traceback.print_exc()
        sys.exit(1)
    while True:
        try:
            # Our own crawl's pickles, over a pipe only it holds (as multiprocessing's are).
            items, run_id = pickle.loads(requests.recv_bytes())  # noqa: S301
        except EOFError:  # the crawl is done with us
            return
        try:
            data = pickle.dumps(("ok", worker_judge(items, run_id)),
                                protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = _error(exc, traceback.format_exc())
        answers.send_bytes(data)


def _error(exc: Exception, trace: str) -> bytes:
    """The answer for a batch that raised ``exc``: the exception and its traceback here, as
    one that the crawl can load (a pickled exception may not load: one whose constructor
    wants other arguments than it keeps); else a ``RuntimeError`` with its words."""
    try:
        data = pickle.dumps(("error", exc, trace), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)  # noqa: S301 (our own)
    except Exception:
        data = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), trace))
    return data
