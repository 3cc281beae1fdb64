"""Reports: what the store found, told to people (HTML, Markdown) and to programs (CSV, JSON).

    report = build_report(store, publication="The Daily Planet", since=week_ago)
    path = write_report(report, "html", out_dir / default_filename(report, "html"))
    done = produce_report(store, config, period="week")   # build, write, record, deliver

The period's changes and the compliance chart come from the findings' history
(``reports.history``), the charts are inline SVG (``reports.charts``), the outreach letters
come from the saved evidence (``reports.outreach``), delivery is ``reports.deliver``.

A report reads the store only: it never fetches a page and never re-judges one. The CSV
columns are documented in ``reports.csv_report``, the JSON keys in ``reports.json_report``.
Errors: ``ValueError`` for an unknown format; ``OSError`` when the file cannot be written;
``StoreError`` (from the store) when the findings cannot be read.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from crawler import REPORT_FORMATS

from .build import FINDING_FIELDS, Report, SiteSummary, build_report, utc
from .csv_report import CSV_COLUMNS, render_csv
from .deliver import DeliveryError
from .history import Changes, CompliancePoint
from .html_report import render_html
from .json_report import render_json
from .md_report import render_md
from .outreach import OutreachLetter, outreach_letters
from .produce import PERIODS, Produced, produce_report

__all__ = [
    "CSV_COLUMNS",
    "FINDING_FIELDS",
    "FORMATS",
    "PERIODS",
    "Changes",
    "CompliancePoint",
    "DeliveryError",
    "OutreachLetter",
    "Produced",
    "Report",
    "SiteSummary",
    "build_report",
    "default_filename",
    "outreach_letters",
    "produce_report",
    "render",
    "write_report",
]

FORMATS = REPORT_FORMATS  # html, csv, json, md

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
    "md": render_md,
}


def _check_format(fmt: str) -> None:
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (one of ``FORMATS``). Raises ``ValueError`` otherwise."""
    _check_format(fmt)
    return _RENDERERS[fmt](report)


def write_report(report: Report, fmt: str, path: Path) -> Path:
    """Write the report in ``fmt`` to ``path`` (UTF-8) and return ``path``.

    Atomic: the text goes to a temporary file in the same folder, which then replaces ``path``
    in one step, so a reader (or an interrupted run) never sees a half-written report. Missing
    parent folders are created. Raises ``ValueError`` for an unknown format (before touching
    the disk) and ``OSError`` when the file cannot be written.
    """
    _check_format(fmt)
    text = render(report, fmt)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any new file (mkstemp: 0o600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def default_filename(report: Report, fmt: str) -> str:
    """A file name for the report, e.g. ``repostwatch-report-2026-11-28T093000Z.html``.

    A report of one publication names it: ``repostwatch-report-the-daily-planet-2026-…``.
    """
    _check_format(fmt)
    stamp = utc(report.generated_at).strftime("%Y-%m-%dT%H%M%SZ")
    slug = re.sub(r"[^a-z0-9]+", "-", (report.publication or "").lower()).strip("-")
    return f"repostwatch-report-{slug + '-' if slug else ''}{stamp}.{fmt}"
