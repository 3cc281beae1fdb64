"""The scale benchmark's data generator: deterministic, the sizes asked for, honest labels.

Trained on a small made-up corpus (no files needed): a few dozen words in random sentences,
enough for an order-2 chain that does not just copy its training text, plus one stretch that it
does copy.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from benchmarks.generate import (
    COPY_KINDS,
    EXCERPT_MIN_WORDS,
    KIND_SHARES,
    PARAGRAPHS,
    REPOST_FOOTER,
    RUN_LIMIT_WORDS,
    STOCK_PHRASES,
    Archive,
    LabelledPage,
    MarkovChain,
    SynthOriginal,
    make_pages,
)

WORDS = ("the a of to in and said that for on with was as by at from it is were year people "
         "city government report minister police market company school water plan week "
         "council health team data law night river budget").split()
# A stretch every article repeats, as a real corpus repeats its template: the chain copies it
# into originals and filler alike, and the generator must break it out of the filler.
STOCK = ("Residents of the northern valley districts gathered outside the old harbour "
         "warehouse on Tuesday evening to demand answers about the delayed bridge repairs.")
SIZE = 30
PAGES = 80
POOL = 20


def _corpus(seed: int = 1, articles: int = 10, sentences: int = 80) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(articles):
        out = []
        for _ in range(sentences):
            words = rnd.choices(WORDS, k=rnd.randint(6, 14))
            out.append(" ".join([words[0].capitalize(), *words[1:]]) + ".")
            if rnd.random() < 0.05:
                out.append(STOCK)
        texts.append(" ".join(out))
    return texts


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+(?:['’]\w+)*", text.casefold())


def _grams(text: str, k: int) -> set[tuple[str, ...]]:
    t = _tokens(text)
    return {tuple(t[i : i + k]) for i in range(len(t) - k + 1)}


@pytest.fixture(scope="module")
def chain() -> MarkovChain:
    return MarkovChain(_corpus())


@pytest.fixture(scope="module")
def archive(chain: MarkovChain) -> Archive:
    return Archive(chain, SIZE, seed=3)


@pytest.fixture(scope="module")
def pages(archive: Archive) -> list[LabelledPage]:
    return make_pages(archive, PAGES, seed=3, pool=POOL)


def test_same_seed_same_data(chain: MarkovChain, archive: Archive,
                             pages: list[LabelledPage]) -> None:
    again = Archive(chain, SIZE, seed=3)
    assert [o.text for o in again] == [o.text for o in archive]
    assert make_pages(again, PAGES, seed=3, pool=POOL) == pages
    other = Archive(chain, SIZE, seed=4)
    assert [o.text for o in other] != [o.text for o in archive]


def test_archive_sizes(archive: Archive) -> None:
    originals = list(archive)
    assert len(originals) == SIZE == len(archive)
    assert [o.id for o in originals] == list(range(1, SIZE + 1))
    assert len({o.url for o in originals}) == SIZE
    assert len({o.title for o in originals}) == SIZE
    for o in originals:
        words = len(o.text.split())
        assert 500 <= words <= 800, words
        body = [p for p in o.paragraphs if p != REPOST_FOOTER]
        assert 3 <= len(body) <= PARAGRAPHS[1], len(body)


def test_pages_sizes_and_labels(pages: list[LabelledPage]) -> None:
    assert len(pages) == PAGES
    kinds = Counter(p.kind for p in pages)
    assert set(kinds) == set(KIND_SHARES)
    for kind, share in KIND_SHARES.items():
        assert abs(kinds[kind] - share * PAGES) <= 1, kind
    for p in pages:
        if p.kind in COPY_KINDS:
            assert p.original_id is not None and 1 <= p.original_id <= POOL
        else:
            assert p.original_id is None
    assert len({p.url for p in pages}) == PAGES


def _original(archive: Archive, page: LabelledPage) -> SynthOriginal:
    assert page.original_id is not None
    return archive.original(page.original_id - 1)


def test_copies_contain_their_original(archive: Archive, pages: list[LabelledPage]) -> None:
    for page in pages:
        if page.kind not in COPY_KINDS:
            continue
        original = _original(archive, page)
        lines = set(page.text.split("\n"))
        present = [p in lines for p in original.paragraphs]
        if page.kind in ("full", "ads"):
            assert all(present), page.kind
        elif page.kind == "partial":
            assert present[0] and not present[-1]
        elif page.kind == "excerpt":
            copied = [p for p in original.paragraphs if p in lines]
            assert 1 <= len(copied) <= 2
            assert sum(len(p.split()) for p in copied) >= EXCERPT_MIN_WORDS
        else:  # edited: most of the text, not verbatim
            assert not all(present)
            grams = _grams(original.text, 8)
            assert len(grams & _grams(page.text, 8)) >= 0.4 * len(grams)


def test_other_pages_omit_every_original(archive: Archive, pages: list[LabelledPage]) -> None:
    shared = {*archive.quotes, *STOCK_PHRASES, REPOST_FOOTER}
    runs = set().union(*(_grams(o.text, RUN_LIMIT_WORDS) for o in archive))
    for page in pages:
        lines = page.text.split("\n")
        planted = [line for line in lines if line in shared]
        if page.kind in COPY_KINDS:
            # the filler around the copy holds no run of another original either
            original = _original(archive, page)
            filler = [line for line in lines
                      if line not in original.paragraphs and line != original.title]
            if page.kind != "edited":
                assert not (_grams("\n".join(filler), RUN_LIMIT_WORDS) & runs), page.kind
            continue
        assert len(planted) == (page.kind == "quote")
        rest = "\n".join(line for line in lines if line not in shared)
        assert not (_grams(rest, RUN_LIMIT_WORDS) & runs), page.kind
