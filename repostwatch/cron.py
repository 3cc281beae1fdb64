"""Cron expressions and time zones of ``[schedule]``, checked when the config is read.

Read by cronsim (docs/dependencies.md); ``repostwatch.schedule`` computes the fires. Kept
beside the config (below the shell) so that a bad cron line is a config error, exit 2.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

__all__ = ["CronError", "parse_cron", "zone"]


class CronError(ValueError):
    """A cron expression or time zone that cannot be used; the message says why."""


def parse_cron(expr: str) -> str:
    """``expr`` when it is a valid five-field cron expression; ``CronError`` otherwise."""
    from cronsim import CronSim, CronSimError

    if len(expr.split()) != 5:
        raise CronError(f"{expr!r} is not a cron expression: it needs 5 fields "
                        "(minute hour day-of-month month day-of-week), e.g. \"0 6 * * 1\"")
    try:
        CronSim(expr, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise CronError(f"{expr!r} is not a valid cron expression: {exc}") from None
    return expr


def zone(name: str) -> tzinfo:
    """The time zone called ``name`` ("" = the machine's local zone); ``CronError`` if unknown."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"unknown time zone {name!r} (use an IANA name such as "
                        "\"Europe/Berlin\" or \"UTC\")") from None
