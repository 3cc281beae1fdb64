"""The period's changes and the compliance series, on hand-made histories."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

from reports.history import changes, compliance_series
from repostwatch.store import FindingRecord
from repostwatch.store.reporting import CheckPoint

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _finding(fid: int, first: datetime, status: str = "uncredited",
             state: str = "new") -> FindingRecord:
    return FindingRecord(
        id=fid, page_url=f"https://c.test/{fid}", site="c.test", page_title="", original_id=1,
        original_url="https://p.test/1", original_title="T", publication="P", verdict="repost",
        extent="full", coverage=1.0, longest_words=100, credit_status=status,
        credit_reason="", review_state=state, first_seen=first, last_checked=first)


def _check(fid: int, when: datetime, status: str, verdict: str = "repost") -> CheckPoint:
    return CheckPoint(fid, when, verdict, status)


def test_changes_classify_each_finding_once() -> None:
    start, end = T0 + 10 * DAY, T0 + 17 * DAY
    f = [_finding(1, T0), _finding(2, T0), _finding(3, T0), _finding(4, T0 + 12 * DAY),
         _finding(5, T0), _finding(6, T0 + 20 * DAY), _finding(7, T0, state="false_positive")]
    checks = sorted([
        _check(1, T0, "uncredited"), _check(1, T0 + 12 * DAY, "uncredited"),  # still open
        _check(2, T0, "uncredited"), _check(2, T0 + 13 * DAY, "credited"),  # resolved
        _check(3, T0, "partial"), _check(3, T0 + 14 * DAY, "none", verdict="none"),  # gone
        _check(4, T0 + 12 * DAY, "uncredited"),  # new (and open: not counted as still open)
        _check(5, T0, "uncredited"),  # resolved by an editor in the period
        _check(6, T0 + 20 * DAY, "uncredited"),  # after the period: not counted at all
        _check(7, T0, "uncredited"),  # a false positive: not still open
    ], key=lambda c: c.checked_at)
    got = changes(f, checks, start=start, end=end, resolved_by_review={5})
    assert dataclasses.astuple(got) == (1, 1, 2, 1)  # new, still open, resolved, gone
    first_report = changes(f, checks, start=None, end=end)
    assert (first_report.new, first_report.still_open, first_report.gone) == (6, 0, 1)


def test_compliance_is_sampled_daily_then_weekly() -> None:
    checks = [_check(1, T0, "uncredited"), _check(2, T0, "credited"),
              _check(1, T0 + 2 * DAY, "credited"), _check(2, T0 + 3 * DAY, "none", "none")]
    points = compliance_series(checks, end=T0 + 5 * DAY)
    assert [(p.copies, p.credited) for p in points] == [
        (2, 1), (2, 1), (2, 2), (1, 1), (1, 1), (1, 1)]  # midnights, then the end itself
    assert points[-1].at == T0 + 5 * DAY and points[-1].share == 1.0
    recent = compliance_series(checks, end=T0 + 200 * DAY)  # at least the last 30 days
    assert recent[0].at == T0 + 171 * DAY - timedelta(hours=12) and len(recent) == 31
    long = compliance_series(checks, start=T0, end=T0 + 200 * DAY)  # a long period: weekly
    steps = {b.at - a.at for a, b in itertools.pairwise(long[:-1])}  # the end: off-grid
    assert steps == {timedelta(days=7)}
    assert compliance_series([], end=T0) == []
