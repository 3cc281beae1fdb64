"""Distributed crawls: three `repostwatch crawl --distributed` worker processes against the
local Redis and PostgreSQL and the sandbox web, compared with one process crawling alone.

Each test has a key prefix and a PostgreSQL database of its own; the sandbox web is this
module's own, logging when each request arrived (politeness across workers is measured
there, where a site would see it).
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.distributed.fleet import Fleet, FleetKeys
from crawler.sandbox import SandboxServer, demo_config
from repostwatch.config import load_config
from repostwatch.store import Store
from tests.conftest import fresh_pg_database
from tests.crawler.test_crawl import _cli

pytestmark = pytest.mark.timeout(240)

DELAY = 0.2  # seconds between two requests to one host, for the whole fleet
TOLERANCE = 0.005  # seconds: the gate counts in Redis's milliseconds


class _TimedLog(list):  # type: ignore[type-arg]
    """The sandbox's request log, with the arrival time of each request."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._lock = threading.Lock()

    def append(self, item: Any) -> None:
        with self._lock:
            self.times.append(time.monotonic())
            super().append(item)


@pytest.fixture(scope="module")
def web() -> Any:
    server = SandboxServer()
    server.requests = _TimedLog()  # build_app logs into it when the server starts
    with server:
        yield server


def _config(web: Any, database_url: str, *, prefix: str = "") -> str:
    text = demo_config(web.proxy_url, database_url=database_url)
    text = text.replace("download_delay = 0 ", f"download_delay = {DELAY} ")
    text = text.replace("[crawl]\n", "[crawl]\njudge_processes = 0\n")
    if prefix:
        text += (f'\n[distributed]\nkey_prefix = "{prefix}"\nheartbeat_ttl = 2\n'
                 "idle_grace = 1\n")
    return text


def _stderr(errs: Any) -> str:
    """The workers' stderr, whole, for a failure message (a list would be cut short)."""
    return "\n".join(f"--- worker {i} ---\n{e}" for i, e in enumerate(errs))


def _served(web: Any, since: int) -> tuple[list[tuple[str, str]], list[float]]:
    return list(web.requests[since:]), list(web.requests.times[since:])


def _pages(served: list[tuple[str, str]]) -> Counter[tuple[str, str]]:
    return Counter(r for r in served if not r[1].endswith("/robots.txt"))


def _findings(database_url: str) -> set[tuple[str, str, str, str | None]]:
    store = Store.open(database_url)
    try:
        return {(f.original_url, f.page_url, f.verdict, f.credit_status)
                for f in store.findings()}
    finally:
        store.close()


@pytest.fixture(scope="module")
def alone(web: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One process crawling the sandbox alone: its findings and the pages it fetched."""
    home = tmp_path_factory.mktemp("alone")
    db = f"sqlite:///{home / 'rw.db'}"
    (home / "repostwatch.toml").write_text(_config(web, db))
    assert _cli(home, "originals", "import").returncode == 0
    since = len(web.requests)
    done = _cli(home, "crawl")
    assert done.returncode == 0, done.stderr
    pages = _pages(_served(web, since)[0])
    assert pages and max(pages.values()) == 1
    findings = _findings(db)
    assert len(findings) >= 5  # the sandbox plants copies on several sites
    return {"findings": findings, "pages": set(pages)}


def _fleet_home(tmp_path: Path, web: Any, database_url: str, prefix: str) -> Path:
    (tmp_path / "repostwatch.toml").write_text(_config(web, database_url, prefix=prefix))
    done = _cli(tmp_path, "originals", "import")
    assert done.returncode == 0, done.stderr
    return tmp_path


def _workers(home: Path, redis_url: str, n: int = 3) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    return [subprocess.Popen([sys.executable, "-m", "repostwatch", "crawl", "--distributed",
                              redis_url], cwd=home, env=env, stderr=subprocess.PIPE,
                             text=True) for _ in range(n)]


@pytest.fixture
def spawn() -> Any:
    """``_workers``, with any worker still running when the test ends killed (a failing test
    must not leave a worker waiting for a fleet whose keys are gone)."""
    started: list[subprocess.Popen[str]] = []

    def start(home: Path, redis_url: str, n: int = 3) -> list[subprocess.Popen[str]]:
        procs = _workers(home, redis_url, n)
        started.extend(procs)
        return procs

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _runs(database_url: str) -> list[str]:
    store = Store.open(database_url)
    try:
        return [r.status for r in store.runs(kind="watch")]
    finally:
        store.close()


def test_three_workers_fetch_each_page_once_politely_through_a_password(
        spawn: Any, tmp_path: Path, web: Any, alone: dict[str, Any],
        redis_prefix: tuple[str, str]) -> None:
    import redis

    base, prefix = redis_prefix
    user, password = f"rw-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin = redis.Redis.from_url(base)
    # a user that may touch only this test's keys: the fleet must keep to its prefix
    admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", f"~{prefix}:*",
                          "+@all", "-@admin", "-@dangerous")  # as docs/scaling.md advises
    try:
        with fresh_pg_database() as db:
            home = _fleet_home(tmp_path, web, db, prefix)
            url = base.replace("redis://", f"redis://{user}:{password}@")
            since = len(web.requests)
            workers = spawn(home, url)
            errs = [w.communicate(timeout=180)[1] for w in workers]
            assert [w.returncode for w in workers] == [0, 0, 0], _stderr(errs)
            served, times = _served(web, since)
            pages = _pages(served)
            assert set(pages) == alone["pages"]
            assert max(pages.values()) == 1, [p for p, n in pages.items() if n > 1]
            assert _findings(db) == alone["findings"]
            assert _runs(db) == ["finished"] * 3  # one run per worker
    finally:
        admin.execute_command("ACL", "DELUSER", user)
        admin.close()
    assert all(password not in e and f"{user}:***@" in e for e in errs)
    assert sum("queued the start pages" in e for e in errs) == 1
    # politeness for the fleet: requests to one host (robots.txt too) DELAY apart or more
    by_host: dict[str, list[float]] = {}
    for (host, _path), when in zip(served, times, strict=True):
        by_host.setdefault(host, []).append(when)
    gaps = [b - a for stamps in by_host.values() for a, b in itertools.pairwise(stamps)]
    assert gaps and min(gaps) >= DELAY - TOLERANCE, sorted(gaps)[:5]


def _inflight(client: Any, prefix: str) -> dict[int, int]:
    """pid -> requests it holds leased, for each worker holding some."""
    held = {}
    for key in client.scan_iter(f"{prefix}:watch:inflight:*"):
        n = client.hlen(key)
        if n:
            held[int(key.decode().rsplit(":", 2)[-2])] = n
    return held


def _signal_a_leaseholder(client: Any, prefix: str, web: Any, since: int,
                          workers: list[subprocess.Popen[str]], sig: int) -> Any:
    """Once the fleet has fetched a few pages, send ``sig`` to the worker holding the most
    leased requests (so it stops with work in flight); that worker, or None after 90 s."""
    by_pid = {w.pid: w for w in workers}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        held = _inflight(client, prefix)
        if len(_pages(_served(web, since)[0])) >= 3 and held:
            chosen = by_pid[max(held, key=lambda pid: held[pid])]
            chosen.send_signal(sig)
            return chosen
        time.sleep(0.05)
    return None


def test_a_worker_killed_mid_crawl_loses_nothing(
        spawn: Any, tmp_path: Path, web: Any, alone: dict[str, Any],
        redis_prefix: tuple[str, str]) -> None:
    import redis

    url, prefix = redis_prefix
    client = redis.Redis.from_url(url)
    with fresh_pg_database() as db:
        home = _fleet_home(tmp_path, web, db, prefix)
        since = len(web.requests)
        workers = spawn(home, url)
        victim = _signal_a_leaseholder(client, prefix, web, since, workers, signal.SIGKILL)
        assert victim is not None, "no worker held a lease while the crawl ran"
        others = [w for w in workers if w is not victim]
        errs = [w.communicate(timeout=180)[1] for w in others]
        victim.communicate(timeout=30)
        assert [w.returncode for w in others] == [0, 0], _stderr(errs)
        assert any(re.search(r"handed \d+ requests? of dead workers back", e) for e in errs)
        pages = _pages(_served(web, since)[0])
        assert set(pages) == alone["pages"]  # at least once each (the victim's: maybe twice)
        assert _findings(db) == alone["findings"]
        assert sorted(_runs(db)) == ["finished", "finished", "running"]  # the victim's: cut
    client.close()


def test_sqlite_is_refused_for_a_distributed_crawl(tmp_path: Path, web: Any) -> None:
    (tmp_path / "repostwatch.toml").write_text(_config(web, f"sqlite:///{tmp_path / 'x.db'}"))
    done = _cli(tmp_path, "crawl", "--distributed", "redis://127.0.0.1:6379/0")
    assert done.returncode == 2
    assert "needs a shared PostgreSQL store" in done.stderr and "postgresql+psycopg" in (
        done.stderr)
    config = tmp_path / "repostwatch.toml"  # with a fleet configured, `run` refuses it too
    config.write_text(config.read_text() + '\n[distributed]\nredis_url = "redis://h:6379/0"\n')
    done = _cli(tmp_path, "run")
    assert done.returncode == 2 and "needs a shared PostgreSQL store" in done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before anything ran


def test_unreachable_redis_is_a_clear_error(tmp_path: Path, web: Any) -> None:
    with fresh_pg_database() as db:
        (tmp_path / "repostwatch.toml").write_text(_config(web, db))
        done = _cli(tmp_path, "crawl", "--distributed", "redis://u:secret@127.0.0.1:1/0")
    assert done.returncode == 2
    assert "cannot use Redis at redis://u:***@127.0.0.1:1/0" in done.stderr
    assert "secret" not in done.stderr


def test_distributed_config_is_validated(tmp_path: Path) -> None:
    from repostwatch.errors import ConfigError

    path = tmp_path / "repostwatch.toml"
    path.write_text('[distributed]\nredis_url = "http://127.0.0.1:6379"\n')
    with pytest.raises(ConfigError, match=r"line 2: distributed.redis_url: must be a redis://"):
        load_config(path, env={})
    path.write_text("[distributed]\n")
    assert load_config(path, env={"REPOSTWATCH_REDIS_URL": "redis://h:6379/2"}
                       ).distributed.redis_url == "redis://h:6379/2"


def test_leases_go_back_to_the_queue_when_a_worker_dies(redis_prefix: tuple[str, str]) -> None:
    """The fleet's Redis side alone: pop leases, a dead worker's leases are handed back
    (past the duplicate filter), and the fleet is idle only with nothing queued or leased."""
    import redis

    url, prefix = redis_prefix
    client = redis.Redis.from_url(url)
    keys = FleetKeys(prefix, "watch")
    a = Fleet(client, keys, heartbeat_ttl=0.2, idle_grace=0.1)
    b = Fleet(client, keys, heartbeat_ttl=30, idle_grace=0.1)
    assert a.join() is True and b.join() is False  # the first to join seeds
    assert not b.idle()  # until its start requests are all queued
    a.seeded()
    client.zadd(keys.queue, {b"one": 0, b"two": 1})
    assert a.pop() is not None and a.pop() is not None and a.pop() is None
    assert a.leased() == 2 and not b.idle()
    assert b.reap() == 0  # a is alive: its leases stay its own
    time.sleep(0.3)  # a's heartbeat expires
    assert b.reap() == 2 and client.zcard(keys.queue) == 2
    lease, data = b.pop() or ("", b"")
    assert data == b"one"
    b.ack(lease)
    lease, _ = b.pop() or ("", b"")
    assert not b.idle()  # leased, not yet acknowledged
    b.ack(lease)
    assert b.idle() and b.leave() == 0
    # a seeder that leaves before its start requests are all queued does not hang the fleet
    other = FleetKeys(prefix, "other")
    c = Fleet(client, other, heartbeat_ttl=30, idle_grace=0.1)
    d = Fleet(client, other, heartbeat_ttl=30, idle_grace=0.1)
    assert c.join() is True and d.join() is False and not d.idle()
    c.leave()
    assert d.idle()
    client.close()


def test_a_scrapy_crawl_worker_joins_the_fleet_as_scrapyd_starts_it(
        spawn: Any, tmp_path: Path, web: Any, alone: dict[str, Any],
        redis_prefix: tuple[str, str]) -> None:
    """Scrapyd runs `scrapy crawl watch -s KEY=VALUE` in the project: with the Redis URL as a
    setting, that process is a fleet worker like `crawl --distributed`."""
    url, prefix = redis_prefix
    project = Path(__file__).resolve().parents[2]  # where scrapy.cfg is
    with fresh_pg_database() as db:
        home = _fleet_home(tmp_path, web, db, prefix)
        since = len(web.requests)
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
        scrapy = subprocess.Popen(
            [sys.executable, "-m", "scrapy.cmdline", "crawl", "watch",
             "-s", f"REPOSTWATCH_CONFIG={home / 'repostwatch.toml'}",
             "-s", f"REPOSTWATCH_REDIS_URL={url}"],
            cwd=project, env=env, stderr=subprocess.PIPE, text=True)
        workers = [scrapy, *spawn(home, url, n=1)]
        errs = [w.communicate(timeout=180)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0], errs[1]
        assert "'repostwatch/fleet/worker'" in errs[0]  # Scrapy's stats dump
        pages = _pages(_served(web, since)[0])
        assert set(pages) == alone["pages"] and max(pages.values()) == 1
        assert _findings(db) == alone["findings"]
        assert _runs(db) == ["finished"] * 2


def test_page_caps_count_the_pages_of_the_whole_fleet(
        spawn: Any, tmp_path: Path, web: Any, redis_prefix: tuple[str, str]) -> None:
    url, prefix = redis_prefix
    with fresh_pg_database() as db:
        home = _fleet_home(tmp_path, web, db, prefix)
        config = home / "repostwatch.toml"
        config.write_text(config.read_text().replace("max_pages = 50", "max_pages = 2"))
        sites = len(load_config(config).watch)
        since = len(web.requests)
        workers = spawn(home, url)
        errs = [w.communicate(timeout=180)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], _stderr(errs)
    per_host = Counter(host for host, _ in _pages(_served(web, since)[0]))
    assert sum(per_host.values()) == 2 * sites  # not 2 per site per worker
    assert max(per_host.values()) <= 2


def test_a_worker_stopped_with_ctrl_c_leaves_nothing_undone(
        spawn: Any, tmp_path: Path, web: Any, alone: dict[str, Any],
        redis_prefix: tuple[str, str]) -> None:
    import redis

    url, prefix = redis_prefix
    client = redis.Redis.from_url(url)
    with fresh_pg_database() as db:
        home = _fleet_home(tmp_path, web, db, prefix)
        since = len(web.requests)
        workers = spawn(home, url, n=2)
        stopped = _signal_a_leaseholder(client, prefix, web, since, workers, signal.SIGINT)
        assert stopped is not None, (
            "no worker held a lease while the crawl ran", [w.communicate()[1] for w in workers])
        errs = {w.pid: w.communicate(timeout=180)[1] for w in workers}
        other = next(w for w in workers if w is not stopped)
        assert stopped.returncode == 130 and other.returncode == 0, _stderr(errs.values())
        pages = _pages(_served(web, since)[0])
        assert set(pages) == alone["pages"]
        assert _findings(db) == alone["findings"]
        assert sorted(_runs(db)) == ["finished", "interrupted"]
    client.close()
