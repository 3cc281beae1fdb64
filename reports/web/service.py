"""The review service: every read and every action of the UI, for the HTML pages and the JSON API
alike (both call these methods; neither has logic of its own).

Synchronous (the store is): the web handlers run each call in a worker thread. "Re-check now"
is handed in by the shell as a ``Recheck`` callable that fetches, judges and records one page
exactly as ``repostwatch check --save`` does (the SSRF guard, limits, ``assess`` and the
store's allow-list); the UI itself never fetches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from matcher import CREDIT_STATUSES, Assessment
from repostwatch.config import Config
from repostwatch.store import FindingRecord, Store
from repostwatch.store.reviews import (
    REVIEW_STATES,
    SORTS,
    Cursor,
    FindingDetail,
    FindingPage,
    FindingQuery,
    ReviewError,
    ReviewEvent,
    allow_site,
    facet_counts,
    finding_detail,
    list_findings,
    record_event,
    review,
    site_tallies,
)
from repostwatch.store.sources import original_sources, override_source

from .. import Report, SiteSummary, build_report
from .passages import SideBySide, side_by_side

__all__ = ["FILTERS", "RECHECK_WORKERS", "VERDICTS", "FindingView", "ListView", "Recheck",
           "Rechecked", "ReviewService", "parse_query"]

RECHECK_WORKERS = 2
"""Re-checks fetching at once (threads of their own, ``ReviewService.rechecks``); more wait
their turn. A fetch may take the crawl's whole timeout: in the threads that serve pages, a
few slow ones made every page wait."""
VERDICTS = ("repost", "excerpt")
FILTERS = ("publication", "site", "verdict", "credit_status", "review_state", "since", "until")
"""The query parameters of the list (HTML and API), besides ``sort``, ``order`` and ``after``."""
_CHOICES: dict[str, tuple[str, ...]] = {
    "verdict": VERDICTS, "credit_status": CREDIT_STATUSES, "review_state": REVIEW_STATES,
}


def _date(name: str, value: str, *, later: timedelta = timedelta()) -> datetime:
    """``value`` + ``later`` in UTC; ``ReviewError`` when it is no date or out of range."""
    try:
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return (parsed + later).astimezone(UTC)  # year 1 or 9999 may overflow here
    except (ValueError, OverflowError):
        raise ReviewError(f"{name} {value[:40]!r} is not a date",
                          hint="use YYYY-MM-DD or an ISO 8601 time") from None


def parse_query(params: Mapping[str, str], *, page_size: int) -> FindingQuery:
    """The list's query from request parameters; empty values mean "no filter". ``until`` as
    a bare date includes that whole day. Raises ``ReviewError`` naming a bad parameter."""
    values: dict[str, str] = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    for name, value in values.items():
        if "\x00" in value:  # no stored text holds one, and PostgreSQL refuses to compare it
            raise ReviewError(f"{name} must not contain a NUL character")
    for name, choices in _CHOICES.items():
        if name in values and values[name] not in choices:
            raise ReviewError(f"{name} {values[name][:40]!r} is not one of "
                              f"{', '.join(choices)}")
    since = _date("since", values.pop("since")) if "since" in values else None
    until = None
    if "until" in values:
        raw = values.pop("until")
        until = _date("until", raw, later=timedelta(days=1) if len(raw) == 10 else timedelta())
    sort = params.get("sort") or "last_checked"
    if sort not in SORTS:
        raise ReviewError(f"sort {sort[:40]!r} is not one of {', '.join(SORTS)}")
    order = params.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise ReviewError("order must be asc or desc")
    after = Cursor.decode(params["after"], sort) if params.get("after") else None
    return FindingQuery(**values, since=since, until=until, sort=sort,
                        ascending=order == "asc", after=after, limit=page_size)


@dataclass(frozen=True)
class ListView:
    """A page of the list with the counts per filter value."""

    query: FindingQuery
    page: FindingPage
    counts: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return self.counts["total"][""]


@dataclass(frozen=True)
class FindingView:
    """One finding as the finding page shows it."""

    detail: FindingDetail
    passages: SideBySide
    page_text: str | None  # the judged version's visible text (None: no version kept)

    @property
    def record(self) -> FindingRecord:
        return self.detail.record


@dataclass(frozen=True)
class Rechecked:
    """What a re-check of one page found, already recorded in the store.

    ``assessment``: the page's judgement (None when it could not be judged); ``gone_status``:
    the page answers 404 / 410, so it and its findings are gone; ``error``: why the page
    could not be checked (nothing was recorded).
    """

    assessment: Assessment | None = None
    gone_status: int | None = None
    error: str | None = None


Recheck = Callable[[str], Rechecked]
"""Fetch the page at this URL now, judge it and record the outcome (the shell's
``check --save``). Runs outside an event loop (the fetch runs its own)."""


class ReviewService:
    """Reads and actions over one store, judged with one config; ``recheck`` is the shell's
    (None: "re-check now" is not available, and says so)."""

    def __init__(self, store: Store, config: Config, *, recheck: Recheck | None = None) -> None:
        self.store = store
        self.config = config
        self._recheck = recheck
        # the list's page and count queries run side by side (each on its own connection);
        # tasks in this pool never wait on the pool, so busy requests cannot deadlock it
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="review-list")
        self.rechecks = ThreadPoolExecutor(RECHECK_WORKERS, thread_name_prefix="review-recheck")
        """Where ``recheck`` runs (``actions.perform``), apart from the pages' threads."""

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.rechecks.shutdown(wait=False, cancel_futures=True)

    # -- reads ---------------------------------------------------------------------------

    def findings(self, query: FindingQuery) -> ListView:
        page = self._pool.submit(list_findings, self.store, query)
        counts = facet_counts(self.store, query, executor=self._pool)
        return ListView(query, page.result(), counts)

    def finding(self, finding_id: int) -> FindingView:
        from matcher import Page

        detail = finding_detail(self.store, finding_id)
        version = detail.judged_version
        record = detail.record
        passages = side_by_side(
            detail.original_text, page_url=record.page_url,
            page_html=version.html if version is not None else None,
            thresholds=self.config.thresholds, stored=detail.spans,
            longest_page_text=(record.longest_passage or {}).get("page_text"))
        text = Page(record.page_url, version.html).text if version is not None else None
        return FindingView(detail, passages, text)

    def saved_page(self, finding_id: int, version_id: int) -> tuple[bytes, str]:
        """The body and encoding of one kept version of the finding's page."""
        detail = finding_detail(self.store, finding_id)
        for v in detail.versions:
            if v.id == version_id:
                return v.body, v.encoding or "utf-8"
        raise ReviewError(f"finding {finding_id} has no page version {version_id}")

    def report(self, *, publication: str | None = None, since: datetime | None = None
               ) -> Report:
        return build_report(self.store, publication=publication, since=since)

    def sites(self, *, site: str | None = None) -> tuple[SiteSummary, ...]:
        """The reports' site scorecards, counted by the store (``site_tallies``): a report
        reads every finding, far too slow for a page at 100,000 findings."""
        return tuple(SiteSummary(site=t.site, copies=t.copies, lacking_credit=t.lacking_credit,
                                 credited_share=(t.copies - t.lacking_credit) / t.copies,
                                 first_seen=t.first_seen, last_seen=t.last_seen)
                     for t in site_tallies(self.store, site=site))

    def site(self, name: str) -> SiteSummary | None:
        return next(iter(self.sites(site=name)), None)

    # -- actions -------------------------------------------------------------------------

    def review(self, finding_id: int, action: str, *, note: str, actor: str) -> ReviewEvent:
        return review(self.store, finding_id, action, note=note, actor=actor)

    def allow_site(self, finding_id: int, *, note: str, actor: str) -> int:
        return allow_site(self.store, finding_id, note=note, actor=actor)

    def set_source(self, finding_id: int, source: str, *, note: str, actor: str) -> ReviewEvent:
        """Say where the finding's original comes from: ``own`` (the publisher's), ``auto``
        (what its own marks say) or a wire's name; every copy of that original is kept apart
        (or not) at once, and the trail of this finding records it."""
        from matcher import WIRES, find_wire

        source = " ".join(source.split())
        if not source or len(source) > 100:
            raise ReviewError("say own, auto or the wire's name",
                              hint="e.g. Associated Press, Reuters, AFP")
        before = finding_detail(self.store, finding_id).record
        rule = self.config.rules.get(before.publication)
        wires = rule.wires if rule is not None else WIRES
        choice = source.casefold()
        wire = None if choice in ("own", "auto") else find_wire(source, wires).name
        override_source(self.store, before.original_id, wire, person=choice != "auto")
        now = original_sources(self.store, [before.original_id])[before.original_id]
        after = finding_detail(self.store, finding_id).record
        said = f"{now.source} (a wire story)" if now.source else "the publisher's own story"
        how = "set by a person" if now.set_by == "person" else "from its own marks"
        return record_event(self.store, finding_id, "source", from_state=before.review_state,
                            to_state=after.review_state, actor=actor,
                            note=f"original: {said}, {how}" + (f" — {note}" if note else ""))

    def recheck(self, finding_id: int, *, actor: str) -> ReviewEvent:
        """Fetch the finding's page now, judge it, record it as ``check --save`` does, and
        note in the trail what the check found. Must run outside an event loop (the fetch
        runs its own). A page answering 404 / 410 is gone (its findings too); a fetch that
        fails otherwise changes nothing but the trail."""
        before = finding_detail(self.store, finding_id).record
        if self._recheck is None:
            raise ReviewError("re-check is not available in this server",
                              hint="`repostwatch serve` provides it")
        done = self._recheck(before.page_url)
        if done.gone_status is not None:
            after = finding_detail(self.store, finding_id).record
            return record_event(self.store, finding_id, "recheck",
                                from_state=before.review_state, to_state=after.review_state,
                                actor=actor, note=f"the page answers HTTP {done.gone_status}"
                                                  ": the copy is gone")
        result = done.assessment
        if result is None:
            return record_event(self.store, finding_id, "recheck", from_state=before.review_state,
                                to_state=before.review_state, actor=actor,
                                note=f"could not check the page: {done.error}")
        after = finding_detail(self.store, finding_id).record
        if not result.is_copy:
            found = "no copy of our originals on the page any more"
        elif result.original is not None and result.original.id != before.original_id:
            found = f"the page now copies another original ({result.original.title})"
        else:
            credit = result.credit.status if result.credit else "none"
            found = f"{result.verdict}, coverage {result.coverage:.0%}, credit {credit}"
        return record_event(self.store, finding_id, "recheck", from_state=before.review_state,
                            to_state=after.review_state, actor=actor, note=found)
