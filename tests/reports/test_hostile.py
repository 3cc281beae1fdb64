"""Crawled text is hostile in the new parts too: charts' labels, outreach letters, Markdown."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

from reports import Changes, CompliancePoint, Report, SiteSummary, render
from reports.md_report import md_text
from reports.outreach import Contact, OutreachLetter, letter_text
from tests.reports.test_reports import HOSTILE, _hostile_report

WHEN = datetime(2026, 11, 1, tzinfo=UTC)
EVIL_SITE = f'evil.test"><img src=x onerror=alert(1)>{HOSTILE}$\\alpha$'


def _report() -> Report:
    base = _hostile_report()
    title = f"[x](javascript:alert(1)) {HOSTILE}"
    rows = tuple(dataclasses.replace(r, site=EVIL_SITE, page_title=title) for r in base.rows)
    letter = OutreachLetter(
        site=EVIL_SITE, publication=f"Planet {HOSTILE}", copies=rows,
        contacts=(Contact("email", "ok@evil.test", "https://evil.test/", "mailto"),
                  Contact("page", "javascript:alert(1)", "https://evil.test/", "link")),
        repost_rule=f"Reposts welcome {HOSTILE}", credit_line_template="Source: {title} \x1b[31m",
    )
    return dataclasses.replace(
        base, rows=rows,
        sites=(SiteSummary(EVIL_SITE, 2, 2, 0.0, WHEN, WHEN),),
        changes=Changes(new=2), compliance=(CompliancePoint(WHEN - timedelta(days=1), 2, 0),
                    CompliancePoint(WHEN, 2, 0)), letters=(letter,),
    )


def test_html_charts_and_letters_stay_inert() -> None:
    html = render(_report(), "html")
    assert "<script" not in html and "<img" not in html and "onerror=alert" not in html.replace(
        "onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in html and 'href="data:' not in html
    # every href is http(s), a fragment of the page (the letters, the charts' own shapes),
    # or a validated mailto
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "#outreach-" in " ".join(hrefs)
    assert all(h.startswith(("http://", "https://", "#", "mailto:ok@")) for h in hrefs), hrefs
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) == 2
    for svg in svgs:
        assert "<script" not in svg and "<img" not in svg and "<foreignObject" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;$\\alpha$" in svgs[1]  # shown as text, no math
    letter = html.split('<section class="letter"', 1)[1]
    assert "javascript:alert(1)" in letter  # the bad contact page: text only
    assert "\x1b" not in html.split("<pre", 1)[1]


def test_md_cannot_inject_links_or_html() -> None:
    md = render(_report(), "md")
    # the letters are indented code blocks (shown verbatim, never interpreted): every line of
    # one is indented, so crawled text cannot end the block early
    letters = md.split("## Credit requests", 1)[1].split("\n")[3:]
    assert all(line.startswith("    ") or not line for line in letters)
    prose = "\n".join(line for line in md.splitlines() if not line.startswith("    "))
    assert "<script" not in prose and "<img" not in prose
    assert not re.search(r"(?<!\\)\]\(", prose)  # no link syntax but escaped brackets
    assert "<javascript:" not in prose and "<data:" not in prose
    assert "\\[x\\](javascript:alert(1))" in md  # the title's link syntax, escaped
    assert "<https://evil.test/b>" in md  # the one http URL: an autolink
    assert "javascript:alert(1) " in md or "javascript:alert(1)\n" in md  # shown as text
    assert "\x1b" not in md
    assert md_text("*a* _b_ `c` |d| <e> & [f](g)") == (
        "\\*a\\* \\_b\\_ \\`c\\` \\|d\\| &lt;e&gt; &amp; \\[f\\](g)")


def test_letter_text_replaces_terminal_controls() -> None:
    (letter,) = _report().letters
    text = letter_text(letter)
    assert "\x1b" not in text and "\ufffd[31m" in text
    assert "To: ok@evil.test" in text
