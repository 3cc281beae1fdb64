"""The store: the only code that speaks SQL. Domain objects in, domain objects out.

One engine factory takes a URL, so SQLite (the default: one file, WAL, busy timeout) and
PostgreSQL share one code path. The schema is built and upgraded by the Alembic migrations
next to this file; ``Store.open`` runs them, so a new database file is ready to use.
Writes are upserts on unique keys (``INSERT ... ON CONFLICT DO UPDATE``): running the same
import or crawl twice never duplicates a row, and concurrent writers lose nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

from sqlalchemy import (
    Connection,
    Engine,
    case,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from matcher import (
    MAX_POSTINGS,
    Assessment,
    CreditRule,
    FingerprintIndex,
    Original,
    Page,
    canonical_url,
)

from ..errors import ConfigError, StoreError
from ..redact import ambiguous_user_info, safe_url
from . import index_cache
from .dialects import upsertable
from .evidence import Headers, decompress, save_version
from .lazy import LazyOriginals
from .models import (
    CrawlRun,
    FindingCheckRow,
    FindingRow,
    OriginalRow,
    PageRow,
    PageVersionRow,
    PublicationRow,
    utcnow,
)
from .readonly import (
    ORIGINAL_SQL,
    REVISION_SQL,
    SCHEMA_REVISION,
    STAMP_SQL,
    index_stamp,
    original_of_row,
)
from .records import (
    CLOSED_STATES,
    CheckRecord,
    FindingRecord,
    PageOutcome,
    PageRecord,
    PageVersionRecord,
    Validators,
    finding_record,
    finding_select,
    lacking_credit_clause,
)
from .sources import decide_source, original_of, refresh_kept_apart

__all__ = ["SCHEMA_REVISION", "Store", "make_engine", "safe_url"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x7265706F7374  # PostgreSQL advisory lock key of migrations ("repost")


# Built once: Store.original runs the first for every new candidate, every check the second.
_ORIGINAL, _STAMP = sql(ORIGINAL_SQL), sql(STAMP_SQL)


def _store_error(exc: SQLAlchemyError) -> StoreError:
    return StoreError(f"database error: {str(exc).splitlines()[0]}")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a 30 s busy timeout.

    ``ConfigError`` when the user info holds an unescaped ``@`` (see ``redact``);
    ``StoreError`` when the URL cannot be used."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"invalid database URL {safe_url(url)!r}",
            hint="use e.g. sqlite:///repostwatch.db or postgresql+psycopg://user@host/db",
        ) from exc
    if ambiguous_user_info(url):
        raise ConfigError(f"invalid database URL {safe_url(url)!r}: an '@' in the user name or "
                         "password must be written %40",
                         hint="e.g. postgresql+psycopg://user:p%40ss@host/db")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(
                    f"cannot open database {safe_url(url)}: folder {parent} does not exist",
                    hint="create the folder or set [database] url / REPOSTWATCH_DATABASE_URL",
                )
        engine = create_engine(parsed, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
    except (ImportError, SQLAlchemyError) as exc:
        raise StoreError(
            f"cannot use database {safe_url(url)}: {exc}",
            hint="for PostgreSQL install the extra: pip install 'repostwatch[postgres]'",
        ) from exc


def _process_gone(pid: object) -> bool:
    """Whether no process of this machine has the id ``pid`` (False when that cannot be told:
    not an id, or not a POSIX system; a live process of another user counts as alive)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or pid == os.getpid():
        return False
    if os.name != "posix":  # os.kill(pid, 0) would send Ctrl-C on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, as another user's
        return False
    return False


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the session's dialect."""
    return upsertable(session.get_bind().dialect.name)(table)


@functools.cache
def _page_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """The upsert of a ``pages`` row with ``columns``, giving its id, built once: its values
    are bound when it runs (building the statement anew for each page cost more than running
    it)."""
    return _plain_page_upsert(dialect, columns).returning(PageRow.__table__.c.id)


@functools.cache
def _plain_page_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """``_page_upsert`` without the id: run for many rows at once (one executemany)."""
    table: Any = PageRow.__table__
    stmt = upsertable(dialect)(table)
    return stmt.on_conflict_do_update(
        index_elements=["url_key"],
        set_={name: stmt.excluded[name] for name in columns if name != "url_key"})


def _holds_copy(result: Assessment | None) -> TypeGuard[Assessment]:
    """Whether a judgement found a copy to record (a finding, its evidence, its history)."""
    return result is not None and result.original is not None and result.credit is not None


def _upsert_plain(conn: Connection, rows: dict[str, dict[str, Any]]) -> None:
    """Write the rows of pages that hold no copy (url_key → row), in their order (one
    executemany), and forget them. One row a page: a driver that sends many rows as one
    multi-row INSERT (psycopg2 does) may not touch one row twice in it."""
    if rows:
        values = list(rows.values())
        conn.execute(_plain_page_upsert(conn.dialect.name, tuple(values[0])), values)
        rows.clear()


def page_values(page: Page, status: int | None, now: datetime) -> dict[str, Any]:
    """The ``pages`` row of a fetched (or archived) page."""
    return dict(
        url=page.url, url_key=canonical_url(page.url), final_url=page.address,
        site=page.host, title=page.title[:1000], status=status,
        html_hash=hashlib.sha256(page.utf8 if page.utf8 is not None  # the same bytes
                                 else page.html.encode("utf-8", "replace")).hexdigest(),
        fetched_at=page.fetched_at or now,
    )


def finding_values(result: Assessment, page_id: int, site: str,
                   now: datetime) -> dict[str, Any]:
    """The ``findings`` row of a judged copy (``result.original`` and ``credit`` set)."""
    assert result.original is not None and result.credit is not None
    data = result.to_dict()
    return dict(
        original_id=result.original.id, page_id=page_id, site=site,
        verdict=result.verdict,
        extent=result.extent, coverage=result.coverage,
        longest_words=result.longest_passage.words if result.longest_passage else 0,
        credit_status=result.credit.status, credit_reason=result.credit.reason,
        evidence={"signals": [asdict(sig) for sig in result.credit.evidence]},
        passages={"longest": data["longest_passage"], "spans": data["passages"]},
        first_seen=now, last_checked=now, review_state="new",
        kept_apart=result.kept_apart, page_published=result.page_published,
    )


def upsert_finding(conn: Connection, result: Assessment, page_id: int, site: str,
                   now: datetime) -> int:
    """Insert or update the finding of (``result.original``, ``page_id``); return its id.
    The first sighting and the review state stay, except that a copy seen again after it was
    gone is open again."""
    values = finding_values(result, page_id, site, now)
    stmt = _finding_upsert(conn.dialect.name, tuple(values))
    finding_id: int = conn.execute(stmt, values).scalar_one()
    return finding_id


@functools.cache
def _finding_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """The upsert of a ``findings`` row with ``columns``, built once (as ``_page_upsert``)."""
    table: Any = FindingRow.__table__
    stmt = upsertable(dialect)(table)
    keep = ("original_id", "page_id", "first_seen", "review_state")
    update: dict[str, Any] = {name: stmt.excluded[name] for name in columns if name not in keep}
    state = table.c.review_state
    update["review_state"] = case((state == "gone", "new"), else_=state)
    stmt = stmt.on_conflict_do_update(index_elements=["original_id", "page_id"], set_=update)
    return stmt.returning(table.c.id)


def finding_check(finding_id: int, result: Assessment, *, run_id: int | None, now: datetime,
                  status: int | None, version_id: int | None) -> dict[str, Any]:
    """The history row (``finding_checks``) of one judgement of a finding."""
    assert result.credit is not None
    return dict(
        finding_id=finding_id, run_id=run_id, checked_at=now, verdict=result.verdict,
        coverage=result.coverage, credit_status=result.credit.status,
        http_status=status, page_version_id=version_id,
    )


def insert_checks(conn: Connection, checks: Sequence[dict[str, Any]]) -> None:
    """Insert history rows (``finding_check``) with one statement."""
    table: Any = FindingCheckRow.__table__
    if checks:
        conn.execute(insert(table), list(checks))


class Store:
    """Persistence of publications, originals, pages, findings and runs.

    A context manager: ``with Store.open(url) as store: ...`` closes it however the block ends.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect to ``url`` and bring the schema up to date. Raises ``StoreError``."""
        store = cls(make_engine(url))
        try:
            with store.engine.connect():
                pass
            if migrate:
                store.migrate()
        except SQLAlchemyError as exc:
            store.close()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreError(
                f"cannot open database {safe_url(url)}: {reason}",
                hint="check [database] url in repostwatch.toml or REPOSTWATCH_DATABASE_URL",
            ) from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Apply the Alembic migrations up to head (no-op when up to date).

        A database already at ``SCHEMA_REVISION`` is left alone without loading Alembic, which
        keeps a short-lived command (``check``) quick; a test holds the constant to the head.
        """
        if self.schema_revision() == SCHEMA_REVISION:
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        with self.engine.begin() as conn:
            # Processes that open a new database together (a fleet of workers, two cron jobs)
            # migrate one at a time: the first holds a lock for its whole upgrade, the others
            # wait for it, then find the schema at head. Without it they both created tables.
            if conn.dialect.name == "postgresql":
                conn.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            elif conn.dialect.name == "sqlite":  # the write lock now (busy timeout: 30 s)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None for a new database)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sql(REVISION_SQL)).scalar()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error (as ``StoreError``)."""
        session = self._session()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise _store_error(exc) from exc
        finally:
            session.close()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for a read outside the ORM (no session to begin and commit); errors
        as ``session``'s."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    # -- publications and originals ----------------------------------------------------

    def ensure_publications(self, rules: Iterable[CreditRule]) -> dict[str, int]:
        """Create the configured publications if missing; return name → id. A publication whose
        ``report_syndicated`` changed has its copies of wire stories kept apart (or not) anew."""
        with self.session() as s:
            for rule in rules:
                stmt = _insert(s, PublicationRow).values(
                    name=rule.publication, created_at=utcnow(),
                    report_syndicated=rule.report_syndicated)
                s.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
                changed = s.execute(
                    update(PublicationRow)
                    .where(PublicationRow.name == rule.publication,
                           PublicationRow.report_syndicated != rule.report_syndicated)
                    .values(report_syndicated=rule.report_syndicated)
                    .returning(PublicationRow.id)).scalars().all()
                for pub_id in changed:
                    refresh_kept_apart(s, publication_id=pub_id)
            rows = s.execute(select(PublicationRow.name, PublicationRow.id)).all()
            return {name: pid for name, pid in rows}  # noqa: C416 - Row pairs, typed

    def upsert_original(
        self,
        *,
        publication: str,
        url: str,
        title: str,
        text: str,
        author: str | None = None,
        published: datetime | None = None,
        rule: CreditRule | None = None,
    ) -> tuple[int, str]:
        """Add or update an original; returns (id, ``added`` | ``updated`` | ``unchanged``).

        Its source (a wire, or the publisher's own) is decided from its text whenever it is
        added or changes, and once for an original stored before sources were kept
        (``repostwatch.store.sources``); ``rule`` is the publication's credit rule (its wires,
        names and domains; default: the built-in wires). A person's override is kept.
        """
        key = canonical_url(url)
        text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self.session() as s:
            pub_id = s.scalar(select(PublicationRow.id).where(PublicationRow.name == publication))
            if pub_id is None:
                raise StoreError(f"unknown publication {publication!r}")
            existing = s.execute(
                select(OriginalRow.id, OriginalRow.publication_id, OriginalRow.text_hash,
                       OriginalRow.title, OriginalRow.author, OriginalRow.published,
                       OriginalRow.source_reason)
                .where(OriginalRow.url_key == key)
            ).first()
            original = Original(0, publication, url, title, text, published=published,
                                author=author)
            if existing is not None and tuple(existing)[1:6] == (
                pub_id, text_hash, title, author, published
            ):
                if existing.source_reason is None:  # stored before sources were decided
                    decide_source(s, existing.id, original, rule)
                return existing.id, "unchanged"
            fps = FingerprintIndex.fingerprint(original)
            now = utcnow()
            values: dict[str, Any] = dict(
                publication_id=pub_id, url=url, url_key=key, title=title, author=author,
                published=published, text=text, text_hash=text_hash, fingerprints=fps,
                added_at=now, updated_at=now,
            )
            stmt = _insert(s, OriginalRow).values(**values)
            update_ = {k: v for k, v in values.items() if k not in ("url_key", "added_at")}
            stmt = stmt.on_conflict_do_update(index_elements=["url_key"], set_=update_)
            oid = s.scalar(stmt.returning(OriginalRow.id))
            assert oid is not None
            decide_source(s, oid, original, rule)
            return oid, "added" if existing is None else "updated"

    def originals(self, publication: str | None = None) -> list[Original]:
        with self.session() as s:
            q = select(OriginalRow).order_by(OriginalRow.id)
            if publication is not None:
                q = q.join(PublicationRow).where(PublicationRow.name == publication)
            return [original_of(r) for r in s.scalars(q)]

    def original(self, original_id: int) -> Original | None:
        """The original with this id (what the index fetches for each page's candidates: one
        SELECT as text; on SQLite ~0.06 ms, where the ORM's get and the lazy load of its
        publication took ~0.23-0.37 ms; ``ReadOnlySQLite`` runs the same SQL)."""
        with self._reading() as conn:
            row = conn.execute(_ORIGINAL, {"id": original_id}).first()
        return original_of_row(row) if row is not None else None

    def find_original(self, ref: str) -> Original | None:
        """The original named by ``ref``: its id (digits) or its URL (any variant of it)."""
        digits = ref.strip()
        if digits.isascii() and digits.isdigit():  # past the largest id a database keeps
            # (and int() of 4,300 digits or more raises): no original
            number = digits.lstrip("0") or "0"
            return self.original(int(number)) if len(number) <= 19 and int(number) < 2**63 \
                else None
        with self.session() as s:
            row = s.scalar(select(OriginalRow).where(OriginalRow.url_key == canonical_url(ref)))
            return original_of(row) if row is not None else None

    def remove_original(self, url: str) -> bool:
        """Delete an original (and its findings); False when no original has that URL."""
        with self.session() as s:
            row = s.scalar(select(OriginalRow).where(OriginalRow.url_key == canonical_url(url)))
            if row is None:
                return False
            s.delete(row)
            return True

    def original_validators(self, publication: str | None = None) -> dict[str, Validators]:
        """url_key → the validators of each original's last fetch (for conditional GET)."""
        with self.session() as s:
            q = select(OriginalRow.url_key, OriginalRow.etag, OriginalRow.last_modified,
                       OriginalRow.lastmod)
            if publication is not None:
                q = q.join(PublicationRow).where(PublicationRow.name == publication)
            return {key: Validators(etag, modified, lastmod)
                    for key, etag, modified, lastmod in s.execute(q)}

    def set_original_validators(self, url: str, validators: Validators) -> None:
        """Remember what the fetch of original ``url`` said about its freshness."""
        with self.session() as s:
            row = s.scalar(select(OriginalRow).where(OriginalRow.url_key == canonical_url(url)))
            if row is not None:
                row.etag = (validators.etag or "")[:500] or None
                row.last_modified = (validators.last_modified or "")[:100] or None
                row.lastmod = validators.lastmod

    def _index_stamp(self, max_postings: int) -> str:
        """Changes whenever an original is added, edited or removed. Read from an index (0007),
        as text (no ORM statement to compile: every ``check`` asks this once), the same text
        ``ReadOnlySQLite`` runs without SQLAlchemy."""
        with self._reading() as conn:
            return index_stamp(conn.execute(_STAMP).one(), max_postings)

    def load_index(self, *, max_postings: int = MAX_POSTINGS,
                   cache_dir: Path | None = None) -> FingerprintIndex:
        """The fingerprint index of every original; texts are fetched lazily when needed.

        With ``cache_dir`` the index arrays are saved there and memory-mapped back while the
        originals are unchanged, so a process starts without re-reading every fingerprint.
        """
        originals = LazyOriginals(self.original)
        stamp = self._index_stamp(max_postings)
        if cache_dir is not None:
            cached = index_cache.load_current(cache_dir, stamp, originals=originals)
            if cached is not None:
                return cached  # a damaged or stale cache is rebuilt below
        index = FingerprintIndex(max_postings=max_postings, originals=originals)
        with self.session() as s:
            rows = select(OriginalRow.id, OriginalRow.fingerprints).execution_options(
                yield_per=5_000)  # streamed: the fingerprints of 100,000 originals are ~200 MB
            for oid, fps in s.execute(rows):
                index.add_fingerprints(oid, fps)
        if cache_dir is not None:
            try:
                index_cache.save(index, cache_dir, stamp=stamp)
            except OSError as exc:
                raise StoreError(f"cannot write the index cache in {cache_dir}: {exc.strerror}",
                                 hint="check the folder's permissions or [database] "
                                      "index_cache") from exc
        return index

    # -- crawl runs --------------------------------------------------------------------

    def start_run(self, kind: str) -> int:
        """Record a run starting in this process; its ``stats`` name this host and process
        until it ends (``finish_run``). Runs left ``running`` by a process of this host that is
        gone are first marked ``abandoned`` (stats ``finish_reason``; no ``finished_at``): a
        crawl killed outright (SIGKILL, power loss) never records its end."""
        here = socket.gethostname()
        with self.session() as s:
            for stale in s.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
                owner = dict(stale.stats or {})
                if owner.get("host") == here and _process_gone(owner.get("pid")):
                    stale.status = "abandoned"
                    stale.stats = {**owner, "finish_reason": "abandoned"}
            run = CrawlRun(kind=kind, started_at=utcnow(), status="running",
                           stats={"host": here, "pid": os.getpid()})
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            if run is not None:
                run.status = status
                run.finished_at = utcnow()
                run.stats = stats

    # -- pages and findings ------------------------------------------------------------

    def save_assessment(
        self,
        result: Assessment,
        page: Page,
        *,
        status: int | None = None,
        run_id: int | None = None,
        headers: Headers = (),
        body: bytes | None = None,
        encoding: str = "utf-8",
    ) -> int | None:
        """Record a judged page; for a copy, upsert its finding and append to its history.

        Returns the finding id, or None when the page holds no copy (its earlier findings, if
        any, are then marked gone). See ``record_page`` for ``headers``, ``body``, ``encoding``.
        """
        return self.record_page(result, page, status=status, run_id=run_id, headers=headers,
                                body=body, encoding=encoding).finding_id

    def record_page(
        self,
        result: Assessment | None,
        page: Page,
        *,
        status: int | None = None,
        run_id: int | None = None,
        headers: Headers = (),
        body: bytes | None = None,
        encoding: str = "utf-8",
    ) -> PageOutcome:
        """Record a fetched page: judged (``result``), or gone (``result`` None: 404 / 410).

        A copy upserts its finding; a page without a copy, or gone, marks the page's earlier
        findings gone (false positives stay). Either way each finding touched gets a history
        row, and the body (``body``: the response bytes as fetched, decoded with ``encoding``;
        default: ``page.html`` as UTF-8) is kept as evidence with ``headers``. Pages that
        neither hold a copy nor had a finding keep no body.
        """
        return self.record_pages([PageRecord(result, page, status=status, run_id=run_id,
                                             headers=headers, body=body,
                                             encoding=encoding)])[0]

    def record_pages(self, records: Sequence[PageRecord]) -> list[PageOutcome]:
        """Record many fetched pages (each as ``record_page`` does) in one transaction: all
        or none of them. A crawl records its pages in batches this way: one commit a page
        was most of the cost of storing it."""
        now = utcnow()
        with self.session() as s:
            # Which of these pages held findings: one query for the batch, not one a page
            # (most pages of a crawl never held a copy).
            rows = [page_values(r.page, r.status, now) for r in records]
            held = set(s.scalars(
                select(PageRow.url_key).join(FindingRow, FindingRow.page_id == PageRow.id)
                .where(PageRow.url_key.in_({row["url_key"] for row in rows})).distinct()))
            # The upserts run on the session's connection: the ORM's own execute and flush
            # cost ~3x the statements on SQLite (0.43 -> 0.25 ms a page recorded).
            conn, checks = s.connection(), list[dict[str, Any]]()
            # Pages that neither hold a copy nor held one (most of a crawl) need nothing but
            # their row, and no id back: a run of them is written with one executemany.
            plain: dict[str, dict[str, Any]] = {}
            outcomes = []
            for row, record in zip(rows, records, strict=True):
                key = row["url_key"]
                if key not in held and not _holds_copy(record.result):
                    plain[key] = row  # the same page again: its later fetch is its row
                    outcomes.append(PageOutcome())
                    continue
                _upsert_plain(conn, plain)  # first: statements keep the order of the pages
                outcome = self._record(s, conn, record, row, now, checks)
                if outcome.finding_id is not None:
                    held.add(key)  # the same page again later in the batch
                outcomes.append(outcome)
            _upsert_plain(conn, plain)
            insert_checks(conn, checks)
            return outcomes

    def _record(self, s: Session, conn: Connection, record: PageRecord,
                values: dict[str, Any], now: datetime, checks: list[dict[str, Any]]
                ) -> PageOutcome:
        """Record one page whose ``pages`` row is ``values``: a copy, or a page that held
        findings before (they may be gone now). History rows go to ``checks``."""
        page, result, status = record.page, record.result, record.status
        dialect = conn.dialect.name
        page_id: int = conn.execute(_page_upsert(dialect, tuple(values)), values).scalar_one()

        def version() -> int:
            fetched = record.body is not None
            raw = record.body if fetched else page.html.encode("utf-8", "replace")
            assert raw is not None
            return save_version(
                conn, page_id=page_id, body=raw,
                encoding=record.encoding if fetched else "utf-8",
                final_url=page.address, status=status, headers=record.headers,
                fetched_at=page.fetched_at or now,
            )

        if not _holds_copy(result):
            return self._record_absence(s, page_id, result, status, record.run_id, now,
                                        version, checks)
        version_id = version()
        finding_id = upsert_finding(conn, result, page_id, page.host, now)
        checks.append(finding_check(finding_id, result, run_id=record.run_id, now=now,
                                    status=status, version_id=version_id))
        return PageOutcome(finding_id=finding_id, version_id=version_id)

    @staticmethod
    def _record_absence(
        s: Session, page_id: int, result: Assessment | None, status: int | None,
        run_id: int | None, now: datetime, version: Any, checks: list[dict[str, Any]],
    ) -> PageOutcome:
        # A page that held a copy and no longer does (or is gone): its findings are kept (the
        # evidence of what was copied) but marked gone, and the history records the check.
        findings = list(s.scalars(select(FindingRow).where(FindingRow.page_id == page_id)))
        if not findings:
            return PageOutcome()
        version_id: int = version()
        gone = 0
        for finding in findings:
            finding.last_checked = now
            if finding.review_state != "false_positive":
                gone += finding.review_state != "gone"
                finding.review_state = "gone"
            checks.append(dict(
                finding_id=finding.id, run_id=run_id, checked_at=now,
                verdict=result.verdict if result is not None else "none", coverage=0.0,
                credit_status="none", http_status=status, page_version_id=version_id,
            ))
        # Written now: later pages of the batch run their statements on the connection, which
        # does not flush the session first (the same page again must see this).
        s.flush()
        return PageOutcome(gone=gone, version_id=version_id)

    def page_versions(self, url: str) -> list[PageVersionRecord]:
        """Every kept version of the page at ``url`` (any variant of it), oldest first."""
        with self.session() as s:
            rows = s.execute(
                select(PageVersionRow, PageRow.url).join(PageRow)
                .where(PageRow.url_key == canonical_url(url))
                .order_by(PageVersionRow.fetched_at, PageVersionRow.id)
            ).all()
            return [PageVersionRecord(
                id=v.id, page_url=page_url, final_url=v.final_url, status=v.status,
                content_hash=v.content_hash, size=v.size, encoding=v.encoding,
                headers=tuple((str(k), str(val)) for k, val in v.headers),
                fetched_at=v.fetched_at, last_seen_at=v.last_seen_at, body=decompress(v.body),
            ) for v, page_url in rows]

    def recheck_pages(self, *, checked_before: datetime | None = None,
                      limit: int | None = None) -> list[str]:
        """URLs of pages with an open finding (not gone, not a false positive), least recently
        checked first; only those checked before ``checked_before`` when given."""
        with self.session() as s:
            oldest = func.min(FindingRow.last_checked)
            q = (select(PageRow.url).join(FindingRow, FindingRow.page_id == PageRow.id)
                 .where(FindingRow.review_state.not_in(CLOSED_STATES))
                 .group_by(PageRow.id, PageRow.url).order_by(oldest, PageRow.id))
            if checked_before is not None:
                q = q.having(oldest < checked_before)
            if limit is not None:
                q = q.limit(limit)
            return list(s.scalars(q))

    def findings(
        self,
        *,
        lacking_credit: bool = False,
        publication: str | None = None,
        since: datetime | None = None,
        include_gone: bool = False,
    ) -> list[FindingRecord]:
        """Findings, most severe first (reposts before excerpts, high coverage first).

        Copies that were taken down (review state ``gone``) are left out unless asked for.
        """
        with self.session() as s:
            q = finding_select()
            if not include_gone:
                q = q.where(FindingRow.review_state != "gone")
            if lacking_credit:
                q = q.where(lacking_credit_clause())
            if publication is not None:
                q = q.where(PublicationRow.name == publication)
            if since is not None:
                q = q.where(FindingRow.last_checked >= since)
            q = q.order_by(FindingRow.verdict.desc(), FindingRow.coverage.desc(), FindingRow.id)
            return [finding_record(r) for r in s.execute(q)]

    def copies_of(self, original_id: int) -> list[FindingRecord]:
        """Every known copy of one original (gone and false positives included, so nothing is
        hidden from a lookup), most recently checked first, each with its history newest
        first."""
        with self.session() as s:
            rows = list(s.execute(
                finding_select().where(FindingRow.original_id == original_id)
                .order_by(FindingRow.last_checked.desc(), FindingRow.id.desc())
            ))
            history: dict[int, list[CheckRecord]] = {r.id: [] for r in rows}
            if rows:
                checks = s.scalars(
                    select(FindingCheckRow).where(FindingCheckRow.finding_id.in_(history))
                    .order_by(FindingCheckRow.checked_at.desc(), FindingCheckRow.id.desc())
                )
                for c in checks:
                    history[c.finding_id].append(CheckRecord(
                        checked_at=c.checked_at, verdict=c.verdict, coverage=c.coverage,
                        credit_status=c.credit_status, run_id=c.run_id,
                        http_status=c.http_status, page_version_id=c.page_version_id,
                    ))
            return [finding_record(r, tuple(history[r.id])) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many originals, pages and findings (by credit status) the store holds."""
        with self.session() as s:
            out = {
                "originals": s.scalar(select(func.count()).select_from(OriginalRow)) or 0,
                "pages": s.scalar(select(func.count()).select_from(PageRow)) or 0,
                "findings": s.scalar(select(func.count()).select_from(FindingRow)) or 0,
            }
            rows = s.execute(
                select(FindingRow.credit_status, func.count()).group_by(FindingRow.credit_status)
            ).all()
            for status, n in rows:
                out[f"credit_{status}"] = n
            return out

    def runs(self, limit: int | None = 20, *, kind: str | None = None) -> Sequence[CrawlRun]:
        """Crawl runs, newest first; ``kind``: only runs of that spider (``search``, ...)."""
        with self.session() as s:
            q = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
            if kind is not None:
                q = q.where(CrawlRun.kind == kind)
            return list(s.scalars(q))
