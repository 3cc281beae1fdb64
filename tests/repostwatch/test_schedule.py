"""`repostwatch schedule`: fire times, and the service loop driven by an injected clock while
it runs real cycles (`repostwatch run` in child processes) on the sandbox web."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.sandbox import demo_config
from repostwatch.config import load_config
from repostwatch.cron import CronError, parse_cron
from repostwatch.errors import ConfigError
from repostwatch.schedule import CycleProcess, Schedule, serve
from repostwatch.store import Store

pytestmark = pytest.mark.timeout(240)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_next_fire_is_the_first_after_now_across_expressions() -> None:
    plan = Schedule(("0 6 * * *", "30 18 * * 1-5"), UTC)
    assert plan.next_fire(_at("2026-11-27 05:59:59")) == _at("2026-11-27 06:00")
    assert plan.next_fire(_at("2026-11-27 06:00")) == _at("2026-11-27 18:30")  # strictly after
    assert plan.next_fire(_at("2026-11-28 07:00")) == _at("2026-11-29 06:00")  # Saturday
    assert plan.fires_between(_at("2026-11-27 00:00"), _at("2026-11-28 23:59")) == 3


def test_fire_times_follow_the_configured_zone() -> None:
    berlin = Schedule(("0 6 * * *",), ZoneInfo("Europe/Berlin"))
    assert berlin.next_fire(_at("2026-11-27 12:00")) == _at("2026-11-28 05:00")  # CET
    assert berlin.next_fire(_at("2026-07-01 12:00")) == _at("2026-07-02 04:00")  # CEST


def test_bad_cron_expressions_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CronError, match="needs 5 fields"):
        parse_cron("0 6 * *")
    with pytest.raises(CronError, match="not a valid cron expression"):
        parse_cron("61 * * * *")
    path = tmp_path / "repostwatch.toml"
    path.write_text('[schedule]\ncron = ["0 6 * * 1", "0 25 * * *"]\n')
    with pytest.raises(ConfigError, match=r"line 2: schedule.cron: '0 25 \* \* \*' is not a"):
        load_config(path, env={})
    path.write_text('[schedule]\ncron = ["0 6 * * 1"]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"line 3: schedule\.timezone: unknown time zone"):
        load_config(path, env={})


class _Service:
    """Drives ``serve``: a fake clock that moves when the service waits, and what happens
    between fires (the test's own moves, by what the service has logged so far)."""

    def __init__(self, home: Path, good_config: str, lock: Path) -> None:
        self.now = _at("2026-11-27 05:59")
        self.log: list[str] = []
        self.home, self.good_config = home, good_config
        self.lock = lock.open("a+")
        fcntl.flock(self.lock, fcntl.LOCK_EX)  # a run in progress holds the lock at 06:00
        self.cycle = CycleProcess.for_config(home / "repostwatch.toml")

    def clock(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        ended = [line for line in self.log if " ended: " in line]
        if any("skipped" in line for line in self.log) and not self.lock.closed:
            self.lock.close()  # that run is over
        if len(ended) == 1:  # the failing cycle is done: fix the config for the next one
            (self.home / "repostwatch.toml").write_text(self.good_config)
        return len(ended) == 2

    def run_cycle(self) -> int:
        code = self.cycle()  # a real `repostwatch run`, in a child process
        self.now += timedelta(minutes=90)  # it took long: the next hour's fire passes
        return code


def test_the_service_skips_overlaps_survives_a_failed_cycle_and_goes_on(
        tmp_path: Path, sandbox) -> None:
    good = demo_config(sandbox.proxy_url)
    broken = good.replace('originals = ["http://daily-planet.test/sitemap.xml"]',
                          'originals = ["http://daily-planet.test/no-such-feed.xml"]')
    assert broken != good
    (tmp_path / "repostwatch.toml").write_text(broken)
    (tmp_path / "repostwatch-jobs").mkdir()
    service = _Service(tmp_path, good, tmp_path / "repostwatch-jobs" / "run.lock")
    serve(Schedule(("0 * * * *",), UTC), tmp_path / "repostwatch-jobs", service.run_cycle,
          clock=service.clock, wait=service.wait, log=service.log.append)
    log = service.log
    assert log[0].startswith("next cycle: 2026-11-27 06:00 UTC (in 1 min 0 s)")
    assert log[1].startswith("cycle of 2026-11-27 06:00 UTC skipped: another run is in "
                             "progress")
    assert "cycle of 2026-11-27 07:00 UTC started" in log
    assert "cycle of 2026-11-27 07:00 UTC ended: a stage failed (exit 3) after 1 h 30 min" in log
    assert "skipped 1 fire that came while the cycle ran" in log
    assert "next cycle: 2026-11-27 09:00 UTC (in 30 min 0 s)" in log  # it went on
    assert "cycle of 2026-11-27 09:00 UTC ended: ok (exit 0) after 1 h 30 min" in log
    store = Store.open(f"sqlite:///{tmp_path / 'repostwatch.db'}")
    try:
        kinds = [r.kind for r in store.runs(None)]
        findings = store.findings()
    finally:
        store.close()
    assert kinds.count("recheck") == kinds.count("watch") == 2  # two real cycles
    assert findings  # the second cycle imported the originals and found copies
    assert len(list((tmp_path / "reports").glob("*.html"))) == 2


def _service(home: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    return subprocess.Popen([sys.executable, "-m", "repostwatch", "schedule"], cwd=home, env=env,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(("how", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_the_service_prints_the_next_fire_and_stops_on_a_signal(
        tmp_path: Path, how: signal.Signals, code: int) -> None:
    (tmp_path / "repostwatch.toml").write_text(
        '[[publications]]\nname = "P"\n[schedule]\ncron = ["0 6 1 1 *"]\ntimezone = "UTC"\n')
    service = _service(tmp_path)
    assert service.stderr is not None
    lines = [service.stderr.readline() for _ in range(2)]
    assert "schedule: 0 6 1 1 * (UTC)" in lines[0]
    assert "next cycle: 2027-01-01 06:00 UTC (in " in lines[1]
    service.send_signal(how)
    rest = service.communicate(timeout=30)[1]
    assert service.returncode == code, rest
    assert "schedule stopped" in rest


def test_the_service_needs_cron_expressions(tmp_path: Path) -> None:
    (tmp_path / "repostwatch.toml").write_text('[[publications]]\nname = "P"\n')
    service = _service(tmp_path)
    err = service.communicate(timeout=60)[1]
    assert service.returncode == 2
    assert "no [schedule] cron in" in err and '"0 6 * * 1"' in err


def test_a_stop_during_a_cycle_stops_it_gracefully_and_ends_the_service(
        tmp_path: Path, sandbox) -> None:
    import threading

    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    lock = tmp_path / "repostwatch-jobs" / "run.lock"
    cycle = CycleProcess.for_config(tmp_path / "repostwatch.toml")
    stop = threading.Event()
    log: list[str] = []
    now = [_at("2026-11-27 05:59")]

    def wait(seconds: float) -> bool:
        now[0] += timedelta(seconds=seconds)
        return stop.is_set()

    def holder() -> str:
        return lock.read_text().strip() if lock.exists() else ""

    def stop_when_running() -> None:  # what SIGTERM does, once the cycle's `run` holds the lock
        while holder() in ("", f"pid {os.getpid()}"):  # (the service's own probe: not yet)
            threading.Event().wait(0.05)
        stop.set()
        cycle.stop()

    watcher = threading.Thread(target=stop_when_running)
    watcher.start()
    serve(Schedule(("0 * * * *",), UTC), lock.parent, cycle, clock=lambda: now[0], wait=wait,
          log=log.append)
    watcher.join(30)
    assert "cycle of 2026-11-27 06:00 UTC ended: interrupted (exit 130) after 0 s" in log
    assert not any("07:00" in line for line in log)  # no further cycle
