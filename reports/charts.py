"""The report's charts as inline SVG, drawn by hand (docs/dependencies.md says why).

Two small charts need no plotting library: the geometry (scales, "nice" ticks, date ticks) is
computed here and the markup written by Jinja2 templates (``templates/*.svg.j2``) with
autoescaping always on, the same machinery that escapes every crawled word of the HTML report:
a site name such as ``<script>`` or ``$\\alpha$`` is shown as text, never interpreted. The
output is a pure function of the data (no ids, no dates, no fonts embedded or fetched; the
browser draws the text with the page's font). Each chart is ``role="img"`` with an
``aria-label`` and a ``<title>`` summarising it, and each point or bar has a ``<title>`` of its
own (a tooltip, without any script).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jinja2

from .build import SiteSummary
from .history import CompliancePoint

__all__ = ["MAX_SITES", "MIN_COMPLIANCE_POINTS", "compliance_chart", "nice_ticks",
           "sites_chart", "time_ticks"]

MAX_SITES = 12
"""Sites in the copies-by-site chart (most copies lacking credit first); the rest are summed."""
MIN_COMPLIANCE_POINTS = 2
"""A line needs two points: with fewer, the report says the share in a sentence instead."""
MAX_LABEL_CHARS = 26
"""Site names longer than this are cut with "…" in the chart (the full name is its tooltip)."""

# Geometry in SVG user units (the page scales the chart to its column: ``width: 100%``).
_WIDTH = 640
_LINE_HEIGHT = 240
_LINE_PLOT = (52, 14, 626, 206)  # left, top, right, bottom of the compliance plot area
_ROW = 24  # one site's bar row
_BAR_LEFT, _BAR_RIGHT = 196, 560  # the bars' x range; names right-aligned before it
_MAX_DOTS = 40  # beyond this many points the line is drawn without a dot per point


@dataclass(frozen=True)
class Tick:
    """One axis tick: its position (user units) and label."""

    at: float
    label: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,  # every label may be crawled text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def nice_ticks(top: float, *, most: int = 6) -> list[float]:
    """Round tick values from 0 to at least ``top``: steps of 1, 2 or 5 × 10^n, at most
    ``most`` + 1 ticks, integers only (the charts count copies)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / most
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step)
    return [float(i * step) for i in range(count + 1)]


_DAY_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364)


def time_ticks(start: datetime, end: datetime, *, most: int = 7) -> list[datetime]:
    """Midnights (UTC) between ``start`` and ``end``, a whole number of days (or weeks)
    apart, at most ``most`` of them; weekly and longer steps fall on Mondays."""
    span_days = max((end - start).total_seconds() / 86400, 1e-9)
    step = next((d for d in _DAY_STEPS if span_days / d <= most), _DAY_STEPS[-1])
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(days=1)
    if step >= 7:
        first += timedelta(days=(7 - first.weekday()) % 7)
    ticks = []
    moment = first
    while moment <= end:
        ticks.append(moment)
        moment += timedelta(days=step)
    return ticks


def _date_labels(ticks: Sequence[datetime]) -> list[str]:
    """"5 Mar" per tick; the year too on the first tick and where it changes."""
    labels, year = [], None
    for t in ticks:
        label = f"{t.day} {t:%b}"
        if t.year != year:
            label += f" {t.year}" if year is not None or len(ticks) > 1 else ""
            year = t.year
        labels.append(label)
    return labels


def _n(value: float) -> str:
    """A coordinate as short text (one decimal at most)."""
    return f"{value:.1f}".removesuffix(".0")


def compliance_chart(points: Sequence[CompliancePoint]) -> str:
    """A line of the credited share (0–100 %) over time; "" with fewer than
    ``MIN_COMPLIANCE_POINTS`` points (a line needs two; the report says it in words)."""
    if len(points) < MIN_COMPLIANCE_POINTS:
        return ""
    left, top, right, bottom = _LINE_PLOT
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        return left + (right - left) * (at - start).total_seconds() / span

    def y(share: float) -> float:
        return bottom - (bottom - top) * share

    xticks = time_ticks(start, end)
    x_axis = [Tick(x(t), label) for t, label in zip(xticks, _date_labels(xticks), strict=True)]
    y_axis = [Tick(y(p / 100), f"{p}%") for p in (0, 25, 50, 75, 100)]
    dots = [(_n(x(p.at)), _n(y(p.share)),
             f"{p.at:%Y-%m-%d}: {p.share:.0%} of {p.copies} copies credited") for p in points]
    last = points[-1]
    label = (f"Credit compliance over time: {last.share:.0%} of {last.copies} copies "
             f"credited at the end, from {points[0].share:.0%} at the start")
    return _environment().get_template("compliance.svg.j2").render(
        width=_WIDTH, height=_LINE_HEIGHT, plot=_LINE_PLOT, label=label,
        x_axis=[(_n(t.at), t.label) for t in x_axis],
        y_axis=[(_n(t.at), t.label) for t in y_axis],
        line=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots if len(dots) <= _MAX_DOTS else [],
        end=(dots[-1][0], dots[-1][1], f"{last.share:.0%}"),
    )


def _bar_words(name: str, lacking: int, credited: int, apart: int) -> str:
    words = f"{name}: {lacking} lacking credit, {credited} credited"
    return words + (f", {apart} kept apart" if apart else "")


def sites_chart(sites: Sequence[SiteSummary], *, limit: int = MAX_SITES) -> str:
    """Horizontal bars of copies per site, split lacking credit / credited / kept apart (copies
    of wire stories and earlier pages, not chased); "" when none."""
    if not sites:
        return ""
    shown = list(sites[:limit])
    rows = [(s.site, s.lacking_credit, s.copies - s.lacking_credit - s.kept_apart, s.kept_apart)
            for s in shown]
    rest = sites[limit:]
    if rest:
        rows.append((f"{len(rest)} other sites", sum(s.lacking_credit for s in rest),
                     sum(s.copies - s.lacking_credit - s.kept_apart for s in rest),
                     sum(s.kept_apart for s in rest)))
    ticks = nice_ticks(max(lk + cr + ap for _, lk, cr, ap in rows))
    scale = (_BAR_RIGHT - _BAR_LEFT) / ticks[-1]
    top = _ROW + 6  # below the legend
    bars = []
    for i, (name, lacking, credited, apart) in enumerate(rows):
        short = name if len(name) <= MAX_LABEL_CHARS else name[:MAX_LABEL_CHARS - 1] + "…"
        bars.append({
            "y": _n(top + i * _ROW + 4), "text_y": _n(top + i * _ROW + _ROW / 2 + 4),
            "name": short, "full": name,
            "lacking": _n(lacking * scale), "credited": _n(credited * scale),
            "apart": _n(apart * scale),
            "credited_x": _n(_BAR_LEFT + lacking * scale),
            "apart_x": _n(_BAR_LEFT + (lacking + credited) * scale),
            "value_x": _n(_BAR_LEFT + (lacking + credited + apart) * scale + 6),
            "value": f"{lacking + credited + apart}",
            "title": _bar_words(name, lacking, credited, apart),
        })
    axis_y = top + len(rows) * _ROW + 2
    label = "Copies by site: " + "; ".join(_bar_words(*row) for row in rows)
    return _environment().get_template("sites.svg.j2").render(
        width=_WIDTH, height=axis_y + 22, label=label, bars=bars, bar_left=_BAR_LEFT,
        bar_height=_ROW - 8, axis_y=_n(axis_y),
        kept_apart=any(apart for *_, apart in rows),
        x_axis=[(_n(_BAR_LEFT + t * scale), f"{t:.0f}") for t in ticks],
    )
