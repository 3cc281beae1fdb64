"""``build_report``: the store's findings gathered once into a ``Report`` every format renders.

A report reads the store and nothing else: it never fetches a page and never re-judges one (the
verdicts and credit statuses are the matcher's, as recorded). The per-finding fields shared by
the CSV and JSON formats (``FINDING_FIELDS``) are defined here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.store import FindingRecord, Store
from matcher import CREDIT_STATUSES

__all__ = [
    "CREDIT_STATUSES",
    "FINDING_FIELDS",
    "Report",
    "SiteSummary",
    "build_report",
    "finding_fields",
    "iso",
    "utc",
]


FINDING_FIELDS = (
    "page_url",
    "site",
    "original_url",
    "original_title",
    "publication",
    "verdict",
    "extent",
    "coverage",
    "credit_status",
    "credit_reason",
    "review_state",
    "first_seen",
    "last_checked",
    "longest_passage",
)
"""The fields of one finding in the CSV (its columns, in order) and the JSON (its keys)."""


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already (SQLite drops the zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (``2026-11-28T09:30:00Z``), or None."""
    if moment is None:
        return None
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SiteSummary:
    """The copies found on one site (host name).

    ``credited_share`` is the share (0..1) of the site's copies that meet the credit rule
    (``credited`` or ``allowed``); ``first_seen`` is the earliest first sighting of any of its
    copies, ``last_seen`` the latest check of any of them (UTC).
    """

    site: str
    copies: int
    lacking_credit: int
    credited_share: float
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class Report:
    """What a report shows, ready to render in any format.

    ``totals`` keys: ``pages`` (pages checked, store-wide: pages are not tied to a publication
    or window), ``originals`` (store-wide), ``findings`` (copies found), ``reposts``,
    ``excerpts``, ``lacking_credit``, ``credited`` (copies meeting the rule: ``credited`` or
    ``allowed``) and ``credit_<status>`` for each status in ``CREDIT_STATUSES``; all but
    ``pages`` and ``originals`` follow the publication and ``since`` filters.
    ``rows``: the copies lacking credit, most severe first (reposts before excerpts, then by
    coverage, then by the longest copied passage). ``sites``: every site with a copy, the most
    copies lacking credit first.
    """

    generated_at: datetime
    publication: str | None
    since: datetime | None
    totals: dict[str, int]
    rows: tuple[FindingRecord, ...]
    sites: tuple[SiteSummary, ...]

    @property
    def credited_share(self) -> float:
        """Share (0..1) of the copies found that meet the credit rule; 0.0 when none was found."""
        found = self.totals.get("findings", 0)
        return self.totals.get("credited", 0) / found if found else 0.0


def build_report(
    store: Store,
    *,
    publication: str | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Report:
    """Gather the findings of ``publication`` (None = all) checked at or after ``since``.

    ``now`` is the report's time stamp (default: the current time); naive datetimes are taken
    as UTC. Store failures propagate as ``StoreError``: an unreadable store never yields an
    empty report.
    """
    since = utc(since) if since is not None else None
    findings = store.findings(publication=publication, since=since)
    counts = store.counts()
    rows = sorted((f for f in findings if f.lacks_credit), key=_severity)
    return Report(
        generated_at=utc(now) if now is not None else datetime.now(UTC),
        publication=publication,
        since=since,
        totals=_totals(findings, counts),
        rows=tuple(rows),
        sites=_sites(findings),
    )


def _severity(f: FindingRecord) -> tuple[bool, float, int, int]:
    return (f.verdict != "repost", -f.coverage, -f.longest_words, f.id)


def _totals(findings: list[FindingRecord], counts: dict[str, int]) -> dict[str, int]:
    totals = {
        "pages": counts.get("pages", 0),
        "originals": counts.get("originals", 0),
        "findings": len(findings),
        "reposts": sum(f.verdict == "repost" for f in findings),
        "excerpts": sum(f.verdict == "excerpt" for f in findings),
        "lacking_credit": sum(f.lacks_credit for f in findings),
        "credited": sum(not f.lacks_credit for f in findings),
    }
    for status in CREDIT_STATUSES:
        totals[f"credit_{status}"] = sum(f.credit_status == status for f in findings)
    return totals


def _sites(findings: Iterable[FindingRecord]) -> tuple[SiteSummary, ...]:
    by_site: dict[str, list[FindingRecord]] = {}
    for f in findings:
        by_site.setdefault(f.site, []).append(f)
    sites = []
    for site, group in by_site.items():
        lacking = sum(f.lacks_credit for f in group)
        sites.append(SiteSummary(
            site=site,
            copies=len(group),
            lacking_credit=lacking,
            credited_share=(len(group) - lacking) / len(group),
            first_seen=min(utc(f.first_seen) for f in group),
            last_seen=max(utc(f.last_checked) for f in group),
        ))
    sites.sort(key=lambda s: (-s.lacking_credit, -s.copies, s.site))
    return tuple(sites)


def finding_fields(f: FindingRecord) -> dict[str, Any]:
    """The ``FINDING_FIELDS`` of one finding: coverage 0..1 (4 decimals), datetimes ISO 8601 UTC,
    ``longest_passage`` the page's text of the longest copied passage (None without one)."""
    passage = f.longest_passage or {}
    return {
        "page_url": f.page_url,
        "site": f.site,
        "original_url": f.original_url,
        "original_title": f.original_title,
        "publication": f.publication,
        "verdict": f.verdict,
        "extent": f.extent,
        "coverage": round(f.coverage, 4),
        "credit_status": f.credit_status,
        "credit_reason": f.credit_reason,
        "review_state": f.review_state,
        "first_seen": iso(f.first_seen),
        "last_checked": iso(f.last_checked),
        "longest_passage": passage.get("page_text"),
    }
