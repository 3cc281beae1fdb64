"""A crawl's judging processes, fed batches over pipes by the crawl's own event loop.

A ``ProcessPoolExecutor`` hands every batch over through two threads of the crawl process (the
pool's manager, its queue's feeder), and each of them must get the GIL from the event loop,
which is busy downloading: a hand-over waits up to the interpreter's switch interval (5 ms),
and a crawl of 5,000 pages spent ~1.2 CPU s more in its own process than one yielding its pages
to no pipeline, measured with judging processes that did nothing (``docs/crawling.md``). Here
each process has a pipe each way, written and read by the event loop (asyncio's pipe
transports): the crawl process runs no thread for them, a batch is one write and its answer
one read.

Each process runs ``serve``: it imports what it needs (SIGINT and SIGTERM are the crawl's to
handle), waits for ``OPEN``, opens the store and the index, then reads a batch, judges and
records it (``worker_judge``) and writes the outcomes back, until its pipe closes. The runner
spawns the processes of a crawl before it imports Scrapy's crawler machinery and sets the crawl
up (``spawn_ahead``), so that their start (~0.6 s of imports) runs beside that on another core,
and the pipeline takes them (``Judges.for_crawl``) and sends ``OPEN`` once it has opened the
store (migrated it) and brought the index cache up to date. Measured on ``benchmarks/crawl.py
--quick``: the judging process was ready 0.01-0.03 s after the crawl's clock started, against
0.76-1.05 s when spawned as the spider opened. An exception of a batch (the store failing) is
sent back and raised where the batch was sent. A process that ends (it could not open the
store, or it was killed) breaks them all, as a broken pool did: every batch under way and every
later one fails with ``BrokenProcessPool``, and the pipeline stops the crawl.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from repostwatch.config import Config

from .items import FetchedPage
from .judging import OPEN, Outcome, serve

__all__ = ["JUDGE_PROCESSES_SETTING", "Judges", "judging_processes", "release_ahead",
           "spawn_ahead", "stores_pages"]

JUDGE_PROCESSES_SETTING = "REPOSTWATCH_JUDGE_PROCESSES"  # 0 (default): judge in threads
_STORE_PIPELINE = "crawler.pipelines.StorePipeline"

PIPE_BYTES = 1 << 20
"""Each pipe's buffer, where the system allows it (Linux: up to ``/proc/sys/fs/pipe-max-size``,
1 MiB by default): a batch waiting in a pipe is read by its process without waiting for the
busy event loop to write the rest of it."""
_F_SETPIPE_SZ = 1031  # fcntl's F_SETPIPE_SZ (Linux 2.6.35+; the fcntl module names it from 3.10)
_WAIT_EXIT_S = 30.0  # how long a process has to finish once its pipe is closed
_REAP_S = 0.5  # how long a process whose pipe closed has to be reaped (its exit code)


def _frame(data: bytes) -> bytes:
    """``data`` framed as ``Connection.send_bytes`` frames it (``recv_bytes`` reads it)."""
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!iQ", -1, len(data)) + data
    return struct.pack("!i", len(data)) + data


class _Answers(asyncio.Protocol):
    """Reads the frames a judging process writes back and hands each to ``deliver``."""

    def __init__(self, judges: Judges, process: _Process) -> None:
        self._judges = judges
        self._process = process
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 4:
            (size,) = struct.unpack_from("!i", buffer)
            head = 4
            if size == -1:
                if len(buffer) < 12:
                    return
                (size,) = struct.unpack_from("!Q", buffer, 4)
                head = 12
            if len(buffer) < head + size:
                return
            frame = bytes(buffer[head:head + size])
            del buffer[:head + size]
            try:
                answer = pickle.loads(frame)  # noqa: S301 (our process's)
            except Exception as exc:  # cannot happen by design (``_error``): never hang on it
                self._judges.lost(self._process, f"sent an answer that cannot be read ({exc})")
                return
            self._process.deliver(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._process.ended is not None and not self._process.ended.done():
            self._process.ended.set_result(None)
        self._judges.lost(self._process, "ended")


class _Process:
    """One judging process: its pipes (their transports once started) and the batches it has
    not answered."""

    def __init__(self, process: BaseProcess, to_process: Connection,
                 from_process: Connection) -> None:
        self.process = process
        self.pipes: tuple[Connection, Connection] | None = (to_process, from_process)
        self.requests: asyncio.WriteTransport | None = None
        self.answers: asyncio.ReadTransport | None = None
        self.writing: Any = None  # the file under ``requests`` (closed at exit: see Judges)
        self.reading: Any = None  # the file under ``answers``
        self.waiting: deque[asyncio.Future[list[Outcome]]] = deque()
        self.ended: asyncio.Future[None] | None = None

    def deliver(self, answer: tuple[Any, ...]) -> None:
        if not self.waiting:  # its batches were failed already (``Judges.lost``)
            return
        future = self.waiting.popleft()
        if future.done():  # cancelled: the crawl no longer waits for it
            return
        if answer[0] == "ok":
            future.set_result(answer[1])
        else:
            _, exc, trace = answer
            exc.add_note(f"in judging process {self.process.name}:\n{trace.rstrip()}")
            future.set_exception(exc)


class Judges:
    """``processes`` judging processes for a crawl, spawned at once: each imports what it needs
    (~0.6 s) while the crawl starts, and opens the store and the index when ``start`` says so,
    in the crawl's event loop, once the crawl has opened them (the store migrated, the index
    cache up to date)."""

    def __init__(self, config: Config, processes: int) -> None:
        if processes < 1:
            raise ValueError("at least one judging process")
        self.config = config
        self.ahead = False  # spawned by ``spawn_ahead``, before the crawl was made
        self._processes: list[_Process] = []
        self._broken: BrokenProcessPool | None = None
        context = multiprocessing.get_context("spawn")  # a fork would copy the reactor
        atexit.register(self._let_go)
        for n in range(processes):
            requests, to_process = context.Pipe(duplex=False)
            from_process, answers = context.Pipe(duplex=False)
            process = context.Process(
                target=serve, name=f"repostwatch-judge-{n + 1}", daemon=True,
                args=(requests, answers, config, os.getpid()))
            with _signals_held():
                process.start()
            requests.close()
            answers.close()
            self._processes.append(_Process(process, to_process, from_process))

    def __len__(self) -> int:
        return len(self._processes)

    @classmethod
    def for_crawl(cls, config: Config, processes: int) -> Judges:
        """The processes ``spawn_ahead`` spawned for ``config``, else ``processes`` new ones
        (spares of another config or count are let go)."""
        if _AHEAD and _AHEAD[0].config == config and len(_AHEAD[0]) == processes:
            return _AHEAD.pop()
        release_ahead()
        return cls(config, processes)

    def _let_go(self) -> None:
        """At exit without ``close`` (a second Ctrl-C stops the reactor at once, or the crawl
        never started): close the pipes to the processes, which then end once their batch is
        done. They ignore SIGTERM (it is the crawl's to handle), so multiprocessing's own exit,
        which terminates and then joins them, would otherwise wait for them for ever."""
        for one in self._processes:
            if one.writing is not None:
                one.writing.close()
        self._let_go_unstarted()

    def _let_go_unstarted(self) -> None:
        """Close the pipes of processes never started: each ends where it waits for ``OPEN``."""
        for one in self._processes:
            if one.pipes is not None:
                for end in one.pipes:
                    end.close()
                one.pipes = None

    async def start(self) -> None:
        """Connect the processes' pipes to the event loop and tell each to open the store and
        the index (``OPEN``): call it once the crawl has opened them."""
        loop = asyncio.get_running_loop()
        for one in self._processes:
            if one.pipes is None:
                raise RuntimeError("these judging processes were let go")
            to_process, from_process = one.pipes
            for end in (to_process, from_process):
                _widen(end.fileno())
            # The transports own duplicates of the pipes' ends; the connections are let go
            # (kept in ``pipes`` until then, for ``close`` to find whatever fails here).
            one.writing = os.fdopen(os.dup(to_process.fileno()), "wb", buffering=0)
            one.reading = os.fdopen(os.dup(from_process.fileno()), "rb", buffering=0)
            to_process.close()
            from_process.close()
            one.pipes = None
            one.ended = loop.create_future()
            one.requests, _ = await loop.connect_write_pipe(asyncio.Protocol, one.writing)
            one.answers, _ = await loop.connect_read_pipe(partial(_Answers, self, one),
                                                          one.reading)
            one.requests.write(_frame(OPEN))

    async def judge(self, items: Sequence[FetchedPage], run_id: int | None) -> list[Outcome]:
        """Judge and record ``items`` in the process with the fewest batches under way."""
        if self._broken is not None:
            raise self._broken
        one = min(self._processes, key=lambda p: len(p.waiting))
        assert one.requests is not None, "start() first"
        frame = _frame(pickle.dumps((list(items), run_id), protocol=pickle.HIGHEST_PROTOCOL))
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        one.waiting.append(future)  # answers come in the order the batches were written
        one.requests.write(frame)
        return await future

    def lost(self, one: _Process, what: str) -> None:
        """``one`` no longer answers (``what`` it did): expected after ``close``; else every
        batch under way and every later one fails."""
        if not one.waiting and self._broken is not None:
            return  # closed, with nothing asked of it
        if what == "ended":
            # Its pipe closed as it exited: reaped, its exit code tells how (a signal, ...).
            one.process.join(_REAP_S)
            code = one.process.exitcode
            what += f" (exit code {code})" if code is not None else ""
        dead = BrokenProcessPool(f"judging process {one.process.name} {what}")
        if self._broken is None:
            self._broken = dead
        for p in self._processes:
            while p.waiting:
                future = p.waiting.popleft()
                if not future.done():
                    future.set_exception(dead)

    async def close(self) -> None:
        """Close the pipes (each process answers the batches it has, then ends) and wait for
        the processes to end; one still running after ``_WAIT_EXIT_S`` is killed (they ignore
        SIGTERM: it is the crawl's)."""
        self._broken = self._broken or BrokenProcessPool("the judging processes are closed")
        for one in self._processes:
            if one.requests is not None:
                one.requests.close()
            elif one.writing is not None:  # ``start`` failed half-way for this one
                one.writing.close()
        self._let_go_unstarted()
        for one in self._processes:
            await asyncio.to_thread(one.process.join, _WAIT_EXIT_S)
            if one.process.is_alive():
                one.process.kill()
                await asyncio.to_thread(one.process.join, _WAIT_EXIT_S)
            if one.answers is not None:  # its last answers, read to the end
                assert one.ended is not None  # made before its answers' transport
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(one.ended), _WAIT_EXIT_S)
                one.answers.close()
            elif one.reading is not None:  # ``start`` failed before it had a transport
                one.reading.close()
        self._processes = []
        atexit.unregister(self._let_go)


_AHEAD: list[Judges] = []  # spawned by ``spawn_ahead``, not yet taken by a crawl (one at most)


def spawn_ahead(config: Config, processes: int) -> None:
    """Spawn the judging processes of this process's next crawl now (none when ``processes``
    is 0), so that they import while Scrapy starts the crawl (~0.6 s either way, on two
    cores): its pipeline takes them (``Judges.for_crawl``)."""
    if processes > 0 and not _AHEAD:
        judges = Judges(config, processes)
        judges.ahead = True
        _AHEAD.append(judges)


def release_ahead() -> None:
    """Let go of processes spawned ahead and not taken (their crawl failed before opening):
    each ends where it waits for ``OPEN``."""
    while _AHEAD:
        spare = _AHEAD.pop()
        spare._let_go_unstarted()
        atexit.unregister(spare._let_go)
        # Each ends once it reads the end of its pipe; multiprocessing reaps it at the next
        # spawn or at exit (a join here would wait for its imports).


def judging_processes(spider: str, settings: BaseSettings) -> int:
    """How many judging processes the store pipeline starts for a crawl by the spider named
    ``spider`` with ``settings``: ``JUDGE_PROCESSES_SETTING``, none for the ``originals``
    crawl (whose pages it keeps as originals, unjudged)."""
    if spider == "originals":
        return 0
    return max(0, settings.getint(JUDGE_PROCESSES_SETTING, 0))


def stores_pages(settings: BaseSettings) -> bool:
    """Whether a crawl with ``settings`` runs the store pipeline (or one made from it)."""
    for pipeline in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
        if pipeline == _STORE_PIPELINE:  # the usual case: nothing to import
            return True
        cls = load_object(pipeline) if isinstance(pipeline, str) else pipeline
        if any(f"{c.__module__}.{c.__qualname__}" == _STORE_PIPELINE
               for c in getattr(cls, "__mro__", ())):
            return True
    return False


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """A process spawned meanwhile starts with SIGINT and SIGTERM ignored (they are the
    crawl's to handle: ``worker_ready`` keeps them so), so that a Ctrl-C in its first ~0.6 s
    neither kills it nor prints its traceback. This process ignores them too for as long as
    the spawn takes (a fork and an exec: milliseconds; a Ctrl-C then is lost, and the next one
    counts). Only where signals can be set (Unix, the main thread)."""
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers: dict[signal.Signals, Any] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) is not None:  # None: set outside Python, left alone
                handlers[sig] = signal.signal(sig, signal.SIG_IGN)
        yield
    finally:
        for held, handler in handlers.items():
            signal.signal(held, handler)


def _widen(fd: int) -> None:
    """Give the pipe ``fd`` a ``PIPE_BYTES`` buffer where the system allows (else keep its
    own: 64 KiB on Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl

    with contextlib.suppress(OSError):  # above the system's limit: the default works, slower
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)
