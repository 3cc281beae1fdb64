"""The fast paths of credit-evidence collection, checked against the plain ones."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.signals import (
    _CASE_ODDITIES,
    _OURS_ONLY,
    _OURS_STARTS,
    _SOURCE_LINE,
    _SOURCE_STARTS,
    _finditer,
    _outside,
)

_PIECES = [
    "Source: The Daily Planet", "SOURCES : x", "quellen:", "Fuente: y", "fonte :", "ИСТОЧНИК: z",
    "courtesy of ", "Reprinted with permission from ", "originally published on ",
    "First appeared in ", "read the original article at ", "erschien zuerst bei ",
    "Publié initialement sur ", "publicado primero por ", "Впервые опубликовано на ",
    "по материалам ", "via ", "VIA", "© 2024 ", "(C) ", "sourced", "resource:", "ſource: ",
    "İ", "ı", "ᲀ", " ", "\n", "\t", "a", "Planet", "2024", ":", "-", "é", "ß",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=25) | st.lists(st.text(max_size=5)))
def test_fast_finditer_finds_what_finditer_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    for pattern, starts in ((_SOURCE_LINE, _SOURCE_STARTS), (_OURS_ONLY, _OURS_STARTS)):
        assert [(m.span(), m.group("tail")) for m in _finditer(pattern, starts, text)] == [
            (m.span(), m.group("tail")) for m in pattern.finditer(text)]


def test_case_oddities_are_all_the_characters_lower_does_not_map() -> None:
    """Every character that IGNORECASE matches to a character of the starts, although its
    lower() is not that character, must send the text to the plain finditer."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for char in set("".join((*_SOURCE_STARTS, *_OURS_STARTS))):
        for other in set(re.findall(re.escape(char), every, re.IGNORECASE)):
            assert other.lower() == char or _CASE_ODDITIES.fullmatch(other), (char, other)


def test_outside_ignores_positions_in_any_span() -> None:
    assert _outside([0, 5, 10, 15, 20], [(4, 11), (9, 16)]) == [0, 4]
    assert _outside([1, 2], []) == [0, 1]
