"""The database schema: SQLAlchemy 2 typed models. Changed only together with a migration.

Unique keys make every write an idempotent upsert: an original and a page are keyed on their
canonical URL (``url_key``), a finding on (original, page). History is never overwritten: every
judgement of a finding is appended to ``finding_checks``.

Tables: ``publications``; ``originals`` (with the HTTP validators of their last fetch, for
conditional GET); ``pages`` (the latest fetch of every judged page); ``page_versions`` (the
evidence: each distinct body a page held a copy in, compressed, with its headers and fetch
times); ``findings`` and their history ``finding_checks`` (each check names the version it
judged); ``crawl_runs``; ``review_events`` (the audit trail of editors' actions on findings);
``allowed_sites`` (sites an editor allow-listed for a publication, beside the config's list);
``report_runs`` (every report generated, so "since the previous report" means something);
``archive_files`` (each WARC / ARC file a scan read, so a finished one is skipped next time)
and ``archive_captures`` (the archive record each finding of a scan was judged from: its
file, offset and capture date, so the copy can be read again from the archive).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AllowedSiteRow",
    "ArchiveCaptureRow",
    "ArchiveFileRow",
    "Base",
    "CrawlRun",
    "FindingCheckRow",
    "FindingRow",
    "OriginalRow",
    "PageRow",
    "PageVersionRow",
    "PublicationRow",
    "ReportRunRow",
    "ReviewEventRow",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend, stored as UTC.

    PostgreSQL keeps the zone; SQLite has no timestamp type and returns naive values, which
    are UTC by construction here, so they are given their zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pass a timezone-aware one")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON
    }


class PublicationRow(Base):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the config's rule as last seen: a change flips the kept-apart findings (0005)
    report_syndicated: Mapped[bool] = mapped_column(default=False, server_default="0")


class OriginalRow(Base):
    __tablename__ = "originals"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    # deferred: read only by the index build (which selects it); ~2 KB a row otherwise loaded
    fingerprints: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Validators of the last fetch, sent back as If-None-Match / If-Modified-Since (verbatim),
    # and the sitemap's <lastmod> then: a listing whose lastmod is not newer is not re-fetched.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    lastmod: Mapped[datetime | None]
    # Where the story comes from (0005): ``source`` is the wire's name (NULL: the publisher's
    # own), as detected (``source_detected``, ``source_reason``, ``source_evidence``; a NULL
    # reason: not decided yet) or set by a person (``source_set_by`` = "person").
    source: Mapped[str | None] = mapped_column(String(200))
    source_detected: Mapped[str | None] = mapped_column(String(200))
    source_reason: Mapped[str | None] = mapped_column(Text)
    source_evidence: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    source_set_by: Mapped[str] = mapped_column(String(16), default="detected",
                                               server_default="detected")

    publication: Mapped[PublicationRow] = relationship(lazy="joined")

    # The index stamp (count, sum and max of ids, newest update) is read from this index, not
    # the fat rows (0007).
    __table_args__ = (Index("ix_originals_updated_at", "updated_at", "id"),)


class PageRow(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(2000), unique=True)
    final_url: Mapped[str] = mapped_column(Text)
    site: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[int | None] = mapped_column(Integer)
    html_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class PageVersionRow(Base):
    """One distinct body of a page, kept as evidence of what it showed (deduplicated by hash).

    ``body`` is the response body as fetched (after transfer decoding), zlib-compressed;
    ``content_hash`` is the SHA-256 of the uncompressed body. ``headers`` is a list of
    ``[name, value]`` pairs as received. ``fetched_at`` is the first fetch that saw this body,
    ``last_seen_at`` the latest.
    """

    __tablename__ = "page_versions"
    __table_args__ = (UniqueConstraint("page_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)  # bytes, uncompressed
    encoding: Mapped[str] = mapped_column(String(40))
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("original_id", "page_id"),
        # The review list's counts and sorts read this index, never the fat rows (0004, 0005).
        Index("ix_findings_review_list", "verdict", "credit_status", "review_state", "site",
              "original_id", "last_checked", "first_seen", "coverage", "kept_apart"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("originals.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    # the page's host, copied from pages.site so the review list filters and counts by site
    # without a join
    site: Mapped[str] = mapped_column(String(255), default="", server_default="")
    verdict: Mapped[str] = mapped_column(String(16))
    extent: Mapped[str | None] = mapped_column(String(16))
    coverage: Mapped[float] = mapped_column(Float)
    longest_words: Mapped[int] = mapped_column(Integer)
    credit_status: Mapped[str] = mapped_column(String(16), index=True)
    credit_reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    passages: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_state: Mapped[str] = mapped_column(String(16), default="new", index=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_checked: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Why the copy is kept out of "lacking credit" (``matcher.KeptApart``: syndicated, earlier;
    # NULL: its credit is chased), and the date the page gives for itself (0005).
    kept_apart: Mapped[str | None] = mapped_column(String(16), index=True)
    page_published: Mapped[datetime | None]

    original: Mapped[OriginalRow] = relationship(lazy="joined")
    page: Mapped[PageRow] = relationship(lazy="joined")


class FindingCheckRow(Base):
    """One judgement of a finding at one time: the finding's history."""

    __tablename__ = "finding_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    verdict: Mapped[str] = mapped_column(String(16))
    coverage: Mapped[float] = mapped_column(Float)
    credit_status: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    page_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("page_versions.id", ondelete="SET NULL"), index=True
    )


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewEventRow(Base):
    """One editor action on a finding (confirm, false positive, contacted, resolved, re-check,
    allow-list...): when, by whom, the state before and after, and the note. Never updated."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")


class AllowedSiteRow(Base):
    """A site allow-listed for a publication from the review UI (the config's ``allow`` list is
    the other source): its copies count as permitted."""

    __tablename__ = "allowed_sites"
    __table_args__ = (UniqueConstraint("publication_id", "site"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE")
    )
    site: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportRunRow(Base):
    """One report generated: its period, what it counted, where it went and how delivery went."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime]
    publication: Mapped[str | None] = mapped_column(String(200))
    formats: Mapped[list[Any]] = mapped_column(JSON, default=list)
    paths: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    delivery: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ArchiveFileRow(Base):
    """One WARC / ARC file a scan read (``repostwatch scan``): where it is, how far the scan
    got, what it counted. ``location_key`` is the SHA-256 (hex) of ``location`` (the local
    path or URL as the scan resolved it); a file whose status is ``done`` is skipped by the
    next scan. ``updated_at`` is the scanning worker's heartbeat."""

    __tablename__ = "archive_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(Text)
    location_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # scanning, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(200), default="")  # host:pid scanning it
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    records: Mapped[int] = mapped_column(Integer, default=0)  # response records read
    copies: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ArchiveCaptureRow(Base):
    """The archive record a finding was judged from: the evidence of a scan. Unique per
    (finding, file, offset), so scanning a file again adds nothing."""

    __tablename__ = "archive_captures"
    __table_args__ = (UniqueConstraint("finding_id", "location_key", "offset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    location: Mapped[str] = mapped_column(Text)  # the WARC file (path or URL)
    location_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of ``location``
    offset: Mapped[int] = mapped_column(BigInteger)  # where the record starts in the file
    record_id: Mapped[str] = mapped_column(String(200), default="")  # WARC-Record-ID
    captured_at: Mapped[datetime]  # WARC-Date: when the archive fetched the page
    page_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("page_versions.id", ondelete="SET NULL")
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
