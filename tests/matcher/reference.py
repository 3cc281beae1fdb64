"""Slow, obvious reference implementations that the fast matcher is checked against."""

from __future__ import annotations

from collections.abc import Sequence


def longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """The longest run of equal consecutive tokens shared by ``a`` and ``b`` (O(n·m) DP)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best
