"""The fingerprint index: which originals share text with a page, without scanning them all.

Each original is cut into word k-grams (``SHINGLE_WORDS`` tokens); their 64-bit hashes are
*winnowed* (the minimum hash of every window of ``WINDOW`` consecutive k-grams is kept), which
guarantees that any run of at least ``SHINGLE_WORDS + WINDOW - 1`` identical tokens shared with a
page is found, while storing only about ``2 / (WINDOW + 1)`` of the k-grams.

A page is looked up with *all* its k-gram hashes against the postings (fingerprint → originals).
Fingerprints found in more than ``max_postings`` originals are boilerplate of the publisher's
own template (the repost rule under every article, a newsletter blurb) and are ignored at query
time, like passim's document-frequency limit.

Fingerprints serialise to compact bytes so the store can persist them and a process can load an
index without re-tokenising every original.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .original import Original
from .text import Tokens, token_hash

__all__ = ["SHINGLE_WORDS", "WINDOW", "Candidate", "FingerprintIndex", "shingle_hashes", "winnow"]

SHINGLE_WORDS = 5
"""Tokens per k-gram. Five words rarely repeat by chance across unrelated news texts."""
WINDOW = 4
"""Winnowing window, in k-grams: runs of >= SHINGLE_WORDS + WINDOW - 1 = 8 tokens are found."""

_MASK = (1 << 64) - 1
_MULT = 0x100000001B3  # FNV prime: cheap, well-mixing combination of token hashes


def shingle_hashes(words: Sequence[str], k: int = SHINGLE_WORDS) -> list[int]:
    """64-bit hashes of every k-token window of ``words`` (empty when fewer than k tokens)."""
    th = [token_hash(w) for w in words]
    out: list[int] = []
    for i in range(len(th) - k + 1):
        h = 0
        for t in th[i : i + k]:
            h = ((h * _MULT) ^ t) & _MASK
        out.append(h)
    return out


def winnow(hashes: Sequence[int], window: int = WINDOW) -> set[int]:
    """The winnowed fingerprints: the minimum of every ``window`` consecutive hashes."""
    if len(hashes) <= window:
        return set(hashes)
    return {min(hashes[i : i + window]) for i in range(len(hashes) - window + 1)}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An original that shares fingerprints with a page.

    ``containment`` is the share of the original's fingerprints seen on the page (0..1): a
    cheap estimate of coverage used to rank candidates before alignment.
    """

    original: Original
    shared: int
    containment: float


class FingerprintIndex:
    """Postings from fingerprint to original ids, plus the originals themselves.

    ``max_postings``: fingerprints shared by more originals than this are ignored at query time.
    """

    def __init__(self, *, max_postings: int = 50) -> None:
        self.max_postings = max_postings
        self._postings: dict[int, set[int]] = {}
        self._fingerprints: dict[int, frozenset[int]] = {}
        self._originals: dict[int, Original] = {}

    def __len__(self) -> int:
        return len(self._originals)

    def __contains__(self, original_id: object) -> bool:
        return original_id in self._originals

    @property
    def originals(self) -> Iterable[Original]:
        return self._originals.values()

    def get(self, original_id: int) -> Original | None:
        return self._originals.get(original_id)

    @staticmethod
    def fingerprint(original: Original) -> bytes:
        """The winnowed fingerprints of an original, serialised for the store."""
        fps = sorted(winnow(shingle_hashes(original.tokens.words)))
        return array("Q", fps).tobytes()

    def add(self, original: Original, fingerprints: bytes | None = None) -> None:
        """Add (or replace) an original; pass stored ``fingerprints`` to skip recomputing them."""
        if original.id in self._originals:
            self.remove(original.id)
        blob = fingerprints if fingerprints is not None else self.fingerprint(original)
        fps = frozenset(array("Q", blob))
        self._originals[original.id] = original
        self._fingerprints[original.id] = fps
        for fp in fps:
            self._postings.setdefault(fp, set()).add(original.id)

    def remove(self, original_id: int) -> None:
        """Forget an original (no error if it is unknown)."""
        self._originals.pop(original_id, None)
        for fp in self._fingerprints.pop(original_id, frozenset()):
            ids = self._postings.get(fp)
            if ids is not None:
                ids.discard(original_id)
                if not ids:
                    del self._postings[fp]

    def candidates(self, tokens: Tokens, *, min_shared: int = 2, limit: int = 5) -> list[Candidate]:
        """Originals sharing at least ``min_shared`` fingerprints with the page, best first."""
        counts: Counter[int] = Counter()
        for h in set(shingle_hashes(tokens.words)):
            ids = self._postings.get(h)
            if ids and len(ids) <= self.max_postings:
                counts.update(ids)
        found = []
        for oid, shared in counts.items():
            if shared >= min_shared:
                total = len(self._fingerprints[oid]) or 1
                found.append(Candidate(self._originals[oid], shared, shared / total))
        found.sort(key=lambda c: (c.containment, c.shared), reverse=True)
        return found[:limit]
