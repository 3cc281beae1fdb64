"""``assess``: the one function that judges a page. Everything that shows a verdict renders its
``Assessment``; nothing recomputes one.

Steps: fingerprint look-up of candidate originals (never a scan of all of them) → alignment of
each candidate with the page's visible text → the best original by coverage → verdict from the
thresholds → credit check of the page against that original's publication rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .align import Alignment, Passage, align
from .credit import Credit, KeptApart, check_credit, kept_apart, lacks_credit
from .index import SHINGLE_WORDS, WINDOW, Candidate, FingerprintIndex
from .original import Original
from .page import Page
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

    @property
    def longest_passage(self) -> Passage | None:
        return max(self.passages, key=lambda p: p.words, default=None)

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
        }

    @property
    def kept_apart(self) -> KeptApart | None:
        """Why this copy is kept out of "lacking credit" (``matcher.credit.kept_apart``):
        ``syndicated`` for a copy of a wire story unless the rule says ``report_syndicated``;
        None for a copy whose credit is chased (and for a page that is no copy)."""
        if not self.is_copy:
            return None
        return kept_apart(syndicated=self.syndicated, report_syndicated=self.report_syndicated)

    @property
    def lacks_credit(self) -> bool:
        """A copy whose credit does not meet the publication's rule (what reports chase): not
        a copy kept apart (``kept_apart``)."""
        return (self.is_copy and self.credit is not None
                and lacks_credit(self.credit.status) and self.kept_apart is None)


def _worth_aligning(cand: Candidate, t: Thresholds) -> bool:
    """Whether a candidate shares enough fingerprints to reach any verdict.

    The shortest copy that counts (an excerpt of ``excerpt_min_words_across_blocks`` words)
    holds at least ``(words - SHINGLE_WORDS + 1) // WINDOW`` fingerprints (one in every
    winnowing window); a short original can also be a repost by coverage alone.
    """
    shortest = (t.excerpt_min_words_across_blocks - SHINGLE_WORDS + 1) // WINDOW
    return cand.shared >= shortest or cand.containment >= t.repost_min_coverage / 2


def _verdict(alignment: Alignment, original: Original, t: Thresholds) -> Verdict:
    if alignment.coverage >= t.repost_min_coverage:
        return "repost"
    if alignment.longest_words >= t.excerpt_min_words:
        return "excerpt"
    # A shorter passage counts when it copies a paragraph break of the original's.
    if any(p.words >= t.excerpt_min_words_across_blocks and "\n" in p.text
           and "\n" in original.text[p.original_start : p.original_end]
           for p in alignment.passages):
        return "excerpt"
    return "none"


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
    t = thresholds or Thresholds()
    best: tuple[Alignment, Original] | None = None
    own = False
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
        )
        if best is None or (alignment.coverage, alignment.longest_words) > (
            best[0].coverage,
            best[0].longest_words,
        ):
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
        extent = "full" if alignment.coverage >= t.full_min_coverage else "partial"
    return Assessment(
        url=page.url,
        verdict=verdict,
        original=original,
        extent=extent,
        coverage=alignment.coverage,
        passages=alignment.passages,
        credit=credit,
        report_syndicated=rule.report_syndicated,
    )
