"""The report formats: one record each (name, file extension, media type, renderer).

The CLI's ``-f`` choices, ``[delivery] formats``, the review UI's downloads and every writer read
this registry, as datasette registers its output renderers: a new format is one record here.
Light on purpose: the renderers are imported when a report is first rendered, so the CLI can
read the names at start-up without loading the store or Jinja2.

    text = FORMATS["md"].render(report)
    path = write_report(report, "html", folder / default_filename(report, "html"))
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import Report

__all__ = ["FORMATS", "NAMES", "ReportFormat", "default_filename", "get", "render", "write_report"]


@dataclass(frozen=True)
class ReportFormat:
    """One output format of a report.

    ``name`` is what users type (``-f md``); ``extension`` ends file names; ``media_type`` is
    sent with downloads and e-mail parts; ``renderer`` turns a ``Report`` into text.
    """

    name: str
    extension: str
    media_type: str
    description: str
    renderer: Callable[[Report], str]

    def render(self, report: Report) -> str:
        return self.renderer(report)


def _html(report: Report) -> str:
    from .html_report import render_html

    return render_html(report)


def _csv(report: Report) -> str:
    from .csv_report import render_csv

    return render_csv(report)


def _json(report: Report) -> str:
    from .json_report import render_json

    return render_json(report)


def _md(report: Report) -> str:
    from .md_report import render_md

    return render_md(report)


FORMATS: dict[str, ReportFormat] = {f.name: f for f in (
    ReportFormat("html", "html", "text/html", "a page with charts, for people", _html),
    ReportFormat("csv", "csv", "text/csv", "one row per copy lacking credit", _csv),
    ReportFormat("json", "json", "application/json", "everything, for programs", _json),
    ReportFormat("md", "md", "text/markdown", "plain text, for e-mail and chat", _md),
)}
NAMES: tuple[str, ...] = tuple(FORMATS)
"""The format names, in the order the CLI and the UI offer them."""


def get(name: str) -> ReportFormat:
    """The format called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown report format {name!r}: use one of {', '.join(NAMES)}") from None


def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (one of ``NAMES``). Raises ``ValueError`` otherwise."""
    return get(fmt).render(report)


def write_report(report: Report, fmt: str, path: Path) -> Path:
    """Write the report in ``fmt`` to ``path`` (UTF-8) and return ``path``.

    Atomic: the text goes to a temporary file in the same folder, which then replaces ``path``
    in one step, so a reader (or an interrupted run) never sees a half-written report. Missing
    parent folders are created. Raises ``ValueError`` for an unknown format (before touching
    the disk) and ``OSError`` when the file cannot be written.
    """
    text = get(fmt).render(report)
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
    from .build import utc

    extension = get(fmt).extension
    stamp = utc(report.generated_at).strftime("%Y-%m-%dT%H%M%SZ")
    slug = re.sub(r"[^a-z0-9]+", "-", (report.publication or "").lower()).strip("-")
    return f"repostwatch-report-{slug + '-' if slug else ''}{stamp}.{extension}"
