"""Review: what editors do with findings, and what the review UI reads. SQL stays in the store.

- ``list_findings`` / ``facet_counts``: the findings list with its filters (``FindingQuery``),
  keyset pagination (``Cursor``: the sort value and id of the last row shown, so page 2,000 costs
  what page 1 costs) and, per filter, how many findings each value would give.
- ``site_tallies``: the figures of the reports' site scorecards, counted from an index.
- ``finding_detail``: one finding with its history of checks, the review events (the audit
  trail), the original's text and the kept versions of the page.
- ``review``: an editor's decision (confirm, false positive, contacted, resolved, reopen),
  recorded in ``review_events`` with the state before and after, the note and who did it.
- ``allow_site``: allow-lists a finding's site for its publication (``allowed_sites``); its
  findings turn ``allowed`` at once, and ``allowed_rules`` merges the list into the credit rules
  every judging path builds, so later crawls and checks agree.

Errors: ``FindingNotFound`` (no such finding), ``ReviewError`` (a bad action, cursor or filter);
database failures are ``StoreError`` like everywhere in the store.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select, text, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from matcher import CreditRule, allowed_credit, host_matches, host_of

from ..errors import RepostwatchError
from .db import Store, _insert
from .models import (
    AllowedSiteRow,
    FindingRow,
    OriginalRow,
    PageRow,
    PublicationRow,
    ReviewEventRow,
    utcnow,
)
from .readonly import ALLOWED_SQL, with_allowed
from .records import FindingRecord, PageVersionRecord, lacking_credit_clause

__all__ = [
    "FACETS",
    "REVIEW_ACTIONS",
    "REVIEW_STATES",
    "SORTS",
    "Cursor",
    "FindingDetail",
    "FindingNotFound",
    "FindingPage",
    "FindingQuery",
    "ReviewError",
    "ReviewEvent",
    "SiteTally",
    "allow_site",
    "allowed_rules",
    "facet_counts",
    "finding_detail",
    "list_findings",
    "record_event",
    "review",
    "site_tallies",
]

REVIEW_STATES = ("new", "confirmed", "contacted", "resolved", "false_positive", "gone")
"""Every review state. ``gone`` is set by checks (the copy was taken down), never by a person;
a later check that finds the copy again reopens it as ``new``."""

REVIEW_ACTIONS: dict[str, str] = {
    "confirm": "confirmed",
    "false_positive": "false_positive",
    "contacted": "contacted",
    "resolved": "resolved",
    "reopen": "new",
}
"""An editor's action → the review state it leaves the finding in."""

NOTE_REQUIRED = frozenset({"contacted"})  # whom, how: the next editor needs to know
MAX_NOTE = 2000  # characters kept of a note
MAX_ID = 2**31 - 1  # the largest id a row can have (PostgreSQL's integer)

SORTS = ("last_checked", "first_seen", "coverage")
"""Sort keys of the findings list (each descending by default; ties broken by id)."""

FACETS = ("publication", "site", "verdict", "credit_status", "review_state")
"""The filters whose values are counted (``facet_counts``)."""

_SORT_COLUMNS: dict[str, Any] = {
    "last_checked": FindingRow.last_checked,
    "first_seen": FindingRow.first_seen,
    "coverage": FindingRow.coverage,
}


class ReviewError(RepostwatchError):
    """A review request that cannot be done: a bad action, note, cursor or filter."""

    exit_code = 2


class FindingNotFound(ReviewError):
    """No finding with that id."""


@dataclass(frozen=True)
class Cursor:
    """Where a page of the list ends: the last row's sort value and id (keyset pagination)."""

    value: datetime | float
    id: int

    def encode(self) -> str:
        """``VALUE~ID``, safe in a query string as is (a time in UTC, ``Z`` not ``+00:00``)."""
        value = (self.value.astimezone(UTC).isoformat().replace("+00:00", "Z")
                 if isinstance(self.value, datetime) else repr(self.value))
        return f"{value}~{self.id}"

    @staticmethod
    def decode(text: str, sort: str) -> Cursor:
        """The cursor ``encode`` made for a list sorted by ``sort``; ``ReviewError`` if not."""
        value, _, ident = text.rpartition("~")
        try:
            parsed: datetime | float = (float(value) if sort == "coverage"
                                        else datetime.fromisoformat(value))
            if isinstance(parsed, datetime):
                if parsed.tzinfo is None:
                    raise ValueError("naive")
                parsed = parsed.astimezone(UTC)  # year 1 or 9999 may overflow here
            if isinstance(parsed, float) and not math.isfinite(parsed):
                raise ValueError("not a coverage")
            cursor = Cursor(parsed, int(ident))
            if not 0 <= cursor.id <= MAX_ID:
                raise ValueError("not an id")
            return cursor
        except (ValueError, OverflowError):
            raise ReviewError(f"bad page cursor {text[:80]!r}",
                              hint="start again from the first page") from None


@dataclass(frozen=True)
class FindingQuery:
    """Filters, sort and page of the findings list. ``None`` = no filter on that field.

    ``since``/``until`` bound ``last_checked`` (``since`` included, ``until`` excluded), like
    reports' ``since``. ``site`` is exact (a host name as stored). ``limit``: rows per page.
    """

    publication: str | None = None
    site: str | None = None
    verdict: str | None = None
    credit_status: str | None = None
    review_state: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "last_checked"
    ascending: bool = False
    after: Cursor | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ReviewError(f"unknown sort {self.sort!r}", hint=f"use one of {', '.join(SORTS)}")
        if not 1 <= self.limit <= 500:
            raise ReviewError("a page holds 1 to 500 findings")


@dataclass(frozen=True)
class FindingPage:
    """One page of the list: its rows and the cursor of the next page (None: the last page)."""

    rows: tuple[FindingRecord, ...]
    next: Cursor | None


@dataclass(frozen=True)
class ReviewEvent:
    """One entry of a finding's audit trail."""

    id: int
    finding_id: int
    at: datetime
    action: str
    from_state: str | None
    to_state: str | None
    note: str
    actor: str


@dataclass(frozen=True)
class FindingDetail:
    """A finding with all a reviewer needs: its record (evidence, longest passage, history of
    checks), the copied passages' spans as judged (``spans``: dicts with ``original_start``,
    ``original_end``, ``page_start``, ``page_end``, ``words``, ``similarity``), the original's
    text, the audit trail (newest first), whether the site is allow-listed for the finding's
    publication, and the kept versions of the page (oldest first; ``judged_version_id`` the
    one the last check saw)."""

    record: FindingRecord
    original_text: str
    spans: tuple[dict[str, Any], ...]
    events: tuple[ReviewEvent, ...]
    versions: tuple[PageVersionRecord, ...]
    judged_version_id: int | None
    site_allowed: bool

    @property
    def judged_version(self) -> PageVersionRecord | None:
        by_id = {v.id: v for v in self.versions}
        if self.judged_version_id in by_id:
            return by_id[self.judged_version_id]
        return self.versions[-1] if self.versions else None


# -- the list ------------------------------------------------------------------------------


def _unindexed(column: Any) -> Any:
    """``+column``: the same value, but SQLite's planner cannot use an index on it (its
    documented way to steer the planner). Without it, SQLite answers a filtered count through a
    one-column index and then reads every matching ~5 KB row (150 ms on 100,000 findings)
    instead of scanning the covering ``ix_findings_review_list`` (15 ms)."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _filtered(q: Select[Any], query: FindingQuery, *, skip: tuple[str, ...] = (),
              plain: bool = False) -> Select[Any]:
    """``q`` narrowed by the filters of ``query`` (all on ``findings``: its own columns, and the
    publication through the original's id), except those named in ``skip``. ``plain``: the
    terms use no index but the covering one (SQLite, see ``_unindexed``)."""
    def col(name: str) -> Any:
        column = getattr(FindingRow, name)
        return _unindexed(column) if plain else column

    if query.publication is not None and "publication" not in skip:
        pub = select(PublicationRow.id).where(PublicationRow.name == query.publication)
        q = q.where(col("original_id").in_(
            select(OriginalRow.id).where(OriginalRow.publication_id == pub.scalar_subquery())))
    for name in ("site", "verdict", "credit_status", "review_state"):
        value = getattr(query, name)
        if value is not None and name not in skip:
            q = q.where(col(name) == value)
    if query.since is not None:
        q = q.where(col("last_checked") >= query.since)
    if query.until is not None:
        q = q.where(col("last_checked") < query.until)
    return q


def _is_sqlite(store: Store) -> bool:
    return store.engine.dialect.name == "sqlite"


_LIST_COLUMNS = (
    FindingRow.id, PageRow.url, FindingRow.site, PageRow.title, FindingRow.original_id,
    OriginalRow.url, OriginalRow.title, PublicationRow.name, FindingRow.verdict,
    FindingRow.extent, FindingRow.coverage, FindingRow.longest_words, FindingRow.credit_status,
    FindingRow.credit_reason, FindingRow.review_state, FindingRow.first_seen,
    FindingRow.last_checked,
)


def list_findings(store: Store, query: FindingQuery) -> FindingPage:
    """One page of findings matching ``query``, in its order; without evidence or history
    (``finding_detail`` has those). Pages follow each other by cursor, not offset, so a deep
    page is as quick as the first.

    Two steps: the page's ids come from the findings index alone (filters, sort, cursor), then
    only those rows are joined with their page, original and publication.
    """
    column = _SORT_COLUMNS[query.sort]
    # Unfiltered by check time, the one-column index gives the order and the page at once;
    # any other list is read from the covering index and sorted (see ``_unindexed``).
    plain = _is_sqlite(store) and (query.sort != "last_checked" or _has_filter(query))
    key_col = _unindexed(column) if plain else column
    key_id = _unindexed(FindingRow.id) if plain else FindingRow.id
    ids = _filtered(select(FindingRow.id), query, plain=plain)
    if query.after is not None:
        key = tuple_(key_col, key_id)
        after = tuple_(literal(query.after.value, type_=column.type), query.after.id)
        ids = ids.where(key > after if query.ascending else key < after)
    ids = ids.order_by(*((key_col.asc(), key_id.asc()) if query.ascending
                         else (key_col.desc(), key_id.desc()))).limit(query.limit + 1)
    order = (column.asc(), FindingRow.id.asc()) if query.ascending else \
        (column.desc(), FindingRow.id.desc())
    q = (select(*_LIST_COLUMNS)
         .join(PageRow, PageRow.id == FindingRow.page_id)
         .join(OriginalRow, OriginalRow.id == FindingRow.original_id)
         .join(PublicationRow, PublicationRow.id == OriginalRow.publication_id)
         .where(FindingRow.id.in_(ids.scalar_subquery())).order_by(*order))
    with store.session() as s:
        rows = s.execute(q).all()
    records = tuple(FindingRecord(
        id=r[0], page_url=r[1], site=r[2], page_title=r[3], original_id=r[4], original_url=r[5],
        original_title=r[6], publication=r[7], verdict=r[8], extent=r[9], coverage=r[10],
        longest_words=r[11], credit_status=r[12], credit_reason=r[13], review_state=r[14],
        first_seen=r[15], last_checked=r[16],
    ) for r in rows[: query.limit])
    more = len(rows) > query.limit
    last = records[-1] if records else None
    cursor = Cursor(getattr(last, query.sort), last.id) if more and last is not None else None
    return FindingPage(records, cursor)


_STATUS_FACETS = ("verdict", "credit_status", "review_state")


def _has_filter(query: FindingQuery) -> bool:
    return any(getattr(query, f) is not None for f in (*FACETS, "since", "until"))


def facet_counts(store: Store, query: FindingQuery, *, top_sites: int = 25,
                 executor: Executor | None = None) -> dict[str, dict[str, int]]:
    """For each facet (``FACETS``), how many findings each of its values holds, with every
    *other* filter of ``query`` applied (so a count says what choosing that value would show);
    ``site`` keeps the ``top_sites`` largest (and the chosen one). Under ``total``
    (``{"": n}``): the findings matching the whole query. Every count reads an index
    (migration 0004), not the rows. With ``executor`` the three queries run at once, each on
    its own connection (SQLite's WAL readers do not block each other).
    """
    parts: list[Callable[[], dict[str, dict[str, int]]]] = [
        lambda: _status_counts(store, query),
        lambda: _site_counts(store, query, top_sites),
        lambda: _publication_counts(store, query),
    ]
    results = (list(executor.map(lambda part: part(), parts)) if executor is not None
               else [part() for part in parts])
    out: dict[str, dict[str, int]] = {}
    for result in results:
        out.update(result)
    if query.site is not None and query.site not in out["site"]:
        out["site"][query.site] = out["total"][""]
    return {**{f: out[f] for f in FACETS}, "total": out["total"]}


def _status_counts(store: Store, query: FindingQuery) -> dict[str, dict[str, int]]:
    """Verdict × credit status × review state in one pass (the covering index's own order);
    each facet is then summed over the groups matching the other two filters."""
    out: dict[str, dict[str, int]] = {f: {} for f in _STATUS_FACETS}
    cols = [getattr(FindingRow, f) for f in _STATUS_FACETS]
    with store.session() as s:
        groups = s.execute(_filtered(select(*cols, func.count()), query, skip=_STATUS_FACETS,
                                     plain=_is_sqlite(store)).group_by(*cols)).all()
    total = 0
    for *values, n in groups:
        chosen = dict(zip(_STATUS_FACETS, values, strict=True))
        misses = [f for f in _STATUS_FACETS
                  if getattr(query, f) is not None and getattr(query, f) != chosen[f]]
        for facet in _STATUS_FACETS:
            if not misses or misses == [facet]:
                out[facet][chosen[facet]] = out[facet].get(chosen[facet], 0) + n
        total += n if not misses else 0
    out["total"] = {"": total}
    return out


def _site_counts(store: Store, query: FindingQuery, top: int) -> dict[str, dict[str, int]]:
    plain = _is_sqlite(store)
    site = _unindexed(FindingRow.site) if plain else FindingRow.site
    q = (_filtered(select(site, func.count()), query, skip=("site",), plain=plain)
         .group_by(site).order_by(func.count().desc(), site).limit(top))
    with store.session() as s:
        return {"site": {name: n for name, n in s.execute(q)}}  # noqa: C416 - typed Rows


def _publication_counts(store: Store, query: FindingQuery) -> dict[str, dict[str, int]]:
    """Per original, then summed per publication (a small table). Without other filters the
    unique (original, page) index alone answers, in its order."""
    others = FindingQuery(**{**query.__dict__, "publication": None, "after": None})
    plain = _is_sqlite(store) and _has_filter(others)
    original = _unindexed(FindingRow.original_id) if plain else FindingRow.original_id
    q = _filtered(select(original, func.count()), query, skip=("publication",), plain=plain)
    out: dict[str, int] = {}
    with store.session() as s:
        per_original = s.execute(q.group_by(original)).all()
        names = {oid: name for oid, name in s.execute(  # noqa: C416 - typed Rows
            select(OriginalRow.id, PublicationRow.name).join(PublicationRow))}
    for oid, n in per_original:
        out[names.get(oid, "")] = out.get(names.get(oid, ""), 0) + n
    return {"publication": out}


@dataclass(frozen=True)
class SiteTally:
    """One site's copies (not ``gone``): how many, how many lack credit, the first sighting
    and the latest check of any of them. The figures of the reports' ``SiteSummary``."""

    site: str
    copies: int
    lacking_credit: int
    first_seen: datetime
    last_seen: datetime


def site_tallies(store: Store, *, site: str | None = None) -> list[SiteTally]:
    """Every site with a copy (or just ``site``), the most copies lacking credit first, then
    the most copies, then by name: the reports' order. Counted from the covering index (a
    report reads every finding's row: 39 s for 100,000 findings, against ~0.1 s here)."""
    lacking = func.sum(case((lacking_credit_clause(), 1), else_=0))
    q = (select(FindingRow.site, func.count(), lacking, func.min(FindingRow.first_seen),
                func.max(FindingRow.last_checked))
         .where(FindingRow.review_state != "gone").group_by(FindingRow.site)
         .order_by(lacking.desc(), func.count().desc(), FindingRow.site))
    if site is not None:
        q = q.where(FindingRow.site == site)
    with store.session() as s:
        rows = s.execute(q).all()
    return [SiteTally(name, int(n), int(lack or 0), first, last)
            for name, n, lack, first, last in rows]


# -- one finding -----------------------------------------------------------------------------


def _row(s: Session, finding_id: int) -> FindingRow:
    # an id no row can have is not sent to the database (SQLite and PostgreSQL fail on it)
    row = s.get(FindingRow, finding_id) if 0 < finding_id <= MAX_ID else None
    if row is None:
        raise FindingNotFound(f"no finding {finding_id}", hint="it may have been removed "
                              "with its original")
    return row


def finding_detail(store: Store, finding_id: int) -> FindingDetail:
    """Everything about one finding (see ``FindingDetail``); ``FindingNotFound`` if none."""
    with store.session() as s:
        row = _row(s, finding_id)
        original_id, page_url, site = row.original_id, row.page.url, row.page.site
        original_text = row.original.text
        spans = tuple((row.passages or {}).get("spans") or ())
        events = tuple(_event(e) for e in s.scalars(
            select(ReviewEventRow).where(ReviewEventRow.finding_id == finding_id)
            .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc())))
        # as the matcher reads the allow-list: a listed www.SITE covers SITE's subdomains too
        allowed = host_matches(site, list(s.scalars(select(AllowedSiteRow.site).where(
            AllowedSiteRow.publication_id == row.original.publication_id))))
    # The record with its history of checks: the store's own lookup, one original's copies.
    record = next(c for c in store.copies_of(original_id) if c.id == finding_id)
    judged = next((c.page_version_id for c in record.history if c.page_version_id), None)
    return FindingDetail(
        record=record, original_text=original_text, spans=spans, events=events,
        versions=tuple(store.page_versions(page_url)), judged_version_id=judged,
        site_allowed=allowed,
    )


def _event(e: ReviewEventRow) -> ReviewEvent:
    return ReviewEvent(id=e.id, finding_id=e.finding_id, at=e.at, action=e.action,
                       from_state=e.from_state, to_state=e.to_state, note=e.note, actor=e.actor)


# -- actions -------------------------------------------------------------------------------


def review(store: Store, finding_id: int, action: str, *, note: str = "",
           actor: str = "") -> ReviewEvent:
    """Apply an editor's ``action`` (a key of ``REVIEW_ACTIONS``) and record it.

    ``contacted`` needs a note (whom, how). Any state can move to any action's state: an
    editor may correct a mistake; the trail keeps both. Raises ``ReviewError``,
    ``FindingNotFound``.
    """
    if action not in REVIEW_ACTIONS:
        raise ReviewError(f"unknown review action {action!r}",
                          hint=f"use one of {', '.join(REVIEW_ACTIONS)}")
    note = note.strip()[:MAX_NOTE]
    if action in NOTE_REQUIRED and not note:
        raise ReviewError(f"the action {action!r} needs a note",
                          hint="say whom you contacted and how")
    with store.session() as s:
        row = _row(s, finding_id)
        before = row.review_state
        row.review_state = REVIEW_ACTIONS[action]
        return _add_event(s, finding_id, action, before, row.review_state, note, actor)


def record_event(store: Store, finding_id: int, action: str, *, from_state: str | None,
                 to_state: str | None, note: str = "", actor: str = "") -> ReviewEvent:
    """Append an event to a finding's trail without changing it (a re-check records what the
    check did)."""
    with store.session() as s:
        _row(s, finding_id)
        return _add_event(s, finding_id, action, from_state, to_state, note[:MAX_NOTE], actor)


def _add_event(s: Session, finding_id: int, action: str, before: str | None, after: str | None,
               note: str, actor: str) -> ReviewEvent:
    event = ReviewEventRow(finding_id=finding_id, at=utcnow(), action=action,
                           from_state=before, to_state=after, note=note, actor=actor[:200])
    s.add(event)
    s.flush()
    return _event(event)


def allow_site(store: Store, finding_id: int, *, note: str = "", actor: str = "") -> int:
    """Allow-list the site of a finding for the finding's publication.

    The site's findings of that publication (subdomains included, as the config's ``allow``
    matches) become ``allowed`` at once with the matcher's reason, each with an event in its
    trail; ``allowed_rules`` makes later judging agree. Returns how many findings changed.
    """
    note = note.strip()[:MAX_NOTE]
    with store.session() as s:
        row = _row(s, finding_id)
        site, pub_id = row.page.site, row.original.publication_id
        publication = row.original.publication.name
        stmt = _insert(s, AllowedSiteRow).values(publication_id=pub_id, site=site, note=note,
                                                 added_at=utcnow())
        s.execute(stmt.on_conflict_do_nothing(index_elements=["publication_id", "site"]))
        # the sites the matcher's allow-list will match (``host_matches``: ``www.``, ``m.``...
        # dropped, subdomains included), so that later judging agrees with what flips now
        domain = host_of(f"http://{site}") or site
        affected = list(s.scalars(
            select(FindingRow).join(OriginalRow, OriginalRow.id == FindingRow.original_id)
            .where(OriginalRow.publication_id == pub_id,
                   or_(FindingRow.site == domain,
                       FindingRow.site.endswith("." + domain, autoescape=True)))))
        changed = 0
        for finding in affected:
            if finding.credit_status == "allowed" or not host_matches(finding.site, (site,)):
                continue
            credit = allowed_credit(finding.site, publication)
            text = f"{site} allow-listed; credit was {finding.credit_status}"
            finding.credit_status, finding.credit_reason = credit.status, credit.reason
            changed += 1
            _add_event(s, finding.id, "allow_site", finding.review_state, finding.review_state,
                       f"{text}. {note}".strip() if note else text, actor)
        if not changed:  # the site was allowed already: the request is still on the record
            _add_event(s, finding_id, "allow_site", row.review_state, row.review_state,
                       note or f"{site} allow-listed", actor)
        return changed


def allowed_rules(store: Store, rules: Mapping[str, CreditRule]) -> dict[str, CreditRule]:
    """``rules`` with the sites allow-listed in the store added to each publication's
    ``allow`` (the config's list and the review UI's list count alike). A publication known
    only to the store gets the default rule with its allowed sites (the same query and merge
    as ``ReadOnlySQLite``'s)."""
    with store.session() as s:
        pairs = s.execute(text(ALLOWED_SQL)).all()
    return with_allowed(rules, [(name, site) for name, site in pairs])
