from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.postings import Postings

# Few distinct values, spread over the whole 64-bit range (fingerprints are mixed hashes),
# so that batches share keys and the directory has several buckets.
KEYS = st.sampled_from([(i * 0x9E3779B97F4A7C15) % 2**64 for i in range(40)] + [0, 2**64 - 1])
BATCH = st.lists(st.tuples(KEYS, st.integers(0, 9)), max_size=30)


def _arrays(batch: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([k for k, _ in batch], dtype=np.uint64),
            np.array([s for _, s in batch], dtype=np.uint32))


def _contents(p: Postings, queries: list[int]) -> dict[int, Counter[int]]:
    pos, counts = p.lookup(np.array(queries, dtype=np.uint64))
    return {q: Counter(p.gather(pos[i : i + 1], counts[i : i + 1]).tolist())
            for i, q in enumerate(queries)}


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(BATCH, min_size=1, max_size=5),
       dead=st.lists(st.sets(st.integers(0, 9)), min_size=5, max_size=5),
       queries=st.lists(KEYS | st.integers(0, 2**64 - 1), max_size=20))
def test_merges_and_lookups_match_a_dict(batches: list[list[tuple[int, int]]],
                                         dead: list[set[int]], queries: list[int]) -> None:
    """Reference: a dict key → Counter of slots, merged batch by batch, dead slots dropped."""
    postings, reference = Postings.empty(), {}  # type: ignore[var-annotated]
    for batch, gone in zip(batches, dead, strict=False):
        mask = np.zeros(10, dtype=bool)
        mask[list(gone)] = True
        postings = postings.merged(*_arrays(batch), mask)
        for key, slot in batch:
            reference.setdefault(key, Counter())[slot] += 1
        reference = {k: Counter({s: n for s, n in c.items() if s not in gone})
                     for k, c in reference.items()}
        reference = {k: c for k, c in reference.items() if c}
        assert postings.keys.tolist() == sorted(reference)
        assert len(postings) == sum(c.total() for c in reference.values())
        got = _contents(postings, [*queries, *reference])
        assert got == {q: reference.get(q, Counter()) for q in [*queries, *reference]}


def test_arrays_round_trip() -> None:
    keys = np.array([5, 2**63, 5, 7, 2**64 - 1], dtype=np.uint64)
    postings = Postings.build(keys, np.array([1, 2, 3, 1, 4], dtype=np.uint32))
    loaded = Postings.from_arrays(postings.arrays())
    assert _contents(loaded, [5, 7, 8, 2**63, 2**64 - 1]) == {
        5: Counter({1: 1, 3: 1}), 7: Counter({1: 1}), 8: Counter(),
        2**63: Counter({2: 1}), 2**64 - 1: Counter({4: 1})}


def test_the_directory_narrows_a_large_index() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 2**64, size=50_000, dtype=np.uint64)
    postings = Postings.build(keys, np.arange(50_000, dtype=np.uint32))
    assert len(postings.directory) - 1 >= 50_000 // 8  # buckets of a few keys
    pos, counts = postings.lookup(keys[::7])
    assert (postings.keys[pos] == keys[::7]).all() and (counts >= 1).all()
    assert postings.gather(pos, counts).tolist() == list(range(0, 50_000, 7))


def test_crowded_buckets_are_searched_too() -> None:
    # Keys that are not mixed hashes all fall into the first bucket of the directory.
    keys = np.arange(0, 3_000, 3, dtype=np.uint64)
    postings = Postings.build(keys, np.arange(1_000, dtype=np.uint32))
    pos, counts = postings.lookup(np.arange(0, 3_000, dtype=np.uint64))
    assert counts.tolist() == [1 if k % 3 == 0 else 0 for k in range(3_000)]
    assert postings.gather(pos, counts).tolist() == list(range(1_000))


def test_arrays_that_do_not_fit_are_refused() -> None:
    postings = Postings.build(np.array([5, 7], dtype=np.uint64), np.array([1, 2], dtype=np.uint32))
    arrays = postings.arrays()
    with pytest.raises(ValueError, match="inconsistent"):
        Postings.from_arrays({**arrays, "starts": arrays["starts"][:-1]})


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(KEYS | st.integers(0, 2**64 - 1), min_size=1, max_size=200),
       queries=st.lists(KEYS | st.integers(0, 2**64 - 1), min_size=1, max_size=50))
def test_the_bucket_search_of_large_indexes_finds_what_a_whole_search_finds(
        keys: list[int], queries: list[int]) -> None:
    """Indexes past ``_SEARCHED_WHOLE`` distinct fingerprints (none in the other tests) are
    searched bucket by bucket: the same positions as one search over every key."""
    postings = Postings.build(np.array(keys, dtype=np.uint64),
                              np.zeros(len(keys), dtype=np.uint32))
    hashes = np.array(sorted(queries), dtype=np.uint64)  # a page's fingerprints come sorted
    assert postings._bucket_search(hashes).tolist() == np.searchsorted(
        postings.keys, hashes).tolist()
