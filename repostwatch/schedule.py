"""``repostwatch schedule``: a long-running service that runs cycles at cron times.

Each fire runs ``repostwatch run`` (the same command, so the same run function and the same
``run.lock``, ``repostwatch.cycle``) in a child process: a Twisted reactor cannot be started twice
in one process, and a cycle that crashes must not take the service with it. A fire whose time
comes while a cycle holds the lock (this service's own, a cron ``run``, a person's) is skipped
and logged; fires that pass while this service's own cycle runs are counted and skipped, never
queued. A failed cycle (exit 3, or anything else) is logged and the service waits for the next
fire. SIGTERM or Ctrl-C stops the service; a cycle in progress is asked to stop gracefully
(SIGINT: what is in flight is finished and stored) and waited for.

Cron expressions (five fields, ``[schedule] cron``) are read by cronsim (docs/dependencies.md)
in ``[schedule] timezone`` (default: the machine's local time, as cron does).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from .errors import UsageError

__all__ = ["CycleProcess", "Schedule", "install_stop_handlers", "serve"]

_MAX_WAIT_S = 60.0  # the clock is read again at least this often (suspend, clock changes)
_FIRES_COUNTED = 1000  # at most this many skipped fires are counted after a long cycle


@dataclass(frozen=True)
class Schedule:
    """Cron expressions in one time zone: when the next cycle is due."""

    crons: tuple[str, ...]
    tz: tzinfo

    def next_fire(self, after: datetime) -> datetime:
        """The first fire strictly after ``after`` (tz-aware), in the schedule's zone."""
        from cronsim import CronSim

        local = after.astimezone(self.tz).replace(tzinfo=None)
        # cronsim walks naive wall-clock times; the zone is applied to its answer (a fire in
        # a skipped DST hour then lands an hour later, as with cron).
        return min(next(CronSim(expr, local)) for expr in self.crons).replace(tzinfo=self.tz)

    def fires_between(self, start: datetime, end: datetime) -> int:
        """How many fires fall in (``start``, ``end``], counted up to ``_FIRES_COUNTED``."""
        count, when = 0, start
        while count < _FIRES_COUNTED:
            when = self.next_fire(when)
            if when > end:
                break
            count += 1
        return count


class CycleProcess:
    """Runs one cycle as ``repostwatch run`` in a child process; ``stop`` interrupts it."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = list(argv)
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_config(cls, config_path: Path | None, *, fmt: str = "html",
                   flags: Sequence[str] = ()) -> CycleProcess:
        where = ["--config", str(config_path)] if config_path else []
        return cls([sys.executable, "-m", "repostwatch", *flags, *where, "run", "-f", fmt])

    def __call__(self) -> int:
        with self._lock:
            # our own interpreter and arguments; its stderr is the service's
            self._child = subprocess.Popen(self.argv)  # noqa: S603
        try:
            return self._child.wait()
        finally:
            with self._lock:
                self._child = None

    def stop(self) -> None:
        """Ask the running cycle (if any) to stop as Ctrl-C does: gracefully."""
        with self._lock:
            if self._child is not None and self._child.poll() is None:
                self._child.send_signal(signal.SIGINT)


_OUTCOMES = {0: "ok", 2: "not started (usage or configuration error, or another run in "
                        "progress)", 3: "a stage failed", 130: "interrupted"}


def serve(schedule: Schedule, lock_dir: Path, run_cycle: Callable[[], int], *,
          clock: Callable[[], datetime], wait: Callable[[float], bool],
          log: Callable[[str], None]) -> None:
    """Run ``run_cycle`` at every fire of ``schedule`` until ``wait`` says to stop.

    ``clock`` gives the time (tz-aware); ``wait(seconds)`` sleeps and returns True when the
    service must stop (an ``Event.wait``). Both are injected so that tests drive the loop.
    """
    from .locks import run_lock

    def stamp(when: datetime) -> str:
        return when.astimezone(schedule.tz).strftime("%Y-%m-%d %H:%M %Z")

    while True:
        now = clock()
        due = schedule.next_fire(now)
        log(f"next cycle: {stamp(due)} (in {_span(due - now)})")
        while (left := (due - clock()).total_seconds()) > 0:
            if wait(min(left, _MAX_WAIT_S)):
                return
        try:
            with run_lock(lock_dir):
                pass  # free now: the cycle's own `run` takes it for its whole length
        except UsageError as exc:
            log(f"cycle of {stamp(due)} skipped: {exc}")
            continue
        log(f"cycle of {stamp(due)} started")
        code = run_cycle()
        ended = clock()
        log(f"cycle of {stamp(due)} ended: {_OUTCOMES.get(code, 'failed')} (exit {code}) "
            f"after {_span(ended - due)}")
        missed = schedule.fires_between(due, ended)
        if missed:
            log(f"skipped {missed} fire{'' if missed == 1 else 's'} that came while the cycle "
                "ran")
        if wait(0):
            return


def _span(delta: timedelta) -> str:
    """A duration for people: ``2 d 3 h``, ``5 h 12 min``, ``40 s``."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def install_stop_handlers(stop: threading.Event, cycle: CycleProcess) -> list[int]:
    """SIGTERM and SIGINT stop the service (and ask a running cycle to stop); returns the
    signals received, in order, for the exit code."""
    received: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signum)
        stop.set()
        if signum == signal.SIGTERM:
            cycle.stop()  # Ctrl-C reaches the child by itself (same process group)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return received
