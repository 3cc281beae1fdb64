"""A fixed store for the report tests: the sandbox web crawled once per session by
``repostwatch demo`` (a subprocess: the demo runs a reactor of its own), copied per test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from repostwatch.store import Store


@pytest.fixture(scope="session")
def sandbox_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's SQLite file: 8 originals, 9 copies on the sandbox sites, 4 lacking credit,
    and no report yet (the demo records the one it writes: forgotten here, so that the tests'
    reports start from the beginning)."""
    import os
    import sqlite3

    folder = tmp_path_factory.mktemp("sandbox-store")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    done = subprocess.run([sys.executable, "-m", "repostwatch", "demo", "--dir", "d"], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(folder / "d" / "repostwatch.db")
    try:
        assert db.execute("DELETE FROM report_runs").rowcount == 1
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the tests copy the file alone
    finally:
        db.close()
    return folder / "d" / "repostwatch.db"


@pytest.fixture
def sandbox_home(sandbox_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a copy of the sandbox store and a config naming it."""
    monkeypatch.chdir(tmp_path)
    for var in ("REPOSTWATCH_CONFIG", "REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY",
                "REPOSTWATCH_SMTP_PASSWORD", "REPOSTWATCH_WEBHOOK_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    shutil.copy(sandbox_db, tmp_path / "repostwatch.db")
    config = (sandbox_db.parent / "repostwatch.toml").read_text(encoding="utf-8")
    (tmp_path / "repostwatch.toml").write_text(config, encoding="utf-8")
    return tmp_path


@pytest.fixture
def sandbox_store(sandbox_home: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{sandbox_home / 'repostwatch.db'}")
    yield store
    store.close()


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Any]:
    """The review UI's store and config (tests/reports/reviewhome.py), closed afterwards."""
    from tests.reports.reviewhome import make_home

    h = make_home(tmp_path)
    yield h
    h.store.close()
