"""Golden tests: every format's content on the fixed store of the sandbox crawl, and what a
second report says after the copies changed (credit added, page gone)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

from crawler.sandbox import expected_pages
from matcher import CreditRule, Page, assess
from reports import CSV_COLUMNS, build_report, produce_report, render
from repostwatch.config import load_config
from repostwatch.store import Store
from repostwatch.store.reporting import report_runs

LACKING = {e.url: e for e in expected_pages() if e.verdict != "none" and e.kept_apart is None
           and e.credit_status in ("uncredited", "misattributed")}
COPIES = [e for e in expected_pages() if e.verdict != "none"]
APART = {e.url: e for e in COPIES if e.kept_apart is not None}  # copies of the wire stories


def _report(store: Store, **kwargs):
    return build_report(store, outreach=True, **kwargs)


def test_the_sandbox_store_is_what_the_goldens_expect(sandbox_store: Store) -> None:
    assert len(LACKING) == 4 and len(COPIES) == 13 and len(APART) == 4
    report = _report(sandbox_store)
    assert {r.page_url for r in report.rows} == set(LACKING)
    assert {r.page_url for r in report.apart} == set(APART)
    assert {r.kept_apart for r in report.apart} == {"syndicated"}
    assert {r.source for r in report.apart} == {"Associated Press", "Reuters"}
    t = report.totals
    assert (t["findings"], t["lacking_credit"], t["credit_uncredited"],
            t["credit_misattributed"], t["credit_allowed"]) == (13, 4, 5, 1, 1)
    # findings = credited + lacking credit + kept apart: the wire copies are in no chased figure
    assert (t["credited"], t["kept_apart"], t["syndicated"]) == (5, 4, 4)
    assert (report.changes.new, report.changes.still_open, report.changes.resolved,
            report.changes.gone) == (9, 0, 0, 0)
    assert report.compliance[-1].copies == 9 and report.compliance[-1].credited == 5
    assert [(s.site, s.copies, s.lacking_credit) for s in report.sites[:2]] == [
        ("scraperdaily.test", 3, 3), ("wrongsource.test", 1, 1)]


def test_html_golden(sandbox_store: Store) -> None:
    html = render(_report(sandbox_store), "html")
    # copies by site; compliance over time is one point (one day of checks): a sentence
    assert html.count("<svg ") == 1
    assert re.search(r'<p class="meta">56% of 9 copies credited on \d{4}-\d\d-\d\d \d\d:\d\d UTC\. '
                     r"The line over time appears once", html)
    assert "Copies by site: scraperdaily.test: 3 lacking credit, 0 credited" in html
    figures = re.findall(r'<span class="n">([^<]+)</span> ([a-z ]+)</li>', html)
    assert figures == [("25", "pages checked"), ("13", "copies found"), ("4", "lacking credit"),
                       ("56%", "credit compliance"), ("9", "new"), ("0", "still open"),
                       ("0", "resolved"), ("0", "gone")]
    assert '<span class="n">4</span> <a href="#kept-apart">kept apart</a>' in html
    apart = html.split('<h2 id="kept-apart">Kept apart</h2>', 1)[1].split('<h2 id="outreach">')[0]
    assert "copies of wire stories" in apart and "report_syndicated" in apart
    for url, _e in APART.items():
        assert f'<a href="{url}"' in apart and url not in html.split('<h2 id="kept-apart">')[0]
    assert apart.count("<td>Associated Press</td>") == 2 and apart.count("<td>Reuters</td>") == 2
    findings = html.split("<h2>Copies lacking credit</h2>", 1)[1].split('<h2 id="outreach">')[0]
    headings = re.findall(r'<h3 id="site-\d+">([^ <]+) <span class="meta">· (\d+) lacking',
                          findings)
    assert headings == [("scraperdaily.test", "3"), ("wrongsource.test", "1")]
    for url in LACKING:
        assert f'<a href="{url}"' in findings
    assert findings.count('<blockquote class="original">') == 4
    assert findings.count('<blockquote class="copy">') == 4
    assert 'href="#outreach-scraperdaily-test-the-daily-planet"' in findings
    outreach = html.split('<h2 id="outreach">', 1)[1]
    assert '<section class="letter" id="outreach-scraperdaily-test-the-daily-planet">' in outreach
    mail = "webmaster@scraperdaily.test"
    assert f'<a href="mailto:{mail}">{mail}</a>' in outreach
    assert "none found on the pages that were read" in outreach  # wrongsource.test names no contact
    assert "please add: Source: The Daily Planet — http://daily-planet.test/news/" in outreach
    assert "<script" not in html


def test_csv_and_json_carry_the_same_rows(sandbox_store: Store) -> None:
    report = _report(sandbox_store)
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    data = json.loads(render(report, "json"))
    assert [r["page_url"] for r in rows] == [f["page_url"] for f in data["findings"]]
    assert {r["page_url"]: r["credit_status"] for r in rows} == {
        url: e.credit_status for url, e in LACKING.items()}
    for row, finding in zip(rows, data["findings"], strict=True):
        assert list(row) == list(CSV_COLUMNS)
        expected = LACKING[row["page_url"]].original_url
        assert row["original_url"] == finding["original_url"] == expected
        assert abs(float(row["coverage"]) - finding["coverage"]) < 1e-4
    # most severe first: full reposts before the partial one
    assert [r["extent"] for r in rows][-1] == "partial"
    assert data["changes"] == {"new": 9, "still_open": 0, "resolved": 0, "gone": 0}
    assert data["compliance"][-1]["copies"] == 9
    (letter,) = [x for x in data["outreach"] if x["site"] == "scraperdaily.test"]
    assert letter["contacts"][0] == {"kind": "email", "value": "webmaster@scraperdaily.test",
                                     "found_on": letter["contacts"][0]["found_on"],
                                     "where": "mailto"}
    assert len(letter["copies"]) == 3


def test_md_golden(sandbox_store: Store) -> None:
    md = render(_report(sandbox_store), "md")
    assert md.startswith("# Copies lacking credit — ")
    assert "| 25 | 13 | 4 | 56% | 9 | 0 | 0 | 0 |" in md
    apart = md.split("## Kept apart (not chased)", 1)[1].split("## Credit requests")[0]
    assert apart.count("from the wire **Associated Press**") == 2
    assert all(f"<{url}>" in apart for url in APART)
    assert "| scraperdaily.test | 3 | 3 | 0% |" in md
    assert md.index("### scraperdaily.test (3 lacking credit)") < md.index(
        "### wrongsource.test (1 lacking credit)")
    for url in LACKING:
        assert f"<{url}>" in md
    assert md.count("> original: ") == 4 and md.count("> on the page: ") == 4
    assert "## Credit requests" in md and "    To: webmaster@scraperdaily.test" in md


def _recheck(store: Store, url: str, html: str | None, rule: CreditRule) -> None:
    page = Page(url, html or "")
    if html is None:
        store.record_page(None, page, status=404)
        return
    store.save_assessment(assess(page, store.load_index(), {rule.publication: rule}), page)


def test_a_later_report_says_what_changed(sandbox_home, sandbox_store: Store) -> None:
    config = load_config(sandbox_home / "repostwatch.toml")
    first = produce_report(sandbox_store, config, fmt="json")
    assert first.report.since is None and first.report.changes.new == 9
    rule = config.rules["The Daily Planet"]
    fixed, gone, *_ = sorted(u for u in LACKING if "scraperdaily" in u)
    versions = sandbox_store.page_versions(fixed)
    credited = versions[-1].html.replace(
        "</main>", f'<p>Source: <a href="{LACKING[fixed].original_url}">The Daily Planet</a>'
                   "</p></main>")
    _recheck(sandbox_store, fixed, credited, rule)
    _recheck(sandbox_store, gone, None, rule)
    second = produce_report(sandbox_store, config, fmt="md")
    report = second.report
    assert report.since == first.report.period_end  # since the previous report
    c = report.changes
    assert (c.new, c.resolved, c.gone, c.still_open) == (0, 1, 1, 2)
    assert {r.page_url for r in report.rows} == set(LACKING) - {fixed, gone}
    assert report.compliance[-1].copies == 8 and report.compliance[-1].credited == 6
    assert "| 25 | 12 | 2 | 75% | 0 | 2 | 1 | 1 |" in second.paths[0].read_text()
    runs = report_runs(sandbox_store)
    assert [r.id for r in runs] == [second.run_id, first.run_id]
    assert runs[0].summary["changes"] == {"new": 0, "still_open": 2, "resolved": 1, "gone": 1}
    assert runs[0].period_start == first.report.period_end
    assert runs[1].formats == ("json",) and runs[1].paths == (str(first.paths[0]),)
    # a report of an explicit earlier period still counts the copies as new then
    again = build_report(sandbox_store, since=None, until=datetime.now(UTC))
    assert again.changes.new == 9


def test_a_site_allow_listed_in_the_review_ui_counts_as_resolved(sandbox_home,
                                                                 sandbox_store: Store) -> None:
    """Allow-listing turns a site's copies ``allowed`` without a new check: the period's
    figures and the compliance chart must agree with the table (they read the checks)."""
    from repostwatch.store.reviews import allow_site

    config = load_config(sandbox_home / "repostwatch.toml")
    first = produce_report(sandbox_store, config, fmt="json")
    scraper = [f for f in first.report.rows if f.site == "scraperdaily.test"]
    assert len(scraper) == 3 and len(first.report.rows) == 4
    assert allow_site(sandbox_store, scraper[0].id, note="syndication deal") == 3
    report = produce_report(sandbox_store, config, fmt="json").report
    assert len(report.rows) == 1
    c = report.changes
    assert (c.new, c.still_open, c.resolved, c.gone) == (0, 1, 3, 0)
    last = report.compliance[-1]
    assert (last.copies, last.credited) == (9, 8)
    assert round(last.share, 4) == round(report.credited_share, 4)
