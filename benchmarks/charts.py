"""The report's two charts drawn three ways: what each costs to install and to render first.

    .venv/bin/python benchmarks/charts.py                   # the options installed here
    .venv/bin/python benchmarks/charts.py --screenshots     # + a PNG of each in Chromium

Options: ``svg`` (ours: ``reports.charts``, hand-made SVG from Jinja2 templates), ``pygal``
and ``matplotlib`` (each measured only when installed: ``pip install pygal matplotlib`` in a
throwaway venv; the project depends on neither). For each, in a fresh process: the report of a
store of 300 findings with 60 days of history is built (the data read), then the two charts
are drawn once (the first render, imports included) and again (warm). "install MB" is the size
on disk of the option's distributions that repostwatch does not need anyway (numpy, for
instance, is counted for nobody). With ``--screenshots`` each option's charts are opened in
Debian's Chromium (``REPOSTWATCH_CHROMIUM``) and saved as ``test-artifacts/charts-NAME.png``.
The ``svg`` row is the baseline of the ratio column. Exit code 0.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPTIONS = ("svg", "pygal", "matplotlib")
FINDINGS = 300


def _needed(dist: str, seen: set[str] | None = None) -> set[str]:
    """``dist`` and every distribution it requires (without extras), as installed here."""
    seen = set() if seen is None else seen
    name = re.sub(r"[-_.]+", "-", dist).lower()
    if name in seen:
        return seen
    try:
        requires = md.requires(name) or []
    except md.PackageNotFoundError:
        return seen
    seen.add(name)
    for req in requires:
        if "extra ==" in req:
            continue
        m = re.match(r"[A-Za-z0-9_.\-]+", req)
        if m:
            _needed(m.group(0), seen)
    return seen


def _size_mb(dists: set[str]) -> float:
    total = 0
    for name in dists:
        for f in md.files(name) or []:
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


def install_mb(option: str) -> float:
    if option == "svg":
        return 0.0
    ours = _needed("repostwatch")
    return _size_mb(_needed(option) - ours)


# ------------------------------------------------------------------ the alternatives


def _pygal_charts(report: Any) -> tuple[str, str]:
    import pygal
    from pygal.style import Style

    style = Style(font_family="system-ui, sans-serif", colors=("#2d6cb5",))
    config: dict[str, Any] = {"js": [], "disable_xml_declaration": True, "style": style,
                              "width": 640, "height": 240, "show_legend": False,
                              "explicit_size": False}
    line = pygal.DateTimeLine(range=(0, 100), x_value_formatter=lambda d: f"{d:%d %b}",
                              **config)
    line.add("credited %", [(p.at, 100 * p.share) for p in report.compliance])
    bars = pygal.HorizontalStackedBar(
        **{**config, "style": Style(font_family="system-ui, sans-serif",
                                    colors=("#b3261e", "#1e7b34")),
           "show_legend": True, "height": 60 + 24 * len(report.sites[:12])})
    sites = list(report.sites[:12])[::-1]
    bars.x_labels = [s.site for s in sites]
    bars.add("lacking credit", [s.lacking_credit for s in sites])
    bars.add("credited", [s.copies - s.lacking_credit for s in sites])
    return line.render(is_unicode=True), bars.render(is_unicode=True)


def _matplotlib_charts(report: Any) -> tuple[str, str]:
    """The charts as the report drew them before this benchmark (matplotlib's SVG canvas)."""
    import io

    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    def svg(fig: Any) -> str:
        out = io.StringIO()
        FigureCanvasSVG(fig).print_svg(out, metadata={"Date": None, "Creator": None})
        text = out.getvalue()
        return re.sub(r'(<svg[^>]*?) width="[\d.]+pt" height="[\d.]+pt"', r"\1",
                      text[text.index("<svg"):], count=1)

    import matplotlib as mpl

    rc = {"svg.fonttype": "none", "svg.hashsalt": "x", "font.family": "sans-serif",
          "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    with mpl.rc_context(rc):
        fig = Figure(figsize=(7.5, 2.6), layout="constrained")
        ax = fig.add_subplot()
        ax.plot([p.at for p in report.compliance], [100 * p.share for p in report.compliance],
                color="#2d6cb5", linewidth=2, marker="o", markersize=3)
        ax.set_ylim(0, 100)
        locator = AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        line = svg(fig)
        sites = list(report.sites[:12])
        fig = Figure(figsize=(7.5, 0.8 + 0.32 * len(sites)), layout="constrained")
        ax = fig.add_subplot()
        rows = list(range(len(sites)))[::-1]
        lacking = [s.lacking_credit for s in sites]
        ax.barh(rows, lacking, color="#b3261e", label="lacking credit")
        ax.barh(rows, [s.copies - s.lacking_credit for s in sites], left=lacking,
                color="#1e7b34", label="credited")
        ax.set_yticks(rows, labels=[s.site for s in sites], parse_math=False)
        ax.legend(loc="lower right", frameon=False)
        return line, svg(fig)


def _svg_charts(report: Any) -> tuple[str, str]:
    from reports.charts import compliance_chart, sites_chart

    return compliance_chart(report.compliance), sites_chart(report.sites)


_DRAW = {"svg": _svg_charts, "pygal": _pygal_charts, "matplotlib": _matplotlib_charts}


def child(option: str, url: str, out: Path) -> None:
    """In a fresh process: read the report, then time the first and a second drawing."""
    from reports import build_report
    from repostwatch.store import Store

    with Store.open(url) as store:
        report = build_report(store)
    start = time.perf_counter()
    charts = _DRAW[option](report)
    first = time.perf_counter() - start
    start = time.perf_counter()
    _DRAW[option](report)
    warm = time.perf_counter() - start
    figures = "".join(f"<figure>{c}</figure>" for c in charts)
    out.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><style>body{font:15px "
                   "system-ui,sans-serif;margin:1rem;width:1100px}figure{display:inline-block;"
                   "width:540px;margin:0 .5rem;vertical-align:top}figure svg{width:100%;"
                   f"height:auto}}</style></head><body>{figures}</body></html>",
                   encoding="utf-8")
    print(json.dumps({"first": first, "warm": warm, "bytes": sum(map(len, charts))}))


def screenshot(page_path: Path, png: Path) -> None:
    from tests.browser import launch_chromium

    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1140, "height": 600},
                                java_script_enabled=False)
        page.goto(page_path.as_uri(), wait_until="load")
        page.screenshot(path=str(png), full_page=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshots", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("OPTION", "URL", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return 0
    from benchmarks.report import make_store

    available = [o for o in OPTIONS if o == "svg" or importlib.util.find_spec(o)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'rw.db'}"
        make_store(url, FINDINGS)
        for option in available:
            page = Path(tmp) / f"{option}.html"
            done = subprocess.run(
                [sys.executable, __file__, "--child", option, url, str(page)],
                check=True, capture_output=True, text=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((option, install_mb(option), result))
            if args.screenshots:
                artifacts = ROOT / "test-artifacts"
                artifacts.mkdir(exist_ok=True)
                screenshot(page, artifacts / f"charts-{option}.png")
    base = rows[0][2]["first"]
    print(f"chart options: the report's two charts over {FINDINGS} findings with 60 days of "
          f"history; first render in a fresh process after the data is read")
    print()
    print(f"| {'option':<11} | {'install MB':>10} | {'first render s':>14} | "
          f"{'vs svg':>7} | {'warm s':>7} | {'SVG kB':>6} |")
    print(f"|{'-' * 13}|{'-' * 12}|{'-' * 16}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    for option, size, r in rows:
        print(f"| {option:<11} | {size:>10.1f} | {r['first']:>14.3f} | "
              f"{r['first'] / base:>6.1f}x | {r['warm']:>7.3f} | {r['bytes'] / 1000:>6.1f} |")
    missing = [o for o in OPTIONS if o not in available]
    if missing:
        print(f"\nnot installed here (not measured): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
