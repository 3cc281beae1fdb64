"""One report, start to end: its period, build, write, record, deliver.

``repostwatch report`` and the report stage of ``repostwatch run`` both call
``produce_report``, so a scheduled report and one asked for by hand are the same thing: both
are recorded in ``report_runs`` (so "since the previous report" always means something) and
both go through ``[delivery]``.

The period: ``--since``/``--until`` when given; else ``--period day|week|month`` back from
now (a month is one calendar month); else since the end of the previous report of the same
publication filter; else from the beginning (the first report).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from repostwatch.config import Config
from repostwatch.store import Store
from repostwatch.store.reporting import previous_report, record_report_run, set_report_delivery

from .build import Report, build_report, utc
from .deliver import DeliveryError, deliver, summary_dict
from .formats import default_filename, get, render, write_report
from .outreach import FetchPages

__all__ = ["PERIODS", "Produced", "period_start", "produce_report", "resolve_period"]

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Produced:
    """What ``produce_report`` did: the report, the files written, its ``report_runs`` id,
    the delivery outcome per channel, and the text when it was asked for (``-o -``)."""

    report: Report
    paths: tuple[Path, ...]
    run_id: int
    delivery: dict[str, dict[str, Any]] = field(default_factory=dict)
    text: str | None = None

    @property
    def failed(self) -> list[str]:
        """The delivery channels that failed (after their retries)."""
        return [name for name, outcome in self.delivery.items() if not outcome.get("ok")]


def period_start(period: str, end: datetime) -> datetime:
    """The start of a ``day``, ``week`` or ``month`` (one calendar month) ending at ``end``."""
    if period == "day":
        return end - timedelta(days=1)
    if period == "week":
        return end - timedelta(days=7)
    if period == "month":
        year, month = (end.year, end.month - 1) if end.month > 1 else (end.year - 1, 12)
        day = min(end.day, calendar.monthrange(year, month)[1])
        return end.replace(year=year, month=month, day=day)
    raise ValueError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")


def resolve_period(
    store: Store, *, publication: str | None, period: str | None, since: datetime | None,
    until: datetime | None, now: datetime,
) -> tuple[datetime | None, datetime | None]:
    """``(since, until)`` of the report (see the module docstring); ``until`` None = now."""
    if since is not None or until is not None:
        return since, until
    if period is not None:
        return period_start(period, now), None
    # a period recorded as ending after now (an --until in the future) is no starting point
    previous = previous_report(store, publication, ending_by=now)
    return (previous.period_end if previous else None), None


def produce_report(
    store: Store,
    config: Config,
    *,
    fmt: str | Sequence[str] = "html",
    publication: str | None = None,
    period: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    output: Path | None = None,
    to_stdout: bool = False,
    send: bool = True,
    now: datetime | None = None,
    fetch: FetchPages | None = None,
) -> Produced:
    """Build the report, write it (to ``output``, default a dated file in ``[report] dir``;
    or return its text with ``to_stdout``), record it, and deliver it when ``send`` and
    ``[delivery]`` is configured. ``fetch``: the shell's polite fetcher of the outreach
    letters' contact pages (``reports.outreach``; None: addresses on saved pages only).

    ``fmt`` may name several formats: one report, one period, one record, a file each (with
    ``output``, its name with each format's extension), delivered once.

    Raises ``DeliveryError`` (exit 3) after recording when a channel failed: the file stays.
    ``ValueError`` for an unknown format or period, or several formats ``to_stdout``;
    ``OSError`` when the file cannot be written; ``StoreError`` from the store.
    """
    formats = [fmt] if isinstance(fmt, str) else list(dict.fromkeys(fmt))
    for name in formats:
        get(name)  # an unknown format is a ValueError before anything is built or written
    if not formats or (to_stdout and len(formats) > 1):
        raise ValueError("one report format to stdout" if formats else "no report format")
    now = utc(now) if now is not None else datetime.now(UTC)
    since, until = resolve_period(store, publication=publication, period=period, since=since,
                                  until=until, now=now)
    rc = config.report
    report = build_report(store, publication=publication, since=since, until=until, now=now,
                          outreach=rc.outreach, repost_rule=rc.repost_rule,
                          credit_line=rc.credit_line, fetch=fetch)
    text = None
    paths: tuple[Path, ...] = ()
    if to_stdout:
        text = render(report, formats[0])
    else:
        def target(name: str) -> Path:
            if output is None:
                return config.report_dir / default_filename(report, name)
            return output if len(formats) == 1 else output.with_suffix(f".{get(name).extension}")

        paths = tuple(write_report(report, name, target(name)) for name in formats)
    summary = summary_dict(report)
    for key in ("event", "report_run", "files"):
        summary.pop(key)
    run_id = record_report_run(
        store, generated_at=report.generated_at, period_start=report.since,
        period_end=report.period_end, publication=publication, formats=formats,
        paths=[str(p) for p in paths], summary=summary,
    )
    outcomes: dict[str, dict[str, Any]] = {}
    if send and config.delivery.enabled:
        outcomes = deliver(report, config.delivery, run_id=run_id,
                           paths=tuple(str(p) for p in paths))
        set_report_delivery(store, run_id, outcomes)
    produced = Produced(report=report, paths=paths, run_id=run_id, delivery=outcomes,
                        text=text)
    if produced.failed:
        kept = f"; the report is kept at {paths[0]}" if paths else ""
        problems = "; ".join(f"{name}: {outcomes[name].get('error')} (after "
                             f"{_attempts(outcomes[name].get('attempts', 0))})"
                             for name in produced.failed)
        raise DeliveryError(f"report {run_id} delivery failed: {problems}{kept}",
                            hint="fix [delivery] in the config (docs/config.md); "
                                 "`repostwatch report --list` shows each report's delivery")
    return produced


def _attempts(n: int) -> str:
    return f"{n} attempt{'' if n == 1 else 's'}"
