from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.installed import installed_env, isolate
from repostwatch.config import ENV_OVERRIDES


def test_benchmarks_leave_a_users_database_and_proxy_alone(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_OVERRIDES:
        monkeypatch.setenv(name, "for real work")
    monkeypatch.setenv("REPOSTWATCH_CORPUS", "/data/corpus.jsonl.gz")  # the benchmarks' own
    env = installed_env(tmp_path)
    assert not set(ENV_OVERRIDES) & set(env)
    assert env["REPOSTWATCH_CORPUS"] == "/data/corpus.jsonl.gz"
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    isolate()
    assert not set(ENV_OVERRIDES) & set(os.environ)
    assert os.environ["REPOSTWATCH_CORPUS"] == "/data/corpus.jsonl.gz"
