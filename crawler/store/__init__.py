"""The store: publications, originals, pages, findings and their history, crawl runs."""

from __future__ import annotations

from .db import Store, make_engine, safe_url
from .records import CheckRecord, FindingRecord

__all__ = ["CheckRecord", "FindingRecord", "Store", "make_engine", "safe_url"]
