"""A live progress line for crawls run on a terminal: pages, copies, problems, rate, and the
work left with a time estimate where it is known (an import's listed articles, a crawl's queue).

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


ETA_AFTER_S = 3.0  # no time estimate before the crawl has run this long (no rate yet)


def _left(remaining: int, done: int, seconds: float) -> str:
    """" · about 2 min left" at the rate so far ("" while there is no rate to go by)."""
    if remaining <= 0 or done <= 0 or seconds < ETA_AFTER_S:
        return ""
    eta = int(remaining * seconds / done + 0.5)
    hours, rest = divmod(eta, 3600)
    minutes, secs = divmod(rest, 60)
    span = (f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s" if minutes
            else f"{max(secs, 1)} s")
    return f" · about {span} left"


def progress_line(stats: Mapping[str, Any], seconds: float, *, spider: str = "watch") -> str:
    """One line: what the crawl has done so far, how fast, and, where the work ahead is known,
    how much is left. An import (``spider`` ``originals``) counts articles against the number
    its sitemaps and feeds list; a crawl counts pages fetched against the requests queued so
    far (Scrapy's scheduler stats: a crawl that finds links queues more as it goes)."""
    if spider == "originals":
        return _import_line(stats, seconds)
    pages = _n(stats, "repostwatch/pages_judged")
    copies = _n(stats, "repostwatch/verdict/repost") + _n(stats, "repostwatch/verdict/excerpt")
    problems = sum(problem_counts(stats).values())
    fetched = _n(stats, "response_received_count")
    rate = fetched / seconds if seconds > 0 else 0.0
    parts = [f"{fetched} fetched ({rate:.1f}/s)", f"{pages} judged", f"{copies} copies",
             f"{_n(stats, 'repostwatch/lacking_credit')} lacking credit",
             f"{problems} skipped"]
    dequeued = _n(stats, "scheduler/dequeued")
    queued = _n(stats, "scheduler/enqueued") - dequeued
    if queued > 0:
        parts.append(f"{queued} queued{_left(queued, dequeued, seconds)}")
    return "crawling: " + " · ".join(parts)


def _import_line(stats: Mapping[str, Any], seconds: float) -> str:
    """"importing originals: 120 of 400 listed (30 added, ...) · 3.2/s · about 1 min left"."""
    counts = {k: _n(stats, f"repostwatch/originals/{k}")
              for k in ("added", "updated", "unchanged", "no_text")}
    failed = sum(problem_counts(stats).values())
    done = sum(counts.values()) + failed
    listed = _n(stats, "repostwatch/originals/listed")
    rate = done / seconds if seconds > 0 else 0.0
    what = ", ".join(f"{n} {k.replace('no_text', 'without text')}"
                     for k, n in counts.items() if n)
    if failed:
        what += f"{', ' if what else ''}{failed} failed"
    progress = f"{done} of {listed} listed" if listed else f"{done} articles"
    return (f"importing originals: {progress}{f' ({what})' if what else ''} · {rate:.1f}/s"
            + _left(listed - done, done, seconds))


class LiveProgress:
    """The line on a terminal, redrawn in place (rich ``Live``, transient: it disappears when
    the crawl ends, leaving the summary)."""

    def __init__(self, stats: Callable[[], Mapping[str, Any]], *, spider: str = "watch") -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self._stats = stats
        self._spider = spider
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
        line = progress_line(self._stats(), time.monotonic() - self._started,
                             spider=self._spider)
        self._live.update(self._text(line), refresh=True)

    def stop(self) -> None:
        self._live.stop()
