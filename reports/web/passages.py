"""The copied passages side by side: the original's text and the page's, each cut into plain and
highlighted segments, passage *n* marked on both sides.

The spans come from the matcher's own alignment (``matcher.align``) of the original with the
page's version the last check judged, so what is highlighted is exactly what was counted. A
finding without a kept version falls back to the spans stored with it (original side only,
plus the longest passage as the page showed it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from matcher import Page, Thresholds, align, tokenize

__all__ = ["CONTEXT_CHARS", "Segment", "SideBySide", "side_by_side"]

CONTEXT_CHARS = 240
"""Characters of the page's own text shown around each copied passage (the rest is chrome)."""


@dataclass(frozen=True)
class Segment:
    """A run of text; ``passage`` is the 1-based number of the copied passage it belongs to
    (None: not copied), ``gap`` marks an elision (text left out between two windows)."""

    text: str
    passage: int | None = None
    gap: bool = False


@dataclass(frozen=True)
class SideBySide:
    """``original``: the whole original, segmented; ``page``: windows of the page's text around
    the passages; ``passages``: (number, words, similarity) per passage; ``aligned``: True when
    recomputed from the judged page, False when drawn from the stored spans."""

    original: tuple[Segment, ...]
    page: tuple[Segment, ...]
    passages: tuple[tuple[int, int, float], ...]
    aligned: bool


def _segments(text: str, spans: Sequence[tuple[int, int, int]]) -> list[Segment]:
    """``text`` cut at the (start, end, number) spans; overlapping spans are clipped."""
    out: list[Segment] = []
    pos = 0
    for begin, end, number in sorted(spans):
        start = max(begin, pos)
        if end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], number))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _windows(text: str, spans: Sequence[tuple[int, int, int]], context: int) -> list[Segment]:
    """The passages of ``text`` with ``context`` characters around each; the rest elided."""
    ranges: list[list[int]] = []
    for start, end, _ in sorted(spans):
        lo, hi = max(0, start - context), min(len(text), end + context)
        if ranges and lo <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], hi)
        else:
            ranges.append([lo, hi])
    out: list[Segment] = []
    for lo, hi in ranges:
        if lo > 0 or out:
            out.append(Segment("…", gap=True))
        inside = [(max(s, lo) - lo, min(e, hi) - lo, n) for s, e, n in spans if s < hi and e > lo]
        out.extend(_segments(text[lo:hi], inside))
    if ranges and ranges[-1][1] < len(text):
        out.append(Segment("…", gap=True))
    return out


def side_by_side(original_text: str, *, page_url: str, page_html: str | None,
                 thresholds: Thresholds, stored: Iterable[dict[str, Any]] = (),
                 longest_page_text: str | None = None,
                 context: int = CONTEXT_CHARS) -> SideBySide:
    """The passages of ``original_text`` found on the page, on both sides.

    With ``page_html`` (the judged version) the alignment is redone with the matcher's
    thresholds; otherwise the ``stored`` spans mark the original and ``longest_page_text``
    stands for the page side.
    """
    if page_html is not None:
        page = Page(page_url, page_html)
        found = align(tokenize(original_text), page.tokens, max_gap=thresholds.passage_max_gap,
                      min_passage_words=thresholds.min_passage_words)
        numbered = list(enumerate(found.passages, 1))
        return SideBySide(
            original=tuple(_segments(original_text, [(p.original_start, p.original_end, n)
                                                     for n, p in numbered])),
            page=tuple(_windows(page.text, [(p.page_start, p.page_end, n)
                                            for n, p in numbered], context)),
            passages=tuple((n, p.words, p.similarity) for n, p in numbered),
            aligned=True,
        )
    spans = [s for s in stored if isinstance(s, dict)]
    numbered_spans = [(int(s.get("original_start", 0)), int(s.get("original_end", 0)), n)
                      for n, s in enumerate(spans, 1)]
    page_side = (Segment(longest_page_text, 0),) if longest_page_text else ()
    return SideBySide(
        original=tuple(_segments(original_text, numbered_spans)),
        page=page_side,
        passages=tuple((n, int(s.get("words", 0)), float(s.get("similarity", 0.0)))
                       for n, s in enumerate(spans, 1)),
        aligned=False,
    )
