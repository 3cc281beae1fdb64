"""What the store hands to reports and the CLI: plain frozen records, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matcher import lacks_credit

from .models import FindingRow

__all__ = ["CheckRecord", "FindingRecord", "finding_record"]


@dataclass(frozen=True)
class CheckRecord:
    """One judgement of a finding at one time (a row of its history)."""

    checked_at: datetime
    verdict: str
    coverage: float
    credit_status: str
    run_id: int | None = None


@dataclass(frozen=True)
class FindingRecord:
    """One (original, page) finding with its latest judgement.

    ``coverage`` is 0..1; ``evidence`` is a list of credit signals (dicts with kind, value,
    where, in_article, nofollow, hidden); ``longest_passage`` has ``page_text``,
    ``original_text``, ``words`` and ``similarity`` (or is None).
    """

    id: int
    page_url: str
    site: str
    page_title: str
    original_id: int
    original_url: str
    original_title: str
    publication: str
    verdict: str
    extent: str | None
    coverage: float
    longest_words: int
    credit_status: str
    credit_reason: str
    review_state: str
    first_seen: datetime
    last_checked: datetime
    evidence: list[dict[str, Any]] = field(default_factory=list)
    longest_passage: dict[str, Any] | None = None
    history: tuple[CheckRecord, ...] = ()  # newest first; filled by ``Store.copies_of``

    @property
    def lacks_credit(self) -> bool:
        return lacks_credit(self.credit_status)


def finding_record(row: FindingRow, history: tuple[CheckRecord, ...] = ()) -> FindingRecord:
    return FindingRecord(
        id=row.id,
        page_url=row.page.url,
        site=row.page.site,
        page_title=row.page.title,
        original_id=row.original_id,
        original_url=row.original.url,
        original_title=row.original.title,
        publication=row.original.publication.name,
        verdict=row.verdict,
        extent=row.extent,
        coverage=row.coverage,
        longest_words=row.longest_words,
        credit_status=row.credit_status,
        credit_reason=row.credit_reason,
        review_state=row.review_state,
        first_seen=row.first_seen,
        last_checked=row.last_checked,
        evidence=list((row.evidence or {}).get("signals", [])),
        longest_passage=(row.passages or {}).get("longest"),
        history=history,
    )
