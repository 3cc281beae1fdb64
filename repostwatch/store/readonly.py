"""A SQLite store read without SQLAlchemy, for ``check`` (and its judging processes).

Importing SQLAlchemy, its ORM and our models is ~0.3 s, half of a cold ``repostwatch check
FILE``, which reads only three things: the index stamp (is the index cache current?), the
allow-list, and the text of the few originals a page shares fingerprints with.
``ReadOnlySQLite`` reads them with the standard library's ``sqlite3``; ``Store`` runs the
same SQL text through SQLAlchemy (the stamp, the allow-list, an original, the schema
revision), and both build their answers with the functions here (``index_stamp``,
``with_allowed``, ``original_of_row``), so they cannot drift apart in what they mean; tests
hold their answers equal on one store, and ``Store``'s to the models'. Anything else (another
database, a schema that is not the newest, a stale or missing index cache, ``--save``) goes
through ``Store``.

This module imports neither SQLAlchemy nor the models; ``repostwatch.store`` loads ``Store``
only when it is asked for, so importing this module does not pull it in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from matcher import MAX_POSTINGS, CreditRule, FingerprintIndex, Original

from ..errors import StoreError
from . import index_cache
from .lazy import LazyOriginals

__all__ = [
    "ALLOWED_SQL",
    "ORIGINAL_SQL",
    "REVISION_SQL",
    "SCHEMA_REVISION",
    "STAMP_SQL",
    "Judging",
    "ReadOnlySQLite",
    "index_stamp",
    "open_for_judging",
    "original_of_row",
    "with_allowed",
]

# The head of the migrations: change it with every new migration (a test holds it to Alembic's
# head), and see that the reads below still read what the models say (test_readonly.py,
# test_store.py).
SCHEMA_REVISION = "0007"

# The reads both readers make, in one spelling: ``Store`` runs them as text too (standard SQL:
# SQLite and PostgreSQL alike; ``:name`` parameters, which sqlite3 takes as well).
STAMP_SQL = "SELECT count(id), max(id), sum(id), max(updated_at) FROM originals"
ALLOWED_SQL = ("SELECT p.name, a.site FROM allowed_sites a "
               "JOIN publications p ON p.id = a.publication_id ORDER BY a.id")
REVISION_SQL = "SELECT version_num FROM alembic_version"
ORIGINAL_SQL = ("SELECT o.id, p.name, o.url, o.title, o.text, o.published, o.author, o.source "
                "FROM originals o JOIN publications p ON p.id = o.publication_id WHERE o.id = :id")


def index_stamp(row: Sequence[Any], max_postings: int) -> str:
    """The text that changes whenever an original is added, edited or removed (STAMP_SQL's
    row: the count, the largest id, the sum of ids, the newest update) or the index's settings
    change; a saved index cache is current while its stamp equals this."""
    count, top, total, updated = row
    return f"{count}:{top}:{total}:{_when(updated)}:{max_postings}"


def original_of_row(row: Sequence[Any]) -> Original:
    """The matcher's ``Original`` of ORIGINAL_SQL's row."""
    oid, publication, url, title, text, published, author, source = row
    return Original(id=oid, publication=publication, url=url, title=title, text=text,
                    published=_when(published), author=author, source=source)


def with_allowed(rules: Mapping[str, CreditRule],
                 pairs: Iterable[tuple[str, str]]) -> dict[str, CreditRule]:
    """``rules`` with each (publication, site) pair of the store's allow-list added to that
    publication's ``allow``; a publication known only to the store gets the default rule."""
    merged = dict(rules)
    for name, site in pairs:
        rule = merged.get(name) or CreditRule(name)
        if site not in rule.allow:
            merged[name] = replace(rule, allow=(*rule.allow, site))
    return merged


def _when(value: datetime | str | None) -> datetime | None:
    """A timestamp as the database gives it (SQLite: ISO text, UTC without its zone;
    PostgreSQL: a datetime), read as ``UTCDateTime`` reads it: timezone-aware."""
    if not value:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL, None for anything else (another database,
    in memory, a URI filename, query options: those go through ``Store``)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix):]
    if not path or path == ":memory:" or path.startswith("file:") or any(c in path for c in "?%"):
        return None
    return Path(path)


class ReadOnlySQLite:
    """The reads of ``check`` on a SQLite store, through ``sqlite3``. ``open`` returns None
    when this reader cannot stand in for ``Store`` (then open ``Store``); a read that fails
    later (a lock held past 30 s, a damaged file) raises ``StoreError``, as ``Store``'s do."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _rows(self, sql: str, params: Mapping[str, object] | None = None
              ) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params or {}).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"database error: {exc}") from exc

    @classmethod
    def open(cls, url: str, *, timeout: float = 30.0) -> ReadOnlySQLite | None:
        """The store at ``url`` opened for reading, or None: not a SQLite file that exists,
        cannot be read, or not at the newest schema (``Store.open`` migrates it, or names
        the problem). A store locked by a writer for ``timeout`` seconds (the store's own
        wait) is a ``StoreError`` at once: ``Store`` would only wait as long again."""
        path = _sqlite_file(url)
        try:  # mode=rw: never creates a file
            if path is None or not path.is_file():
                return None
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True,
                                   timeout=timeout)
        except (OSError, sqlite3.Error):  # a folder that may not be searched, a name too
            return None  # long, a file that cannot be opened: Store names the problem
        try:
            revision = conn.execute(REVISION_SQL).fetchone()
        except sqlite3.Error as exc:
            conn.close()
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                raise StoreError(f"cannot open database {path}: {exc}",
                                 hint="another process holds it locked: try again when it "
                                      "is done") from exc
            return None  # not a database, or a new one
        if revision is None or revision[0] != SCHEMA_REVISION:
            conn.close()
            return None
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ReadOnlySQLite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index_stamp(self, max_postings: int) -> str:
        [row] = self._rows(STAMP_SQL)
        return index_stamp(row, max_postings)

    def original(self, original_id: int) -> Original | None:
        rows = self._rows(ORIGINAL_SQL, {"id": original_id})
        return original_of_row(rows[0]) if rows else None

    def allowed_sites(self) -> list[tuple[str, str]]:
        """(publication, site) of every site allow-listed in the store, in the order added."""
        return [(name, site) for name, site in self._rows(ALLOWED_SQL)]

    def cached_index(self, cache_dir: Path, *,
                     max_postings: int = MAX_POSTINGS) -> FingerprintIndex | None:
        """The index saved in ``cache_dir`` if it is current, else None (``Store.load_index``
        rebuilds it); originals' texts are read from this store when the matcher needs them."""
        return index_cache.load_current(cache_dir, self.index_stamp(max_postings),
                                        originals=LazyOriginals(self.original))


@dataclass(frozen=True)
class Judging:
    """What judging without recording needs of the store: its index and the credit rules with
    its allow-list; ``reader`` stays open while pages are judged (originals' texts are read on
    a match) and is closed by the caller. Its connection belongs to the thread that opened it
    (``sqlite3``'s default): the index may not be handed to other threads."""

    reader: ReadOnlySQLite
    index: FingerprintIndex
    rules: dict[str, CreditRule]


def open_for_judging(url: str, cache_dir: Path | None,
                     rules: Mapping[str, CreditRule]) -> Judging | None:
    """The store at ``url`` read without SQLAlchemy for judging, or None where ``Store`` must
    open it (see ``ReadOnlySQLite.open``; no index cache, or not a current one)."""
    if cache_dir is None:
        return None
    reader = ReadOnlySQLite.open(url)
    if reader is None:
        return None
    try:
        index = reader.cached_index(cache_dir)
        if index is not None:
            return Judging(reader, index, with_allowed(rules, reader.allowed_sites()))
    except BaseException:
        reader.close()
        raise
    reader.close()
    return None
