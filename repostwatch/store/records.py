"""What the store hands to reports and the CLI: plain frozen records, no ORM objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Select, and_, select

from matcher import CREDIT_MET, Assessment, Page, lacks_credit

from .models import FindingRow, OriginalRow, PageRow, PublicationRow

__all__ = [
    "CLOSED_STATES",
    "CheckRecord",
    "FindingRecord",
    "PageOutcome",
    "PageRecord",
    "PageVersionRecord",
    "Validators",
    "finding_record",
    "finding_select",
    "lacking_credit_clause",
]


CLOSED_STATES = ("gone", "false_positive")  # review states of copies no longer to chase


@dataclass(frozen=True)
class CheckRecord:
    """One judgement of a finding at one time (a row of its history)."""

    checked_at: datetime
    verdict: str
    coverage: float
    credit_status: str
    run_id: int | None = None
    http_status: int | None = None  # 404 / 410: the page was gone
    page_version_id: int | None = None  # the evidence judged (``Store.page_versions``)


@dataclass(frozen=True)
class PageVersionRecord:
    """One distinct body of a page, as fetched: the evidence of what it showed.

    ``body`` is the uncompressed response body; ``content_hash`` its SHA-256 (hex);
    ``headers`` the response headers as (name, value) pairs; ``fetched_at`` the first fetch
    that saw this body and ``last_seen_at`` the latest.
    """

    id: int
    page_url: str
    final_url: str
    status: int | None
    content_hash: str
    size: int
    encoding: str
    headers: tuple[tuple[str, str], ...]
    fetched_at: datetime
    last_seen_at: datetime
    body: bytes

    @property
    def html(self) -> str:
        return self.body.decode(self.encoding or "utf-8", "replace")


@dataclass(frozen=True)
class PageRecord:
    """One fetched page to record (``Store.record_pages``): judged (``result``) or gone
    (``result`` None); ``body`` the bytes as fetched, decoded with ``encoding`` (None: the
    page's HTML), ``headers`` the response's (name, value) pairs."""

    result: Assessment | None
    page: Page
    status: int | None = None
    run_id: int | None = None
    headers: Sequence[tuple[str, str]] = ()
    body: bytes | None = None
    encoding: str = "utf-8"


@dataclass(frozen=True)
class PageOutcome:
    """What storing one fetched page did: the finding upserted (a copy), how many findings
    were marked gone (the copy removed, or the page answered 404 / 410), and the evidence
    version written (None when the page neither holds a copy nor had a finding)."""

    finding_id: int | None = None
    gone: int = 0
    version_id: int | None = None


class Validators(NamedTuple):
    """What the last fetch of an original said about its freshness (for conditional GET)."""

    etag: str | None
    last_modified: str | None  # the Last-Modified header, verbatim
    lastmod: datetime | None  # the sitemap's <lastmod> for it then


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
    source: str | None = None  # the wire the original comes from (None: the publisher's own)
    kept_apart: str | None = None  # why kept out of "lacking credit" (matcher.KeptApart)
    page_published: datetime | None = None  # the date the page gives for itself
    original_published: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Still a copy to chase: not taken down, not a false positive."""
        return self.review_state not in CLOSED_STATES

    @property
    def syndicated(self) -> bool:
        """A copy of a wire story (the original's ``source`` is set)."""
        return self.source is not None

    @property
    def lacks_credit(self) -> bool:
        """Its credit falls short of the rule and it is not kept apart (what reports chase)."""
        return lacks_credit(self.credit_status) and self.kept_apart is None


def lacking_credit_clause() -> ColumnElement[bool]:
    """``FindingRecord.lacks_credit`` as SQL over ``findings``, for filters and counts."""
    return and_(FindingRow.credit_status.not_in(sorted(CREDIT_MET)),
                FindingRow.kept_apart.is_(None))


def finding_select() -> Select[*tuple[Any, ...]]:
    """The columns a ``FindingRecord`` is made of, joined from findings, pages, originals and
    publications: selected as plain rows, not ORM objects (a report reads 10,000 findings;
    building the objects cost more than the query)."""
    f, p, o = FindingRow, PageRow, OriginalRow
    return (
        select(f.id, p.url.label("page_url"), p.site, p.title.label("page_title"),
               f.original_id, o.url.label("original_url"), o.title.label("original_title"),
               PublicationRow.name.label("publication"), f.verdict, f.extent, f.coverage,
               f.longest_words, f.credit_status, f.credit_reason, f.review_state, f.first_seen,
               f.last_checked, f.evidence, f.passages, o.source, f.kept_apart, f.page_published,
               o.published.label("original_published"))
        .join(p, f.page_id == p.id).join(o, f.original_id == o.id)
        .join(PublicationRow, o.publication_id == PublicationRow.id)
    )


def finding_record(row: Row[Any], history: tuple[CheckRecord, ...] = ()) -> FindingRecord:
    """A ``FindingRecord`` from a row of ``finding_select()``."""
    m = row._mapping
    return FindingRecord(
        id=m["id"],
        page_url=m["page_url"],
        site=m["site"],
        page_title=m["page_title"],
        original_id=m["original_id"],
        original_url=m["original_url"],
        original_title=m["original_title"],
        publication=m["publication"],
        verdict=m["verdict"],
        extent=m["extent"],
        coverage=m["coverage"],
        longest_words=m["longest_words"],
        credit_status=m["credit_status"],
        credit_reason=m["credit_reason"],
        review_state=m["review_state"],
        first_seen=m["first_seen"],
        last_checked=m["last_checked"],
        evidence=list((m["evidence"] or {}).get("signals", [])),
        longest_passage=(m["passages"] or {}).get("longest"),
        history=history,
        source=m["source"],
        kept_apart=m["kept_apart"],
        page_published=m["page_published"],
        original_published=m["original_published"],
    )
