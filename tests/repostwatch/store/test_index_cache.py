"""The index cache files: saved, memory-mapped back, stamped, and never half-read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher import FingerprintIndex, Original, tokenize
from repostwatch.store import index_cache
from tests.matcher.texts import ORIGINAL_TEXT, OTHER_TEXT


def _orig(i: int, text: str) -> Original:
    return Original(i, "Daily Planet", f"https://dp.test/{i}", f"t{i}", text)


def _index() -> FingerprintIndex:
    idx = FingerprintIndex(max_postings=7)
    for i, text in enumerate([ORIGINAL_TEXT, OTHER_TEXT], 1):
        idx.add(_orig(i, text))
    return idx


def test_save_and_memory_mapped_load(tmp_path: Path) -> None:
    index_cache.save(_index(), tmp_path / "ix", stamp="v1")
    assert index_cache.saved_stamp(tmp_path / "ix") == "v1"
    originals = {i: _orig(i, t) for i, t in enumerate([ORIGINAL_TEXT, OTHER_TEXT], 1)}
    loaded = index_cache.load(tmp_path / "ix", originals=originals)
    assert not loaded._main.keys.flags.writeable  # the read-only mapping itself, not a copy
    assert loaded.max_postings == 7 and len(loaded) == 2
    assert [c.original.id for c in loaded.candidates(tokenize(ORIGINAL_TEXT))] == [1]
    loaded.add(_orig(3, "A brand new story about " + OTHER_TEXT))  # a loaded index still grows
    assert {c.original.id for c in loaded.candidates(tokenize(OTHER_TEXT))} == {2, 3}
    assert index_cache.saved_stamp(tmp_path / "nothing") is None


def test_a_cache_of_another_version_or_half_written_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    index_cache.save(_index(), folder, stamp="v1")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "version": -1}))
    assert index_cache.saved_stamp(folder) is None
    index_cache.save(_index(), folder, stamp="v2")
    (folder / "slot_ids.npy").unlink()  # a damaged cache: the store rebuilds it
    with pytest.raises(OSError):
        index_cache.load(folder)
