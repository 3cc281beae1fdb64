"""The report's charts as inline SVG, drawn with matplotlib (docs/dependencies.md says why).

matplotlib's object API with its SVG canvas only: no pyplot (no global state, no GUI backend,
safe in threads), text kept as SVG ``<text>`` (``svg.fonttype = none``: no font files are read
or embedded, and the browser draws the labels with its own fonts), fixed ids and no date in the
output, so a chart is a pure function of its data. Labels can come from crawled pages (site
names): matplotlib escapes them as XML, and math-text parsing (``$...$``) is switched off for
them, so a hostile label is shown as text, never interpreted. Each chart carries a ``<title>``
and ``role="img"`` with an ``aria-label`` summarising it, for readers who cannot see it.

matplotlib is imported when the first chart is drawn (~0.3 s), not with this module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import timedelta
from html import escape
from typing import Any

from .build import SiteSummary
from .history import CompliancePoint

__all__ = ["MAX_SITES", "compliance_chart", "sites_chart"]

MAX_SITES = 12
"""Sites in the copies-by-site chart (most copies lacking credit first); the rest are summed."""

_CREDITED, _LACKING, _LINE = "#1e7b34", "#b3261e", "#2d6cb5"
_RC: Any = {  # matplotlib's stubs type rc keys as literals; these are checked at run time
    "svg.fonttype": "none",  # text as <text>: nothing embedded, nothing fetched
    "svg.hashsalt": "repostwatch",  # stable element ids
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig: Any, label: str) -> str:
    """The figure as an ``<svg>`` element ready to inline in HTML (no XML prolog)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    out = io.StringIO()
    FigureCanvasSVG(fig).print_svg(  # type: ignore[no-untyped-call]
        out, metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    svg = text[text.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    attrs = f'<svg role="img" aria-label="{escape(label)}" '
    svg = svg.replace("<svg ", attrs, 1)
    # matplotlib writes fixed width/height in pt: let the page scale the chart instead
    svg = re.sub(r'(<svg[^>]*?) width="[\d.]+pt" height="[\d.]+pt"', r"\1", svg, count=1)
    return svg.replace(">", f"><title>{escape(label)}</title>", 1)


def _figure(width: float, height: float) -> Any:
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(_RC):
        return Figure(figsize=(width, height), layout="constrained")


def compliance_chart(points: Sequence[CompliancePoint]) -> str:
    """A line of the credited share (0–100 %) over time; "" when there is no point."""
    if not points:
        return ""
    import matplotlib as mpl
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    with mpl.rc_context(_RC):
        fig = _figure(7.5, 2.6)
        ax = fig.add_subplot()
        xs = [p.at for p in points]
        ys = [100 * p.share for p in points]
        ax.plot(xs, ys, color=_LINE, linewidth=2, marker="o" if len(xs) < 40 else None,
                markersize=3)
        ax.set_ylim(0, 100)
        ax.set_ylabel("credited, %")
        ax.grid(axis="y", color="#e6e9eb")
        locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        if len(xs) == 1:
            ax.set_xlim(xs[0] - timedelta(days=1), xs[0] + timedelta(hours=1))
        last = points[-1]
        label = (f"Credit compliance over time: {last.share:.0%} of {last.copies} copies "
                 f"credited at the end, from {points[0].share:.0%} at the start")
        return _svg(fig, label)


def sites_chart(sites: Sequence[SiteSummary], *, limit: int = MAX_SITES) -> str:
    """Horizontal bars of copies per site, split credited / lacking credit; "" when none."""
    if not sites:
        return ""
    import matplotlib as mpl

    shown = list(sites[:limit])
    rest = sites[limit:]
    names = [s.site for s in shown]
    lacking = [s.lacking_credit for s in shown]
    credited = [s.copies - s.lacking_credit for s in shown]
    if rest:
        names.append(f"{len(rest)} other sites")
        lacking.append(sum(s.lacking_credit for s in rest))
        credited.append(sum(s.copies - s.lacking_credit for s in rest))
    with mpl.rc_context(_RC):
        fig = _figure(7.5, 0.8 + 0.32 * len(names))
        ax = fig.add_subplot()
        rows = list(range(len(names)))[::-1]  # the worst site on top
        ax.barh(rows, lacking, color=_LACKING, label="lacking credit")
        ax.barh(rows, credited, left=lacking, color=_CREDITED, label="credited")
        ax.set_yticks(rows, labels=names, parse_math=False)
        ax.set_xlabel("copies")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower right", frameon=False)
        label = "Copies by site: " + "; ".join(
            f"{n}: {lk} lacking credit, {cr} credited"
            for n, lk, cr in zip(names, lacking, credited, strict=True))
        return _svg(fig, label)
