"""`originals list` shows each original's source, `originals source` sets it, and `check`
says a copy of a wire story is kept apart (exit 0: nothing to chase)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.matcher.texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html
from tests.repostwatch.clihome import URL, run, save

DATELINE = "WASHINGTON (AP) — "
WIRE = [DATELINE + ORIGINAL_PARAGRAPHS[0], *ORIGINAL_PARAGRAPHS[1:]]


def _import_wire_story(home: Path) -> None:
    line = {"url": URL, "title": "Pier", "text": "\n".join(WIRE)}
    (home / "originals.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert run("originals", "import", str(home / "originals.jsonl")) == 0


def test_sources_listed_set_and_kept_apart(home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _import_wire_story(home)
    capsys.readouterr()
    assert run("originals", "list", "--json") == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["source"], row["syndicated"], row["source_set_by"]) == (
        "Associated Press", True, "detected")
    assert "dateline" in row["source_reason"]
    # a licensee runs it without the wire's marks: a copy, kept apart, nothing to chase
    copy = save(home, "copy.html", page_html(paragraphs_html(
        [p.removeprefix(DATELINE) for p in WIRE])))
    assert run("check", "--json", str(copy), "--url", "https://licensee.test/pier") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["verdict"], out["credit_status"], out["source"], out["kept_apart"],
            out["lacks_credit"]) == ("repost", "uncredited", "Associated Press", "syndicated",
                                     False)
    # an editor knows better: our own story after all; the same copy is then chased
    assert run("originals", "source", URL, "--own") == 0
    assert "own (set by a person)" in capsys.readouterr().err
    assert run("check", "--json", str(copy), "--url", "https://licensee.test/pier") == 1
    assert json.loads(capsys.readouterr().out)["kept_apart"] is None
    assert run("originals", "list") == 0
    assert capsys.readouterr().out.rstrip().endswith("own (set by a person)")
    assert run("originals", "source", URL, "--auto") == 0
    assert "Associated Press (from its marks)" in capsys.readouterr().err
    assert run("originals", "source", "1", "--wire", "reuters") == 0  # any spelling of a wire
    assert "Reuters (set by a person)" in capsys.readouterr().err


def test_source_usage_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import_wire_story(home)
    assert run("originals", "source", URL) == 2  # neither --own, --wire nor --auto
    assert run("originals", "source", URL, "--own", "--wire", "AP") == 2
    assert run("originals", "source", "--redetect", URL) == 2
    assert run("originals", "source", "https://nowhere.test/x", "--own") == 2
    assert "no original 'https://nowhere.test/x'" in capsys.readouterr().err
    assert run("originals", "source", "--redetect") == 0
    assert "0 changed" in capsys.readouterr().err
