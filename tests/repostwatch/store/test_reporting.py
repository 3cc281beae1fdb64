"""What reports read and write in the store, on SQLite and PostgreSQL: report runs, the
history of checks, editors' resolutions, the newest saved bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matcher import CreditRule, Page, assess
from repostwatch.store import Store
from repostwatch.store.models import ReviewEventRow
from repostwatch.store.reporting import (
    check_history,
    newest_bodies,
    previous_report,
    record_report_run,
    report_runs,
    resolved_by_review,
    set_report_delivery,
)
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))
OTHER = CreditRule("Evening Star", domains=("star.test",))
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    s.ensure_publications([RULE, OTHER])
    s.upsert_original(publication=RULE.publication, url="https://daily-planet.test/news/pier",
                      title="Pier", text=ORIGINAL_TEXT)
    yield s
    s.close()


def _copy(store: Store, url: str, extra: str = "") -> int | None:
    page = Page(url, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS) + extra))
    return store.save_assessment(assess(page, store.load_index(), {RULE.publication: RULE}),
                                 page)


def test_report_runs_are_recorded_listed_and_found_per_publication(store: Store) -> None:
    first = record_report_run(store, generated_at=T0, period_start=None, period_end=T0,
                              publication=None, formats=["html"], paths=["/r/1.html"],
                              summary={"totals": {"lacking_credit": 3}})
    later = T0 + timedelta(days=7)
    pub = record_report_run(store, generated_at=later, period_start=T0, period_end=later,
                            publication=RULE.publication, formats=["md"], paths=[],
                            summary={})
    set_report_delivery(store, first, {"webhook": {"ok": False, "attempts": 4}})
    runs = report_runs(store)
    assert [r.id for r in runs] == [pub, first]
    assert runs[1].delivery == {"webhook": {"ok": False, "attempts": 4}}
    assert runs[1].period_start is None and runs[1].period_end == T0
    assert runs[1].paths == ("/r/1.html",) and runs[1].summary["totals"]["lacking_credit"] == 3
    assert previous_report(store, None).id == first  # the all-publications report
    assert previous_report(store, RULE.publication).period_end == later
    assert previous_report(store, OTHER.publication) is None
    with pytest.raises(KeyError):
        set_report_delivery(store, 999, {})


def test_history_resolutions_and_bodies(store: Store) -> None:
    url = "https://copycat.test/pier"
    finding = _copy(store, url)
    assert finding is not None
    _copy(store, url, "<p>Source: <a href='https://daily-planet.test/news/pier'>The Daily "
                      "Planet</a></p>")
    history = check_history(store)
    assert [(c.finding_id, c.credit_status) for c in history] == [
        (finding, "uncredited"), (finding, "credited")]
    assert history[0].checked_at <= history[1].checked_at
    assert check_history(store, publication=OTHER.publication) == []
    assert check_history(store, until=history[0].checked_at) == history[:1]
    with store.session() as s:
        s.add(ReviewEventRow(finding_id=finding, at=T0, action="resolve", from_state="new",
                             to_state="resolved"))
    assert resolved_by_review(store, start=None, end=T0) == {finding}
    assert resolved_by_review(store, start=T0, end=T0 + timedelta(days=1)) == set()
    bodies = newest_bodies(store, [url, "https://copycat.test/never-seen"])
    assert list(bodies) == [url]
    final_url, html = bodies[url]
    assert final_url == url and "Source: <a" in html  # the newest of its two versions


def test_a_report_ending_in_the_future_is_not_where_the_next_one_starts(store: Store) -> None:
    """``report --until 2027-...`` was accepted before: such a run must not make every later
    default report start in the future."""
    from reports.produce import resolve_period

    now = T0 + timedelta(days=30)
    record_report_run(store, generated_at=T0, period_start=None, period_end=T0,
                      publication=None, formats=["html"], paths=[], summary={})
    record_report_run(store, generated_at=T0, period_start=None,
                      period_end=now + timedelta(days=365), publication=None,
                      formats=["html"], paths=[], summary={})
    since, until = resolve_period(store, publication=None, period=None, since=None,
                                  until=None, now=now)
    assert (since, until) == (T0, None)
