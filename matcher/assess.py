"""``assess``: the one function that judges a page. Everything that shows a verdict renders its
``Assessment``; nothing recomputes one.

Steps: fingerprint look-up of candidate originals (never a scan of all of them) → alignment of
each candidate with the page's visible text → the strongest match (its verdict, then coverage
for reposts or the longest passage for excerpts) → verdict from the thresholds → credit check
of the page against that original's publication rule → dates: a page that says it was
published well before the original is marked ``earlier``.

Verdicts measure the original's *own writing*: words it quotes or attributes to someone else
(``matcher.quotes``) are shown in the passages but count towards coverage and passage length
only where the page copied the prose around them too, so two reports quoting one statement are
not copies of each other, and a copy of the whole article keeps its coverage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .align import Alignment, Passage, align
from .credit import Credit, KeptApart, check_credit, kept_apart, lacks_credit
from .index import SHINGLE_WORDS, WINDOW, Candidate, FingerprintIndex
from .original import Original
from .page import Page
from .quotes import may_attribute
from .rules import CreditRule, Thresholds
from .urls import host_matches

__all__ = ["SCHEMA_VERSION", "Assessment", "Verdict", "assess"]

Verdict = Literal["repost", "excerpt", "none"]
SCHEMA_VERSION = 2
"""Version of ``Assessment.to_dict``'s keys (docs/json.md); 2 added the source keys."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The judgement of one page.

    verdict: ``repost`` (``extent`` ``full`` or ``partial``), ``excerpt`` (a short copy), or
    ``none``. ``original`` is the copied original (None for ``none``); ``coverage`` the share of
    its words found on the page (0..1); ``passages`` the copied passages in page order;
    ``credit`` how the page credits the original (None for ``none``). ``note`` says why a page
    was not judged (for instance: it is on the publication's own site).
    ``report_syndicated``: the publication's rule of that name, as judged (copies of its
    syndicated originals lack credit only when it is set).

    ``coverage`` counts the original's own writing (quotations and attributed statements left
    out, ``matcher.quotes``); ``coverage_with_quotes`` counts all its words (-1: the same).
    ``page_published``: when the page says it was published (copies only); ``earlier``: it says
    so more than ``Thresholds.earlier_tolerance_days`` before the original was published, so
    the page may be the source rather than a copy: such a copy does not lack credit.
    """

    url: str
    verdict: Verdict
    original: Original | None = None
    extent: Literal["full", "partial"] | None = None
    coverage: float = 0.0
    passages: tuple[Passage, ...] = ()
    credit: Credit | None = None
    note: str = ""
    report_syndicated: bool = False

    @property
    def source(self) -> str | None:
        """The wire the copied original comes from (None: the publisher's own, or no copy)."""
        return self.original.source if self.original is not None else None

    @property
    def syndicated(self) -> bool:
        """Whether the copied original is a syndicated (wire) story: kept apart by default."""
        return self.source is not None
    coverage_with_quotes: float = -1.0
    page_published: datetime | None = None
    earlier: bool = False

    def __post_init__(self) -> None:
        if self.coverage_with_quotes < 0:
            object.__setattr__(self, "coverage_with_quotes", self.coverage)

    @property
    def longest_passage(self) -> Passage | None:
        """The passage with the most own words (then the most words): the verdict's evidence."""
        return max(self.passages, key=lambda p: (p.own_words, p.words), default=None)

    @property
    def is_copy(self) -> bool:
        return self.verdict != "none"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see docs/json.md); keys are stable, new keys may be added."""
        o = self.original
        longest = self.longest_passage
        return {
            "schema_version": SCHEMA_VERSION,
            "url": self.url,
            "verdict": self.verdict,
            "extent": self.extent,
            "original_id": o.id if o else None,
            "original_url": o.url if o else None,
            "original_title": o.title if o else None,
            "publication": o.publication if o else None,
            "coverage": round(self.coverage, 4),
            "credit_status": self.credit.status if self.credit else None,
            "credit_reason": self.credit.reason if self.credit else None,
            "evidence": [asdict(s) for s in self.credit.evidence] if self.credit else [],
            "longest_passage": None if longest is None or o is None else {
                "words": longest.words,
                "similarity": longest.similarity,
                "page_text": longest.text,
                "original_text": o.text[longest.original_start : longest.original_end],
            },
            "passages": [
                {k: v for k, v in asdict(p).items() if k != "text"} for p in self.passages
            ],
            "note": self.note,
            "error": None,
            "source": self.source,
            "syndicated": self.syndicated,
            "lacks_credit": self.lacks_credit,
            "kept_apart": self.kept_apart,
            "coverage_with_quotes": round(self.coverage_with_quotes, 4),
            "page_published": _iso(self.page_published),
            "original_published": _iso(_utc(o.published)) if o else None,
            "earlier": self.earlier,
        }

    @property
    def kept_apart(self) -> KeptApart | None:
        """Why this copy is kept out of "lacking credit" (``matcher.credit.kept_apart``):
        ``syndicated`` for a copy of a wire story unless the rule says ``report_syndicated``;
        None for a copy whose credit is chased (and for a page that is no copy)."""
        if not self.is_copy:
            return None
        return kept_apart(syndicated=self.syndicated, report_syndicated=self.report_syndicated,
                          earlier=self.earlier)

    @property
    def lacks_credit(self) -> bool:
        """A copy whose credit does not meet the publication's rule (what reports chase): not
        a copy kept apart (``kept_apart``: a wire story's, or a page published ``earlier``
        than the original)."""
        return (self.is_copy and self.credit is not None
                and lacks_credit(self.credit.status) and self.kept_apart is None)


def _utc(when: datetime | None) -> datetime | None:
    """``when`` as aware UTC (a date without a zone is taken as UTC)."""
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _earlier(page: datetime | None, original: datetime | None, t: Thresholds) -> str:
    """Why the page may be the source (a note), when it says it was published more than the
    tolerance before the original; else an empty string."""
    page, original = _utc(page), _utc(original)
    if page is None or original is None:
        return ""
    # A date at midnight is most often a date without a time: it may mean any hour of that day.
    latest = page + timedelta(days=1) if page.time() == time(0) else page
    if latest >= original - timedelta(days=t.earlier_tolerance_days):
        return ""
    return (f"The page says it was published on {page:%Y-%m-%d}, before the original "
            f"({original:%Y-%m-%d}): it may be the source, not a copy.")


def _worth_aligning(cand: Candidate, t: Thresholds) -> bool:
    """Whether a candidate shares enough fingerprints to reach any verdict.

    The shortest copy that counts (an excerpt of ``excerpt_min_words_across_blocks`` words)
    holds at least ``(words - SHINGLE_WORDS + 1) // WINDOW`` fingerprints (one in every
    winnowing window); a short original can also be a repost by coverage alone.
    """
    shortest = (t.excerpt_min_words_across_blocks - SHINGLE_WORDS + 1) // WINDOW
    return cand.shared >= shortest or cand.containment >= t.repost_min_coverage / 2


def _verdict(alignment: Alignment, original: Original, t: Thresholds) -> Verdict:
    """The verdict from the original's own writing found on the page (see the module doc)."""
    if (alignment.own_coverage >= t.repost_min_coverage
            and alignment.longest_own_words >= t.repost_min_passage_words):
        return "repost"
    if alignment.longest_own_words >= t.excerpt_min_words:
        return "excerpt"
    # A shorter passage counts when it copies a paragraph break of the original's.
    if any(p.own_words >= t.excerpt_min_words_across_blocks and "\n" in p.text
           and "\n" in original.text[p.original_start : p.original_end]
           for p in alignment.passages):
        return "excerpt"
    return "none"


def _shortest_verdict(t: Thresholds) -> int:
    """Words in the shortest passage that can make any verdict (``_verdict``: a repost's
    longest passage, an excerpt's, one across blocks). A candidate whose passages are all
    shorter is no copy, and a candidate that is no copy never decides the outcome (a copy
    outranks it; with none, the page is no copy): its passages need not be built."""
    return max(0, min(t.repost_min_passage_words, t.excerpt_min_words,
                      t.excerpt_min_words_across_blocks))


_LEVEL = {"repost": 2, "excerpt": 1, "none": 0}


def _rank(alignment: Alignment, original: Original, t: Thresholds) -> tuple[int, float, float]:
    """How strongly the page copies ``original``: the verdict first; between reposts the
    larger coverage, between excerpts the longer passage (a short original is not a better
    match for sharing a few stock lines with the page: it only has fewer words)."""
    level = _LEVEL[_verdict(alignment, original, t)]
    if level == _LEVEL["repost"]:
        return level, alignment.own_coverage, alignment.longest_own_words
    return level, alignment.longest_own_words, alignment.own_coverage


def _own(original: Original, t: Thresholds) -> npt.NDArray[np.bool_] | None:
    """The original's own-writing mask, or None when too little of it is its own to judge on
    (an original that is mostly one quoted statement is judged on all its words)."""
    own = original.own
    return own if int(own.sum()) >= t.min_original_words else None


def assess(
    page: Page,
    index: FingerprintIndex,
    rules: Mapping[str, CreditRule],
    *,
    thresholds: Thresholds | None = None,
) -> Assessment:
    """Judge ``page`` against every original in ``index``.

    ``rules`` maps publication name → its credit rule; an original whose publication has no
    rule is judged with the default rule ``any`` and no known domains. Pages on a publication's
    own domains are never reported as copies of that publication's originals.
    """
    try:
        return _assess(page, index, rules, thresholds)
    finally:
        page.release()  # the parse tree is no longer needed: a crawl holds many pages


def _assess(
    page: Page,
    index: FingerprintIndex,
    rules: Mapping[str, CreditRule],
    thresholds: Thresholds | None,
) -> Assessment:
    t = thresholds or Thresholds()
    best: tuple[Alignment, Original] | None = None
    own = False
    floor = _shortest_verdict(t)
    for cand in index.candidates(page.tokens, limit=t.max_candidates):
        if not _worth_aligning(cand, t):
            continue
        rule = rules.get(cand.original.publication)
        if rule is not None and host_matches(page.host, rule.domains):
            own = True
            continue
        alignment = align(
            cand.original.tokens,
            page.tokens,
            max_gap=t.passage_max_gap,
            min_passage_words=t.min_passage_words,
            floor=floor,
        )
        # Quotations only ever take words away: a page that copies nothing with them counted
        # copies nothing without them; and passages far from any quotation mark, cue word or
        # introduced statement are all own writing. Only else is the own-writing mask needed.
        if (_verdict(alignment, cand.original, t) != "none"
                and may_attribute(cand.original.tokens, [(a, b) for a, b, _ in alignment.spans])
                and (own_mask := _own(cand.original, t)) is not None):
            alignment = alignment.counting_own(own_mask, min_passage_words=t.min_passage_words)
        if best is None or _rank(alignment, cand.original, t) > _rank(*best, t):
            best = (alignment, cand.original)
    if best is None or _verdict(best[0], best[1], t) == "none":
        note = "The page is on the publication's own site." if own and best is None else ""
        return Assessment(page.url, "none", note=note)
    alignment, original = best
    verdict = _verdict(alignment, original, t)
    rule = rules.get(original.publication) or CreditRule(original.publication)
    credit = check_credit(
        page,
        original,
        rule,
        copied=[(p.page_start, p.page_end) for p in alignment.passages],
        near_chars=t.credit_near_chars,
    )
    extent: Literal["full", "partial"] | None = None
    if verdict == "repost":
        extent = "full" if alignment.own_coverage >= t.full_min_coverage else "partial"
    # The page's date is evidence only next to the original's (and reading it costs time).
    published = page.published if original.published is not None else None
    note = _earlier(published, original.published, t)
    return Assessment(
        url=page.url,
        verdict=verdict,
        original=original,
        extent=extent,
        coverage=alignment.own_coverage,
        passages=alignment.passages,
        credit=credit,
        report_syndicated=rule.report_syndicated,
        note=note,
        coverage_with_quotes=alignment.coverage,
        page_published=published,
        earlier=bool(note),
    )
