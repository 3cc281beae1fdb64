"""Evidence: the bodies of pages that held copies, kept so a publisher can prove what a page
showed after it is edited or taken down.

A version is one distinct body of one page: the bytes as fetched (after transfer decoding),
zlib-compressed, keyed on (page, SHA-256 of the bytes), so a page re-fetched unchanged adds
nothing but a later ``last_seen_at``, and an edited page keeps both versions.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .models import PageVersionRow

__all__ = ["Headers", "content_hash", "decompress", "save_version"]

Headers = Sequence[tuple[str, str]]  # (name, value) pairs as received, repeats kept
_LEVEL = 6  # zlib's default: news pages shrink 4-6x; higher levels gain little for more time


def content_hash(body: bytes) -> str:
    """The SHA-256 (hex) of an uncompressed body: what versions are deduplicated on."""
    return hashlib.sha256(body).hexdigest()


def save_version(
    s: Session,
    insert: Any,
    *,
    page_id: int,
    body: bytes,
    encoding: str,
    final_url: str,
    status: int | None,
    headers: Headers,
    fetched_at: datetime,
) -> int:
    """Upsert the version of ``page_id`` holding ``body``; return its id.

    ``insert`` is the dialect's ``insert(PageVersionRow)`` (the store picks it).
    """
    digest = content_hash(body)
    stmt = insert.values(
        page_id=page_id, content_hash=digest, body=zlib.compress(body, _LEVEL), size=len(body),
        encoding=encoding[:40], final_url=final_url, status=status,
        headers=[[name, value] for name, value in headers],
        fetched_at=fetched_at, last_seen_at=fetched_at,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["page_id", "content_hash"], set_={"last_seen_at": fetched_at},
    )
    version_id: int | None = s.scalar(stmt.returning(PageVersionRow.id))
    assert version_id is not None
    return version_id


def decompress(body: bytes) -> bytes:
    """The stored body as it was fetched."""
    return zlib.decompress(body)
