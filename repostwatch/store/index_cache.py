"""The fingerprint index's arrays on disk (``[database] index_cache``), memory-mapped back.

The matcher hands its arrays out and takes them back (``FingerprintIndex.to_arrays`` /
``from_arrays``); this module owns the files: one ``.npy`` a named array, written atomically
(each to a temporary name, then renamed), and ``meta.json`` (the matcher's format version, its
settings and the store's ``stamp``), written last, so a reader never takes a half-written
cache for a whole one. Loading memory-maps the arrays read-only: instant, and forked workers
(crawl judging processes, Dask workers) share their pages.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Literal

import numpy as np

from matcher import FingerprintIndex, Original

__all__ = ["load", "load_current", "save", "saved_stamp"]

_META = "meta.json"
_LOCK = ".lock"  # held by the one process writing the cache


def save(index: FingerprintIndex, folder: Path, *, stamp: str = "") -> None:
    """Write ``index`` to ``folder`` (created). ``stamp`` is any text the caller uses to know
    whether the saved index is still current (``saved_stamp``). Raises ``OSError``."""
    arrays, meta = index.to_arrays()
    folder.mkdir(parents=True, exist_ok=True)
    # One writer at a time: processes started together (a crawl's judging processes, check's)
    # may each rebuild a stale cache, and their temporary files had one name (one failed to
    # rename its own; interleaved, arrays of two states of the store could have mixed).
    with (folder / _LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes
        (folder / _META).unlink(missing_ok=True)  # no whole-looking cache while arrays change
        for name, array in arrays.items():
            tmp = folder / f".{name}.npy.tmp"
            with tmp.open("wb") as fh:
                np.save(fh, array)
            tmp.replace(folder / f"{name}.npy")
        tmp = folder / f".{_META}.tmp"
        tmp.write_text(json.dumps({**meta, "stamp": stamp, "arrays": sorted(arrays)}),
                       encoding="utf-8")
        tmp.replace(folder / _META)


def saved_stamp(folder: Path) -> str | None:
    """The stamp of the index saved in ``folder``, or None if none usable is there (absent,
    damaged, or written by another version of the matcher)."""
    from matcher.index import FORMAT_VERSION

    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        return None
    return str(meta.get("stamp", ""))


def load(folder: Path, *, originals: MutableMapping[int, Original] | None = None,
         mmap: bool = True) -> FingerprintIndex:
    """The index ``save`` wrote to ``folder``, memory-mapped by default. Raises ``OSError``
    when a file is missing, ``ValueError`` (or ``KeyError``) when the files do not fit."""
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    mode: Literal["r"] | None = "r" if mmap else None
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode=mode) for name in meta["arrays"]}
    return FingerprintIndex.from_arrays(arrays, meta, originals=originals)


def load_current(folder: Path, stamp: str, *,
                 originals: MutableMapping[int, Original] | None = None) -> FingerprintIndex | None:
    """The index saved in ``folder`` if its stamp is ``stamp``, else None (absent, stale,
    damaged or of another matcher version: the caller rebuilds it)."""
    if saved_stamp(folder) != stamp:
        return None
    try:
        return load(folder, originals=originals)
    except (OSError, ValueError, KeyError):
        return None
