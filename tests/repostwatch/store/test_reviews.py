"""The review side of the store on SQLite and PostgreSQL: the list (filters, sorts, keyset pages,
counts) against a plain Python reference, editors' actions and their audit trail, the
allow-list (its findings turn ``allowed``; later judging agrees), and migration 0004."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import alembic.command
import pytest
from sqlalchemy import text

from benchmarks.reviewstore import PUBLICATIONS, build_review_store
from matcher import CreditRule, Page, assess
from repostwatch.store import FindingRecord, Store
from repostwatch.store.reviews import (
    FACETS,
    FindingNotFound,
    FindingQuery,
    ReviewError,
    allow_site,
    allowed_rules,
    facet_counts,
    finding_detail,
    list_findings,
    review,
)
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html
from tests.repostwatch.clihome import imported, make_home, run, save
from tests.repostwatch.store.test_store import _alembic_config

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))
URL = "https://daily-planet.test/news/pier.html"
COPY = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))


@pytest.fixture
def big(db_url: str):
    store = build_review_store(db_url, findings=700, originals=30, sites=12, seed=3)
    yield store
    store.close()


def _all(store: Store) -> list[FindingRecord]:
    return store.findings(include_gone=True)


def _matches(f: FindingRecord, q: FindingQuery) -> bool:
    return all(getattr(q, k) is None or getattr(f, k) == getattr(q, k) for k in FACETS) and \
        (q.since is None or f.last_checked >= q.since) and \
        (q.until is None or f.last_checked < q.until)


def _walk(store: Store, query: FindingQuery) -> list[int]:
    ids: list[int] = []
    while True:
        page = list_findings(store, query)
        ids += [r.id for r in page.rows]
        if page.next is None:
            return ids
        query = FindingQuery(**{**query.__dict__, "after": page.next})


QUERIES = [
    FindingQuery(),
    FindingQuery(review_state="new", credit_status="uncredited"),
    FindingQuery(publication=PUBLICATIONS[1], verdict="excerpt"),
    FindingQuery(site="site0.example", since=datetime(2026, 6, 1, tzinfo=UTC),
                 until=datetime(2026, 10, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("sort", ["last_checked", "first_seen", "coverage"])
@pytest.mark.parametrize("ascending", [False, True])
def test_keyset_pages_walk_the_reference_order(big: Store, sort: str, ascending: bool) -> None:
    everything = _all(big)
    for base in QUERIES:
        query = FindingQuery(**{**base.__dict__, "sort": sort, "ascending": ascending,
                                "limit": 37})
        expected = sorted((f for f in everything if _matches(f, query)),
                          key=lambda f: (getattr(f, sort), f.id), reverse=not ascending)
        assert _walk(big, query) == [f.id for f in expected]
        assert expected, "a query of the reference matched nothing: the test would prove little"


def test_counts_per_filter_value_apply_the_other_filters(big: Store) -> None:
    everything = _all(big)
    for query in QUERIES:
        counts = facet_counts(big, query, top_sites=1000)
        assert counts["total"] == {"": sum(_matches(f, query) for f in everything)}
        for facet in FACETS:
            others = FindingQuery(**{**query.__dict__, facet: None})
            want: dict[str, int] = {}
            for f in everything:
                if _matches(f, others):
                    want[getattr(f, facet)] = want.get(getattr(f, facet), 0) + 1
            assert counts[facet] == want, facet


def test_list_rows_carry_the_finding(big: Store) -> None:
    row = list_findings(big, FindingQuery(limit=1)).rows[0]
    full = next(f for f in _all(big) if f.id == row.id)
    assert row == FindingRecord(**{**full.__dict__, "evidence": [], "longest_passage": None})


def test_bad_queries_are_review_errors() -> None:
    with pytest.raises(ReviewError, match="unknown sort"):
        FindingQuery(sort="title")
    with pytest.raises(ReviewError, match="1 to 500"):
        FindingQuery(limit=0)


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    s.ensure_publications([RULE])
    s.upsert_original(publication=RULE.publication, url=URL, title="Pier", text=ORIGINAL_TEXT)
    yield s
    s.close()


def _copy(store: Store, url: str, rules: dict[str, CreditRule] | None = None) -> int:
    page = Page(url, COPY)
    result = assess(page, store.load_index(), rules or {RULE.publication: RULE})
    fid = store.save_assessment(result, page, status=200)
    assert fid is not None
    return fid


def test_review_actions_are_recorded_with_the_states(store: Store) -> None:
    fid = _copy(store, "https://copycat.test/a")
    review(store, fid, "confirm", actor="ann")
    review(store, fid, "contacted", note="mailed the editor", actor="ann")
    review(store, fid, "false_positive", note="a licensed reprint", actor="bob")
    detail = finding_detail(store, fid)
    assert detail.record.review_state == "false_positive"
    assert [(e.action, e.from_state, e.to_state, e.note, e.actor) for e in detail.events] == [
        ("false_positive", "contacted", "false_positive", "a licensed reprint", "bob"),
        ("contacted", "confirmed", "contacted", "mailed the editor", "ann"),
        ("confirm", "new", "confirmed", "", "ann"),
    ]
    with pytest.raises(ReviewError, match="needs a note"):
        review(store, fid, "contacted", note="  ")
    with pytest.raises(ReviewError, match="unknown review action"):
        review(store, fid, "delete")
    with pytest.raises(FindingNotFound):
        review(store, fid + 100, "confirm")
    assert len(finding_detail(store, fid).events) == 3  # refused actions leave no trace


def test_detail_has_history_versions_and_spans(store: Store) -> None:
    fid = _copy(store, "https://copycat.test/a")
    _copy(store, "https://copycat.test/a")
    detail = finding_detail(store, fid)
    assert len(detail.record.history) == 2 and detail.original_text == ORIGINAL_TEXT
    assert detail.judged_version is not None and COPY in detail.judged_version.html
    assert detail.spans and detail.spans[0]["original_start"] == 0


def test_allow_listing_a_site_turns_its_findings_allowed(store: Store) -> None:
    mine = _copy(store, "https://copycat.test/a")
    sibling = _copy(store, "https://news.copycat.test/b")  # a subdomain: allowed too
    other = _copy(store, "https://elsewhere.test/c")
    assert allow_site(store, mine, note="partner since May", actor="ann") == 2
    by_id = {f.id: f for f in _all(store)}
    assert by_id[mine].credit_status == by_id[sibling].credit_status == "allowed"
    assert by_id[mine].credit_reason == "copycat.test is an allowed partner of The Daily Planet."
    assert by_id[other].credit_status == "uncredited"
    assert finding_detail(store, sibling).events[0].action == "allow_site"
    assert finding_detail(store, mine).site_allowed
    # judging again with the merged rules agrees: the copy stays allowed
    rules = allowed_rules(store, {RULE.publication: RULE})
    assert rules[RULE.publication].allow == ("copycat.test",)
    _copy(store, "https://copycat.test/a", rules)
    assert {f.id: f for f in _all(store)}[mine].credit_status == "allowed"
    assert allow_site(store, mine) == 0  # again: nothing changes, the request is on record
    assert len(finding_detail(store, mine).events) == 2


def test_check_counts_the_stores_allow_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch)
    imported(home)
    page = save(home, "copy.html", COPY)
    assert run("check", "--save", str(page), "--url", "https://copycat.test/story") == 1
    store = Store.open(f"sqlite:///{home / 'repostwatch.db'}")
    try:
        allow_site(store, _all(store)[0].id)
    finally:
        store.close()
    capsys.readouterr()
    assert run("check", "--json", str(page), "--url", "https://copycat.test/other") == 0
    assert json.loads(capsys.readouterr().out)["credit_status"] == "allowed"


def test_migration_0004_copies_each_findings_site(db_url: str) -> None:
    cfg = _alembic_config()
    store = Store.open(db_url, migrate=False)
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            alembic.command.upgrade(cfg, "0003")
        with store.engine.begin() as conn:  # rows as 0003 had them (today's store writes more)
            now = datetime.now(UTC)
            conn.execute(text("INSERT INTO publications (name, created_at) VALUES (:n, :now)"),
                         {"n": RULE.publication, "now": now})
            conn.execute(text(
                "INSERT INTO originals (publication_id, url, url_key, title, text, text_hash, "
                "fingerprints, added_at, updated_at) SELECT id, 'u', 'k', 't', 'x', 'h', :fp, "
                ":now, :now FROM publications"), {"fp": b"", "now": now})
            conn.execute(text(
                "INSERT INTO pages (url, url_key, final_url, site, title, html_hash, fetched_at)"
                " VALUES ('https://copycat.test/a', 'k2', 'u', 'copycat.test', '', 'h', :now)"),
                {"now": now})
            conn.execute(text(
                "INSERT INTO findings (original_id, page_id, verdict, coverage, longest_words, "
                "credit_status, credit_reason, evidence, passages, review_state, first_seen, "
                "last_checked) SELECT o.id, p.id, 'repost', 1.0, 50, 'uncredited', '', '{}', "
                "'{}', 'new', :now, :now FROM originals o, pages p"), {"now": now})
        store.migrate()
        assert [f.site for f in list_findings(store, FindingQuery()).rows] == ["copycat.test"]
        assert facet_counts(store, FindingQuery())["site"] == {"copycat.test": 1}
    finally:
        store.close()


def test_random_filters_agree_with_the_reference(big: Store) -> None:
    rng = random.Random(5)
    everything = _all(big)
    values = {f: sorted({getattr(r, f) for r in everything}) for f in FACETS}
    for _ in range(15):
        chosen = {f: rng.choice(values[f]) for f in FACETS if rng.random() < 0.35}
        query = FindingQuery(**chosen, limit=90)
        want = sorted(f.id for f in everything if _matches(f, query))
        assert sorted(_walk(big, query)) == want
        assert facet_counts(big, query)["total"] == {"": len(want)}


def test_site_tallies_count_open_and_lacking_copies(big: Store) -> None:
    from matcher import lacks_credit
    from repostwatch.store.reviews import site_tallies

    shown = [f for f in _all(big) if f.review_state != "gone"]
    tallies = site_tallies(big)
    assert [(t.site, t.copies, t.lacking_credit) for t in tallies] == sorted(
        ((s, sum(f.site == s for f in shown), sum(f.site == s and lacks_credit(f.credit_status)
                                                  for f in shown))
         for s in {f.site for f in shown}), key=lambda t: (-t[2], -t[1], t[0]))
    first = tallies[0]
    assert first.first_seen == min(f.first_seen for f in shown if f.site == first.site)
    assert first.last_seen == max(f.last_checked for f in shown if f.site == first.site)
    assert site_tallies(big, site=first.site) == [first]


def test_ids_no_row_can_have_are_not_found(store: Store) -> None:
    """PostgreSQL's integer overflows at 2**31, SQLite's at 2**63: a 404, not a DataError."""
    for finding_id in (2**31, 10**30, 0, -1):
        with pytest.raises(FindingNotFound):
            finding_detail(store, finding_id)
        with pytest.raises(FindingNotFound):
            review(store, finding_id, "confirm")


def test_allow_listing_a_site_matches_its_name_not_a_like_pattern(store: Store) -> None:
    """``_`` is a LIKE wildcard: allow-listing ``my_site.test`` must not allow
    ``news.myXsite.test``."""
    mine = _copy(store, "https://my_site.test/a")
    lookalike = _copy(store, "https://news.myxsite.test/b")
    assert allow_site(store, mine) == 1
    assert {f.id: f for f in _all(store)}[lookalike].credit_status == "uncredited"


def test_allow_listing_flips_what_later_judging_allows(store: Store) -> None:
    """The matcher reads an allowed ``www.copycat.test`` as ``copycat.test`` and its
    subdomains (``www.``, ``m.``... are dropped): the findings flipped at once must be the
    same ones, not just those under ``www.``."""
    www = _copy(store, "https://www.copycat.test/a")
    bare = _copy(store, "https://copycat.test/b")
    mobile = _copy(store, "https://m.copycat.test/c")
    other = _copy(store, "https://notcopycat.test/d")
    assert allow_site(store, www) == 3
    status = {f.id: f.credit_status for f in _all(store)}
    assert [status[i] for i in (www, bare, mobile, other)] == ["allowed"] * 3 + ["uncredited"]
    assert [finding_detail(store, i).site_allowed for i in (www, bare, mobile, other)] == [
        True, True, True, False]
    rules = allowed_rules(store, {RULE.publication: RULE})
    for url in ("https://copycat.test/b", "https://m.copycat.test/c",
                "https://notcopycat.test/d"):
        _copy(store, url, rules)
    assert {f.id: f.credit_status for f in _all(store)} == status  # judging again agrees
