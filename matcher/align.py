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

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from .text import Hashes, Tokens, kgram_hashes

__all__ = ["SEED_PAIRS_PER_WORD", "Alignment", "Passage", "align"]

SEED_PAIRS_PER_WORD = 64
"""Seed pairings allowed per word of the two texts. A line recurring r times in the original
and s times on the page pairs r·s times: a meal plan's lines recurring 30 times on both sides
fit easily (the pairings stay linear in the texts); only degenerate text (one short phrase
said hundreds of times) reaches the budget, and its most repeated seeds are left out."""


@dataclass(frozen=True, slots=True)
class Passage:
    """One copied passage: character spans in the original and in the page text.

    ``words`` counts the original's tokens the passage spans; ``similarity`` (0..1) is
    rapidfuzz's normalised Indel similarity of the two spans (1.0 = verbatim); ``text`` is the
    passage as the page shows it; ``own_words`` counts the words that copy the original's own
    writing: all of them, or only those outside quotations and attributed statements when the
    passage holds little else (``align``, ``matcher.quotes``).
    """

    original_start: int
    original_end: int
    page_start: int
    page_end: int
    words: int
    similarity: float
    text: str
    own_words: int = -1  # -1: not measured (the same as ``words``)

    def __post_init__(self) -> None:
        if self.own_words < 0:
            object.__setattr__(self, "own_words", self.words)


@dataclass(frozen=True, slots=True)
class Alignment:
    """All passages (in page order), the coverage of the original and the longest passage.

    ``coverage`` is the share of all the original's words inside passages; ``own_coverage``
    the share of its words inside passages that count as copying its own writing (see
    ``counting_own``; the same as ``coverage`` until then); ``longest_own_words`` the most
    such words in one passage. ``spans``: each passage's first and last token in the original
    and the exact runs it was merged from (for ``counting_own``).
    """

    passages: tuple[Passage, ...]
    coverage: float
    longest_words: int
    own_coverage: float = -1.0  # -1: the same as coverage
    longest_own_words: int = -1  # -1: the same as longest_words
    spans: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...] = ()

    def __post_init__(self) -> None:
        if self.own_coverage < 0:
            object.__setattr__(self, "own_coverage", self.coverage)
        if self.longest_own_words < 0:
            object.__setattr__(self, "longest_own_words", self.longest_words)

    @property
    def longest(self) -> Passage | None:
        return max(self.passages, key=lambda p: p.words, default=None)

    def counting_own(self, own: npt.NDArray[np.bool_], *, min_passage_words: int = 8,
                     ) -> Alignment:
        """This alignment with ``own_words`` and ``own_coverage`` counting the original's own
        writing only (``own``: a flag per token of the original, ``matcher.quotes.own_mask``).

        A passage counts its own words only, unless it also holds at least
        ``min_passage_words`` own words copied verbatim in a row (not across an edit): then
        the page copied the article around the quotation, not just the quotation, and all its
        words count. Cheap: no new alignment, so a caller can ask only when it matters.
        """
        counted = np.zeros(len(own), dtype=bool)
        passages = []
        for passage, (first, last, parts) in zip(self.passages, self.spans, strict=True):
            mine = own[first : last + 1]
            if mine.all() or max(_longest_true_run(own[a : b + 1])
                                 for a, b in parts) >= min_passage_words:
                counted[first : last + 1] = True
                passages.append(passage if passage.own_words == passage.words
                                else replace(passage, own_words=passage.words))
            else:
                counted[first : last + 1] |= mine
                passages.append(replace(passage, own_words=int(mine.sum())))
        return Alignment(tuple(passages), self.coverage, self.longest_words,
                         round(int(counted.sum()) / max(len(own), 1), 4),
                         max((p.own_words for p in passages), default=0), self.spans)


@dataclass(slots=True)
class _Run:
    o0: int  # first original token
    o1: int  # last original token (inclusive)
    p0: int
    p1: int
    support: int = 0  # seeds on the run's diagonal
    parts: list[tuple[int, int]] | None = None  # exact runs merged into it (by _merge)


class _RunLists(NamedTuple):
    """Runs as lists: first and last original token, diagonal (page - original); the seeds on
    each run's diagonal (``_Run.support``) are counted only when asked for: most runs are
    dropped before (``_may_reach``)."""

    o0: list[int]
    o1: list[int]
    d: list[int]
    support: Callable[[], list[int]]


_NO_RUNS = _RunLists([], [], [], list)


def _runs_of(runs: _RunLists) -> list[_Run]:
    return [_Run(a, b, a + c, b + c, s)
            for a, b, c, s in zip(runs.o0, runs.o1, runs.d, runs.support(), strict=True)]


def _run_lists(original: Tokens, page: Tokens, k: int, budget: int) -> _RunLists:
    """Maximal runs of identical tokens, from k-token seeds (vectorised: no Python loop over
    the texts).

    Every pairing of a page seed with an occurrence of it in the original is a seed, so a line
    that recurs in the original (a recipe step, a meal plan's "Breakfast:", a league table's
    team) can be aligned at each of its places: the pairing on the right diagonal joins the
    text around it into one run. The pairings cost the product of a seed's occurrences on both
    sides; when they would exceed ``budget``, the seeds found most often in the original are
    left out until the rest fit (a word said a thousand times is not evidence of anything).
    The runs come ordered by diagonal, then by position (``support`` and ``_select``'s
    tie-break between equal runs rely on it).
    """
    table = _kgram_table(original, k)
    grams = _sorted_kgrams(page, k)
    if not len(table.distinct) or not len(grams.hashes):
        return _NO_RUNS
    # The page's k-grams are searched in hash order: numpy (up to 2.4) then starts each binary
    # search at the last one's result, and the searches walk the original's table one way (its
    # cache stays warm): ~3x faster here than in page order. Only the k-grams found go on.
    at = np.minimum(np.searchsorted(table.distinct, grams.hashes), len(table.distinct) - 1)
    found = np.flatnonzero(table.distinct[at] == grams.hashes)
    at = at[found]
    n = table.counts[at]  # occurrences in the original of each page k-gram found there
    total = int(n.sum())
    # A budget below zero allows no pairing, as zero does (and `n` may be empty: no cap then).
    if total > max(budget, 0):
        # Keep the seeds found fewer than `cap` times: the largest cap that fits the budget.
        counts = np.sort(n)
        cap = counts[int(np.searchsorted(np.cumsum(counts), budget, side="right"))]
        kept = n < cap
        found, at, n = found[kept], at[kept], n[kept]
        total = int(n.sum())
    if not total:
        return _NO_RUNS
    j = np.repeat(grams.positions[found], n)  # page position of every seed
    # original position of every seed: the occurrences of its k-gram, in table.order
    i = table.order[np.repeat(table.first[at] - np.cumsum(n) + n, n) + np.arange(total)]
    # Each seed gets one sort key, diagonal (page - original position) * m + original position,
    # with m past the original's last position: sorted keys order the seeds by diagonal, then
    # position, and two seeds are consecutive on one diagonal exactly when their keys differ
    # by one.
    m = len(original) + 1
    key = j * m - i * (m - 1)
    key.sort()
    starts = np.concatenate(([0], np.flatnonzero(key[1:] - key[:-1] != 1) + 1))  # of runs
    ends = np.append(starts[1:], total) - 1
    diag = key[starts] // m  # rounded down: a diagonal may be negative
    first = key[starts] - diag * m

    def support() -> list[int]:
        # Seeds on each run's diagonal: the tie-break between equally long runs (_select).
        first_of_diag = np.concatenate(([0], np.flatnonzero(diag[1:] != diag[:-1]) + 1))
        per_diag = np.diff(np.append(starts[first_of_diag], total))
        counts = np.repeat(per_diag, np.diff(np.append(first_of_diag, len(starts))))
        return counts.tolist()

    return _RunLists(first.tolist(), (key[ends] - diag * m + (k - 1)).tolist(), diag.tolist(),
                     support)


_GROUPED_RUNS, _NEAR_PAIRS_PER_RUN = 1_024, 8
"""``_may_reach`` gives up (answers True) past this many runs, or past this many pairs of runs
close on the page per run: a phrase said a hundred times on both sides makes ten thousand
runs over the same page words, and grouping them would cost more than what it spares."""


def _may_reach(runs: _RunLists, max_gap: int, floor: int) -> bool:
    """Whether ``_merge`` could make a passage of ``floor`` original words from these runs,
    however ``_select`` trims them: False only when it cannot.

    Runs within ``max_gap`` tokens of each other on both sides (overlaps included) are
    grouped: a trimmed run lies within its run, and two runs that ``_merge`` joins are that
    close, so a passage lies within one group and spans at most the group's original words.
    A page that copies nothing shares stock phrases with its candidates ("plans to raise the
    future of"), scattered over both texts: the groups are short, and the runs need not be
    made objects, selected and merged (most candidates of such pages: ~a third of ``align``'s
    time on them)."""
    o0, o1, d = runs.o0, runs.o1, runs.d
    if not o0:
        return False
    if len(o0) > _GROUPED_RUNS or max(map(int.__sub__, o1, o0)) + 1 >= floor:
        return True
    reach = max_gap + 1
    group = list(range(len(o0)))
    first, last = o0[:], o1[:]  # the original words each group spans, kept at its root

    def root(x: int) -> int:
        while group[x] != x:
            group[x] = x = group[group[x]]
        return x

    p0 = list(map(int.__add__, o0, d))
    by_page = sorted(range(len(o0)), key=p0.__getitem__)
    pairs = _NEAR_PAIRS_PER_RUN * len(by_page)
    for n, a in enumerate(by_page):
        end = o1[a] + d[a] + reach  # later runs start no earlier on the page: near there
        m = n + 1
        while m < len(by_page) and p0[b := by_page[m]] <= end:
            pairs -= 1
            if not pairs:  # many runs on the same words: building them is cheaper
                return True
            if o0[b] <= o1[a] + reach and o0[a] <= o1[b] + reach:
                ga, gb = root(a), root(b)
                if ga != gb:
                    group[gb] = ga
                    first[ga], last[ga] = min(first[ga], first[gb]), max(last[ga], last[gb])
                    if last[ga] - first[ga] + 1 >= floor:
                        return True
            m += 1
    return False


class _SortedKgrams(NamedTuple):
    """A text's k-gram hashes in ascending order, and the position of each in the text."""

    hashes: Hashes
    positions: npt.NDArray[np.intp]


class _KgramTable(NamedTuple):
    """The k-grams of a text by hash: ``order`` lists the k-gram positions sorted by hash;
    the occurrences of ``distinct[d]`` are ``order[first[d] : first[d] + counts[d]]``. One
    binary search of a page's k-gram in ``distinct`` gives all its occurrences."""

    order: npt.NDArray[np.intp]
    distinct: Hashes
    first: npt.NDArray[np.intp]
    counts: npt.NDArray[np.intp]


_Arrays = TypeVar("_Arrays", _SortedKgrams, _KgramTable)


def _kept(tokens: Tokens, key: tuple[str, int], build: Callable[[], _Arrays]) -> _Arrays:
    """``build()``, kept with the tokens under ``key`` (a text is aligned many times), its
    arrays read-only: they are shared by every caller."""
    if key not in tokens._cache:
        arrays = build()
        for array in arrays:
            array.flags.writeable = False
        tokens._cache[key] = arrays
    return tokens._cache[key]  # type: ignore[no-any-return]


def _in_hash_order(tokens: Tokens, k: int) -> _SortedKgrams:
    hashes = kgram_hashes(tokens, k)
    positions = np.argsort(hashes, kind="stable")
    return _SortedKgrams(hashes[positions], positions)


def _sorted_kgrams(tokens: Tokens, k: int) -> _SortedKgrams:
    """A page's k-grams in hash order (kept: a page is aligned with several candidates)."""
    return _kept(tokens, ("kgram-sorted", k), lambda: _in_hash_order(tokens, k))


def _kgram_table(tokens: Tokens, k: int) -> _KgramTable:
    """The ``_KgramTable`` of an original's tokens (kept: an original is aligned with many
    pages; its k-grams in hash order are not kept beside it)."""

    def build() -> _KgramTable:
        ordered, order = _in_hash_order(tokens, k)
        head = np.ones(len(ordered), dtype=bool)
        head[1:] = ordered[1:] != ordered[:-1]
        first = np.flatnonzero(head)
        return _KgramTable(order, ordered[first], first, np.diff(np.append(first, len(ordered))))

    return _kept(tokens, ("kgram-table", k), build)


def _select(runs: list[_Run], page_len: int, k: int) -> list[_Run]:
    """Longest runs first; each page token belongs to at most one run (overlaps are trimmed).

    Taking the longest first guarantees the longest shared run survives intact, whatever
    repetitions the texts hold. Between equally long runs (a line that recurs in the original
    matches each of its occurrences), the one on the diagonal with the most seeds wins: the
    place where the text around it was copied too.
    """
    taken = bytearray(page_len)
    chosen: list[_Run] = []
    for r in sorted(runs, key=lambda r: (r.p1 - r.p0, r.support, -r.p0), reverse=True):
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
            assert last.parts is not None  # every merged run has its parts
            last.parts.append((r.o0, r.o1))
        else:
            merged.append(_Run(r.o0, r.o1, r.p0, r.p1, parts=[(r.o0, r.o1)]))
    return merged


def align(
    original: Tokens,
    page: Tokens,
    *,
    seed_words: int = 4,
    max_gap: int = 8,
    min_passage_words: int = 8,
    own: npt.NDArray[np.bool_] | None = None,
    floor: int = 0,
) -> Alignment:
    """Find the passages of ``original`` that appear on ``page``.

    ``seed_words``: tokens per exact seed; a seed that recurs in the original is paired with
    each of its occurrences (within a budget of ``SEED_PAIRS_PER_WORD`` pairings a word of the
    two texts; past it, the most repeated seeds are skipped). ``max_gap``: tokens
    of difference (edits) allowed between two runs for them to count as one passage.
    ``min_passage_words``: shorter passages are chance phrases ("at the end of the day"), not
    copies, and are dropped. ``own``: for each token of ``original``, whether it is the
    original's own writing: the same as ``align(...).counting_own(own)``. Passages are found
    and shown whatever they hold. ``floor``: when no passage has that many words, no passage
    is returned (a caller for whom shorter passages decide nothing is spared building them: a
    page that shares only stock phrases with a candidate).
    """
    if len(original) == 0:
        return Alignment((), 0.0, 0)
    budget = SEED_PAIRS_PER_WORD * (len(original) + len(page))
    seeded = _run_lists(original, page, seed_words, budget)
    if floor > 0 and not _may_reach(seeded, max_gap, floor):
        return Alignment((), 0.0, 0)
    runs = _merge(_select(_runs_of(seeded), len(page), seed_words), max_gap)
    if floor > 0 and all(r.o1 - r.o0 + 1 < floor for r in runs):
        return Alignment((), 0.0, 0)
    covered = np.zeros(len(original), dtype=bool)
    passages: list[Passage] = []
    spans = []
    for r in runs:
        words = r.o1 - r.o0 + 1
        if words < min_passage_words:
            continue
        covered[r.o0 : r.o1 + 1] = True
        os_, oe = original.char_span(r.o0, r.o1)
        ps, pe = page.char_span(r.p0, r.p1)
        shown = page.text[ps:pe]
        sim = _similarity(original.text[os_:oe].lower(), shown.lower())
        passages.append(Passage(os_, oe, ps, pe, words, round(sim, 3), shown))
        spans.append((r.o0, r.o1, tuple(r.parts or ((r.o0, r.o1),))))
    found = Alignment(tuple(passages), round(int(covered.sum()) / len(original), 4),
                      max((p.words for p in passages), default=0), spans=tuple(spans))
    return found if own is None else found.counting_own(own, min_passage_words=min_passage_words)


_LIKELY_SIMILARITY = 99.0
"""A passage's usual similarity (0..100) at least: most copies are verbatim or nearly so."""


def _similarity(original: str, shown: str) -> float:
    """rapidfuzz's normalised Indel similarity of the two spans (0..1), exactly.

    Verbatim copies are the usual case. For the others, rapidfuzz is first told the likely
    floor (``score_cutoff``): it then only compares the texts within a narrow band around
    their diagonal, which on a lightly edited article of 16,000 characters is ten times
    faster than the full comparison. Above the floor the result is the same number; below it
    rapidfuzz answers 0 and the full comparison is made.
    """
    if original == shown:
        return 1.0
    score = fuzz.ratio(original, shown, score_cutoff=_LIKELY_SIMILARITY)
    if not score:
        score = fuzz.ratio(original, shown)
    return score / 100.0


def _longest_true_run(mask: npt.NDArray[np.bool_]) -> int:
    """The most consecutive True values in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max(initial=0))
