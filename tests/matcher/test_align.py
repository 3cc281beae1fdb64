from __future__ import annotations

import random
from collections import Counter

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from matcher.align import align
from matcher.text import tokenize

from .reference import longest_common_run
from .texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, OTHER_TEXT


def test_verbatim_copy_inside_chrome_is_fully_covered() -> None:
    page = "Home Sport Weather\n" + ORIGINAL_TEXT + "\nShare this: Facebook Twitter"
    result = align(tokenize(ORIGINAL_TEXT), tokenize(page))
    assert result.coverage == 1.0
    assert len(result.passages) == 1
    p = result.passages[0]
    # A passage runs from its first to its last word (closing punctuation is not a word).
    assert page[p.page_start : p.page_end] == ORIGINAL_TEXT.rstrip(".")
    assert p.similarity == 1.0


def test_swapped_paragraphs_and_inserted_ads_keep_coverage() -> None:
    paras = list(ORIGINAL_PARAGRAPHS)
    paras[1], paras[4] = paras[4], paras[1]
    paras.insert(3, "ADVERTISEMENT Buy two mattresses and get a free pillow today only")
    result = align(tokenize(ORIGINAL_TEXT), tokenize("\n".join(paras)))
    assert result.coverage > 0.97
    assert len(result.passages) >= 3


def test_light_edits_stay_in_one_passage() -> None:
    edited = ORIGINAL_TEXT.replace("Tuesday", "Wednesday").replace("rotted", "decayed")
    result = align(tokenize(ORIGINAL_TEXT), tokenize(edited))
    assert result.coverage > 0.97
    assert len(result.passages) == 1
    assert result.passages[0].similarity < 1.0


def test_partial_copy_has_partial_coverage() -> None:
    part = "\n".join(ORIGINAL_PARAGRAPHS[:2])
    result = align(tokenize(ORIGINAL_TEXT), tokenize(part))
    expected = len(tokenize(part)) / len(tokenize(ORIGINAL_TEXT))
    assert abs(result.coverage - expected) < 0.02


def test_unrelated_text_has_no_passages() -> None:
    result = align(tokenize(ORIGINAL_TEXT), tokenize(OTHER_TEXT))
    assert result.passages == ()
    assert result.coverage == 0.0


WORDS = [f"w{i}" for i in range(40)]


@settings(max_examples=150, deadline=None)
@given(
    original=st.lists(st.sampled_from(WORDS), min_size=5, max_size=80),
    prefix=st.lists(st.sampled_from(WORDS), max_size=30),
    suffix=st.lists(st.sampled_from(WORDS), max_size=30),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
)
def test_never_misses_a_shared_run_the_reference_finds(
    original: list[str], prefix: list[str], suffix: list[str], cut: tuple[int, int]
) -> None:
    # Precondition of the aligner (documented in align.py): a 4-word seed repeated more than
    # four times in the original is boilerplate noise and is not used as evidence.
    grams = Counter(tuple(original[i : i + 4]) for i in range(len(original) - 3))
    assume(max(grams.values(), default=0) <= 4)
    lo, hi = sorted(cut)
    page = prefix + original[lo:hi] + suffix
    o, p = tokenize(" ".join(original)), tokenize(" ".join(page))
    result = align(o, p, min_passage_words=8)
    reference = longest_common_run(o.words, p.words)
    if reference >= 8:
        assert result.longest_words >= reference
    assert 0.0 <= result.coverage <= 1.0
    for passage in result.passages:
        assert passage.words >= 8


def test_random_filler_is_not_a_copy() -> None:
    rng = random.Random(7)
    vocab = [f"word{i}" for i in range(3000)]
    a = " ".join(rng.choice(vocab) for _ in range(400))
    b = " ".join(rng.choice(vocab) for _ in range(400))
    assert align(tokenize(a), tokenize(b)).passages == ()
