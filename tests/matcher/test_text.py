from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from matcher.text import normalize_space, token_hash, tokenize

from . import reference


def test_tokens_are_normalised_and_keep_offsets() -> None:
    text = "«Hello», WORLD — it’s Ｆｕｌｌwidth."
    toks = tokenize(text)
    assert toks.words == ("hello", "world", "it's", "fullwidth")
    for word, (start, end) in zip(toks.words, toks.spans, strict=True):
        assert tokenize(text[start:end]).words == (word,)


def test_cjk_is_split_per_character_and_cyrillic_per_word() -> None:
    assert tokenize("东京大学").words == ("东", "京", "大", "学")
    assert tokenize("Источник: Новости дня").words == ("источник", "новости", "дня")


def test_token_hash_is_stable_and_64_bit() -> None:
    # Pinned: fingerprints are persisted in the store, so a change of hash invalidates them
    # (it would need a migration that recomputes every original's fingerprints).
    assert token_hash("harbour") == 0x4FCB0DB632E24E2
    assert 0 <= token_hash("harbour") < 2**64
    assert token_hash("harbour") != token_hash("harbor")


def test_normalize_space() -> None:
    assert normalize_space("  a \n\t b  ") == "a b"


@given(st.text(max_size=200))
def test_spans_point_into_the_text(text: str) -> None:
    toks = tokenize(text)
    assert len(toks.words) == len(toks.spans)
    last = 0
    for start, end in toks.spans:
        assert last <= start < end <= len(text)
        last = end


@given(st.text(max_size=200))
def test_normalisation_is_idempotent(text: str) -> None:
    once = " ".join(tokenize(text).words)
    assert tokenize(once).words == tokenize(text).words


@given(st.text(alphabet=st.sampled_from(list("ab0_' \n.-Z9’é東京ßЖ½")), max_size=60)
       | st.text(max_size=60))
def test_fast_spans_match_the_regex(text: str) -> None:
    from matcher.text import _TOKEN_RE

    assert tokenize(text).spans == tuple(m.span() for m in _TOKEN_RE.finditer(text))


_TRICKY = [*"ab0_' \n.-Z9’é東京ßЖ½…＿ﬁİK\u0301\u3000①²", "😀", "𠀀", "𝐀"]


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=60) | st.text(max_size=80))
def test_tokenize_matches_the_regex_reference(text: str) -> None:
    toks = tokenize(text)
    assert (toks.words, toks.spans) == reference.tokenize(text)
    assert toks.hashes.tolist() == [token_hash(w) for w in toks.words]


# Beyond ASCII, only characters between words (punctuation, spaces, symbols, format
# characters: tokenising skips normalising the whole text), and characters that look alike but
# are no such thing: a mark that composes ("e" + U+0301 is "é", Tamil U+0BC6 + U+0BBE is one
# letter), symbols whose normal form is a word or an apostrophe ("™" is "TM", "＇" is "'",
# "＿" is "_"), a diaeresis that is a space and a combining mark, a letter.
_BETWEEN_WORDS = [*"aZ0_' .\n-’", *"·—“”\u00a0…\u200b\u00ad€😀\u2028"]
_LOOK_ALIKE = [*"™＇＿¨é\u0301\u0bbe\u0bc6\ufe0f", "ℌ"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_BETWEEN_WORDS * 4 + _LOOK_ALIKE), max_size=60).map("".join))
# "…" grows by two characters in the normal form, two composed "é" take them back: the whole
# text keeps its length and its number of tokens, and its words are the normal ones.
@example("x… y e\u0301 e\u0301 z")
# "＿" is "_" in the normal form: it joins "a" and "b" and makes a token of its own.
@example("a＿b ＿")
@example("It’s")
def test_punctuation_beyond_ascii_tokenizes_as_the_reference(text: str) -> None:
    toks = tokenize(text)
    assert (toks.words, toks.spans) == reference.tokenize(text)
    assert toks.hashes.tolist() == [token_hash(w) for w in toks.words]


def test_the_class_table_is_the_class_of_every_code_point() -> None:
    """The vectorised table of the Basic Multilingual Plane gives each code point the class the
    token pattern's rules give it, one character at a time (word, CJK, apostrophe, other)."""
    from matcher.text import _bmp_classes, _class_of

    table = _bmp_classes().tolist()
    wrong = [c for c in range(0x10000) if table[c] != _class_of(chr(c))]
    assert wrong == []
    assert len(set(table)) == 4  # every class occurs
