"""The store: publications, originals, pages, findings and their history, crawl runs."""

from __future__ import annotations

from .db import Store, make_engine, safe_url
from .records import (
    CheckRecord,
    FindingRecord,
    PageOutcome,
    PageRecord,
    PageVersionRecord,
    Validators,
)

__all__ = [
    "CheckRecord",
    "FindingRecord",
    "PageOutcome",
    "PageRecord",
    "PageVersionRecord",
    "Store",
    "Validators",
    "make_engine",
    "safe_url",
]
