"""Reports built from a real SQLite store with findings judged by the matcher, in every format."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher import CreditRule, Page, assess
from reports import (
    CSV_COLUMNS,
    NAMES,
    Report,
    build_report,
    default_filename,
    render,
    write_report,
)
from repostwatch.store import FindingRecord, Store

PUB = "The Daily Planet"
RULE = CreditRule(PUB, domains=("daily-planet.test",))
ORIGINAL_URL = "https://daily-planet.test/city/2026/harbour-lighthouse-vote"
ORIGINAL_TITLE = "Harbour council votes to relight the old lighthouse"
ORIGINAL_TEXT = """\
The harbour council of Port Merrow voted late on Tuesday to relight the old granite lighthouse \
on Gull Point, ending a quarrel that has divided fishermen, shopkeepers and summer residents \
for almost eleven years. The motion passed by seven votes to four after a meeting that ran \
past midnight and drew more than three hundred people into the drafty assembly hall.

Supporters argued that the lamp, dark since a storm cracked its lens in the winter of 2015, \
would bring back the evening walkers who once filled the cafés along Quay Street. Opponents \
warned that the repair bill, now estimated at one point four million crowns, would swallow the \
money set aside for dredging the inner basin, where trawlers already scrape the mud at low tide.

Councillor Ilse Varga, who led the campaign, said the vote showed that the town still believed \
in its own history. "A harbour without a light is a car park with water in it," she told the \
crowd, to loud applause and a few whistles from the back rows near the coffee urn.

Work on the lantern room is expected to begin in March. A local glassworks in Ostby has offered \
to cast the new lens at cost, and volunteers from the sailing club will repaint the tower in \
its original red and white bands once the scaffolding comes down in early summer.

The harbour master, Tomas Brenn, cautioned that the light would serve as a landmark rather than \
a working aid to navigation, because modern charts and satellite receivers have long since \
replaced it. Still, he admitted, he would be glad to see the beam sweep across the water again \
on autumn nights when the fog rolls in from the northern banks.
"""


def _page_html(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        "<footer><p>© 2026 All rights reserved.</p></footer></body></html>"
    )


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


UNCREDITED_URL = "https://copycat.test/2026/11/lighthouse-news"
CREDITED_URL = "https://friendly.test/stories/lighthouse"
UNCREDITED = _page_html("Lighthouse news | Copycat Daily", _paragraphs(ORIGINAL_TEXT))
CREDITED = _page_html(
    "Port Merrow relights its lighthouse",
    _paragraphs(ORIGINAL_TEXT)
    + f"<p>Source: The Daily Planet. <a href='{ORIGINAL_URL}'>Read the original</a></p>",
)
UNRELATED = _page_html("Weather", "<p>Rain tomorrow, sunshine on Friday, wind from the west.</p>")

NOW = datetime(2026, 11, 28, 9, 30, 12, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def store(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 't.db'}")
    store.ensure_publications([RULE])
    store.upsert_original(
        publication=PUB, url=ORIGINAL_URL, title=ORIGINAL_TITLE, text=ORIGINAL_TEXT
    )
    index = store.load_index()
    for url, html in (
        (UNCREDITED_URL, UNCREDITED),
        (CREDITED_URL, CREDITED),
        ("https://weather.test/today", UNRELATED),
    ):
        page = Page(url, html)
        store.save_assessment(assess(page, index, {PUB: RULE}), page)
    yield store
    store.close()


@pytest.fixture
def report(store: Store) -> Report:
    return build_report(store, now=NOW)


def _hostile_report() -> Report:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    record = FindingRecord(
        id=7, page_url="javascript:alert(1)", site="evil.test", page_title=HOSTILE,
        original_id=1, original_url="data:text/html,<b>x</b>", original_title=HOSTILE,
        publication=PUB, verdict="repost", extent="full", coverage=0.97, longest_words=250,
        credit_status="uncredited", credit_reason=f"No credit {HOSTILE}", review_state="new",
        first_seen=when, last_checked=when,
        evidence=[{"kind": "name", "value": HOSTILE, "where": "footer", "in_article": False,
                   "nofollow": False, "hidden": False}],
        longest_passage={"words": 250, "similarity": 1.0, "original_text": "x",
                         "page_text": f"{HOSTILE} " + "word " * 400},
    )
    formula = dataclasses.replace(
        record, id=8, page_url="https://evil.test/b", original_title='=HYPERLINK("http://x.test","y")',
        credit_reason="+cmd", review_state="@SUM(A1)", longest_passage=None,
    )
    return Report(NOW, PUB, None, {"pages": 2, "findings": 2, "lacking_credit": 2, "credited": 0},
                  (record, formula), ())


# -- build --------------------------------------------------------------------------------


def test_build_report_counts_and_rows(report: Report) -> None:
    assert report.generated_at == NOW
    assert [r.page_url for r in report.rows] == [UNCREDITED_URL]
    row = report.rows[0]
    assert (row.verdict, row.extent, row.credit_status) == ("repost", "full", "uncredited")
    assert row.coverage > 0.9
    t = report.totals
    assert (t["pages"], t["originals"], t["findings"]) == (3, 1, 2)
    assert (t["lacking_credit"], t["credited"], t["credit_uncredited"], t["credit_credited"]) == (
        1, 1, 1, 1)
    assert report.credited_share == 0.5
    assert [(s.site, s.copies, s.lacking_credit, s.credited_share) for s in report.sites] == [
        ("copycat.test", 1, 1, 0.0), ("friendly.test", 1, 0, 1.0)]
    assert all(s.first_seen.tzinfo is not None for s in report.sites)


def test_build_report_filters(store: Store) -> None:
    assert build_report(store, publication="Someone Else", now=NOW).totals["findings"] == 0
    later = build_report(store, since=datetime.now(UTC) + timedelta(days=1), now=NOW)
    # a period after the copies were found: they are still open, not new
    assert [r.page_url for r in later.rows] == [UNCREDITED_URL]
    assert (later.changes.new, later.changes.still_open) == (0, 1)
    assert not later.is_new(later.rows[0])
    earlier = build_report(store, until=datetime.now(UTC) - timedelta(days=1), now=NOW)
    assert earlier.rows == () and earlier.sites == ()  # found after the period
    assert build_report(store, publication=PUB, now=NOW).rows[0].page_url == UNCREDITED_URL


# -- formats ------------------------------------------------------------------------------


def test_html_lists_the_uncredited_copy_only(report: Report) -> None:
    html = render(report, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert f"Copies lacking credit — {PUB}" not in html  # no publication filter given
    assert "2026-11-28" in html
    findings = html.split("<h2>Copies lacking credit</h2>", 1)[1]
    assert f'<a href="{UNCREDITED_URL}"' in findings
    assert CREDITED_URL not in findings
    assert "friendly.test" in html  # in the per-site table
    assert "uncredited" in findings and "100%" in findings
    assert f'href="{ORIGINAL_URL}"' in findings
    assert "Harbour council votes to relight" in findings
    assert (
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ) in html
    assert "<script" not in html and "<link" not in html
    assert "No copies lacking credit" not in html


def test_html_of_an_empty_report_says_so(store: Store) -> None:
    empty = build_report(store, until=datetime.now(UTC) - timedelta(days=1), now=NOW)
    html = render(empty, "html")
    assert "No copies lacking credit" in html
    assert "<table class=\"findings\"" not in html


def test_csv_parses_back_with_the_documented_header(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    # the first columns never change; new ones are added at the end (reports.csv_report)
    assert CSV_COLUMNS[0] == "page_url" and CSV_COLUMNS[13] == "longest_passage"
    assert CSV_COLUMNS[14:] == ("source", "kept_apart", "page_published", "original_published")
    assert (rows[0]["source"], rows[0]["kept_apart"]) == ("", "")  # an own story, chased
    assert [r["page_url"] for r in rows] == [UNCREDITED_URL]
    row = rows[0]
    assert (row["site"], row["credit_status"], row["verdict"]) == (
        "copycat.test", "uncredited", "repost")
    assert 0.9 < float(row["coverage"]) <= 1.0
    assert row["first_seen"].endswith("Z") and datetime.fromisoformat(row["first_seen"])
    assert "lighthouse" in row["longest_passage"]


def test_json_has_the_documented_keys(report: Report) -> None:
    data = json.loads(render(report, "json"))
    assert list(data) == ["generated_at", "publication", "since", "totals", "credited_share",
                          "sites", "findings", "until", "changes", "compliance", "outreach",
                          "kept_apart", "kept_apart_why"]
    assert data["kept_apart"] == [] and set(data["kept_apart_why"]) == {"syndicated", "earlier"}
    assert data["generated_at"] == "2026-11-28T09:30:12Z"
    assert data["publication"] is None and data["since"] is None
    assert data["totals"]["lacking_credit"] == 1
    assert [s["site"] for s in data["sites"]] == ["copycat.test", "friendly.test"]
    (finding,) = data["findings"]
    assert list(finding) == ["id", *CSV_COLUMNS, "evidence"]
    assert finding["page_url"] == UNCREDITED_URL
    assert isinstance(finding["coverage"], float) and 0.9 < finding["coverage"] <= 1.0
    assert finding["evidence"] == []
    assert datetime.fromisoformat(finding["last_checked"]).tzinfo is not None


def test_render_refuses_an_unknown_format(report: Report) -> None:
    assert NAMES == ("html", "csv", "json", "md")
    with pytest.raises(ValueError, match="pdf"):
        render(report, "pdf")


# -- hostile content ----------------------------------------------------------------------


def test_html_escapes_crawled_text_and_links_only_http() -> None:
    html = render(_hostile_report(), "html")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html and 'href="data:' not in html
    assert "javascript:alert(1)" in html  # shown, as text
    assert '<a href="https://evil.test/b"' in html
    passage = html.split('<blockquote class="copy">', 1)[1].split("</blockquote>", 1)[0]
    assert passage.endswith("…") and len(passage) < 700


def test_csv_guards_formula_cells() -> None:
    rows = list(csv.DictReader(io.StringIO(render(_hostile_report(), "csv"))))
    formula = rows[1]
    assert formula["original_title"].startswith("'=HYPERLINK(")
    assert formula["credit_reason"] == "'+cmd"
    assert formula["review_state"] == "'@SUM(A1)"
    assert rows[0]["page_url"] == "javascript:alert(1)"  # data, not a formula: left as is


def test_json_keeps_text_verbatim() -> None:
    data = json.loads(render(_hostile_report(), "json"))
    assert data["findings"][0]["original_title"] == HOSTILE
    assert data["findings"][0]["evidence"][0]["value"] == HOSTILE


# -- files --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", NAMES)
def test_write_report_is_atomic_and_complete(report: Report, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "out" / "nested"
    target = folder / default_filename(report, fmt)
    assert target.name == f"repostwatch-report-2026-11-28T093012Z.{fmt}"
    target.parent.mkdir(parents=True)
    target.write_text("stale half-written report")
    assert write_report(report, fmt, target) == target
    assert target.read_bytes().decode("utf-8") == render(report, fmt)
    assert [p.name for p in folder.iterdir()] == [target.name]


def test_write_report_leaves_nothing_on_failure(report: Report, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    with pytest.raises(ValueError):
        write_report(report, "pdf", folder / "r.pdf")
    assert not folder.exists()  # refused before touching the disk
    target = folder / "r.html"
    target.mkdir(parents=True)  # a folder in the way: the replace fails
    with pytest.raises(OSError):
        write_report(report, "html", target)
    assert [p.name for p in folder.iterdir()] == ["r.html"]


def test_default_filename_names_the_publication(store: Store) -> None:
    one = build_report(store, publication=PUB, now=NOW)
    name = default_filename(one, "csv")
    assert name == "repostwatch-report-the-daily-planet-2026-11-28T093012Z.csv"
