"""What a WARC scan remembers: the files it read and the archive record behind each finding.

``archive_files`` makes a scan resumable: a file is marked ``scanning`` when a worker starts it
(with a heartbeat while it runs), ``done`` when every record was read, ``failed`` when it could
not be; the next scan skips the ``done`` ones. ``archive_captures`` is a scan's evidence: the
file, offset, record id and capture date of the record a finding was judged from.

Archive captures are history, not the present: ``record_capture`` updates a finding's
judgement only when the capture is at least as new as the page's latest fetch (a crawl of the
live page last week outranks a capture of last year, whatever order they were read in), and
it never marks a finding gone (``recheck`` asks the live web). Everything is an upsert on a
unique key and a capture is unique per (finding, file, offset): a file scanned again, by the
same worker or another after a crash, adds no finding, capture or history row twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matcher import Assessment, Page, canonical_url

from .db import (
    _insert,
    finding_check,
    finding_values,
    insert_checks,
    page_values,
    upsert_finding,
)
from .evidence import Headers, save_version
from .models import (
    ArchiveCaptureRow,
    ArchiveFileRow,
    FindingRow,
    PageRow,
    utcnow,
)
from .records import PageOutcome

if TYPE_CHECKING:
    from .db import Store

__all__ = ["Capture", "CaptureRecord", "FileState", "captures_of", "file_states",
           "finish_file", "location_key", "record_capture", "run_progress", "start_file",
           "touch_file"]


def location_key(location: str) -> str:
    """The key a file is remembered by: the SHA-256 (hex) of its location."""
    return hashlib.sha256(location.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Capture:
    """Where an archived page is: ``location`` (the file's path or URL), the ``offset`` its
    record starts at, its ``WARC-Record-ID`` and its capture date (``WARC-Date``, tz-aware)."""

    location: str
    offset: int
    record_id: str
    captured_at: datetime


@dataclass(frozen=True)
class CaptureRecord:
    """A finding's archive evidence, as ``lookup`` shows it."""

    location: str
    offset: int
    record_id: str
    captured_at: datetime
    run_id: int | None
    page_version_id: int | None


@dataclass(frozen=True)
class FileState:
    """What the store knows of one archive file."""

    location: str
    status: str  # scanning, done, failed
    attempts: int
    worker: str
    records: int
    copies: int
    stats: dict[str, Any]
    error: str | None
    updated_at: datetime


def start_file(store: Store, location: str, *, run_id: int | None, worker: str) -> int:
    """Mark ``location`` as being scanned by ``worker`` (one more attempt); return the attempt
    number. Its counts start again from zero."""
    now = utcnow()
    with store.session() as s:
        values: dict[str, Any] = dict(
            location=location, location_key=location_key(location), status="scanning",
            attempts=1, worker=worker[:200], run_id=run_id, records=0, copies=0, stats={},
            error=None, started_at=now, updated_at=now, finished_at=None)
        stmt = _insert(s, ArchiveFileRow).values(**values)
        table = ArchiveFileRow.__table__.c
        update_set = {k: v for k, v in values.items() if k not in ("location_key", "attempts")}
        update_set["attempts"] = table.attempts + 1
        stmt = stmt.on_conflict_do_update(index_elements=["location_key"], set_=update_set)
        attempts: int | None = s.scalar(stmt.returning(ArchiveFileRow.attempts))
        assert attempts is not None
        return attempts


def touch_file(store: Store, location: str, *, records: int, copies: int) -> None:
    """The scanning worker's heartbeat: how far it got."""
    with store.session() as s:
        s.execute(update(ArchiveFileRow)
                  .where(ArchiveFileRow.location_key == location_key(location))
                  .values(records=records, copies=copies, updated_at=utcnow()))


def finish_file(store: Store, location: str, *, status: str, records: int, copies: int,
                stats: dict[str, Any], error: str | None = None) -> None:
    """Record the end of a file's scan: ``done`` (every record read) or ``failed``."""
    now = utcnow()
    with store.session() as s:
        s.execute(update(ArchiveFileRow)
                  .where(ArchiveFileRow.location_key == location_key(location))
                  .values(status=status, records=records, copies=copies, stats=stats,
                          error=error, updated_at=now, finished_at=now))


def file_states(store: Store, locations: Iterable[str]) -> dict[str, FileState]:
    """location → what the store knows of it, for the given files it has seen."""
    keys = {location_key(loc): loc for loc in locations}
    out: dict[str, FileState] = {}
    with store.session() as s:
        chunk = list(keys)
        for start in range(0, len(chunk), 500):
            rows = s.scalars(select(ArchiveFileRow)
                             .where(ArchiveFileRow.location_key.in_(chunk[start:start + 500])))
            for r in rows:
                out[keys[r.location_key]] = FileState(
                    location=r.location, status=r.status, attempts=r.attempts, worker=r.worker,
                    records=r.records, copies=r.copies, stats=dict(r.stats or {}),
                    error=r.error, updated_at=r.updated_at)
    return out


def run_progress(store: Store, run_id: int) -> tuple[int, int]:
    """(records read, copies found) so far by the files of run ``run_id``, heartbeats
    included: the progress of a scan whose files are read elsewhere (Dask workers)."""
    with store.session() as s:
        records, copies = s.execute(
            select(func.coalesce(func.sum(ArchiveFileRow.records), 0),
                   func.coalesce(func.sum(ArchiveFileRow.copies), 0))
            .where(ArchiveFileRow.run_id == run_id)).one()
    return int(records), int(copies)


def record_capture(
    store: Store, result: Assessment, page: Page, capture: Capture, *,
    status: int | None, run_id: int | None, headers: Headers = (), body: bytes | None = None,
    encoding: str = "utf-8",
) -> PageOutcome:
    """Record a copy found in an archive (``result`` a copy; ``page.fetched_at`` is the
    capture date), in one transaction: the page, its body as evidence, the finding and, once
    per (finding, file, offset), the capture and a history row. See the module docstring
    for when the finding's judgement is updated."""
    assert result.original is not None and result.credit is not None
    now = utcnow()
    with store.session() as s:
        values = page_values(page, status, now)
        stmt = _insert(s, PageRow).values(**values)
        # The newest fetch of a page is the one its row describes.
        excluded = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["url_key"],
            set_={k: getattr(excluded, k) for k in values if k != "url_key"},
            where=PageRow.__table__.c.fetched_at <= excluded.fetched_at)
        s.execute(stmt)
        page_id, latest = s.execute(select(PageRow.id, PageRow.fetched_at)
                                    .where(PageRow.url_key == canonical_url(page.url))).one()
        newest = capture.captured_at >= latest
        raw = body if body is not None else page.html.encode("utf-8", "replace")
        conn = s.connection()
        version_id = save_version(
            conn, page_id=page_id, body=raw,
            encoding=encoding if body is not None else "utf-8", final_url=page.address,
            status=status, headers=headers, fetched_at=capture.captured_at)
        if newest:
            finding_id = upsert_finding(conn, result, page_id, page.host, now)
        else:
            finding_id = _existing_or_new_finding(s, result, page_id, page.host, now)
        inserted = s.scalar(
            _insert(s, ArchiveCaptureRow).values(
                finding_id=finding_id, location=capture.location,
                location_key=location_key(capture.location), offset=capture.offset,
                record_id=capture.record_id[:200], captured_at=capture.captured_at,
                page_version_id=version_id, run_id=run_id, recorded_at=now)
            .on_conflict_do_nothing(index_elements=["finding_id", "location_key", "offset"])
            .returning(ArchiveCaptureRow.id))
        if inserted is not None:  # first time this record is recorded: one history row
            insert_checks(conn, [finding_check(finding_id, result, run_id=run_id, now=now,
                                               status=status, version_id=version_id)])
        return PageOutcome(finding_id=finding_id, version_id=version_id)


def _existing_or_new_finding(s: Session, result: Assessment, page_id: int, site: str,
                             now: datetime) -> int:
    """The finding of (original, page) left as it is when it exists (an older capture does
    not overrule a newer judgement), else created from this capture."""
    assert result.original is not None
    stmt = (_insert(s, FindingRow).values(**finding_values(result, page_id, site, now))
            .on_conflict_do_nothing(index_elements=["original_id", "page_id"]))
    s.execute(stmt)
    finding_id: int | None = s.scalar(
        select(FindingRow.id).where(FindingRow.original_id == result.original.id,
                                    FindingRow.page_id == page_id))
    assert finding_id is not None
    return finding_id


def captures_of(store: Store, finding_ids: Iterable[int]) -> dict[int, list[CaptureRecord]]:
    """finding id → its archive captures, newest capture first (findings without any are
    left out)."""
    ids = list(finding_ids)
    out: dict[int, list[CaptureRecord]] = {}
    if not ids:
        return out
    with store.session() as s:
        rows = s.scalars(select(ArchiveCaptureRow)
                         .where(ArchiveCaptureRow.finding_id.in_(ids))
                         .order_by(ArchiveCaptureRow.captured_at.desc(), ArchiveCaptureRow.id))
        for r in rows:
            out.setdefault(r.finding_id, []).append(CaptureRecord(
                location=r.location, offset=r.offset, record_id=r.record_id,
                captured_at=r.captured_at, run_id=r.run_id, page_version_id=r.page_version_id))
    return out
