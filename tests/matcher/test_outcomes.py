"""Outcomes do not drift: every page of the dev corpus and of the sandbox web is judged as the
committed digests say (verdict, coverage, passages, credit under each mode, evidence, and the
parsed page's text, links and ``<head>``).

A deliberate change of outcomes regenerates the digests (``python benchmarks/outcomes.py
--write``) and says in its commit which pages changed and why.
"""

from __future__ import annotations

import json
import os

import pytest

from benchmarks.corpus import corpus_path, load_cases
from benchmarks.outcomes import (
    CORPUS_DIGEST,
    SANDBOX_DIGEST,
    corpus_outcomes,
    differences,
    sandbox_outcomes,
)

_HOW = "regenerate with `python benchmarks/outcomes.py --write` only if the change is meant"


def test_sandbox_outcomes_match_the_digest() -> None:
    expected = json.loads(SANDBOX_DIGEST.read_text(encoding="utf-8"))
    diff = differences(expected, sandbox_outcomes())
    assert not diff, f"{len(diff)} sandbox pages changed ({_HOW}):\n" + "\n".join(diff[:20])


def test_sandbox_digest_covers_every_kind_of_outcome() -> None:
    """The digest is worth comparing: it holds copies with each credit status and non-copies."""
    expected = json.loads(SANDBOX_DIGEST.read_text(encoding="utf-8"))
    statuses = {page["credit"]["any"].split("|")[0] for page in expected.values()
                if page["credit"]["any"]}
    assert statuses == {"credited", "uncredited", "misattributed", "allowed"}
    assert {page["verdict"] for page in expected.values()} == {"repost", "excerpt", "none"}


@pytest.mark.corpus
def test_corpus_outcomes_match_the_digest() -> None:
    path = corpus_path()
    if not path.exists():
        if os.environ.get("REPOSTWATCH_REQUIRE_CORPUS") == "1":
            pytest.fail(f"corpus {path} required (REPOSTWATCH_REQUIRE_CORPUS=1) but absent")
        pytest.skip(f"outcome digest NOT checked: corpus {path} is absent")
    expected = json.loads(CORPUS_DIGEST.read_text(encoding="utf-8"))
    diff = differences(expected, corpus_outcomes(load_cases(path)))
    assert not diff, f"{len(diff)} corpus pages changed ({_HOW}):\n" + "\n".join(diff[:20])
