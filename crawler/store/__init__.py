"""The store: publications, originals, pages, findings and their history, crawl runs."""

from __future__ import annotations

from .db import Store, make_engine, safe_url
from .records import FindingRecord

__all__ = ["FindingRecord", "Store", "make_engine", "safe_url"]
