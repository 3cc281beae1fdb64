"""The store on SQLite and PostgreSQL: migrations, idempotent upserts, history, errors."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from datetime import UTC, datetime
from pathlib import Path

import alembic.command
import pytest
from alembic.config import Config as _AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from matcher import CreditRule, Page, assess, canonical_url
from repostwatch.errors import StoreError
from repostwatch.store import Store, index_cache
from repostwatch.store.db import _MIGRATIONS, SCHEMA_REVISION
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))
URL = "https://daily-planet.test/news/pier.html"


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    s.ensure_publications([RULE])
    yield s
    s.close()


def _alembic_config() -> _AlembicConfig:
    cfg = _AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def _judge(store: Store, html: str, url: str = "https://copycat.test/a"):
    index = store.load_index()
    page = Page(url, html)
    return assess(page, index, {RULE.publication: RULE}), page


def test_schema_comes_from_migrations(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"publications", "originals", "pages", "page_versions", "findings", "finding_checks",
            "crawl_runs", "alembic_version"} <= tables
    store.migrate()  # idempotent
    assert store.schema_revision() == SCHEMA_REVISION


def test_migrations_build_exactly_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from repostwatch.store.models import Base

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migration_0002_upgrades_a_0001_database_with_data(db_url: str) -> None:
    cfg = _alembic_config()
    store = Store.open(db_url, migrate=False)
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            alembic.command.upgrade(cfg, "0001")
        with store.engine.begin() as conn:  # rows as 0001 had them (today's store writes more)
            conn.execute(text("INSERT INTO publications (name, created_at) "
                              "VALUES (:n, CURRENT_TIMESTAMP)"), {"n": RULE.publication})
            conn.execute(text(
                "INSERT INTO originals (publication_id, url, url_key, title, text, text_hash, "
                "fingerprints, added_at, updated_at) SELECT id, 'u', 'k', 't', 'x', 'h', :fp, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM publications"), {"fp": b""})
        store.migrate()
        assert store.schema_revision() == SCHEMA_REVISION == "0007"
        assert [(o.url, o.text) for o in store.originals()] == [("u", "x")]
        assert store.original_validators() == {"k": (None, None, None)}
    finally:
        store.close()


def test_schema_revision_constant_is_the_migrations_head() -> None:
    # Store.migrate skips Alembic when the database is at SCHEMA_REVISION: it must be the head.
    script = ScriptDirectory.from_config(_alembic_config())
    assert script.get_current_head() == SCHEMA_REVISION


def test_migrate_runs_alembic_unless_at_the_head(store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(alembic.command, "upgrade", lambda cfg, rev: calls.append(rev))
    store.migrate()
    assert calls == []  # at the head: Alembic is not even loaded
    with store.engine.begin() as conn:  # as if the database predated the newest migration
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    store.migrate()
    assert calls == ["head"]


def test_original_upsert_is_idempotent(store: Store) -> None:
    first = store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                                  text=ORIGINAL_TEXT)
    again = store.upsert_original(publication=RULE.publication, url=URL + "?utm_source=x",
                                  title="Pier", text=ORIGINAL_TEXT)
    edited = store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                                   text=ORIGINAL_TEXT + " Corrected.")
    assert first[1] == "added" and again == (first[0], "unchanged") and edited[1] == "updated"
    byline = store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                                   text=ORIGINAL_TEXT + " Corrected.", author="R. Delgado",
                                   published=datetime(2026, 3, 6, tzinfo=UTC))
    assert byline == (first[0], "updated")
    stored = store.originals()[0]
    assert stored.author == "R. Delgado" and stored.published == datetime(2026, 3, 6, tzinfo=UTC)
    assert store.counts()["originals"] == 1
    index = store.load_index()
    assert len(index) == 1 and index.get(first[0]).text.endswith("Corrected.")  # type: ignore[union-attr]


def test_unknown_publication_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown publication"):
        store.upsert_original(publication="Nope", url=URL, title="", text="x")


def test_findings_keep_history(store: Store) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    result, page = _judge(store, html)
    run = store.start_run("test")
    fid = store.save_assessment(result, page, status=200, run_id=run)
    credited_html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                              + f'<p>Source: <a href="{URL}">The Daily Planet</a></p>')
    result2, page2 = _judge(store, credited_html)
    fid2 = store.save_assessment(result2, page2, status=200, run_id=run)
    store.finish_run(run, "finished", {"pages": 2})
    assert fid == fid2  # same (original, page): one finding, updated
    rows = store.findings()
    assert len(rows) == 1 and rows[0].credit_status == "credited"
    assert rows[0].first_seen <= rows[0].last_checked
    assert rows[0].first_seen.tzinfo is not None
    assert store.findings(lacking_credit=True) == []
    with store.session() as s:
        from sqlalchemy import select

        from repostwatch.store.models import FindingCheckRow

        history = [r.credit_status for r in s.scalars(select(FindingCheckRow).order_by(
            FindingCheckRow.id))]
    assert history == ["uncredited", "credited"]
    assert store.runs()[0].status == "finished"


def test_a_copy_taken_down_is_gone_and_comes_back(store: Store) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    copy = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    result, page = _judge(store, copy)
    store.save_assessment(result, page)
    assert len(store.findings(lacking_credit=True)) == 1
    result, page = _judge(store, page_html("<p>This story was removed.</p>"))
    assert store.save_assessment(result, page) is None
    assert store.findings(lacking_credit=True) == []
    gone = store.findings(include_gone=True)
    assert [f.review_state for f in gone] == ["gone"]
    result, page = _judge(store, copy)  # re-published
    store.save_assessment(result, page)
    assert [f.review_state for f in store.findings()] == ["new"]


def test_unrelated_page_creates_no_finding(store: Store) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    result, page = _judge(store, page_html("<p>Soup recipes.</p>"))
    assert store.save_assessment(result, page) is None
    assert store.counts()["pages"] == 1 and store.counts()["findings"] == 0


def test_a_page_parsed_from_its_utf8_is_stored_as_the_same_page(store: Store) -> None:
    """Its HTML's hash is taken from the bytes it came as (``Page.utf8``): the same hash."""
    from sqlalchemy import select

    from repostwatch.store.models import PageRow

    html = page_html("<p>Soupe à l’oignon — recettes.</p>")
    store.record_page(None, Page("https://a.test/1", html), status=200)
    store.record_page(None, Page("https://a.test/2", html, utf8=html.encode()), status=200)
    with store.session() as s:
        hashes = set(s.scalars(select(PageRow.html_hash)))
    assert len(hashes) == 1


def test_concurrent_writers_lose_nothing(store: Store, db_url: str) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        s = Store.open(db_url, migrate=False)
        try:
            index = s.load_index()
            for i in range(10):
                page = Page(f"https://copycat.test/{i}", html)  # same 10 pages in every worker
                s.save_assessment(assess(page, index, {RULE.publication: RULE}), page)
        except BaseException as exc:
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = store.counts()
    assert counts["pages"] == 10 and counts["findings"] == 10


def _upsert_the_same_pages(db_url: str) -> None:
    """A separate process: judge and save the same 10 copy pages (as a crawl worker would)."""
    s = Store.open(db_url, migrate=False)
    try:
        index = s.load_index()
        html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
        for i in range(10):
            page = Page(f"https://copycat.test/{i}", html)
            s.save_assessment(assess(page, index, {RULE.publication: RULE}), page)
    finally:
        s.close()


def test_concurrent_processes_lose_and_duplicate_nothing(store: Store, db_url: str) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_upsert_the_same_pages, args=(db_url,)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    counts = store.counts()
    assert counts["pages"] == 10 and counts["findings"] == 10  # one per page, not four
    history = [len(f.history) for f in store.copies_of(store.originals()[0].id)]
    assert history == [4] * 10  # every judgement kept: four checks of each finding


def _open_together(url: str, ready: threading.Barrier) -> None:
    ready.wait(60)  # every process imported and waiting: they open at the same moment
    Store.open(url).close()


def test_processes_opening_a_new_database_together_migrate_it_once(db_url: str) -> None:
    # A fleet of workers started at once on a new database: each one migrates on open.
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(5)
    workers = [context.Process(target=_open_together, args=(db_url, ready)) for _ in range(4)]
    for w in workers:
        w.start()
    ready.wait(60)
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    store = Store.open(db_url, migrate=False)
    try:
        assert store.schema_revision() == SCHEMA_REVISION
    finally:
        store.close()


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    with pytest.raises(StoreError, match=r"cannot open database .*127\.0\.0\.1:1"):
        Store.open("postgresql+psycopg://user:secret@127.0.0.1:1/db?connect_timeout=2")
    with pytest.raises(StoreError) as err:
        Store.open("postgresql+psycopg://user:secret@127.0.0.1:1/db?connect_timeout=2")
    assert "secret" not in str(err.value)
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open("not a url")


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises((StoreError, ValueError)):
        store.upsert_original(publication=RULE.publication, url=URL, title="", text="x y z",
                              published=datetime(2026, 1, 1))
    store.upsert_original(publication=RULE.publication, url=URL, title="", text="x y z",
                          published=datetime(2026, 1, 1, tzinfo=UTC))


def test_index_cache_follows_every_change(store: Store, tmp_path: Path) -> None:
    cache = tmp_path / "index"
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    page = Page("https://copycat.test/a", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    first = store.load_index(cache_dir=cache)
    assert (cache / "keys.npy").exists()
    stamp = index_cache.saved_stamp(cache)
    again = store.load_index(cache_dir=cache)  # unchanged: memory-mapped from the cache
    assert index_cache.saved_stamp(cache) == stamp
    assert [c.original.url for c in again.candidates(page.tokens)] == [URL]
    assert len(first) == len(again) == 1
    # An edit, an addition and a removal each invalidate the cache.
    other = "https://daily-planet.test/news/other.html"
    store.upsert_original(publication=RULE.publication, url=other, title="Other",
                          text=" ".join(reversed(ORIGINAL_TEXT.split())))
    assert len(store.load_index(cache_dir=cache)) == 2
    assert index_cache.saved_stamp(cache) != stamp
    assert store.remove_original(URL) and not store.remove_original(URL)
    index = store.load_index(cache_dir=cache)
    assert len(index) == 1 and index.candidates(page.tokens) == []


def test_index_reads_texts_lazily(store: Store) -> None:
    oid, _ = store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                                   text=ORIGINAL_TEXT)
    index = store.load_index()
    assert index.get(oid) is not None and index.get(oid).text == ORIGINAL_TEXT  # type: ignore[union-attr]
    assert index.get(oid + 1000) is None


def test_an_original_read_by_its_sql_is_the_models_original(store: Store) -> None:
    """``Store.original`` reads one row as text (the index asks it for every candidate): on
    both databases it gives what the model gives, dates, a missing author and a wire source
    included."""
    from datetime import timedelta, timezone

    from repostwatch.store.models import OriginalRow
    from repostwatch.store.sources import original_of, override_source

    store.ensure_publications([CreditRule("Gazette")])
    ids = [store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                                 text=ORIGINAL_TEXT, author="Lois Lane",
                                 published=datetime(2026, 11, 1, 9, 30, 5, 123456,
                                                    tzinfo=timezone(timedelta(hours=-5))))[0],
           store.upsert_original(publication="Gazette", url="https://gazette.test/w", title="",
                                 text="WASHINGTON (AP) — " + ORIGINAL_TEXT)[0]]
    override_source(store, ids[1], "Reuters")
    with store.session() as s:
        by_model = [original_of(s.get(OriginalRow, oid)) for oid in ids]  # type: ignore[arg-type]
    assert [store.original(oid) for oid in ids] == by_model
    first, wire = by_model
    assert first.published == datetime(2026, 11, 1, 14, 30, 5, 123456, tzinfo=UTC)
    assert first.published.tzinfo is not None and first.author == "Lois Lane"
    assert (wire.publication, wire.author, wire.published, wire.source) == (
        "Gazette", None, None, "Reuters")
    assert store.original(max(ids) + 1) is None


def test_evidence_is_kept_for_copies_only_and_deduplicated(store: Store) -> None:
    import hashlib

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    unrelated, unrelated_page = _judge(store, page_html("<p>Soup recipes.</p>"),
                                       "https://copycat.test/soup")
    store.save_assessment(unrelated, unrelated_page, status=200)
    assert store.page_versions("https://copycat.test/soup") == []

    html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    body = html.encode("cp1252")
    headers = (("Content-Type", "text/html; charset=cp1252"), ("Set-Cookie", "a=1"),
               ("Set-Cookie", "b=2"))
    result, page = _judge(store, html)
    outcome = store.record_page(result, page, status=200, headers=headers, body=body,
                                encoding="cp1252")
    again = store.record_page(result, page, status=200, headers=headers, body=body,
                              encoding="cp1252")
    assert outcome.finding_id == again.finding_id and outcome.version_id == again.version_id
    [version] = store.page_versions("https://copycat.test/a?utm_source=x")
    assert version.body == body and version.html == html and version.encoding == "cp1252"
    assert version.content_hash == hashlib.sha256(body).hexdigest()
    assert version.headers == headers and version.status == 200
    assert version.fetched_at <= version.last_seen_at
    with store.session() as s:
        from sqlalchemy import select

        from repostwatch.store.models import PageVersionRow

        stored = s.scalar(select(PageVersionRow.body))
    assert stored is not None and len(stored) < len(body)  # compressed

    edited = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                       + f'<p>Source: <a href="{URL}">The Daily Planet</a></p>')
    result, page = _judge(store, edited)
    store.save_assessment(result, page, status=200)  # as `check --save` calls it
    versions = store.page_versions("https://copycat.test/a")
    assert [v.html for v in versions] == [html, edited]
    [copy] = store.copies_of(store.originals()[0].id)
    first, second = versions
    assert [h.page_version_id for h in copy.history] == [second.id, first.id, first.id]


def test_a_page_answering_404_is_gone_with_its_evidence_kept(store: Store) -> None:
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    result, page = _judge(store, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    store.save_assessment(result, page, status=200)
    missing = Page(page.url, page_html("<p>Not found</p>"))
    outcome = store.record_page(None, missing, status=404)
    assert outcome.gone == 1 and outcome.finding_id is None
    [copy] = store.copies_of(store.originals()[0].id)
    assert copy.review_state == "gone"
    assert [(h.credit_status, h.http_status) for h in copy.history] == [("none", 404),
                                                                        ("uncredited", 200)]
    assert len(store.page_versions(page.url)) == 2  # the copy, and the 404 page
    assert store.record_page(None, missing, status=404).gone == 0  # already gone
    assert store.record_page(None, Page("https://copycat.test/never", ""), status=410) == \
        type(outcome)()


def test_a_batch_of_pages_is_recorded_as_each_page_alone_and_all_or_none(store: Store) -> None:
    import dataclasses

    from repostwatch.store import PageRecord

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    copy, copy_page = _judge(store, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    other, other_page = _judge(store, page_html("<p>Soup recipes.</p>"), "https://copycat.test/s")
    gone_page = Page("https://copycat.test/gone", "")
    batch = [PageRecord(copy, copy_page, status=200), PageRecord(other, other_page, status=200),
             PageRecord(None, gone_page, status=404)]
    first = store.record_pages(batch)
    assert first[0].finding_id is not None and first[0].version_id is not None
    assert first[1:] == [type(first[0])(), type(first[0])()]
    [finding] = store.findings(include_gone=True)
    assert finding.page_url == copy_page.url

    # The copy is removed and its page answers 404, in one batch with a page that cannot be
    # recorded (its original is unknown): nothing of the batch is written.
    broken = dataclasses.replace(copy, original=dataclasses.replace(copy.original, id=10**6))
    missing = Page(copy_page.url, page_html("<p>Not found</p>"))
    doomed = [PageRecord(None, missing, status=404),
              PageRecord(broken, Page("https://copycat.test/b", copy_page.html), status=200)]
    with pytest.raises(StoreError):
        store.record_pages(doomed)
    [finding] = store.findings(include_gone=True)
    assert finding.review_state == "new"  # not marked gone: the batch was rolled back
    [alone] = store.record_pages(doomed[:1])
    assert alone.gone == 1 and alone.version_id not in (None, first[0].version_id)


def test_a_page_twice_in_one_batch_ends_as_its_later_record_says(store: Store) -> None:
    from repostwatch.store import PageRecord

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    copy, copy_page = _judge(store, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    store.record_pages([PageRecord(copy, copy_page, status=200)])
    removed = Page(copy_page.url, page_html("<p>Removed.</p>"))
    # The copy is taken down, then put back, both in one batch (a URL and its variant, say):
    # the finding is open, as the later record says, and the history has both checks.
    again, again_page = _judge(store, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    store.record_pages([PageRecord(None, removed, status=404),
                        PageRecord(again, again_page, status=200)])
    [finding] = store.findings(include_gone=True)
    assert finding.review_state == "new"
    [copy_record] = store.copies_of(store.originals()[0].id)
    assert [h.http_status for h in copy_record.history] == [200, 404, 200]
    # And the other way round: put back, then taken down: gone.
    store.record_pages([PageRecord(again, again_page, status=200),
                        PageRecord(None, removed, status=404)])
    [finding] = store.findings(include_gone=True)
    assert finding.review_state == "gone"


def test_pages_without_copies_are_written_together_and_in_their_order(store: Store) -> None:
    """The rows of pages holding no copy go in one statement for a run of them: a page twice
    in such a run ends as its later fetch, and a page that a later record of the batch finds
    copying still gets its finding, on the row the copy's record wrote."""
    from repostwatch.store import PageRecord

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    plain, plain_page = _judge(store, page_html("<p>Nothing copied.</p>"))
    later = Page(plain_page.url, page_html("<p>Nothing copied, still.</p>"))
    copy, copy_page = _judge(store, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)),
                             "https://copycat.test/b")
    first_copy = Page(copy_page.url, page_html("<p>Not yet.</p>"))
    outcomes = store.record_pages([
        PageRecord(plain, plain_page, status=200),
        PageRecord(None, first_copy, status=500),  # not a copy yet: a plain row
        PageRecord(plain, later, status=203),  # the same page again: the later row stays
        PageRecord(copy, copy_page, status=200),  # written after the plain rows before it
    ])
    assert [o.finding_id is not None for o in outcomes] == [False, False, False, True]
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT url, status, html_hash FROM pages ORDER BY id")).all()
    assert [(url, status) for url, status, _ in rows] == [
        (plain_page.url, 203), (copy_page.url, 200)]
    assert rows[0][2] == hashlib.sha256(later.html.encode()).hexdigest()
    [finding] = store.findings()
    assert finding.page_url == copy_page.url and finding.review_state == "new"


def test_recheck_pages_are_the_open_findings_least_recently_checked_first(
        store: Store) -> None:
    from datetime import timedelta

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    for name in ("a", "b", "c", "d"):
        result, page = _judge(store, html, f"https://copycat.test/{name}")
        store.save_assessment(result, page)
    result, page = _judge(store, page_html("<p>Removed.</p>"), "https://copycat.test/c")
    store.save_assessment(result, page)  # c: gone
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE findings SET review_state = 'false_positive' WHERE page_id = "
                          "(SELECT id FROM pages WHERE url = 'https://copycat.test/d')"))
    result, page = _judge(store, html, "https://copycat.test/a")
    store.save_assessment(result, page)  # a: checked again, now the most recent
    assert store.recheck_pages() == ["https://copycat.test/b", "https://copycat.test/a"]
    assert store.recheck_pages(limit=1) == ["https://copycat.test/b"]
    cutoff = store.findings()[0].last_checked
    newest = max(f.last_checked for f in store.findings())
    assert store.recheck_pages(checked_before=newest) == ["https://copycat.test/b"]
    assert store.recheck_pages(checked_before=cutoff - timedelta(days=1)) == []


def test_original_validators_round_trip(store: Store) -> None:
    from repostwatch.store import Validators

    store.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    assert store.original_validators() == {canonical_url(URL): (None, None, None)}
    stamp = datetime(2026, 3, 6, 10, tzinfo=UTC)
    store.set_original_validators(URL + "?utm_source=x",
                                  Validators('"abc"', "Fri, 06 Mar 2026 10:00:00 GMT", stamp))
    assert store.original_validators(RULE.publication) == {
        canonical_url(URL): ('"abc"', "Fri, 06 Mar 2026 10:00:00 GMT", stamp)}
    assert store.original_validators("Other") == {}
    store.upsert_original(publication=RULE.publication, url=URL, title="Pier",
                          text=ORIGINAL_TEXT + " Corrected.")
    assert store.original_validators()[canonical_url(URL)].etag == '"abc"'
