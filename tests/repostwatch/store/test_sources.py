"""Originals' sources in the store: decided at import, overridden by a person, decided again;
and the copies kept apart by them, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import alembic.command
import pytest
from sqlalchemy import text

from matcher import CreditRule, Page, assess
from repostwatch.store import Store
from repostwatch.store.sources import original_sources, override_source, redetect_sources
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, OTHER_TEXT, page_html, paragraphs_html
from tests.repostwatch.store.test_store import _alembic_config

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))
OWN_URL = "https://daily-planet.test/news/pier.html"
WIRE_URL = "https://daily-planet.test/news/wire-pier.html"
DATELINE = "WASHINGTON (AP) — "
WIRE_PARAGRAPHS = [DATELINE + ORIGINAL_PARAGRAPHS[0], *ORIGINAL_PARAGRAPHS[1:]]


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    s.ensure_publications([RULE])
    yield s
    s.close()


def _import(store: Store, url: str, paragraphs: list[str], rule: CreditRule = RULE) -> int:
    oid, _ = store.upsert_original(publication=rule.publication, url=url, title="Pier",
                                   text="\n".join(paragraphs), rule=rule)
    return oid


def _copy(store: Store, url: str, paragraphs: list[str], rule: CreditRule = RULE) -> None:
    page = Page(url, page_html(paragraphs_html(paragraphs)))
    store.save_assessment(assess(page, store.load_index(), {rule.publication: rule}), page)


def _kept(store: Store) -> dict[str, str | None]:
    return {f.page_url: f.kept_apart for f in store.findings()}


def test_import_decides_the_source_and_copies_of_wire_stories_are_kept_apart(
        store: Store) -> None:
    own = _import(store, OWN_URL, OTHER_TEXT.split("\n"))
    wire = _import(store, WIRE_URL, WIRE_PARAGRAPHS)
    sources = original_sources(store)
    assert sources[own].source is None and sources[own].set_by == "detected"
    assert sources[wire].source == "Associated Press" and sources[wire].syndicated
    assert "dateline" in (sources[wire].reason or "")
    assert any(m["wire"] == "Associated Press" for m in sources[wire].evidence)
    assert store.original(wire).source == "Associated Press"  # what assess reads
    # the licensee strips the dateline: the copy matches the wire story best, and is apart
    _copy(store, "https://licensee.test/a", [p.removeprefix(DATELINE) for p in WIRE_PARAGRAPHS])
    (f,) = store.findings()
    assert (f.original_id, f.source, f.kept_apart) == (wire, "Associated Press", "syndicated")
    assert f.credit_status == "uncredited" and not f.lacks_credit
    assert store.findings(lacking_credit=True) == []


def test_a_persons_word_is_kept_through_reimports_and_flips_the_copies_at_once(
        store: Store) -> None:
    wire = _import(store, WIRE_URL, WIRE_PARAGRAPHS)
    _copy(store, "https://licensee.test/a", [p.removeprefix(DATELINE) for p in WIRE_PARAGRAPHS])
    assert _kept(store) == {"https://licensee.test/a": "syndicated"}
    assert override_source(store, wire, None)  # "this one is our own story"
    assert _kept(store) == {"https://licensee.test/a": None}
    assert [f.page_url for f in store.findings(lacking_credit=True)] == [
        "https://licensee.test/a"]
    changed = "\n".join([*WIRE_PARAGRAPHS, "An editor's note added later."])
    store.upsert_original(publication=RULE.publication, url=WIRE_URL, title="Pier",
                          text=changed, rule=RULE)  # re-imported, changed: the override stays
    info = original_sources(store)[wire]
    assert (info.source, info.set_by, info.detected) == (None, "person", "Associated Press")
    assert not override_source(store, wire, None)  # no change, nothing flipped
    assert override_source(store, wire, None, person=False)  # follow the marks again
    assert original_sources(store)[wire].set_by == "detected"
    assert _kept(store) == {"https://licensee.test/a": "syndicated"}


def test_report_syndicated_and_config_wires_are_read_again(store: Store) -> None:
    nordic = [f"OSLO (NNA) — {ORIGINAL_PARAGRAPHS[0]}", *ORIGINAL_PARAGRAPHS[1:]]
    oid = _import(store, WIRE_URL, nordic)
    assert original_sources(store)[oid].source is None  # NNA: a wire no list names yet
    from matcher import WIRES, Wire

    rule = dataclasses.replace(RULE, wires=(*WIRES, Wire("Nordic News Agency", tags=("NNA",))))
    assert redetect_sources(store, {RULE.publication: rule}) == 1
    assert original_sources(store)[oid].source == "Nordic News Agency"
    _copy(store, "https://licensee.test/b", ORIGINAL_PARAGRAPHS, rule)
    assert _kept(store) == {"https://licensee.test/b": "syndicated"}
    chase = dataclasses.replace(rule, report_syndicated=True)
    store.ensure_publications([chase])  # the config now says: chase wire copies too
    assert _kept(store) == {"https://licensee.test/b": None}
    assert len(store.findings(lacking_credit=True)) == 1
    store.ensure_publications([rule])
    assert _kept(store) == {"https://licensee.test/b": "syndicated"}


def test_originals_stored_before_sources_are_decided_at_the_next_import(db_url: str) -> None:
    """A store from before 0005: the upgrade keeps every row (no table is copied and dropped:
    on SQLite that cascaded to every original), and the next import decides the source."""
    cfg = _alembic_config()
    store = Store.open(db_url, migrate=False)
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            alembic.command.upgrade(cfg, "0004")
        with store.engine.begin() as conn:
            now = datetime.now(UTC)
            conn.execute(text("INSERT INTO publications (name, created_at) VALUES (:n, :now)"),
                         {"n": RULE.publication, "now": now})
            conn.execute(text(
                "INSERT INTO originals (publication_id, url, url_key, title, text, text_hash, "
                "fingerprints, added_at, updated_at) SELECT id, :u, :k, 'Pier', :t, :h, :fp, "
                ":now, :now FROM publications"),
                {"u": WIRE_URL, "k": "daily-planet.test/news/wire-pier.html",
                 "t": "\n".join(WIRE_PARAGRAPHS), "h": "stale", "fp": b"", "now": now})
        store.migrate()
        (before,) = original_sources(store).values()
        assert (before.source, before.reason) == (None, None)  # kept, not decided yet
        store.upsert_original(publication=RULE.publication, url=WIRE_URL, title="Pier",
                              text="\n".join(WIRE_PARAGRAPHS), rule=RULE)
        (after,) = original_sources(store).values()
        assert after.source == "Associated Press" and after.reason
    finally:
        store.close()


def test_a_page_dated_before_the_original_is_kept_apart_with_both_dates(store: Store) -> None:
    published = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    store.upsert_original(publication=RULE.publication, url=OWN_URL, title="Pier",
                          text="\n".join(ORIGINAL_PARAGRAPHS), published=published, rule=RULE)
    dated = ('<script type="application/ld+json">{"@type": "NewsArticle", '
             '"datePublished": "2026-11-01T08:00:00Z"}</script>')
    page = Page("https://older.test/a", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS),
                                                  head=dated))
    store.save_assessment(assess(page, store.load_index(), {RULE.publication: RULE}), page)
    (f,) = store.findings()
    assert (f.kept_apart, f.credit_status, f.lacks_credit) == ("earlier", "uncredited", False)
    assert f.page_published == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert f.original_published == published
    from reports import build_report, render

    report = build_report(store)
    assert [r.page_url for r in report.apart] == ["https://older.test/a"] and not report.rows
    md = render(report, "md")
    assert "page dated 2026-11-01 08:00 UTC, original 2026-11-10 09:00 UTC" in md
