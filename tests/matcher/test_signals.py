"""The fast paths of credit-evidence collection, checked against the plain ones."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import CreditRule
from matcher.signals import (
    _CASE_ODDITIES,
    _LEGAL,
    _LEGAL_STARTS,
    _OURS_ONLY,
    _OURS_STARTS,
    _SOURCE_LINE,
    _SOURCE_STARTS,
    _copied_title,
    _finditer,
    _fuzzy_names,
    _name_pattern,
    _names_in,
    _outside,
    _Scope,
)

from .page_reference import boilerplate, fuzzy_names

_PIECES = [
    "Source: The Daily Planet", "SOURCES : x", "quellen:", "Fuente: y", "fonte :", "ИСТОЧНИК: z",
    "courtesy of ", "Reprinted with permission from ", "originally published on ",
    "First appeared in ", "read the original article at ", "erschien zuerst bei ",
    "Publié initialement sur ", "publicado primero por ", "Впервые опубликовано на ",
    "по материалам ", "via ", "VIA", "© 2024 ", "(C) ", "sourced", "resource:", "ſource: ",
    "İ", "ı", "ᲀ", " ", "\n", "\t", "a", "Planet", "2024", ":", "-", "é", "ß",
    "Copyright 2024 X. All rights reserved. ", "Terms of Use", "terms of service ",
    "under license ", "Alle Rechte vorbehalten", "Все права защищены", "Privacy Policy",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=25) | st.lists(st.text(max_size=5)))
def test_fast_finditer_finds_what_finditer_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    for pattern, starts in ((_SOURCE_LINE, _SOURCE_STARTS), (_OURS_ONLY, _OURS_STARTS),
                            (_LEGAL, _LEGAL_STARTS)):
        assert [(m.span(), m.group()) for m in _finditer(pattern, starts, text)] == [
            (m.span(), m.group()) for m in pattern.finditer(text)]


def test_case_oddities_are_all_the_characters_lower_does_not_map() -> None:
    """Every character that IGNORECASE matches to a character of the starts, although its
    lower() is not that character, must send the text to the plain finditer."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    ascii_names = "abcdefghijklmnopqrstuvwxyz0123456789"  # _names_in searches ASCII names fast
    for char in set("".join((*_SOURCE_STARTS, *_OURS_STARTS, *_LEGAL_STARTS, ascii_names))):
        for other in set(re.findall(re.escape(char), every, re.IGNORECASE)):
            assert other.lower() == char or _CASE_ODDITIES.fullmatch(other), (char, other)


def test_outside_ignores_positions_in_any_span() -> None:
    assert _outside([0, 5, 10, 15, 20], [(4, 11), (9, 16)]) == [0, 4]
    assert _outside([1, 2], []) == [0, 1]


_RULE = CreditRule("The Daily Planet", aliases=("Daily Planet", "DP"), domains=("dp.test",))
_WORDS = ["The", "Daily", "Planet", "Plantet", "Dialy", "daily", "planet", "the", "news",
          "dp.test", "DP", "Daily-Planet", "Daily Planet", "x", "Копия", "İ", "ſ"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*_PIECES, *_WORDS, "\n", "\n", " ", " "]), max_size=60))
def test_boilerplate_is_what_the_line_by_line_search_finds(pieces: list[str]) -> None:
    """Every position of the text is boilerplate exactly when a line of the reference's holds
    it (asked in an order of their own: each line is judged once, when first asked)."""
    text = "".join(pieces)
    spans = boilerplate(text)
    scope = _Scope((), 0, text, "")
    for pos in sorted(range(len(text) + 1), key=lambda p: (p * 7919) % (len(text) + 1)):
        held = next(((s, e) for s, e in spans if s <= pos < e), None)
        hit = scope.rejected(pos)
        assert (hit[:2] if hit else None) == held, pos
        assert scope.counts(pos) == (held is None)


@settings(max_examples=400)
@given(st.lists(st.sampled_from([*_WORDS, " ", " ", "\n", ", ", "-"]), max_size=80),
       st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)), max_size=3),
       st.sampled_from([0, 5, 20, 300]))
def test_fuzzy_names_see_the_words_the_full_word_list_holds(
        pieces: list[str], spans: list[tuple[int, int]], reach: int) -> None:
    text = "".join(pieces)
    copied = [(s, s + n) for s, n in spans]
    scope = _Scope(copied, reach, text, "")
    assert _fuzzy_names(text, _RULE, scope) == fuzzy_names(
        text, _RULE.names, copied, reach, scope.counts, scope.near)


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*_WORDS, *_PIECES, " ", "\n"]), max_size=50))
def test_names_are_found_where_the_pattern_finds_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    names = (*_RULE.names, *_RULE.domains)
    pattern = _name_pattern(names)
    assert pattern is not None
    assert [m.span() for m in _names_in(pattern, names, text)] == [
        m.span() for m in pattern.finditer(text)]


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*_WORDS, *_PIECES, " ", "\n", "Gift", "Guide"]), max_size=50),
       st.sampled_from(["The Daily Planet Gift Guide", "daily planet  news", "Копия the Daily",
                        "İ daily planet", "x: The Daily", "Planet"]))
def test_copied_title_is_found_where_the_title_pattern_finds_it(pieces: list[str],
                                                                title: str) -> None:
    text = "".join(pieces)
    plain = r"\s+".join(re.escape(w) for w in title.split())
    expected = [m.span() for m in re.finditer(plain, text, re.IGNORECASE)]
    assert _copied_title(text, title) == (expected if len(title.split()) >= 3 else [])
