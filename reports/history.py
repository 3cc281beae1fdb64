"""What changed in a report's period, and credit compliance over time, from finding histories.

Every judgement of a finding is kept (``finding_checks``), so the state of any finding at any
moment is its latest check up to then: a copy (``repost`` / ``excerpt``) with a credit status,
or gone (verdict ``none``). A period is (``start``, ``end``]; ``start`` None means "from the
beginning" (the first report ever).

- **new**: first seen in the period.
- **still open**: seen before the period, lacking credit at its end, review state still open
  (not ``gone``, ``false_positive`` or ``resolved``).
- **resolved**: lacked credit at the start (or when first seen in the period) and meets the
  credit rule at the end, or marked ``resolved`` by an editor in the period.
- **gone**: a copy before (or when first seen in) the period, gone at its end.

Compliance at a moment is the share of the copies then present (not gone) whose credit meets
the rule (``credited`` or ``allowed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from matcher import lacks_credit
from repostwatch.store import FindingRecord
from repostwatch.store.reporting import CheckPoint

__all__ = [
    "CHART_MIN_DAYS",
    "Changes",
    "CompliancePoint",
    "changes",
    "compliance_series",
]

CHART_MIN_DAYS = 30
"""The compliance chart covers at least this many days before the period's end (a weekly
report still shows the month's trend), never before the first check."""
_DAILY_UP_TO_DAYS = 92  # longer spans are plotted one point a week


@dataclass(frozen=True)
class Changes:
    """Counts of findings by what happened to them in the period (see the module docstring)."""

    new: int = 0
    still_open: int = 0
    resolved: int = 0
    gone: int = 0


@dataclass(frozen=True)
class CompliancePoint:
    """Compliance at ``at`` (the end of a day or week): ``copies`` present, ``credited`` of them."""

    at: datetime
    copies: int
    credited: int

    @property
    def share(self) -> float:
        return self.credited / self.copies if self.copies else 0.0


_State = tuple[str, str]  # (verdict, credit status) of the latest check


def _is_copy(state: _State | None) -> bool:
    return state is not None and state[0] != "none"


def _lacking(state: _State | None) -> bool:
    return _is_copy(state) and state is not None and lacks_credit(state[1])


def _states_at(checks: Sequence[CheckPoint], moment: datetime | None) -> dict[int, _State]:
    """The latest state of each finding at ``moment`` (checks are oldest first)."""
    states: dict[int, _State] = {}
    if moment is None:
        return states
    for c in checks:
        if c.checked_at > moment:
            break
        states[c.finding_id] = (c.verdict, c.credit_status)
    return states


def changes(
    findings: Iterable[FindingRecord],
    checks: Sequence[CheckPoint],
    *,
    start: datetime | None,
    end: datetime,
    resolved_by_review: AbstractSet[int] = frozenset(),
) -> Changes:
    """The period's figures for ``findings`` (every finding, gone ones too) and their
    ``checks`` (oldest first, up to ``end``)."""
    at_start = _states_at(checks, start)
    at_end = _states_at(checks, end)
    earliest: dict[int, _State] = {}
    for c in checks:
        earliest.setdefault(c.finding_id, (c.verdict, c.credit_status))
    new = still_open = resolved = gone = 0
    for f in findings:
        if f.first_seen > end:
            continue
        fresh = start is None or f.first_seen > start
        before = at_start.get(f.id)
        after = at_end.get(f.id, (f.verdict, f.credit_status))
        first = earliest.get(f.id) if fresh and before is None else before
        new += fresh
        if not _is_copy(after):
            gone += _is_copy(first) or fresh
        elif f.id in resolved_by_review or (_lacking(first) and not _lacking(after)):
            resolved += 1
        elif not fresh and _lacking(after) and f.is_open and f.review_state != "resolved":
            still_open += 1
    return Changes(new=new, still_open=still_open, resolved=resolved, gone=gone)


def compliance_series(checks: Sequence[CheckPoint], *, end: datetime,
                      start: datetime | None = None) -> list[CompliancePoint]:
    """Compliance at the end of each day (each week for spans over 92 days) from
    ``min(start, end - CHART_MIN_DAYS)`` (not before the first check) to ``end``.

    One pass over the checks (oldest first): O(checks + points)."""
    if not checks:
        return []
    first = checks[0].checked_at
    begin = end - timedelta(days=CHART_MIN_DAYS)
    if start is not None:
        begin = min(begin, start)
    begin = max(begin, first)
    step = timedelta(days=1 if end - begin <= timedelta(days=_DAILY_UP_TO_DAYS) else 7)
    # bucket ends: midnights after ``begin`` up to ``end``, then ``end`` itself
    day = begin.replace(hour=0, minute=0, second=0, microsecond=0) + step
    ends = []
    while day < end:
        ends.append(day)
        day += step
    ends.append(end)
    states: dict[int, _State] = {}
    copies = credited = 0
    points = []
    i = 0
    for moment in ends:
        while i < len(checks) and checks[i].checked_at <= moment:
            c = checks[i]
            old = states.get(c.finding_id)
            if _is_copy(old):
                copies -= 1
                credited -= not _lacking(old)
            new: _State = (c.verdict, c.credit_status)
            states[c.finding_id] = new
            if _is_copy(new):
                copies += 1
                credited += not _lacking(new)
            i += 1
        if moment >= begin and copies:
            points.append(CompliancePoint(at=moment, copies=copies, credited=credited))
    return points
