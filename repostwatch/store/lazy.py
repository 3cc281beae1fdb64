"""Originals fetched from the database when the matcher needs their text, and cached.

The fingerprint index keeps only numbers in memory; an original's text is needed only when a
page shares fingerprints with it (a few per page). ``LazyOriginals`` is the mapping the index
asks: a miss reads one row, and a small LRU cache keeps the recent ones. Thread-safe (the
crawl pipeline judges pages in worker threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping

from matcher import Original

__all__ = ["LazyOriginals"]


class LazyOriginals(MutableMapping[int, Original]):
    """id → Original, loaded by ``fetch(id)`` (None when there is no such original)."""

    def __init__(self, fetch: Callable[[int], Original | None], *, size: int = 4096) -> None:
        self._fetch = fetch
        self._size = size
        self._cache: OrderedDict[int, Original] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, original_id: int) -> Original:
        with self._lock:
            if original_id in self._cache:
                self._cache.move_to_end(original_id)
                return self._cache[original_id]
        original = self._fetch(original_id)
        if original is None:
            raise KeyError(original_id)
        self[original_id] = original
        return original

    def __setitem__(self, original_id: int, original: Original) -> None:
        with self._lock:
            self._cache[original_id] = original
            self._cache.move_to_end(original_id)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def __delitem__(self, original_id: int) -> None:
        with self._lock:
            self._cache.pop(original_id, None)

    def __iter__(self) -> Iterator[int]:
        with self._lock:
            return iter(list(self._cache))

    def __len__(self) -> int:
        return len(self._cache)
