"""A working folder for CLI tests: a config naming one publication, and helpers to import its
one original, save pages and run the CLI in-process."""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

import pytest

from repostwatch.cli import main
from tests.matcher.texts import ORIGINAL_TEXT

__all__ = ["CONFIG", "URL", "imported", "make_home", "run", "save"]

CONFIG = """
[[publications]]
name = "The Daily Planet"
aliases = ["Daily Planet"]
domains = ["daily-planet.test"]
"""
URL = "https://daily-planet.test/news/pier.html"


def make_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for var in ("REPOSTWATCH_CONFIG", "REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "repostwatch.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def run(*args: str) -> int:
    """The CLI in a worker thread: under ``--reactor=asyncio`` this thread's event loop belongs
    to Twisted, and ``check`` runs its own loop (``asyncio.run``) to fetch."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main, list(args)).result()


def imported(home: Path) -> Path:
    path = home / "originals.jsonl"
    path.write_text(json.dumps({"url": URL, "title": "Old grain pier to close",
                                "text": ORIGINAL_TEXT, "published": "2026-11-01"}) + "\n",
                    encoding="utf-8")
    assert run("originals", "import", str(path)) == 0
    return path


def save(home: Path, name: str, html: str) -> Path:
    path = home / name
    path.write_text(html, encoding="utf-8")
    return path
