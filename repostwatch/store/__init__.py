"""The store: publications, originals, pages, findings and their history, crawl runs.

``Store`` and the records load SQLAlchemy, so they are imported when first asked for: a
module of this package that does without it (``readonly``, ``index_cache``, ``lazy``) can be
imported alone, which keeps a cold ``check`` quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {"Store": ".db", "make_engine": ".db", "safe_url": ".db"}


def __getattr__(name: str) -> Any:
    """The package's names, imported on first use (PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES.get(name, ".records"), __name__), name)
    globals()[name] = value
    return value
