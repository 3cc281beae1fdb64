"""``build_report``: the store's findings gathered once into a ``Report`` every format renders.

A report reads the store and nothing else: it never fetches a page and never re-judges one (the
verdicts and credit statuses are the matcher's, as recorded). The per-finding fields shared by
the CSV and JSON formats (``FINDING_FIELDS``) are defined here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from matcher import CREDIT_MET, CREDIT_STATUSES
from repostwatch.config import DEFAULT_CREDIT_LINE, DEFAULT_REPOST_RULE
from repostwatch.store import FindingRecord, Store
from repostwatch.store.reporting import check_history, resolved_by_review

from .history import Changes, CompliancePoint, changes, compliance_series
from .outreach import FetchPages, OutreachLetter, outreach_letters

__all__ = [
    "APART_WHY",
    "CREDIT_STATUSES",
    "FINDING_FIELDS",
    "PASSAGE_CHARS",
    "Changes",
    "CompliancePoint",
    "Report",
    "SiteSummary",
    "build_report",
    "clip",
    "finding_fields",
    "iso",
    "lacking_by_site",
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
    "source",
    "kept_apart",
    "page_published",
    "original_published",
)
"""The fields of one finding in the CSV (its columns, in order) and the JSON (its keys)."""

APART_WHY = {
    "syndicated": "copies of wire stories: the same story licensed from the wire, usually run "
                  "by other licensees of it, so they are not chased as copies of your own "
                  "writing (set report_syndicated = true on the publication to chase them)",
    "earlier": "pages that say they were published before the original: they may be its "
               "source, not a copy of it; check the dates before asking for credit",
}
"""Why each kind of copy kept apart (``FindingRecord.kept_apart``) is not in "lacking credit"."""


PASSAGE_CHARS = 600
"""Longest copied passage shown in the HTML and Markdown reports, in characters; longer ones
are cut at a word with an ellipsis."""


def clip(text: str | None, limit: int = PASSAGE_CHARS) -> str:
    """``text`` on one line, cut at a word near ``limit`` characters with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + " …"


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
    kept_apart: int = 0  # copies short of the rule but not chased (wire stories, earlier)


@dataclass(frozen=True)
class Report:
    """What a report shows, ready to render in any format.

    ``totals`` keys: ``pages`` (pages checked, store-wide: pages are not tied to a publication
    or window), ``originals`` (store-wide), ``findings`` (copies found), ``reposts``,
    ``excerpts``, ``lacking_credit``, ``credited`` (copies meeting the rule: ``credited`` or
    ``allowed``), ``kept_apart`` (copies not chased, whatever their credit: copies of wire
    stories, pages earlier than the original; ``findings`` = ``credited`` + ``lacking_credit``
    + ``kept_apart``), ``syndicated`` (copies of wire stories), ``kept_syndicated``,
    ``kept_earlier`` (the kept apart by why), and ``credit_<status>`` for each status in
    ``CREDIT_STATUSES``; all but ``pages`` and ``originals`` follow the publication and
    ``since`` filters.
    ``rows``: the open copies lacking credit (not gone, not a false positive), most severe
    first (reposts before excerpts, then by coverage, then by the longest copied passage).
    ``apart``: the open copies kept apart (``APART_WHY`` says why), the same order, with
    their credit (a licensee of the wire may credit the wire or no one).
    ``sites``: every site with a copy, the most copies lacking credit first.

    The period is (``since``, ``until``]; ``until`` None means "until ``generated_at``". The
    findings shown are every copy known at its end (first seen by then, not gone), each with
    its latest judgement: a weekly report lists the copies still open from earlier weeks too,
    and ``is_new`` tells the ones first seen in the period. ``changes`` (new, still open,
    resolved, gone) and ``compliance`` (credited share over time) come from the findings' history
    (``reports.history``); ``letters`` are the outreach letters, one per site and publication
    with copies lacking credit (empty unless asked for).
    """

    generated_at: datetime
    publication: str | None
    since: datetime | None
    totals: dict[str, int]
    rows: tuple[FindingRecord, ...]
    sites: tuple[SiteSummary, ...]
    until: datetime | None = None
    apart: tuple[FindingRecord, ...] = ()
    changes: Changes = field(default_factory=Changes)
    compliance: tuple[CompliancePoint, ...] = ()
    letters: tuple[OutreachLetter, ...] = ()

    def is_new(self, f: FindingRecord) -> bool:
        """``f`` was first seen in this report's period."""
        return self.since is None or utc(f.first_seen) > self.since

    @property
    def period_end(self) -> datetime:
        """The end of the report's period: ``until``, else the time it was generated."""
        return self.until if self.until is not None else self.generated_at

    @property
    def credited_share(self) -> float:
        """Share (0..1) of the copies whose credit is chased that meet the rule (copies kept
        apart left out); 0.0 when there is none."""
        chased = self.totals.get("credited", 0) + self.totals.get("lacking_credit", 0)
        return self.totals.get("credited", 0) / chased if chased else 0.0


def build_report(
    store: Store,
    *,
    publication: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    history: bool = True,
    outreach: bool = False,
    repost_rule: str = DEFAULT_REPOST_RULE,
    credit_line: str = DEFAULT_CREDIT_LINE,
    fetch: FetchPages | None = None,
) -> Report:
    """Gather the findings of ``publication`` (None = all) known at the end of the period
    (``since``, ``until``] and what changed in it.

    ``now`` is the report's time stamp (default: the current time); naive datetimes are taken
    as UTC. ``history``: compute the period's changes and the compliance series (one more
    query); ``outreach``: write the outreach letters (``repost_rule`` and ``credit_line`` are
    their templates, and ``fetch`` the shell's polite fetcher of contact pages, see
    ``reports.outreach``). Store failures propagate as ``StoreError``: an
    unreadable store never yields an empty report.
    """
    generated = utc(now) if now is not None else datetime.now(UTC)
    since = utc(since) if since is not None else None
    until = utc(until) if until is not None else None
    # without ``until`` the period runs to now (``now`` may be an earlier stamp, in tests)
    end = until or max(generated, datetime.now(UTC))
    every = store.findings(publication=publication, include_gone=True)
    seen = every
    if until is not None:
        seen = [f for f in every if utc(f.first_seen) <= until]
    findings = [f for f in seen if f.review_state != "gone"]
    counts = store.counts()
    rows = tuple(sorted((f for f in findings if f.lacks_credit and f.is_open), key=_severity))
    apart = tuple(sorted((f for f in findings if _kept_apart(f) and f.is_open), key=_severity))
    period_changes: Changes = Changes()
    series: tuple[CompliancePoint, ...] = ()
    if history:
        # copies kept apart are not chased: the period's figures and the chart leave them out
        apart_ids = {f.id for f in every if f.kept_apart is not None}
        checks = [c for c in check_history(store, publication=publication, until=end)
                  if c.finding_id not in apart_ids]
        period_changes = changes([f for f in every if f.id not in apart_ids], checks,
                                 start=since, end=end,
                                 resolved_by_review=resolved_by_review(store, start=since,
                                                                       end=end))
        series = tuple(compliance_series(checks, start=since, end=end))
    letters: tuple[OutreachLetter, ...] = ()
    if outreach:
        letters = tuple(outreach_letters(store, rows, repost_rule=repost_rule,
                                         credit_line=credit_line, fetch=fetch))
    return Report(
        generated_at=generated,
        publication=publication,
        since=since,
        totals=_totals(findings, counts),
        rows=rows,
        sites=_sites(findings),
        until=until,
        apart=apart,
        changes=period_changes,
        compliance=series,
        letters=letters,
    )


def _severity(f: FindingRecord) -> tuple[bool, float, int, int]:
    return (f.verdict != "repost", -f.coverage, -f.longest_words, f.id)


def _kept_apart(f: FindingRecord) -> bool:
    """Not chased, whatever its credit (``f.kept_apart`` says why)."""
    return f.kept_apart is not None


def _totals(findings: list[FindingRecord], counts: dict[str, int]) -> dict[str, int]:
    totals = {
        "pages": counts.get("pages", 0),
        "originals": counts.get("originals", 0),
        "findings": len(findings),
        "reposts": sum(f.verdict == "repost" for f in findings),
        "excerpts": sum(f.verdict == "excerpt" for f in findings),
        "lacking_credit": sum(f.lacks_credit for f in findings),
        "credited": sum(f.credit_status in CREDIT_MET and not _kept_apart(f) for f in findings),
        "kept_apart": sum(_kept_apart(f) for f in findings),
        "syndicated": sum(f.syndicated for f in findings),
        "kept_syndicated": sum(f.kept_apart == "syndicated" for f in findings),
        "kept_earlier": sum(f.kept_apart == "earlier" for f in findings),
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
        apart = sum(_kept_apart(f) for f in group)
        chased = len(group) - apart
        sites.append(SiteSummary(
            site=site,
            copies=len(group),
            lacking_credit=lacking,
            credited_share=(chased - lacking) / chased if chased else 1.0,
            first_seen=min(utc(f.first_seen) for f in group),
            last_seen=max(utc(f.last_checked) for f in group),
            kept_apart=apart,
        ))
    sites.sort(key=lambda s: (-s.lacking_credit, -s.copies, s.site))
    return tuple(sites)


def finding_fields(f: FindingRecord) -> dict[str, Any]:
    """The ``FINDING_FIELDS`` of one finding: coverage 0..1 (4 decimals), datetimes ISO 8601 UTC,
    ``longest_passage`` the page's text of the longest copied passage (None without one),
    ``source`` the wire of a syndicated original (None: the publisher's own), ``kept_apart``
    why the copy is not chased (None: it is; ``APART_WHY``), the page's and the original's
    own publication dates (None when unknown)."""
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
        "source": f.source,
        "kept_apart": f.kept_apart,
        "page_published": iso(f.page_published),
        "original_published": iso(f.original_published),
    }


def lacking_by_site(report: Report) -> list[tuple[str, list[FindingRecord]]]:
    """The rows lacking credit grouped by site, in the order of ``report.sites`` (the most
    copies lacking credit first); most severe first within a site."""
    by_site: dict[str, list[FindingRecord]] = {}
    for record in report.rows:
        by_site.setdefault(record.site, []).append(record)
    order = [s.site for s in report.sites if s.site in by_site]
    order += [site for site in by_site if site not in order]
    return [(site, by_site[site]) for site in order]
