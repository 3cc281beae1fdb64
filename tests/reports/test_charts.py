"""The report's hand-drawn SVG charts: scales, ticks, escaping, and when a line is drawn."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reports import CompliancePoint, SiteSummary
from reports.charts import (
    MAX_LABEL_CHARS,
    MIN_COMPLIANCE_POINTS,
    compliance_chart,
    nice_ticks,
    sites_chart,
    time_ticks,
)

DAY0 = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)  # a Monday, late


def _points(shares: list[tuple[int, int]]) -> list[CompliancePoint]:
    return [CompliancePoint(DAY0 + timedelta(days=i), copies, credited)
            for i, (copies, credited) in enumerate(shares)]


def _site(name: str, copies: int, lacking: int) -> SiteSummary:
    return SiteSummary(name, copies, lacking, (copies - lacking) / copies, DAY0, DAY0)


@given(st.floats(min_value=0.5, max_value=1e7))
def test_nice_ticks_cover_the_top_in_round_steps(top: float) -> None:
    ticks = nice_ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= top and ticks[-2] < top
    assert len(ticks) <= 7
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    mantissa = step / 10 ** len(str(int(step))[1:])
    assert step == int(step) and mantissa in (1, 2, 5)


def test_time_ticks_are_midnights_inside_the_span() -> None:
    for days in (1, 6, 30, 200, 800):
        end = DAY0 + timedelta(days=days)
        ticks = time_ticks(DAY0, end)
        assert 1 <= len(ticks) <= 7
        assert all(DAY0 <= t <= end and (t.hour, t.minute) == (0, 0) for t in ticks)
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert len(steps) <= 1
        if steps and steps.pop() >= timedelta(days=7):
            assert all(t.weekday() == 0 for t in ticks)  # weekly ticks fall on Mondays


def test_one_point_draws_no_line() -> None:
    assert MIN_COMPLIANCE_POINTS == 2
    assert compliance_chart([]) == ""
    assert compliance_chart(_points([(4, 1)])) == ""


def test_compliance_line_has_a_point_per_day_and_a_summary() -> None:
    svg = compliance_chart(_points([(4, 1), (5, 2), (5, 5)]))
    assert svg.startswith('<svg role="img" aria-label="Credit compliance over time: 100% of 5')
    assert svg.count("<circle ") == 3
    assert "2026-03-03: 40% of 5 copies credited" in svg
    points = re.search(r'<polyline points="([^"]+)"', svg)
    assert points is not None
    ys = [float(p.split(",")[1]) for p in points.group(1).split()]
    assert ys[0] > ys[1] > ys[2]  # a rising share goes up the page
    assert ">100%</text>" in svg and ">0%</text>" in svg


def test_site_names_are_escaped_and_long_ones_cut() -> None:
    evil = '<script>alert(1)</script>"&'
    long = "a-very-long-subdomain-name.example-news-site.test"
    svg = sites_chart([_site(evil, 3, 2), _site(long, 1, 1)])
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;" in svg
    assert f">{long[:MAX_LABEL_CHARS - 1]}…</text>" in svg
    assert f"<title>{long}: 1 lacking credit, 0 credited</title>" in svg


def test_sites_beyond_the_limit_are_summed() -> None:
    sites = [_site(f"s{i}.test", 2, 1) for i in range(5)]
    svg = sites_chart(sites, limit=3)
    assert svg.count("<g>\n<title>") == 4
    assert "2 other sites: 2 lacking credit, 2 credited" in svg
    assert sites_chart([]) == ""
