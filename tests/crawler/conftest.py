"""Fixtures of the crawler tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawler.clihome import make_home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a config naming The Daily Planet (and an empty store)."""
    return make_home(tmp_path, monkeypatch)
