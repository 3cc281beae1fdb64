"""The accuracy gate: the matcher must not fall below the floors pinned in the baseline.

Uses the real-world corpus in ../shared/data and the hard cases built from it at run time
(benchmarks/hardcases.py); without it the gate skips and says so (it never passes silently).
See benchmarks/accuracy.py for the full table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.corpus import corpus_path, evaluate, load_cases

BASELINE = json.loads(
    (Path(__file__).resolve().parents[2] / "benchmarks" / "accuracy_baseline.json").read_text()
)


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    path = corpus_path()
    if not path.exists():
        if os.environ.get("REPOSTWATCH_REQUIRE_CORPUS") == "1":
            pytest.fail(f"corpus {path} required (REPOSTWATCH_REQUIRE_CORPUS=1) but absent")
        pytest.skip(f"accuracy gate NOT checked: corpus {path} is absent")
    return evaluate(load_cases(path)).figures


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(BASELINE["floors"]))
def test_floor(figures: dict[str, float], name: str) -> None:
    assert figures[name] >= BASELINE["floors"][name], f"{name} fell below its floor"


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(BASELINE["ceilings"]))
def test_ceiling(figures: dict[str, float], name: str) -> None:
    assert figures[name] <= BASELINE["ceilings"][name], f"{name} rose above its ceiling"
