"""Alignment: which passages of an original appear on a page, and where.

Seed and extend, near-linear in the two texts and vectorised with numpy: every
``seed_words``-token window of the original is hashed; each window of the page that hits one
is a seed on a diagonal (page position minus original position). Seeds on one diagonal form
exact runs; the longest runs are kept first, each page word used once; runs close to each other
on both sides are merged into one passage, which absorbs light edits (a changed word, a dropped
clause). Swapped paragraphs, inserted ads and "read also" boxes simply become separate
passages. Each passage is then scored with rapidfuzz on its two texts.

Coverage is the share of the original's tokens inside some passage (0..1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from .text import Tokens, kgram_hashes

__all__ = ["Alignment", "Passage", "align"]


@dataclass(frozen=True, slots=True)
class Passage:
    """One copied passage: character spans in the original and in the page text.

    ``words`` counts the original's tokens the passage spans; ``similarity`` (0..1) is
    rapidfuzz's normalised Indel similarity of the two spans (1.0 = verbatim); ``text`` is the
    passage as the page shows it.
    """

    original_start: int
    original_end: int
    page_start: int
    page_end: int
    words: int
    similarity: float
    text: str


@dataclass(frozen=True, slots=True)
class Alignment:
    """All passages (in page order), the coverage of the original and the longest passage."""

    passages: tuple[Passage, ...]
    coverage: float
    longest_words: int

    @property
    def longest(self) -> Passage | None:
        return max(self.passages, key=lambda p: p.words, default=None)


@dataclass(slots=True)
class _Run:
    o0: int  # first original token
    o1: int  # last original token (inclusive)
    p0: int
    p1: int


def _exact_runs(original: Tokens, page: Tokens, k: int, max_repeats: int) -> list[_Run]:
    """Maximal runs of identical tokens, from k-token seeds (vectorised: no Python loop over
    the texts). A seed found more than ``max_repeats`` times in the original is skipped."""
    oh, ph = kgram_hashes(original, k), kgram_hashes(page, k)
    if not len(oh) or not len(ph):
        return []
    order = np.argsort(oh, kind="stable")
    sorted_o = oh[order]
    lo = np.searchsorted(sorted_o, ph, side="left")
    n = np.searchsorted(sorted_o, ph, side="right") - lo
    n = np.where(n <= max_repeats, n, 0)
    total = int(n.sum())
    if not total:
        return []
    j = np.repeat(np.arange(len(ph)), n)  # page position of every seed
    i = order[np.repeat(lo - np.cumsum(n) + n, n) + np.arange(total)]  # original position
    diag = j - i
    by = np.lexsort((i, diag))  # runs are consecutive seeds on one diagonal
    diag, i = diag[by], i[by]
    brk = np.ones(total, dtype=bool)
    brk[1:] = (np.diff(diag) != 0) | (np.diff(i) != 1)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], total) - 1
    o0, o1, d = i[starts], i[ends] + k - 1, diag[starts]
    return [_Run(a, b, a + c, b + c)
            for a, b, c in zip(o0.tolist(), o1.tolist(), d.tolist(), strict=True)]


def _select(runs: list[_Run], page_len: int, k: int) -> list[_Run]:
    """Longest runs first; each page token belongs to at most one run (overlaps are trimmed).

    Taking the longest first guarantees the longest shared run survives intact, whatever
    repetitions the texts hold.
    """
    taken = bytearray(page_len)
    chosen: list[_Run] = []
    for r in sorted(runs, key=lambda r: (r.p1 - r.p0, -r.p0), reverse=True):
        p0, p1 = r.p0, r.p1
        while p0 <= p1 and taken[p0]:
            p0 += 1
        while p1 >= p0 and taken[p1]:
            p1 -= 1
        if p1 - p0 + 1 < k or any(taken[p0 : p1 + 1]):
            continue  # nothing left, or a hole in the middle: the longer run explains it
        taken[p0 : p1 + 1] = b"\x01" * (p1 - p0 + 1)
        shift = p0 - r.p0
        chosen.append(_Run(r.o0 + shift, r.o0 + shift + (p1 - p0), p0, p1))
    return chosen


def _merge(runs: list[_Run], max_gap: int) -> list[_Run]:
    """Join runs that follow each other on both sides within ``max_gap`` tokens (edits)."""
    merged: list[_Run] = []
    for r in sorted(runs, key=lambda r: r.p0):
        last = merged[-1] if merged else None
        if (
            last is not None
            and 0 <= r.p0 - last.p1 - 1 <= max_gap
            and 0 <= r.o0 - last.o1 - 1 <= max_gap
        ):
            last.o1, last.p1 = r.o1, r.p1
        else:
            merged.append(_Run(r.o0, r.o1, r.p0, r.p1))
    return merged


def align(
    original: Tokens,
    page: Tokens,
    *,
    seed_words: int = 4,
    max_gap: int = 8,
    min_passage_words: int = 8,
) -> Alignment:
    """Find the passages of ``original`` that appear on ``page``.

    ``seed_words``: tokens per exact seed; a seed found more than four times in the original
    is repetition (a chorus, a list marker), not evidence, and is skipped. ``max_gap``: tokens
    of difference (edits) allowed between two runs for them to count as one passage.
    ``min_passage_words``: shorter passages are chance phrases ("at the end of the day"), not
    copies, and are dropped.
    """
    if len(original) == 0:
        return Alignment((), 0.0, 0)
    runs = _exact_runs(original, page, seed_words, max_repeats=4)
    runs = _merge(_select(runs, len(page), seed_words), max_gap)
    covered = bytearray(len(original))
    passages: list[Passage] = []
    for r in runs:
        words = r.o1 - r.o0 + 1
        if words < min_passage_words:
            continue
        covered[r.o0 : r.o1 + 1] = b"\x01" * words
        os_, oe = original.char_span(r.o0, r.o1)
        ps, pe = page.char_span(r.p0, r.p1)
        shown = page.text[ps:pe]
        a, b = original.text[os_:oe].lower(), shown.lower()
        sim = 1.0 if a == b else fuzz.ratio(a, b) / 100.0  # verbatim copies are the usual case
        passages.append(Passage(os_, oe, ps, pe, words, round(sim, 3), shown))
    coverage = sum(covered) / len(original)
    longest = max((p.words for p in passages), default=0)
    return Alignment(tuple(passages), round(coverage, 4), longest)
