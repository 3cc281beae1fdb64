from __future__ import annotations

from matcher import FingerprintIndex, Original, tokenize
from matcher.index import SHINGLE_WORDS, WINDOW, shingle_hashes, winnow

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
    words = tokenize(ORIGINAL_TEXT).words
    fps = winnow(shingle_hashes(words))
    run = SHINGLE_WORDS + WINDOW - 1
    for start in range(len(words) - run + 1):
        assert set(shingle_hashes(words[start : start + run])) & fps


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
