"""``ReadOnlySQLite``: the cold check's reads without SQLAlchemy agree with ``Store``'s, and it
stands in for the store only where it can (a current SQLite file with a current index cache)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher import CreditRule, tokenize
from repostwatch.errors import StoreError
from repostwatch.store import Store
from repostwatch.store.models import AllowedSiteRow, OriginalRow, PublicationRow
from repostwatch.store.readonly import ReadOnlySQLite, with_allowed
from repostwatch.store.reviews import allowed_rules
from repostwatch.store.sources import override_source
from tests.matcher.texts import (
    ORIGINAL_PARAGRAPHS,
    ORIGINAL_TEXT,
    OTHER_TEXT,
    page_html,
    paragraphs_html,
)
from tests.repostwatch.clihome import CONFIG, URL

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))
WIRE_TEXT = "WASHINGTON (AP) — " + OTHER_TEXT


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """A SQLite store holding originals of every shape and an allow-list of two publications,
    one of them known only to the store."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.open(url) as store:
        store.ensure_publications([RULE, CreditRule("Gazette")])
        store.upsert_original(publication=RULE.publication, url=URL, title="Old grain pier",
                              text=ORIGINAL_TEXT, author="Lois Lane",
                              published=datetime(2026, 11, 1, 9, 30, tzinfo=UTC), rule=RULE)
        wire, _ = store.upsert_original(publication=RULE.publication, rule=RULE,
                                        url="https://daily-planet.test/wire", title="",
                                        text=WIRE_TEXT)
        store.upsert_original(publication="Gazette", url="https://gazette.test/a", title="G",
                              text="Ein ganz anderer Text über " + OTHER_TEXT)
        override_source(store, wire, "Reuters")
        with store.session() as s:
            ids = dict(s.query(PublicationRow.name, PublicationRow.id).all())
            s.add_all([AllowedSiteRow(publication_id=ids[RULE.publication], site="partner.test"),
                       AllowedSiteRow(publication_id=ids["Gazette"], site="friend.test"),
                       AllowedSiteRow(publication_id=ids[RULE.publication], site="b.test")])
    return url


def test_its_reads_are_the_stores(store_url: str) -> None:
    rules = {RULE.publication: CreditRule(RULE.publication, allow=("b.test",))}
    with Store.open(store_url) as store, ReadOnlySQLite.open(store_url) as reader:
        assert reader is not None
        assert reader.index_stamp(50) == store._index_stamp(50)
        o = OriginalRow.__table__.c  # both read the stamp as text: as the model types it too
        with store.session() as s:
            typed = s.execute(select(func.count(o.id), func.max(o.id), func.sum(o.id),
                                     func.max(o.updated_at))).one()
        assert reader.index_stamp(50) == ":".join(map(str, (*typed, 50)))
        assert reader.index_stamp(7) != reader.index_stamp(50)
        for oid in (1, 2, 3, 99):
            assert reader.original(oid) == store.original(oid)
        wire = reader.original(2)
        assert wire is not None and wire.source == "Reuters"
        first = reader.original(1)
        assert first is not None and first.published == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
        assert with_allowed(rules, reader.allowed_sites()) == allowed_rules(store, rules)
        assert reader.allowed_sites() == [(RULE.publication, "partner.test"),
                                          ("Gazette", "friend.test"), (RULE.publication, "b.test")]


def test_the_cached_index_is_used_only_while_current(store_url: str, tmp_path: Path) -> None:
    cache = tmp_path / "index"
    with ReadOnlySQLite.open(store_url) as reader:
        assert reader is not None
        assert reader.cached_index(cache) is None  # no cache yet: Store builds it
    with Store.open(store_url) as store:
        built = store.load_index(cache_dir=cache)
    with ReadOnlySQLite.open(store_url) as reader:
        assert reader is not None
        index = reader.cached_index(cache)
        assert index is not None and len(index) == len(built) == 3
        found = index.candidates(tokenize(ORIGINAL_TEXT))
        assert found and found[0].original.text == ORIGINAL_TEXT  # read through the reader
    with Store.open(store_url) as store:
        store.upsert_original(publication=RULE.publication, url=URL, title="Old grain pier",
                              text=ORIGINAL_TEXT + " Updated at noon.")
    with ReadOnlySQLite.open(store_url) as reader:
        assert reader is not None and reader.cached_index(cache) is None  # stale


def test_it_refuses_what_only_the_store_can_open(store_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("hello, not a database\n" * 100)
    for url in ("postgresql+psycopg://u@127.0.0.1/test", "sqlite://", "sqlite:///:memory:",
                f"sqlite:///{missing}", f"sqlite:///{not_a_db}", f"{store_url}?timeout=5",
                f"sqlite:///file:{missing}?mode=ro&uri=true"):
        assert ReadOnlySQLite.open(url) is None, url
    assert not missing.exists()  # never creates a database
    path = store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # a store at an older schema: Store migrates it
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
    assert ReadOnlySQLite.open(store_url) is None


def test_a_cold_check_never_imports_sqlalchemy_and_judges_alike(tmp_path: Path) -> None:
    (tmp_path / "repostwatch.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "o.jsonl").write_text(json.dumps({"url": URL, "text": ORIGINAL_TEXT}) + "\n")
    (tmp_path / "copy.html").write_text(page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    probe = ("import sys\nfrom repostwatch.cli import main\n"
             "try:\n    raise SystemExit(main())\n"
             "finally:\n    print('sqlalchemy' in sys.modules, file=sys.stderr)\n")

    def check(*args: str) -> tuple[list[dict[str, object]], str]:
        done = subprocess.run([sys.executable, "-c", probe, "check", "--json", *args],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              check=False, env=env)
        assert done.returncode == 1, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()], done.stderr.split()[-1]

    subprocess.run([sys.executable, "-m", "repostwatch", "originals", "import", "o.jsonl"],
                   cwd=tmp_path, timeout=120, check=True, capture_output=True, env=env)
    page = ("copy.html", "--url", "https://copycat.test/story")  # saved under its address
    through_store, imported = check(*page)  # the first check builds the index cache
    assert imported == "True"
    quick, imported = check(*page)
    assert imported == "False"
    assert quick == through_store and quick[0]["verdict"] == "repost"
    saved, imported = check("--save", *page)  # --save writes: through Store
    assert imported == "True" and saved == quick


def test_a_read_that_fails_is_a_store_error(store_url: str) -> None:
    path = store_url.removeprefix("sqlite:///")
    with ReadOnlySQLite.open(store_url) as reader:
        assert reader is not None
        with sqlite3.connect(path) as conn:  # the store changed under the reader
            conn.execute("DROP TABLE allowed_sites")
        with pytest.raises(StoreError, match="no such table: allowed_sites"):
            reader.allowed_sites()


def test_a_path_the_system_refuses_is_left_to_the_store(tmp_path: Path) -> None:
    # Path.is_file() raises for a name too long (as for a folder that may not be searched):
    # Store.open then names the problem as a StoreError.
    assert ReadOnlySQLite.open(f"sqlite:///{tmp_path / ('x' * 300)}.db") is None


def test_a_store_locked_past_the_wait_is_a_store_error_at_once(store_url: str) -> None:
    path = store_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE publications SET name = name")
        with pytest.raises(StoreError, match="locked"):
            ReadOnlySQLite.open(store_url, timeout=0.2)
    finally:
        holder.close()
    with ReadOnlySQLite.open(store_url, timeout=0.2) as reader:  # free again: it opens
        assert reader is not None
