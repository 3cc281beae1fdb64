"""The store: publications, originals, pages, findings and their history, crawl runs.

``Store`` and the records load SQLAlchemy, so they are imported when first asked for: a
module of this package that does without it (``readonly``, ``index_cache``, ``lazy``) can be
imported alone, which keeps a cold ``check`` quick.
"""

from __future__ import annotations

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

def __getattr__(name: str) -> Any:
    """The package's names, imported on first use (PEP 562)."""
    if name in ("Store", "make_engine", "safe_url"):
        from . import db

        value = getattr(db, name)
    elif name in __all__:
        from . import records

        value = getattr(records, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
