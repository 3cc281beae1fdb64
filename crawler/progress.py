"""A live progress line for crawls run on a terminal: pages, copies, problems, rate.

Shown on stderr only when it is a terminal and no log is being printed (``-v`` prints Scrapy's
own periodic "Crawled N pages" lines instead); a crawl run by cron or piped prints nothing
but its summary. The line is rebuilt from the crawl's stats once a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from .problems import problem_counts

__all__ = ["LiveProgress", "progress_line"]


def _n(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def progress_line(stats: Mapping[str, Any], seconds: float) -> str:
    """One line: what the crawl has done so far, and how fast."""
    pages = _n(stats, "repostwatch/pages_judged")
    originals = sum(_n(stats, f"repostwatch/originals/{k}") for k in ("added", "updated"))
    copies = _n(stats, "repostwatch/verdict/repost") + _n(stats, "repostwatch/verdict/excerpt")
    problems = sum(problem_counts(stats).values())
    fetched = _n(stats, "response_received_count")
    rate = fetched / seconds if seconds > 0 else 0.0
    parts = [f"{fetched} fetched ({rate:.1f}/s)", f"{pages} judged", f"{copies} copies",
             f"{_n(stats, 'repostwatch/lacking_credit')} lacking credit"]
    if originals:
        parts.append(f"{originals} originals stored")
    parts.append(f"{problems} skipped")
    return "crawling: " + " · ".join(parts)


class LiveProgress:
    """The line on a terminal, redrawn in place (rich ``Live``, transient: it disappears when
    the crawl ends, leaving the summary)."""

    def __init__(self, stats: Callable[[], Mapping[str, Any]]) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self._stats = stats
        self._text = Text
        self._started = time.monotonic()
        self._live = Live(Text(""), console=Console(stderr=True), transient=True,
                          auto_refresh=False)
        self._live.start()

    @staticmethod
    def wanted(log_level: str) -> bool:
        """On a terminal, and no log lines to interleave with."""
        from rich.console import Console

        return log_level == "WARNING" and Console(stderr=True).is_terminal

    def tick(self) -> None:
        line = progress_line(self._stats(), time.monotonic() - self._started)
        self._live.update(self._text(line), refresh=True)

    def stop(self) -> None:
        self._live.stop()
