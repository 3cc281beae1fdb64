"""The CSV report: one row per copy lacking credit, most severe first.

Columns, in this order (the header row names them; they do not change, new ones are added at
the end):

    page_url         the page holding the copy
    site             its host name
    original_url     the copied original
    original_title   its title
    publication      the original's publication
    verdict          ``repost`` or ``excerpt``
    extent           ``full`` or ``partial`` for a repost, empty for an excerpt
    coverage         share of the original's words found on the page, 0..1 (``0.9512``)
    credit_status    ``partial``, ``uncredited`` or ``misattributed``
    credit_reason    why, in one plain sentence
    review_state     ``new``, ``confirmed``, ``false_positive``, ``contacted``, ``resolved``
                     or ``gone``
    first_seen       when the copy was first found, ISO 8601 UTC (``2026-11-28T09:30:00Z``)
    last_checked     when it was last checked, ISO 8601 UTC
    longest_passage  the page's text of the longest copied passage (cut at 32,000 characters,
                     a spreadsheet cell's limit), empty if none was kept
    source           the wire service of a syndicated original (``Associated Press``), empty
                     for the publisher's own story
    kept_apart       empty on these rows (a copy kept apart is not lacking credit: see the
                     HTML, Markdown and JSON reports' "kept apart" lists)
    page_published   the date the page gives for itself, ISO 8601 UTC, empty when unknown
    original_published  the original's own publication date, ISO 8601 UTC, empty when unknown

UTF-8, comma-separated, quoted where needed, CRLF line ends (RFC 4180). Cells come from
crawled pages, so any text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``: a spreadsheet then shows it as text instead of running it as a
formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .build import FINDING_FIELDS, Report, finding_fields

__all__ = ["CSV_COLUMNS", "render_csv"]

CSV_COLUMNS = FINDING_FIELDS

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL_CHARS = 32_000  # spreadsheets refuse cells over 32,767 characters


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    if len(text) > _MAX_CELL_CHARS:
        text = text[: _MAX_CELL_CHARS - 1] + "…"
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def render_csv(report: Report) -> str:
    """The report's copies lacking credit as CSV text (the header row first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in report.rows:
        fields = finding_fields(record)
        writer.writerow([_cell(fields[name]) for name in CSV_COLUMNS])
    return out.getvalue()
