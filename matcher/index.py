"""The fingerprint index: which originals share text with a page, without scanning them all.

Each original is cut into word k-grams (``SHINGLE_WORDS`` tokens); their 64-bit hashes are
*winnowed* (the minimum hash of every window of ``WINDOW`` consecutive k-grams is kept), which
guarantees that any run of at least ``SHINGLE_WORDS + WINDOW - 1`` identical tokens shared with a
page shares a fingerprint, while storing only about ``2 / (WINDOW + 1)`` of the k-grams.

The postings live in numpy arrays, not Python objects (``postings.py``: each distinct
fingerprint once, sorted, with the slots of its postings; ~12 bytes a posting: ~300 MB for
100,000 articles of 600 words). A page is looked up with *all* its k-gram hashes at once, through
a directory over the fingerprints' top bits and a short binary search; fingerprints found
in more than ``max_postings`` originals are boilerplate of the publisher's own template (the
repost rule under every article, a newsletter blurb) and are ignored, like passim's
document-frequency limit. The arrays are handed out and back in (``to_arrays`` /
``from_arrays``); the store saves them and memory-maps them back, so loading is instant and
forked workers share the pages (the matcher itself touches no file).

Additions and removals are incremental: new postings go to a small delta that is merged into
the main arrays when it grows past ``_DELTA_SHARE`` of them. Postings name a *slot*, not the
original: an edited original gets a new slot and its old slot is tombstoned, so an edit never
rewrites the big arrays; dead slots are dropped at the next merge. The originals themselves
(their text, for alignment) come from a mapping given to the index — a dict here, a lazy
loader from the store in the application.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .original import Original
from .postings import Postings, Slots
from .text import Hashes, Tokens, kgram_hashes, tokenize

__all__ = [
    "MAX_POSTINGS",
    "SHINGLE_WORDS",
    "WINDOW",
    "Candidate",
    "FingerprintIndex",
    "shingle_hashes",
    "winnow",
]

SHINGLE_WORDS = 5
"""Tokens per k-gram. Five words rarely repeat by chance across unrelated news texts."""
WINDOW = 4
"""Winnowing window, in k-grams: runs of >= SHINGLE_WORDS + WINDOW - 1 = 8 tokens are found."""
MAX_POSTINGS = 50
"""Fingerprints shared by more originals than this are the publisher's template, ignored."""
FORMAT_VERSION = 2
"""Version of the saved arrays and of the hash functions; a change invalidates saved indexes.
2: distinct fingerprints with offsets into the slots, and a directory (1: one key a posting)."""

_DELTA_SHARE = 0.05  # merge the delta into the main arrays when it exceeds 5 % of them
_IDS = np.uint32


def shingle_hashes(tokens: Tokens, k: int = SHINGLE_WORDS) -> Hashes:
    """64-bit hashes of every k-token window of ``tokens`` (empty when fewer than k tokens)."""
    return kgram_hashes(tokens, k)


def _distinct(hashes: Hashes) -> Hashes:
    """``np.unique(hashes)``, sorting: numpy 2.3+ finds unique integers with a hash table,
    three times slower than a sort on a page's few thousand shingles."""
    ordered = np.sort(hashes)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def winnow(hashes: Hashes, window: int = WINDOW) -> Hashes:
    """The winnowed fingerprints (sorted, unique): the minimum of every ``window`` hashes."""
    if len(hashes) <= window:
        return np.unique(hashes)
    mins = np.lib.stride_tricks.sliding_window_view(hashes, window).min(axis=1)
    return np.unique(mins)


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
    """Postings from fingerprint to original ids, and a mapping from id to the original.

    ``max_postings``: fingerprints shared by more originals than this are ignored at query
    time. ``originals``: where ``get(id)`` finds an original (default: a dict filled by
    ``add``); the store passes a lazy, cached loader so texts stay in the database.
    """

    def __init__(self, *, max_postings: int = MAX_POSTINGS,
                 originals: MutableMapping[int, Original] | None = None) -> None:
        self.max_postings = max_postings
        self._originals: MutableMapping[int, Original] = {} if originals is None else originals
        self._main = Postings.empty()
        self._delta_keys: list[Hashes] = []
        self._delta_ids: list[Slots] = []
        self._delta_size = 0  # postings in the delta
        self._delta: Postings | None = None  # the delta, sorted (built when queried)
        self._slot_of: dict[int, int] = {}  # original id -> its live slot
        self._id_of: dict[int, int] = {}  # live slot -> original id
        self._sizes = np.full(1024, -1, dtype=np.int64)  # slot -> fingerprints; -1: not live
        self._next_slot = 0
        self._dead: set[int] = set()  # slots whose postings are still in the arrays

    # -- contents ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, original_id: object) -> bool:
        return original_id in self._slot_of

    def get(self, original_id: int) -> Original | None:
        return self._originals.get(original_id)

    @property
    def postings(self) -> int:
        return len(self._main) + self._delta_size

    @staticmethod
    def fingerprints(original: Original) -> Hashes:
        """The winnowed fingerprints of an original (sorted, unique).

        The text is tokenised afresh rather than through ``original.tokens``, which would keep
        every indexed original's tokens (~40 KB each) alive as long as the original.
        """
        return winnow(shingle_hashes(tokenize(original.text)))

    @classmethod
    def fingerprint(cls, original: Original) -> bytes:
        """The fingerprints serialised for the store."""
        return cls.fingerprints(original).tobytes()

    # -- changes ----------------------------------------------------------------------

    def add(self, original: Original, fingerprints: bytes | None = None) -> None:
        """Add (or replace) an original; pass stored ``fingerprints`` to skip recomputing."""
        self._originals[original.id] = original
        self.add_fingerprints(original.id, fingerprints if fingerprints is not None
                              else self.fingerprint(original))

    def add_fingerprints(self, original_id: int, fingerprints: bytes | Hashes) -> None:
        """Index an original by id only (its text is found through ``originals`` when needed)."""
        fps = (np.frombuffer(fingerprints, dtype=np.uint64) if isinstance(fingerprints, bytes)
               else np.asarray(fingerprints, dtype=np.uint64))
        if original_id in self._slot_of:
            self._tombstone(original_id)
        slot = self._next_slot
        self._next_slot += 1
        self._slot_of[original_id] = slot
        self._id_of[slot] = original_id
        if slot >= len(self._sizes):
            self._sizes = np.concatenate((self._sizes, np.full(len(self._sizes), -1)))
        self._sizes[slot] = len(fps)
        self._delta_keys.append(fps)
        self._delta_ids.append(np.full(len(fps), slot, dtype=_IDS))
        self._delta_size += len(fps)
        self._delta = None
        if self._delta_size > max(_DELTA_SHARE * len(self._main), 50_000):
            self._merge()

    def remove(self, original_id: int) -> None:
        """Forget an original (no error if it is unknown)."""
        if original_id in self._slot_of:
            self._tombstone(original_id)
        self._originals.pop(original_id, None)

    def _tombstone(self, original_id: int) -> None:
        slot = self._slot_of.pop(original_id)
        del self._id_of[slot]
        self._sizes[slot] = -1
        self._dead.add(slot)

    def _merge(self) -> None:
        """Fold the delta into the main arrays and drop the postings of dead slots."""
        if not self._delta_keys and not self._dead:
            return
        dead = None
        if self._dead:
            dead = np.zeros(self._next_slot, dtype=bool)
            dead[np.fromiter(self._dead, dtype=np.intp, count=len(self._dead))] = True
        self._main = self._main.merged(np.concatenate([np.empty(0, np.uint64),
                                                       *self._delta_keys]),
                                       np.concatenate([np.empty(0, _IDS), *self._delta_ids]),
                                       dead)
        self._dead.clear()
        self._delta_keys, self._delta_ids, self._delta, self._delta_size = [], [], None, 0

    # -- queries ----------------------------------------------------------------------

    def _hits(self, hashes: Hashes) -> Slots:
        """Slots of every posting of ``hashes`` (one per shared fingerprint)."""
        if self._delta is None and self._delta_keys:
            self._delta = Postings.build(np.concatenate(self._delta_keys),
                                         np.concatenate(self._delta_ids))
        parts = [self._main] + ([self._delta] if self._delta is not None else [])
        found = [(part, *part.lookup(hashes)) for part in parts]
        counts = np.sum([n for _, _, n in found], axis=0)
        common = counts > self.max_postings  # boilerplate: across main and delta together
        hits = [part.gather(pos[keep], n[keep]) for part, pos, n in found
                if (keep := (n > 0) & ~common).any()]
        return np.concatenate(hits) if hits else np.empty(0, dtype=_IDS)

    def candidates(self, tokens: Tokens, *, min_shared: int = 2,
                   limit: int = 5) -> list[Candidate]:
        """Originals sharing at least ``min_shared`` fingerprints with the page, best first."""
        hashes = _distinct(shingle_hashes(tokens))
        slots, shared = np.unique(self._hits(hashes), return_counts=True)
        sizes = self._sizes[slots]
        keep = (shared >= min_shared) & (sizes >= 0)  # not a dead slot
        slots, shared, sizes = slots[keep], shared[keep], sizes[keep]
        containment = shared / np.maximum(sizes, 1)
        # Best first: by containment, then shared fingerprints, then the newer slot.
        ranked = np.lexsort((slots, shared, containment))[::-1].tolist()
        found = []
        for i in ranked:
            original = self.get(self._id_of[int(slots[i])])
            if original is not None:
                found.append(Candidate(original, int(shared[i]), float(containment[i])))
            if len(found) == limit:
                break
        return found

    # -- arrays in and out (files are the store's: repostwatch.store.index_cache) ------

    def to_arrays(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """The index as named arrays (merged and compact) and its settings: what
        ``from_arrays`` needs to rebuild it. ``meta["version"]`` is ``FORMAT_VERSION``."""
        self._merge()
        slots = np.fromiter(self._id_of.keys(), dtype=np.int64, count=len(self._id_of))
        ids = np.fromiter(self._id_of.values(), dtype=np.int64, count=len(self._id_of))
        arrays = {**self._main.arrays(), "slot_slots": slots, "slot_ids": ids,
                  "slot_sizes": self._sizes[slots]}
        return arrays, {"version": FORMAT_VERSION, "max_postings": self.max_postings}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any], *,
                    originals: MutableMapping[int, Original] | None = None) -> FingerprintIndex:
        """The index ``to_arrays`` described (arrays may be memory-mapped: forked workers then
        share their pages). ``ValueError`` when the arrays are of another ``FORMAT_VERSION``
        or do not fit together."""
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"index arrays of version {meta.get('version')!r}, "
                             f"not {FORMAT_VERSION}")
        index = cls(max_postings=int(meta["max_postings"]), originals=originals)
        index._main = Postings.from_arrays(arrays)
        slots = np.asarray(arrays["slot_slots"]).tolist()
        ids = np.asarray(arrays["slot_ids"]).tolist()
        index._id_of = dict(zip(slots, ids, strict=True))
        index._slot_of = dict(zip(ids, slots, strict=True))
        index._next_slot = max(slots, default=-1) + 1
        index._sizes = np.full(max(index._next_slot, 1024), -1, dtype=np.int64)
        index._sizes[slots] = arrays["slot_sizes"]
        return index
