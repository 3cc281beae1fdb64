"""Planning a search run: which originals to search, in which order, within the query budget.

Order: originals never searched come first, newest first (published date, then the order they
were added); then the rest, least recently searched first. Each original gets up to
``[search] queries_per_original`` queries (``crawler.queries.pick_queries``) until the run's
``budget`` is spent.

Where "last searched" is remembered: in the stats of the search runs themselves
(``crawl_runs.stats``), under ``SEARCHED_STAT``: the ids of the originals for which the backend
answered at least one query in that run. A run's start time is when they were searched. This
needs no schema change and works the same on SQLite and PostgreSQL; the cost is reading the
stats of every past search run when a run is planned (small: one short string per run). An
original whose queries all failed is not recorded, so it is tried first again next time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from matcher import CreditRule, Original, kept_apart

from .queries import pick_queries

__all__ = [
    "SEARCHED_STAT",
    "SearchTask",
    "last_searched",
    "plan_search",
    "search_order",
    "searched_ids",
    "searched_stat",
]

SEARCHED_STAT = "repostwatch/search/searched_ids"  # "3,7,12": originals searched in a run
_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SearchTask:
    """The queries to send for one original."""

    original_id: int
    original_url: str
    queries: tuple[str, ...]


class _Run(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def stats(self) -> dict[str, Any]: ...


class _Store(Protocol):
    def originals(self, publication: str | None = None) -> list[Original]: ...
    def runs(self, limit: int | None = 20, *, kind: str | None = None) -> Sequence[Any]: ...


def searched_stat(ids: Iterable[int]) -> str:
    """The value of ``SEARCHED_STAT`` for ``ids``."""
    return ",".join(str(i) for i in sorted(set(ids)))


def searched_ids(value: object) -> set[int]:
    """The original ids in a ``SEARCHED_STAT`` value (anything unreadable counts as none)."""
    if not isinstance(value, str):
        return set()
    return {int(part) for part in value.split(",") if part.strip().isdigit()}


def last_searched(runs: Iterable[_Run]) -> dict[int, datetime]:
    """Original id → when a search run last searched it, from the search runs' stats."""
    out: dict[int, datetime] = {}
    for run in sorted(runs, key=lambda r: r.id):  # later runs overwrite earlier ones
        for oid in searched_ids((run.stats or {}).get(SEARCHED_STAT)):
            out[oid] = run.started_at
    return out


def search_order(originals: Sequence[Original], searched: Mapping[int, datetime]) -> list[int]:
    """Ids of ``originals`` in search order: never searched (newest first), then least
    recently searched (newest first among those searched at the same time)."""

    def newest_first(o: Original) -> tuple[datetime, int]:
        published = o.published or _LONG_AGO
        published = published if published.tzinfo else published.replace(tzinfo=UTC)
        return published, o.id

    fresh = sorted((o for o in originals if o.id not in searched), key=newest_first,
                   reverse=True)
    seen = sorted((o for o in originals if o.id in searched), key=newest_first, reverse=True)
    seen.sort(key=lambda o: searched[o.id])  # stable: newest first within one run
    return [o.id for o in (*fresh, *seen)]


def plan_search(store: _Store, *, budget: int, queries_per_original: int,
                rules: Mapping[str, CreditRule] | None = None) -> list[SearchTask]:
    """The tasks of one search run: at most ``budget`` queries in all.

    Originals with no suitable sentence are skipped without spending budget; the last
    original may get fewer queries than ``queries_per_original`` when the budget runs out.
    Wire stories whose copies are kept apart (``matcher.kept_apart``: their publication's
    ``rules`` do not say ``report_syndicated``) are not searched: a search would find other
    licensees of the wire, and spend the budget the publisher's own stories need.
    """
    def chased(o: Original) -> bool:
        rule = (rules or {}).get(o.publication)
        return kept_apart(syndicated=o.source is not None,
                          report_syndicated=rule is not None and rule.report_syndicated) is None

    originals = [o for o in store.originals() if chased(o)]
    by_id = {o.id: o for o in originals}
    searched = last_searched(store.runs(None, kind="search"))
    tasks: list[SearchTask] = []
    left = budget
    for oid in search_order(originals, searched):
        if left <= 0:
            break
        original = by_id[oid]
        queries = pick_queries(original.text, min(queries_per_original, left))
        if queries:
            tasks.append(SearchTask(oid, original.url, tuple(queries)))
            left -= len(queries)
    return tasks
