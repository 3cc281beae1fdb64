"""The one thing the store writes differently per database: an INSERT that can say ON CONFLICT."""

from __future__ import annotations

from typing import Any

__all__ = ["upsertable"]


def upsertable(dialect: str) -> Any:
    """The dialect's ``insert`` (imported when needed: a SQLite user never loads PostgreSQL's
    dialect)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert
