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

import importlib
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

_LAZY = {
    "FINDING_FIELDS": "build", "Report": "build", "SiteSummary": "build",
    "build_report": "build", "utc": "build", "CSV_COLUMNS": "csv_report",
    "DeliveryError": "deliver", "Changes": "history", "CompliancePoint": "history",
    "OutreachLetter": "outreach", "outreach_letters": "outreach", "PERIODS": "produce",
    "Produced": "produce", "produce_report": "produce",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value
