from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.align import (
    Alignment,
    _may_reach,
    _merge,
    _run_lists,
    _runs_of,
    _select,
    align,
)
from matcher.text import Tokens, tokenize

from .reference import longest_common_run, seed_runs
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
    # Texts this small never reach the seed-pair budget (SEED_PAIRS_PER_WORD): every seed,
    # repeated or not, is used.
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


# -- originals whose lines recur (recipes, meal plans, listings, tables) ---------------------

LINES = st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9), min_size=2,
                 max_size=5)


@settings(max_examples=120, deadline=None)
@given(lines=LINES, order=st.lists(st.integers(0, 4), min_size=3, max_size=30),
       prefix=st.lists(st.sampled_from(WORDS), max_size=20),
       suffix=st.lists(st.sampled_from(WORDS), max_size=20),
       cut=st.tuples(st.integers(0, 300), st.integers(0, 300)))
def test_repeated_lines_are_aligned_like_any_text(
    lines: list[list[str]], order: list[int], prefix: list[str], suffix: list[str],
    cut: tuple[int, int],
) -> None:
    # An original made of a few lines, each said again and again, in any order.
    original = [w for n in order for w in lines[n % len(lines)]]
    o = tokenize(" ".join(original))
    # Copied whole inside other text: covered whole.
    full = align(o, tokenize(" ".join(prefix + original + suffix)))
    assert full.coverage == 1.0
    assert full.longest_words == len(original)
    # A block of it: never shorter than the longest run the slow reference finds.
    lo, hi = sorted(cut)
    p = tokenize(" ".join(prefix + original[lo:hi] + suffix))
    result = align(o, p, min_passage_words=8)
    reference = longest_common_run(o.words, p.words)
    if reference >= 8:
        assert result.longest_words >= reference
    assert 0.0 <= result.coverage <= 1.0


def meal_plan() -> list[str]:
    meals = ["Breakfast: porridge with sliced banana and a spoon of honey",
             "Breakfast: two boiled eggs on wholemeal toast with spinach",
             "Lunch: lentil soup with a slice of rye bread and a green salad",
             "Dinner: baked salmon with new potatoes and steamed broccoli",
             "Dinner: vegetable curry with brown rice and natural yoghurt"]
    lines = ["Two weeks of cheap, simple meals from our dietitian."]
    for n in range(14):
        lines += [f"Day {n + 1}", meals[n % 2], meals[2], meals[3 + n % 3 // 2]]
    return lines


def test_a_meal_plan_copied_whole_and_a_block_of_it() -> None:
    lines = meal_plan()
    o = tokenize("\n".join(lines))
    whole = align(o, tokenize("Home News Sport\n" + "\n".join(lines) + "\nShare this"))
    assert whole.coverage == 1.0 and len(whole.passages) == 1
    block = "\n".join(lines[21:33])  # three days in the middle: every meal line recurs
    lifted = align(o, tokenize("Our own story starts here.\n" + block + "\nAnd ends here."))
    assert lifted.longest_words == len(tokenize(block))
    # Placed where it was taken from: the days around it are on the same diagonal.
    p = lifted.passages[0]
    assert "\n".join(lines).find(block) == p.original_start


def test_seed_pairs_past_the_budget_drop_the_most_repeated_seeds() -> None:
    chorus = " ".join(["la la la la"] * 60)
    text = tokenize(f"the night the harbour froze over {chorus} and nobody came home")
    everything = _runs_of(_run_lists(text, text, 4, budget=10**9))
    bounded = _runs_of(_run_lists(text, text, 4, budget=2 * len(text)))
    assert len(bounded) < len(everything)
    # The rare seeds survive: the text around the chorus still aligns with itself.
    assert any(r.o0 == r.p0 == 0 and r.o1 >= 5 for r in bounded)
    assert align(text, text).coverage > 0.0
    # A budget below zero allows no pairing, whether the texts share a k-gram or not.
    for other in (text, tokenize("x y z w v")):
        assert not _run_lists(text, other, 4, budget=-1).o0


def test_own_words_count_quotations_only_inside_copied_prose() -> None:
    quote = "“the pier will stay shut for eighteen months while engineers design a new one”"
    original = (f"The harbour board met on Tuesday. The chair said {quote}, she said. "
                "Fishing crews were offered berths at the northern marina for the winter.")
    o = tokenize(original)
    own = np.array([not (original.index("“") <= s < original.index("”") + 1)
                    for s in o.starts.tolist()])
    # The quotation alone: shown as a passage, but none of its words are the original's own.
    alone = align(o, tokenize("Reports say " + quote + " in other news."), own=own)
    assert alone.passages and alone.passages[0].own_words == 0
    assert alone.own_coverage == 0.0 and alone.coverage > 0.3
    # The quotation with the prose around it: all of it counts.
    whole = align(o, tokenize(original), own=own)
    assert whole.own_coverage == whole.coverage == 1.0
    assert whole.longest_own_words == len(o)


def test_own_words_across_an_edit_do_not_make_a_quotation_a_copy() -> None:
    quote = "“the pier will stay shut for eighteen months while engineers design a new one”"
    original = f"Crews like chips, candies and pre-packaged snacks and more. {quote}, she said."
    page = (f"Crews like chips, candies and calorie intake and prevent infections. {quote}, "
            "she said.")
    o = tokenize(original)
    own = np.array([not (original.index("“") <= s < original.index("”") + 1)
                    for s in o.starts.tolist()])
    result = align(o, tokenize(page), own=own)
    # One passage (four words, an edit, the quotation), but only 4 + 6 own words in it, and
    # never 8 copied verbatim in a row: the quotation does not count.
    (passage,) = result.passages
    assert passage.own_words < passage.words
    assert result.own_coverage < 0.5 < result.coverage


@settings(max_examples=200, deadline=None)
@given(
    original=st.lists(st.sampled_from(WORDS), min_size=20, max_size=80),
    prefix=st.lists(st.sampled_from(WORDS), max_size=20),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
    edits=st.lists(st.integers(0, 79), max_size=4),
    floor=st.integers(1, 60),
)
def test_a_floor_drops_only_alignments_whose_passages_are_all_shorter(
    original: list[str], prefix: list[str], cut: tuple[int, int], edits: list[int],
    floor: int,
) -> None:
    lo, hi = sorted(cut)
    copied = original[lo:hi]
    for at in edits:  # a few words changed: passages merged across small gaps
        if at < len(copied):
            copied[at] = "edited"
    o, p = tokenize(" ".join(original)), tokenize(" ".join(prefix + copied))
    full = align(o, p, min_passage_words=8)
    floored = align(o, p, min_passage_words=8, floor=floor)
    if full.longest_words >= floor:
        assert floored == full
    else:
        assert (floored.passages, floored.coverage, floored.longest_words) == ((), 0.0, 0)


STOCK = ["plans to raise the future of", "to share the bill with the",
         "could reopen by January if", "and other households at the"]


def test_stock_phrases_scattered_over_the_original_are_no_passage_and_are_not_merged() -> None:
    """A page sharing only stock phrases with an original: close together on the page but far
    apart in the original (or the other way round), they cannot make a passage, and align
    says so before building, selecting and merging its runs (``_may_reach``)."""
    filler = iter(f"w{n}" for n in range(10_000))

    def words(n: int) -> str:
        return " ".join(next(filler) for _ in range(n))

    original = tokenize(f" {words(30)} ".join(STOCK))  # 30 words apart
    page = tokenize(" x ".join(STOCK))  # one word apart: 25 words in all
    seeded = _run_lists(original, page, 4, budget=10**9)
    assert len(seeded[0]) == len(STOCK) and not _may_reach(seeded, 8, 25)
    assert align(original, page, floor=25) == Alignment((), 0.0, 0)
    # The same phrases close together on both sides: one passage of 25 words, across edits.
    near = tokenize(" y ".join(STOCK))
    assert _may_reach(_run_lists(near, page, 4, budget=10**9), 8, 25)
    (passage,) = align(near, page, floor=25).passages
    assert passage.words == len(near) == len(page) == 25


def _crossing_texts(rng: random.Random) -> tuple[list[str], list[str]]:
    """An original and a page over a few words (runs crossing everywhere): the page random, or
    chunks of the original in any order with a word in ten changed and filler between."""
    words = WORDS[:rng.choice([2, 3, 4, 6, 10])]
    original = rng.choices(words, k=rng.randint(0, 150))
    size = rng.randint(0, 150)
    if not original or rng.random() < 0.5:
        return original, rng.choices(words, k=size)
    page: list[str] = []
    while len(page) < size:
        at = rng.randrange(len(original))
        page += [w if rng.random() > 0.1 else rng.choice(words)
                 for w in original[at : at + rng.randint(1, 30)]]
        page += rng.choices(words, k=rng.randint(0, 12))
    return original, page


def test_runs_are_every_maximal_run_of_shared_seeds_with_the_seeds_on_its_diagonal() -> None:
    """``_run_lists`` gives what pairing every k-gram with every other finds, in the same
    order (by diagonal, then position): 1,500 seeded cases over few words (runs on many
    diagonals, negative ones included), seeds of 1-5 words, with and without a budget that
    binds."""
    rng = random.Random(23)
    for _ in range(1_500):
        original, page = _crossing_texts(rng)
        k = rng.choice([1, 2, 3, 4, 5])
        budget = rng.choice([10**9, rng.randint(-1, 400)])
        runs = _run_lists(tokenize(" ".join(original)), tokenize(" ".join(page)), k, budget)
        found = list(zip(runs.o0, runs.o1, runs.d, runs.support(), strict=True))
        assert found == seed_runs(original, page, k, budget), (original, page, k, budget)


def test_may_reach_is_false_only_when_no_merged_run_reaches_the_floor() -> None:
    """``_may_reach`` bounds what ``_select`` and ``_merge`` make of the runs, never below
    it: 3,000 seeded cases over few words, seed lengths 2-5, gaps 0-12, floors 1-80 (a
    sweep that stops one run early, or a gap one short, fails here)."""
    rng = random.Random(16)
    refused = 0
    for _ in range(3_000):
        original, page = _crossing_texts(rng)
        o, p = tokenize(" ".join(original)), tokenize(" ".join(page))
        k, gap = rng.choice([2, 3, 4, 4, 5]), rng.randint(0, 12)
        floor = rng.choice([1, 2, 4, 5, 8, 12, 20, 25, 40, 80])
        seeded = _run_lists(o, p, k, budget=10**9)
        if not _may_reach(seeded, gap, floor):
            refused += 1
            merged = _merge(_select(_runs_of(seeded), len(p), k), gap)
            assert all(r.o1 - r.o0 + 1 < floor for r in merged), (original, page, k, gap, floor)
    assert refused > 500  # the bound was put to the test


def test_may_reach_gives_up_on_many_runs_over_the_same_words() -> None:
    """A phrase said many times on both sides: a run for every pairing of its places, over the
    same page words. Grouping them would cost more than building them: past 1,024 runs, or 8
    comparisons a run, the answer is "maybe" (True), though here no group reaches the floor."""
    phrase = "breakfast oats with berries and"

    def said(times: int, side: str) -> Tokens:
        return tokenize(" ".join(f"{phrase} " + " ".join(f"{side}{r}x{i}" for i in range(20))
                                 for r in range(times)))

    for times in (20, 100):  # 400 runs, each near 19 others on the page; 10,000 runs
        o, p = said(times, "a"), said(times, "b")
        seeded = _run_lists(o, p, 4, budget=10**9)
        assert len(seeded.o0) == times * times
        assert _may_reach(seeded, 8, 25)
        assert align(o, p, floor=25) == Alignment((), 0.0, 0)  # built and merged: no copy
    # Fewer places: compared, and no group of five-word runs 20 words apart reaches 25 words.
    o, p = said(3, "a"), said(3, "b")
    assert not _may_reach(_run_lists(o, p, 4, budget=10**9), 8, 25)


@pytest.mark.parametrize("copied", [0, 1])
def test_a_line_recurring_in_the_original_is_placed_where_the_text_around_it_agrees(
    copied: int,
) -> None:
    """The tie-break between equally long runs (a line said twice in the original): the run on
    the diagonal with more seeds, where the words after the line were copied too (``support``),
    whichever of the two places that is."""
    line = "porridge with sliced pears and a spoon of honey"
    after = ["first we list the week ahead of us all",
             "then a riverside lunch of lentil soup and rye bread for everyone"]
    original = tokenize(f"{line} {after[0]}. {line} {after[1]}")
    page = tokenize(f"{line} and " + after[copied].split(" ", 1)[1])  # one word edited
    (passage,) = align(original, page).passages
    place = original.text.index(line, 1) if copied else 0
    assert passage.original_start == place and passage.words == len(page)
