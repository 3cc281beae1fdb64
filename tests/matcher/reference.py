"""Slow, obvious reference implementations that the fast matcher is checked against."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence

from matcher.text import _TOKEN_RE, _normalize_word


def _common_runs(a: Sequence[str], b: Sequence[str]) -> Iterator[tuple[int, int]]:
    """``(i, n)`` for every pair of positions where a shared run of ``n`` equal consecutive
    tokens ends at ``a[i - 1]`` (O(n·m) DP)."""
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                yield i, cur[j]
        prev = cur


def seed_runs(original: Sequence[str], page: Sequence[str], k: int,
              budget: int | None = None) -> list[tuple[int, int, int, int]]:
    """Every maximal run of ``k``-token seeds shared by the texts, as ``(first original token,
    last original token, diagonal (page - original position), seeds on that diagonal)``,
    ordered by diagonal, then position: every pair of equal k-grams, looked at one by one.
    ``budget``: at most that many pairs; past it, the page's k-grams found most often in the
    original are left out (the highest limit on that count whose pairs fit)."""
    grams = [tuple(original[i:i + k]) for i in range(len(original) - k + 1)]
    on_page = [tuple(page[j:j + k]) for j in range(len(page) - k + 1)]
    pairs = [[(j, i) for i, gram in enumerate(grams) if gram == seen]
             for j, seen in enumerate(on_page)]
    if budget is not None and sum(map(len, pairs)) > budget:
        allowed = max(budget, 0)  # below zero: no pairs, as zero

        def pairs_below(limit: int) -> int:
            return sum(len(p) for p in pairs if len(p) < limit)

        # The highest limit whose pairs fit: keep the k-grams paired fewer times than it.
        limit = max(t for t in range(max(map(len, pairs), default=0) + 1)
                    if pairs_below(t) <= allowed)
        pairs = [p for p in pairs if len(p) < limit]
    seeds = sorted((j - i, i) for found in pairs for j, i in found)
    on_diagonal = Counter(d for d, _ in seeds)
    runs: list[list[int]] = []
    for d, i in seeds:
        if runs and runs[-1][2] == d and runs[-1][1] - (k - 1) == i - 1:  # the seed before
            runs[-1][1] = i + k - 1
        else:
            runs.append([i, i + k - 1, d])
    return [(a, b, d, on_diagonal[d]) for a, b, d in runs]


def longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """The longest run of equal consecutive tokens shared by ``a`` and ``b``."""
    return max((n for _, n in _common_runs(a, b)), default=0)


def shares_plain_window(a: Sequence[str], b: Sequence[str], *, size: int = 12,
                        k: int = 5) -> bool:
    """Whether ``a`` and ``b`` share a run of ``size`` consecutive tokens in which no k-token
    sequence repeats (real prose; not one word or one short phrase said over and over)."""
    for i, n in _common_runs(a, b):
        if n >= size:
            window = a[i - size:i]
            if len({tuple(window[x:x + k]) for x in range(size - k + 1)}) == size - k + 1:
                return True
    return False


def tokenize(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """Words and spans as ``matcher.text.tokenize`` finds them, with the regex, token by token.

    Words: the whole text normalised at once (NFKC, case folding) when that keeps every token
    where it was, else each token of the text normalised alone.
    """
    spans = tuple(m.span() for m in _TOKEN_RE.finditer(text))
    raw = [text[s:e] for s, e in spans]
    if text.isascii():
        return tuple(w.lower() for w in raw), spans
    whole = unicodedata.normalize("NFKC", text.replace("’", "'")).casefold()
    words = _TOKEN_RE.findall(whole)
    if len(whole) == len(text) and len(words) == len(raw) and all(
        _TOKEN_RE.fullmatch(unicodedata.normalize("NFKC", w)) for w in words if not w.isascii()
    ):
        return tuple(words), spans
    return tuple(_normalize_word(w) for w in raw), spans
