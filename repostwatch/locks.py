"""Locks on the job folder (``[crawl] job_dir``): one crawl of a job at a time, and no crawl
while a ``repostwatch run`` cycle holds the folder.

    run.lock    exclusive: ``run`` (the whole cycle), for its whole length
                shared: every crawl, for its whole length
    JOB.lock    exclusive: the one crawl of JOB (``crawl``, ``recheck``, ``search``, ``scan``,
                ``originals``), for its whole length

So two crawls of one job never overlap (two would fetch every page twice and share one Scrapy
queue), a crawl never runs beside a cycle and a cycle never starts beside a crawl: whoever
comes second is refused at once with ``UsageError`` (exit 2) naming the holder's pid. Crawls of
different jobs may run together. The locks are ``flock(2)`` locks: the kernel releases them
when the holder's process ends, however it ends (crashed, killed), so a lock is never stale.
Each holder writes ``pid N`` into its lock file for the message and empties it when it lets
go. The workers of a distributed crawl take no lock: their fleet shares one queue in Redis.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import UsageError

__all__ = ["RUN_LOCK", "job_lock", "run_lock"]

RUN_LOCK = "run.lock"
"""The cycle's lock file in the job folder."""


@contextmanager
def _flock(path: Path, mode: int) -> Iterator[IO[str] | None]:
    """``path`` opened and locked (``fcntl.LOCK_EX`` or ``LOCK_SH``) for the block, or None
    when another process holds a lock that excludes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def _holding(fh: IO[str]) -> Iterator[None]:
    """Our pid in the lock file ``fh`` (locked exclusively) while the block runs."""
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    try:
        yield
    finally:
        fh.seek(0)
        fh.truncate()
        fh.flush()


def _holder(path: Path) -> str:
    """Who holds ``path``, as its lock file says ("pid 4242")."""
    try:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


def _running_crawls(folder: Path) -> str:
    """The crawls holding a job lock in ``folder`` ("recheck: pid 12, crawl: pid 34")."""
    found = []
    for path in sorted(folder.glob("*.lock")):
        if path.name == RUN_LOCK:
            continue
        with _flock(path, fcntl.LOCK_SH) as fh:  # a probe: only an exclusive holder stops it
            if fh is None:
                found.append(f"{path.stem}: {_holder(path)}")
    return ", ".join(found) or "another process"


@contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold the job folder ``folder`` for a whole cycle. ``UsageError`` (exit 2) while another
    run or any crawl holds it."""
    path = folder / RUN_LOCK
    with _flock(path, fcntl.LOCK_EX) as fh:
        if fh is None:
            with _flock(path, fcntl.LOCK_SH) as probe:
                by_crawls = probe is not None  # shared holders only: crawls, not a run
            if by_crawls:
                raise UsageError(f"a crawl is in progress ({_running_crawls(folder)}): not "
                                 "starting a run", hint="start the run when it has ended")
            raise UsageError(f"another run is in progress ({_holder(path)}): not starting a "
                             "second one", hint=f"it holds {path}; it is released when that "
                                                "run ends")
        with _holding(fh):
            yield


@contextmanager
def job_lock(folder: Path, job: str, *, what: str | None = None) -> Iterator[None]:
    """Hold the lock of ``job`` (a name such as ``crawl``, ``recheck``, ``scan``) in the job
    folder ``folder`` for one crawl, and the folder shared against a ``run``. ``what`` names
    the crawl in messages (default: ``job``). ``UsageError`` (exit 2) while a run holds the
    folder or another crawl of ``job`` holds its lock; ``ValueError`` for a bad job name."""
    if not re.fullmatch(r"[\w-]+", job) or f"{job}.lock" == RUN_LOCK:
        raise ValueError(f"{job!r} cannot name a job lock")
    what = what or job
    run_path = folder / RUN_LOCK
    with _flock(run_path, fcntl.LOCK_SH) as shared:
        if shared is None:
            raise UsageError(f"a `repostwatch run` is in progress ({_holder(run_path)}): not "
                             f"starting the {what}", hint=f"the cycle crawls too; start the "
                                                         f"{what} when it has ended")
        path = folder / f"{job}.lock"
        with _flock(path, fcntl.LOCK_EX) as fh:
            if fh is None:
                raise UsageError(f"another {what} is in progress ({_holder(path)}): not "
                                 "starting a second one",
                                 hint=f"it holds {path}; it is released when that {what} ends")
            with _holding(fh):
                yield
