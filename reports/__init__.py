"""Reports: what the store found, told to people (HTML, Markdown) and to programs (CSV, JSON).

    report = build_report(store, publication="The Daily Planet", since=week_ago)
    path = write_report(report, "html", out_dir / default_filename(report, "html"))
    done = produce_report(store, config, period="week")   # build, write, record, deliver

The formats are one registry (``reports.formats``: name, extension, media type, renderer). The
period's changes and the compliance chart come from the findings' history
(``reports.history``), the charts are inline SVG (``reports.charts``), the outreach letters
come from the saved evidence (``reports.outreach``), delivery is ``reports.deliver``, the
review UI is ``reports.web``.

A report reads the store only: it never fetches a page and never re-judges one (the review
UI's "re-check now" is handed in by the shell). The CSV columns are documented in
``reports.csv_report``, the JSON keys in ``reports.json_report``. Errors: ``ValueError`` for an
unknown format; ``OSError`` when the file cannot be written; ``StoreError`` (from the store)
when the findings cannot be read.

The names below are loaded on first use (PEP 562): ``import reports.formats`` (what the CLI
needs at start-up) does not load the store, the matcher or Jinja2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .formats import FORMATS, NAMES, ReportFormat, default_filename, render, write_report

if TYPE_CHECKING:
    from .build import FINDING_FIELDS, Report, SiteSummary, build_report, utc
    from .csv_report import CSV_COLUMNS
    from .deliver import DeliveryError
    from .history import Changes, CompliancePoint
    from .outreach import OutreachLetter, outreach_letters
    from .produce import PERIODS, Produced, produce_report

__all__ = [
    "CSV_COLUMNS",
    "FINDING_FIELDS",
    "FORMATS",
    "NAMES",
    "PERIODS",
    "Changes",
    "CompliancePoint",
    "DeliveryError",
    "OutreachLetter",
    "Produced",
    "Report",
    "ReportFormat",
    "SiteSummary",
    "build_report",
    "default_filename",
    "outreach_letters",
    "produce_report",
    "render",
    "utc",
    "write_report",
]

def __getattr__(name: str) -> Any:
    """The heavier modules' names, imported on first use (plain imports, so that tools that
    read imports see them), then kept as module attributes."""
    if name in ("FINDING_FIELDS", "Report", "SiteSummary", "build_report", "utc"):
        from . import build

        value = getattr(build, name)
    elif name == "CSV_COLUMNS":
        from . import csv_report

        value = csv_report.CSV_COLUMNS
    elif name == "DeliveryError":
        from . import deliver

        value = deliver.DeliveryError
    elif name in ("Changes", "CompliancePoint"):
        from . import history

        value = getattr(history, name)
    elif name in ("OutreachLetter", "outreach_letters"):
        from . import outreach

        value = getattr(outreach, name)
    elif name in ("PERIODS", "Produced", "produce_report"):
        from . import produce

        value = getattr(produce, name)
    else:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    globals()[name] = value
    return value
