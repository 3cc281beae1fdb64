"""Where each original comes from (the publisher's own story, or a wire's), and which copies are
kept out of "lacking credit" because of it.

An original's source is decided from its own marks (``matcher.detect_source``: a wire's
dateline, byline, copyright or sign-off) when it is imported or changes, and may be set by a
person (``set_source``), which re-imports keep. A finding's ``kept_apart`` follows
``matcher.kept_apart`` from its original's source, its publication's ``report_syndicated`` and
whether the page predates the original; it is stored on the finding (so lists and counts stay
plain indexed queries) and refreshed here whenever a source or that setting changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher import CreditRule, Original, detect_source, kept_apart

from .models import FindingRow, OriginalRow, PublicationRow

__all__ = ["SourceInfo", "decide_source", "original_of", "original_sources", "override_source",
           "redetect_sources", "refresh_kept_apart", "source_info"]

DETECTED, PERSON = "detected", "person"  # originals.source_set_by


class Store(Protocol):
    """What these functions need of ``db.Store`` (named here, so that this module, which the
    store imports, does not import it back)."""

    def session(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True)
class SourceInfo:
    """An original's source as the store keeps it: ``source`` (the wire; None: own), who set it
    (``set_by``: ``detected`` or ``person``), and what detection said (``detected``,
    ``reason``, ``evidence``: the marks found, dicts with wire, rule, text, where)."""

    original_id: int
    source: str | None
    set_by: str
    detected: str | None
    reason: str | None
    evidence: tuple[dict[str, Any], ...]

    @property
    def syndicated(self) -> bool:
        return self.source is not None


def decide_source(s: Session, original_id: int, original: Original,
                  rule: CreditRule | None) -> None:
    """Decide the source of ``original`` (stored as ``original_id``) from its text and keep the
    decision; the effective source follows it unless a person set one. Its findings are kept
    apart anew when the effective source changed."""
    decision = detect_source(original, rule)
    row = s.get(OriginalRow, original_id)
    assert row is not None
    row.source_detected = decision.source
    row.source_reason = decision.reason
    row.source_evidence = [asdict(mark) for mark in decision.evidence]
    if row.source_set_by != PERSON and row.source != decision.source:
        row.source = decision.source
        s.flush()
        refresh_kept_apart(s, original_id=original_id)


def set_source(s: Session, original_id: int, source: str | None, *, person: bool) -> bool:
    """Set an original's effective source: ``person=True`` with ``source`` a wire's name or
    None (the publisher's own), or ``person=False`` to follow detection again. Returns whether
    the effective source changed (its findings are then kept apart anew)."""
    row = s.get(OriginalRow, original_id)
    assert row is not None
    new = source if person else row.source_detected
    row.source_set_by = PERSON if person else DETECTED
    if row.source == new:
        return False
    row.source = new
    s.flush()
    refresh_kept_apart(s, original_id=original_id)
    return True


def refresh_kept_apart(s: Session, *, original_id: int | None = None,
                       publication_id: int | None = None) -> int:
    """Recompute ``findings.kept_apart`` (of one original, or of one publication's originals)
    by ``matcher.kept_apart``; returns how many findings changed. A page found earlier than
    its original stays ``earlier`` (that does not depend on sources)."""
    q = (select(FindingRow.id, FindingRow.kept_apart, OriginalRow.source,
                PublicationRow.report_syndicated)
         .join(OriginalRow, FindingRow.original_id == OriginalRow.id)
         .join(PublicationRow, OriginalRow.publication_id == PublicationRow.id))
    if original_id is not None:
        q = q.where(FindingRow.original_id == original_id)
    if publication_id is not None:
        q = q.where(OriginalRow.publication_id == publication_id)
    changed = 0
    for fid, current, source, report_syndicated in s.execute(q).all():
        new = kept_apart(syndicated=source is not None, report_syndicated=report_syndicated,
                         earlier=current == "earlier")
        if new != current:
            s.execute(update(FindingRow).where(FindingRow.id == fid).values(kept_apart=new))
            changed += 1
    return changed


def source_info(s: Session, original_ids: list[int] | None = None) -> dict[int, SourceInfo]:
    """The stored source of each original (all, or ``original_ids``), by id."""
    q = select(OriginalRow.id, OriginalRow.source, OriginalRow.source_set_by,
               OriginalRow.source_detected, OriginalRow.source_reason,
               OriginalRow.source_evidence)
    if original_ids is not None:
        q = q.where(OriginalRow.id.in_(original_ids))
    return {oid: SourceInfo(oid, source, set_by, detected, reason, tuple(evidence or ()))
            for oid, source, set_by, detected, reason, evidence in s.execute(q).all()}


def original_of(row: OriginalRow) -> Original:
    """The matcher's ``Original`` of a stored original."""
    return Original(
        id=row.id, publication=row.publication.name, url=row.url, title=row.title,
        text=row.text, published=row.published, author=row.author, source=row.source,
    )


# -- the store's face (what the CLI and the review UI call) ---------------------------------


def original_sources(store: Store, original_ids: list[int] | None = None) -> dict[int, SourceInfo]:
    """The stored source of each original (all, or ``original_ids``), by id."""
    with store.session() as s:
        return source_info(s, original_ids)


def override_source(store: Store, original_id: int, source: str | None, *,
                    person: bool = True) -> bool:
    """A person's word on an original's source (``source``: a wire's name, or None for the
    publisher's own), or ``person=False``: follow detection again. Returns whether the
    effective source changed: its copies are then kept apart (or not) at once; their credit
    status (credit to a wire counts only on copies of wire stories) at their next check."""
    with store.session() as s:
        return set_source(s, original_id, source, person=person)


def redetect_sources(store: Store, rules: Mapping[str, CreditRule]) -> int:
    """Decide every original's source again from its text with ``rules`` (the config's
    wires may have changed); a person's override is kept. Returns how many effective
    sources changed."""
    changed = 0
    with store.session() as s:
        for row in s.scalars(select(OriginalRow).order_by(OriginalRow.id)):
            before = row.source
            decide_source(s, row.id, original_of(row), rules.get(row.publication.name))
            changed += row.source != before
    return changed
