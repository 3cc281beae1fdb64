"""Shared fixtures: the sandbox web, databases (SQLite always; PostgreSQL when available).

The suite runs under pytest-twisted with the asyncio reactor (Scrapy crawls in-process), so
the main thread's event loop belongs to the reactor: plain asyncio code (aiohttp clients and
servers) runs in a fresh thread through ``run_async``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
REQUIRE_SERVICES = os.environ.get("REPOSTWATCH_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("REPOSTWATCH_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REPOSTWATCH_TEST_REDIS", "redis://127.0.0.1:6379/0")


def pytest_configure(config: pytest.Config) -> None:
    """Tests send Ctrl-C (SIGINT) to the processes they start and check that they stop
    gracefully. A shell without job control (a script, ``sh -c``) starts a command put in the
    background (``make test &``) with SIGINT ignored, and make passes that on to every process
    it starts: Python then installs no KeyboardInterrupt handler and those tests would fail for
    the way the suite was launched. The suite's processes get Ctrl-C's usual meaning back (so
    a Ctrl-C sent to pytest itself stops it too, as in the foreground)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_python(code: str, cwd: Path, *args: str) -> str:
    """What ``code`` (with ``args``) prints, run by a Python of its own in ``cwd``, with this
    checkout importable and no ``REPOSTWATCH_*`` variable of ours; it must exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    env["PYTHONPATH"] = str(Path(__file__).parents[1])
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a fresh thread with its own event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    from crawler.sandbox import SandboxServer

    with SandboxServer() as web:
        yield web


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def _require(service: str, where: str, reason: str | None) -> None:
    """Skip (or fail, under REPOSTWATCH_REQUIRE_SERVICES=1) when ``reason`` says a service
    is missing."""
    if reason is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"{service} required (REPOSTWATCH_REQUIRE_SERVICES=1) but {reason}")
        pytest.skip(f"{service} not available at {where}: {reason}")


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); skips without a server."""
    _require("PostgreSQL", PG_ADMIN_URL, _pg_available())
    from sqlalchemy import create_engine, text

    name = f"repostwatch_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """(Redis URL, a key prefix of this test's own); the prefix's keys are deleted after.
    Skips without a server (fails under REPOSTWATCH_REQUIRE_SERVICES=1)."""
    reason = None
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    _require("Redis", REDIS_URL, reason)
    prefix = f"rwtest-{uuid.uuid4().hex[:10]}"
    try:
        yield REDIS_URL, prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with an empty schema-less database: SQLite file, or PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = request.getfixturevalue("pg_database")
    from sqlalchemy import create_engine, text

    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        # every table of every migration, present and future: empty the schema itself
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield base


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a config naming The Daily Planet (and an empty store)."""
    from tests.repostwatch.clihome import make_home

    return make_home(tmp_path, monkeypatch)
