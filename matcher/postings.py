"""Postings: which slots hold each fingerprint, in flat numpy arrays found in a few steps.

The arrays are laid out like a compressed sparse row matrix: ``keys`` holds each distinct
fingerprint once, sorted; the slots of ``keys[i]`` are ``slots[starts[i] : starts[i + 1]]``.
One look-up gives a fingerprint's position and its number of postings (the boilerplate test)
at once. A ``directory`` over the top bits of the fingerprints (about ``_KEYS_PER_BUCKET``
distinct fingerprints a bucket; fingerprints are well-mixed hashes) narrows each look-up to
a handful of keys before a vectorised binary search: at 100,000 originals this touches ~3
cache lines a fingerprint instead of the ~25 of a binary search over the whole array. A
small index (``_SEARCHED_WHOLE``) is searched whole: there the cache holds it anyway.

Merging a batch of new postings costs one pass over the arrays (no re-sorting), which keeps
building an index from stored fingerprints linear in practice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .text import Hashes

__all__ = ["Postings", "Slots"]

Slots = npt.NDArray[np.uint32]
"""Slot numbers (a slot stands for one version of one original)."""
_Index = npt.NDArray[np.intp]

_KEYS_PER_BUCKET = 4
_SEARCHED_WHOLE = 1 << 20
"""Up to this many distinct fingerprints (8 MB of keys), one ``np.searchsorted`` over all of
them beats the bucket search: its upper levels stay in the CPU's cache and a page's
fingerprints come sorted, so each search starts where the last one ended (measured: 2.7x
faster at 18,000 keys, 1.5x at 220,000, even at 1.9 million). Past it the directory saves the
cache misses."""
ARRAYS = ("keys", "starts", "slots", "directory")
"""The names of the arrays a ``Postings`` is made of, in field order."""


def _offsets(values: npt.ArrayLike, total: int) -> npt.NDArray[np.unsignedinteger]:
    """``values`` as the smallest unsigned type that holds ``total`` (uint32 at archive scale)."""
    return np.asarray(values).astype(np.uint32 if total < 2**32 else np.uint64)


def _starts(counts: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.unsignedinteger]:
    """Offsets of groups of ``counts`` postings (one more entry), without wider temporaries."""
    starts = np.zeros(len(counts) + 1, dtype=counts.dtype)
    np.cumsum(counts, out=starts[1:])
    return starts


def _directory(keys: Hashes) -> npt.NDArray[np.unsignedinteger]:
    """Index of the first key of every top-bits bucket (``2**bits + 1`` entries)."""
    bits = max(len(keys) // _KEYS_PER_BUCKET, 1).bit_length() - 1
    counts = np.zeros(1 << bits, dtype=np.int64)
    if bits:
        shift = np.uint64(64 - bits)
        for at in range(0, len(keys), 1 << 22):  # in chunks: a bounded temporary array
            counts += np.bincount((keys[at : at + (1 << 22)] >> shift).astype(np.intp),
                                  minlength=1 << bits)
    else:
        counts[0] = len(keys)
    return _offsets(np.concatenate(([0], np.cumsum(counts))), len(keys))


@dataclass(frozen=True)
class Postings:
    """Sorted distinct fingerprints, their postings' slots, and the directory over them."""

    keys: Hashes
    starts: npt.NDArray[np.unsignedinteger]
    slots: Slots
    directory: npt.NDArray[np.unsignedinteger]

    @classmethod
    def empty(cls) -> Postings:
        keys = np.empty(0, dtype=np.uint64)
        return cls(keys, _offsets([0], 0), np.empty(0, dtype=np.uint32), _directory(keys))

    @classmethod
    def build(cls, keys: Hashes, slots: Slots) -> Postings:
        """Postings of ``keys[i]`` → ``slots[i]`` (in any order)."""
        return cls.empty().merged(keys, slots)

    def __len__(self) -> int:
        """The number of postings."""
        return len(self.slots)

    def lookup(self, hashes: Hashes) -> tuple[_Index, _Index]:
        """For each hash: its position in ``keys`` and its number of postings (0: absent)."""
        n = len(self.keys)
        if n == 0 or len(hashes) == 0:
            zero = np.zeros(len(hashes), dtype=np.intp)
            return zero, zero
        lo = (np.searchsorted(self.keys, hashes) if n <= _SEARCHED_WHOLE
              else self._bucket_search(hashes))
        found = lo < n
        found[found] = self.keys[lo[found]] == hashes[found]
        pos = np.where(found, lo, 0)
        counts = np.where(found, self.starts[pos + 1].astype(np.intp)
                          - self.starts[pos].astype(np.intp), 0)
        return pos, counts

    def _bucket_search(self, hashes: Hashes) -> _Index:
        """``np.searchsorted(self.keys, hashes)``, each hash searched in its directory bucket
        only (a vectorised binary search over a handful of keys)."""
        n = len(self.keys)
        bits = (len(self.directory) - 1).bit_length() - 1  # 2**bits + 1 entries
        bucket = ((hashes >> np.uint64(64 - bits)).astype(np.intp) if bits
                  else np.zeros(len(hashes), dtype=np.intp))
        lo = self.directory[bucket].astype(np.intp)
        hi = self.directory[bucket + 1].astype(np.intp)
        for _ in range(int((hi - lo).max()).bit_length()):
            mid = (lo + hi) >> 1
            less = self.keys[np.minimum(mid, n - 1)] < hashes
            lo = np.where(less & (lo < hi), mid + 1, lo)
            hi = np.where(less, hi, mid)
        return lo

    def gather(self, pos: _Index, counts: _Index) -> Slots:
        """The slots of every posting of the keys at ``pos`` (``counts`` postings each)."""
        total = int(counts.sum())
        if not total:
            return np.empty(0, dtype=np.uint32)
        first = self.starts[pos].astype(np.intp)
        return self.slots[np.repeat(first - np.cumsum(counts) + counts, counts)
                          + np.arange(total)]

    def merged(self, keys: Hashes, slots: Slots,
               dead: npt.NDArray[np.bool_] | None = None) -> Postings:
        """These postings plus ``keys[i]`` → ``slots[i]``, without the postings of slots
        marked in ``dead`` (a mask indexed by slot). One pass over the arrays: the new
        postings are sorted and inserted, existing ones are not re-sorted."""
        order = np.argsort(keys, kind="stable")
        new_keys, new_slots = keys[order], slots[order].astype(np.uint32)
        del order  # temporaries go as soon as they are used: at 100,000 originals each is
        head = np.ones(len(new_keys), dtype=bool)  # as large as a quarter of the index
        head[1:] = new_keys[1:] != new_keys[:-1]
        distinct = new_keys[head]
        added = np.diff(np.append(np.flatnonzero(head), len(new_keys)))
        del new_keys, head
        pos = np.searchsorted(self.keys, distinct)
        known = pos < len(self.keys)
        known[known] = self.keys[pos[known]] == distinct[known]
        # New postings go after those of their key, or where their new key goes.
        at = self.starts[pos + known].astype(np.intp)
        all_slots = np.insert(self.slots, np.repeat(at, added), new_slots)
        del at, new_slots
        wide: type[np.unsignedinteger[Any]] = np.uint32 if len(all_slots) < 2**32 else np.uint64
        counts = np.diff(self.starts).astype(wide, copy=False)
        counts[pos[known]] += added[known].astype(wide)
        fresh = ~known
        all_keys = np.insert(self.keys, pos[fresh], distinct[fresh])
        counts = np.insert(counts, pos[fresh], added[fresh].astype(wide))
        del pos, known, fresh, distinct, added
        if dead is not None and len(all_slots) and dead.any():
            live = ~dead[all_slots]
            firsts = _starts(counts)[:-1].astype(np.intp)
            counts = np.add.reduceat(live, firsts, dtype=wide)
            all_slots = all_slots[live]
            all_keys, counts = all_keys[counts > 0], counts[counts > 0]
        starts = _starts(counts)
        del counts
        return Postings(all_keys, starts, all_slots, _directory(all_keys))

    # -- arrays in and out (files are the store's: repostwatch.store.index_cache) ------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays by name, to be saved by the caller (``from_arrays`` reads them back)."""
        return {name: getattr(self, name) for name in ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Postings:
        """Postings over ``arrays`` as ``arrays()`` gave them (memory-mapped ones too, used as
        they are). ``ValueError`` when they do not fit together."""
        postings = cls(*(np.asarray(arrays[name]) for name in ARRAYS))
        if len(postings.starts) != len(postings.keys) + 1 or (
                len(postings.directory) - 1) & (len(postings.directory) - 2):
            raise ValueError("inconsistent index arrays")
        return postings
