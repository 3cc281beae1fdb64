from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import FingerprintIndex, Original, tokenize
from matcher.index import SHINGLE_WORDS, WINDOW, shingle_hashes, winnow

from .reference import shares_plain_window
from .texts import ORIGINAL_TEXT, OTHER_TEXT


def _orig(i: int, text: str) -> Original:
    return Original(i, "P", f"https://p.test/{i}", f"t{i}", text)


def test_candidates_find_the_copied_original_only() -> None:
    idx = FingerprintIndex()
    idx.add(_orig(1, ORIGINAL_TEXT))
    idx.add(_orig(2, OTHER_TEXT))
    found = idx.candidates(tokenize("Menu Home\n" + ORIGINAL_TEXT + "\nFooter"))
    assert [c.original.id for c in found] == [1]
    assert found[0].containment == 1.0


def test_winnowing_guarantee() -> None:
    # Any shared run of SHINGLE_WORDS + WINDOW - 1 tokens shares a fingerprint.
    tokens = tokenize(ORIGINAL_TEXT)
    fps = set(winnow(shingle_hashes(tokens)).tolist())
    run = SHINGLE_WORDS + WINDOW - 1
    for start in range(len(tokens) - run + 1):
        piece = tokenize(" ".join(tokens.words[start : start + run]))
        assert set(shingle_hashes(piece).tolist()) & fps


def test_fingerprints_round_trip_and_removal() -> None:
    o = _orig(1, ORIGINAL_TEXT)
    blob = FingerprintIndex.fingerprint(o)
    idx = FingerprintIndex()
    idx.add(o, blob)
    assert idx.candidates(tokenize(ORIGINAL_TEXT))
    idx.remove(1)
    assert len(idx) == 0 and not idx.candidates(tokenize(ORIGINAL_TEXT))


def test_boilerplate_shared_by_many_originals_is_ignored() -> None:
    footer = " Reposts are welcomed with the reference to The Daily Planet newspaper today."
    idx = FingerprintIndex(max_postings=3)
    for i in range(5):
        idx.add(_orig(i, f"Unique story number {i} about topic{i} and place{i}." + footer))
    assert idx.candidates(tokenize(footer)) == []


def test_any_shared_run_of_twelve_words_makes_a_candidate() -> None:
    # Two shared fingerprints are needed; winnowing guarantees them from 12 words on.
    idx = FingerprintIndex()
    idx.add(_orig(1, ORIGINAL_TEXT))
    words = tokenize(ORIGINAL_TEXT).words
    for start in range(len(words) - 12 + 1):
        page = "unrelated words here " + " ".join(words[start : start + 12]) + " and more"
        assert [c.original.id for c in idx.candidates(tokenize(page))] == [1], start


def test_incremental_add_edit_remove_and_merge() -> None:
    idx = FingerprintIndex()
    idx.add(_orig(1, ORIGINAL_TEXT))
    idx.add(_orig(2, OTHER_TEXT))
    page = tokenize(ORIGINAL_TEXT)
    assert [c.original.id for c in idx.candidates(page)] == [1]
    idx.add(_orig(1, OTHER_TEXT + " An edited version of the story."))  # edited in place
    assert idx.candidates(page) == []
    assert {c.original.id for c in idx.candidates(tokenize(OTHER_TEXT))} == {1, 2}
    idx.remove(2)
    assert [c.original.id for c in idx.candidates(tokenize(OTHER_TEXT))] == [1]
    idx._merge()  # dead slots are dropped from the arrays
    assert idx.postings == len(FingerprintIndex.fingerprints(idx.get(1)))  # type: ignore[arg-type]
    assert len(idx) == 1 and 2 not in idx


def test_arrays_out_and_back_in() -> None:
    idx = FingerprintIndex(max_postings=7)
    for i, text in enumerate([ORIGINAL_TEXT, OTHER_TEXT], 1):
        idx.add(_orig(i, text))
    arrays, meta = idx.to_arrays()
    originals = {i: _orig(i, t) for i, t in enumerate([ORIGINAL_TEXT, OTHER_TEXT], 1)}
    loaded = FingerprintIndex.from_arrays(arrays, meta, originals=originals)
    assert loaded.max_postings == 7 and len(loaded) == 2
    assert [c.original.id for c in loaded.candidates(tokenize(ORIGINAL_TEXT))] == [1]
    loaded.add(_orig(3, "A brand new story about " + OTHER_TEXT))  # a loaded index still grows
    assert {c.original.id for c in loaded.candidates(tokenize(OTHER_TEXT))} == {2, 3}
    with pytest.raises(ValueError, match="version"):
        FingerprintIndex.from_arrays(arrays, {**meta, "version": -1})


VOCAB = [f"w{i}" for i in range(300)]


@settings(max_examples=60, deadline=None)
@given(
    corpus=st.lists(st.lists(st.sampled_from(VOCAB), min_size=20, max_size=80),
                    min_size=1, max_size=8),
    pick=st.integers(0, 7),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
    filler=st.lists(st.sampled_from(VOCAB), max_size=40),
)
def test_index_never_misses_what_brute_force_calls_a_copy(
    corpus: list[list[str]], pick: int, cut: tuple[int, int], filler: list[str]
) -> None:
    """Reference: scan every original for a shared run of 12+ words in which no 5-word
    sequence repeats (the documented guarantee: a run of one word repeated has a single
    fingerprint). Whatever it finds, the index must return as a candidate."""
    idx = FingerprintIndex(max_postings=10_000)
    for i, words in enumerate(corpus):
        idx.add(_orig(i, " ".join(words)))
    source = corpus[pick % len(corpus)]
    lo, hi = sorted(cut)
    page_words = filler + source[lo:hi] + filler[::-1]
    page = tokenize(" ".join(page_words))
    found = {c.original.id for c in idx.candidates(page, limit=len(corpus))}
    for i, words in enumerate(corpus):
        if shares_plain_window(words, page_words):
            assert i in found
    for c in idx.candidates(page, limit=len(corpus)):
        assert 0.0 < c.containment <= 1.0


def test_the_guarantee_leaves_out_only_runs_that_repeat_themselves() -> None:
    plain = [f"w{i}" for i in range(12)]
    assert shares_plain_window(plain, ["x", *plain, "y"])
    assert not shares_plain_window(["w0"] * 20, ["w0"] * 12)  # one fingerprint only
    assert not shares_plain_window(["a", "b"] * 10, ["a", "b"] * 6)  # two, maybe one kept
    assert not shares_plain_window(plain, plain[:11])  # too short
