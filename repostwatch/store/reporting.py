"""What periodic reports read and write besides the findings themselves.

Reports are recorded (``report_runs``) so that "since the previous report" always means
something; the change figures of a report (new, still open, resolved, gone) and its compliance
chart come from the history of every finding (``finding_checks``) and from the editors' review
events (``review_events``). Plain functions taking the ``Store``: the store stays the only code
that speaks SQL, and ``db.py`` does not grow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from matcher import canonical_url

from .db import Store
from .evidence import decompress
from .models import (
    FindingCheckRow,
    FindingRow,
    OriginalRow,
    PageRow,
    PageVersionRow,
    PublicationRow,
    ReportRunRow,
    ReviewEventRow,
)

__all__ = [
    "CheckPoint",
    "ReportRunRecord",
    "check_history",
    "newest_bodies",
    "previous_report",
    "record_report_run",
    "report_runs",
    "resolved_by_review",
    "set_report_delivery",
]


@dataclass(frozen=True)
class ReportRunRecord:
    """One report generated: its period (``period_start`` None = from the beginning), the
    formats and files written, the summary figures it showed and how delivery went."""

    id: int
    generated_at: datetime
    period_start: datetime | None
    period_end: datetime
    publication: str | None
    formats: tuple[str, ...]
    paths: tuple[str, ...]
    summary: dict[str, Any] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckPoint:
    """One judgement of a finding, as the history of reports needs it (oldest first)."""

    finding_id: int
    checked_at: datetime
    verdict: str  # ``repost``, ``excerpt``, or ``none`` when the copy was gone
    credit_status: str


def _record(row: ReportRunRow) -> ReportRunRecord:
    return ReportRunRecord(
        id=row.id, generated_at=row.generated_at, period_start=row.period_start,
        period_end=row.period_end, publication=row.publication,
        formats=tuple(row.formats or ()), paths=tuple(row.paths or ()),
        summary=dict(row.summary or {}), delivery=dict(row.delivery or {}),
    )


def record_report_run(
    store: Store,
    *,
    generated_at: datetime,
    period_start: datetime | None,
    period_end: datetime,
    publication: str | None,
    formats: Sequence[str],
    paths: Sequence[str],
    summary: dict[str, Any],
    delivery: dict[str, Any] | None = None,
) -> int:
    """Append a report run; return its id. Datetimes must be timezone-aware."""
    with store.session() as s:
        row = ReportRunRow(
            generated_at=generated_at, period_start=period_start, period_end=period_end,
            publication=publication, formats=list(formats), paths=list(paths),
            summary=summary, delivery=delivery or {},
        )
        s.add(row)
        s.flush()
        return row.id


def set_report_delivery(store: Store, run_id: int, delivery: dict[str, Any]) -> None:
    """Record how the delivery of report run ``run_id`` went (replaces what was there)."""
    with store.session() as s:
        row = s.get(ReportRunRow, run_id)
        if row is None:
            raise KeyError(f"no report run {run_id}")
        row.delivery = delivery


def report_runs(store: Store, *, limit: int | None = 20) -> list[ReportRunRecord]:
    """Report runs, newest first."""
    with store.session() as s:
        q = select(ReportRunRow).order_by(ReportRunRow.generated_at.desc(),
                                          ReportRunRow.id.desc()).limit(limit)
        return [_record(r) for r in s.scalars(q)]


def previous_report(store: Store, publication: str | None, *,
                    ending_by: datetime | None = None) -> ReportRunRecord | None:
    """The latest report of ``publication`` (None: the reports of all publications), of those
    whose period ends by ``ending_by`` (None: any)."""
    with store.session() as s:
        q = select(ReportRunRow).order_by(ReportRunRow.period_end.desc(),
                                          ReportRunRow.id.desc()).limit(1)
        if ending_by is not None:
            q = q.where(ReportRunRow.period_end <= ending_by)
        q = q.where(ReportRunRow.publication.is_(None) if publication is None
                    else ReportRunRow.publication == publication)
        row = s.scalars(q).first()
        return _record(row) if row is not None else None


def check_history(store: Store, *, publication: str | None = None,
                  until: datetime | None = None) -> list[CheckPoint]:
    """Every judgement of every finding of ``publication`` (None: all), up to ``until``,
    oldest first. Gone and false-positive findings included: the history is the history.

    Allow-listing a site in the review UI turns its findings ``allowed`` without a check: each
    such event (``review_events`` action ``allow_site``) is a judgement too, the finding's
    latest verdict with the credit status ``allowed``, so the period's figures and the
    compliance chart agree with the findings' current status."""
    def of_publication(q: Any, finding_id: Any) -> Any:
        if publication is None:
            return q
        return (q.join(FindingRow, FindingRow.id == finding_id)
                .join(OriginalRow, OriginalRow.id == FindingRow.original_id)
                .join(PublicationRow, PublicationRow.id == OriginalRow.publication_id)
                .where(PublicationRow.name == publication))

    with store.session() as s:
        q = of_publication(select(FindingCheckRow.finding_id, FindingCheckRow.checked_at,
                                  FindingCheckRow.verdict, FindingCheckRow.credit_status),
                           FindingCheckRow.finding_id)
        if until is not None:
            q = q.where(FindingCheckRow.checked_at <= until)
        q = q.order_by(FindingCheckRow.checked_at, FindingCheckRow.id)
        checks = [CheckPoint(*row) for row in s.execute(q)]
        e = of_publication(select(ReviewEventRow.finding_id, ReviewEventRow.at)
                           .where(ReviewEventRow.action == "allow_site"),
                           ReviewEventRow.finding_id)
        if until is not None:
            e = e.where(ReviewEventRow.at <= until)
        allowed = s.execute(e.order_by(ReviewEventRow.at, ReviewEventRow.id)).all()
    if not allowed:
        return checks
    timeline = sorted([(c.checked_at, 0, i) for i, c in enumerate(checks)]
                      + [(at, 1, i) for i, (_, at) in enumerate(allowed)])
    verdicts: dict[int, str] = {}
    out: list[CheckPoint] = []
    for at, kind, i in timeline:
        if kind == 0:
            out.append(checks[i])
            verdicts[checks[i].finding_id] = checks[i].verdict
        elif (finding_id := allowed[i][0]) in verdicts:
            out.append(CheckPoint(finding_id, at, verdicts[finding_id], "allowed"))
    return out


def resolved_by_review(store: Store, *, start: datetime | None, end: datetime) -> set[int]:
    """Ids of findings an editor marked ``resolved`` in (``start``, ``end``]."""
    with store.session() as s:
        q = select(ReviewEventRow.finding_id).where(ReviewEventRow.to_state == "resolved",
                                                    ReviewEventRow.at <= end)
        if start is not None:
            q = q.where(ReviewEventRow.at > start)
        return set(s.scalars(q))


def newest_bodies(store: Store, urls: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The newest saved body of each page in ``urls``: ``{url: (final_url, html)}`` (pages
    without a saved version are left out). One query, however many pages."""
    keys = {canonical_url(u): u for u in urls}
    found: dict[str, tuple[str, str]] = {}
    if not keys:
        return found
    with store.session() as s:
        rows = s.execute(
            select(PageRow.url_key, PageVersionRow.final_url, PageVersionRow.body,
                   PageVersionRow.encoding)
            .join(PageRow, PageRow.id == PageVersionRow.page_id)
            .where(PageRow.url_key.in_(list(keys)))
            .order_by(PageVersionRow.last_seen_at.desc(), PageVersionRow.id.desc())
        )
        for key, final_url, body, encoding in rows:
            url = keys[key]
            if url not in found:
                found[url] = (final_url or url,
                              decompress(body).decode(encoding or "utf-8", "replace"))
    return found
