"""`repostwatch report`: periods, the record of every report (`--list`), usage errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from repostwatch.store import Store
from repostwatch.store.reporting import report_runs
from tests.repostwatch.clihome import run


def _runs(home: Path):
    store = Store.open(f"sqlite:///{home / 'repostwatch.db'}")
    try:
        return report_runs(store)
    finally:
        store.close()


def test_each_report_starts_where_the_previous_ended(
        sandbox_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("report", "-f", "md", "-o", "first.md") == 0
    assert "4 copies lacking credit; report 1 written to first.md" in capsys.readouterr().err
    assert "| 25 | 13 | 4 | 56% | 9 | 0 | 0 | 0 |" in (sandbox_home / "first.md").read_text()
    assert run("report", "-f", "md", "-o", "-") == 0
    second = capsys.readouterr().out
    assert "| 25 | 13 | 4 | 56% | 0 | 4 | 0 | 0 |" in second  # nothing new, 4 still open
    first, = [r for r in _runs(sandbox_home) if r.id == 1]
    latest = _runs(sandbox_home)[0]
    assert latest.period_start == first.period_end and latest.paths == ()
    assert run("report", "--list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("2  ") and lines[1].startswith("1  ")
    assert "the beginning →" in lines[1] and "lacking credit 4" in lines[1]
    assert lines[1].endswith("first.md") and "not delivered" in lines[1]
    assert run("report", "--list", "--json") == 0
    listed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in listed] == [2, 1]
    assert listed[1]["summary"]["changes"]["new"] == 9 and listed[1]["formats"] == ["md"]


def test_period_and_explicit_dates(sandbox_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("report", "--period", "week", "-f", "json", "-o", "-") == 0
    week = json.loads(capsys.readouterr().out)
    assert week["changes"]["new"] == 9  # the crawl was minutes ago
    assert run("report", "--since", "2020-01-01", "--until", "2020-02-01", "-f", "json",
               "-o", "-") == 0
    old = json.loads(capsys.readouterr().out)
    assert (old["since"], old["until"]) == ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z")
    assert old["findings"] == [] and old["changes"]["new"] == 0
    runs = _runs(sandbox_home)
    assert [r.period_end.year for r in runs] == [2020, runs[1].period_end.year]


def test_one_report_in_several_formats(sandbox_home: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`-f html,md,csv`: one period, one record, a file each; `-o` gives them one name."""
    assert run("report", "-f", "html,md,csv") == 0
    [done] = _runs(sandbox_home)
    assert done.formats == ("html", "md", "csv") and len(done.paths) == 3
    assert [Path(p).suffix for p in done.paths] == [".html", ".md", ".csv"]
    assert len({Path(p).stem for p in done.paths}) == 1  # one report, one time stamp
    assert f"written to {', '.join(done.paths)}" in capsys.readouterr().err
    with Path(done.paths[2]).open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1 + 4  # the header and the 4 copies lacking credit
    assert run("report", "-f", "md,json", "-o", "week.md") == 0
    assert (sandbox_home / "week.md").is_file() and (sandbox_home / "week.json").is_file()
    latest = _runs(sandbox_home)[0]
    assert latest.period_start == done.period_end  # one period for both files
    assert json.loads((sandbox_home / "week.json").read_text())["since"] is not None


@pytest.mark.parametrize(("args", "message"), [
    (("-f", "html,pdf"), "pdf: use one or more of html, csv, json, md"),
    (("-f", "html,md", "-o", "-"), "-o - writes one format, not 2 (html, md)"),
    (("--period", "week", "--since", "2026-01-01"), "--period and --since/--until both given"),
    (("--since", "2026-02-01", "--until", "2026-01-01"), "is not before --until"),
    (("--until", "soon"), "--until 'soon' is not a date"),
    (("--period", "year"), "Invalid value for '--period'"),
    # a period ending after now would make every later "since the previous report" start
    # in the future
    (("--until", "2999-01-01"), "--until 2999-01-01 is in the future"),
    (("--since", "2999-01-01"), "--since 2999-01-01 is in the future"),
    (("--since", "0001-01-01T00:00:00+01:00"), "is not a date"),  # before year 1 in UTC
    # --json without --list wrote, recorded and delivered a report and printed no JSON
    (("--json",), "--json goes with --list"),
    # --list ignored every other option (a filter or a format that changed nothing)
    (("--list", "--period", "week", "-p", "Nope", "-o", "-", "-f", "md"),
     "--list lists the reports made so far: -f, -o, -p, --period would change nothing"),
    (("--list", "--json", "--no-deliver"), "--no-deliver would change nothing"),
])
def test_usage_errors_exit_2(sandbox_home: Path, capsys: pytest.CaptureFixture[str],
                             args: tuple[str, ...], message: str) -> None:
    assert run("report", *args) == 2
    assert message in capsys.readouterr().err
    assert _runs(sandbox_home) == []  # nothing recorded
