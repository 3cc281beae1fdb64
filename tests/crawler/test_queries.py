"""Query picking: distinctive sentences of an original, as exact-phrase queries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.queries import MAX_PHRASE_WORDS, MIN_PHRASE_WORDS, pick_queries
from crawler.sandbox.content import generate_article
from tests.matcher.texts import ORIGINAL_TEXT

TEXT = (
    "Subscribe to our newsletter for the latest news from the harbour and the town.\n"
    "It was a day.\n"
    "The council said that it would look at the matter again in the new year.\n"
    "Harbourmaster Ingrid Albescu said the 1894 grain pier at Kelmouth will close on 3 March "
    "after engineers found cracks in 14 of its oak piles.\n"
    "Reposts are welcomed with the reference to The Daily Planet and its many readers.\n"
    "Residents of Kelmouth gathered 2,300 signatures asking Councillor Bram Oduya to save it."
)


def _words(query: str) -> list[str]:
    assert query.startswith('"') and query.endswith('"') and query.count('"') == 2
    return query.strip('"').split()


def test_names_and_numbers_win_over_plain_sentences() -> None:
    queries = pick_queries(TEXT, 2)
    assert len(queries) == 2
    assert "Albescu" in queries[0] and "1894" in queries[0]
    assert "Oduya" in queries[1]


def test_boilerplate_and_short_sentences_are_never_used() -> None:
    queries = pick_queries(TEXT, 10)
    joined = " ".join(queries)
    assert "newsletter" not in joined and "Reposts" not in joined and "It was a day" not in joined
    assert len(queries) == 3  # the three real sentences, each once


def test_phrases_are_trimmed_to_the_most_distinctive_window() -> None:
    for query in pick_queries(TEXT, 10):
        assert MIN_PHRASE_WORDS <= len(_words(query)) <= MAX_PHRASE_WORDS
    first = pick_queries(TEXT, 1)[0]
    assert "Albescu" in first and first in pick_queries(TEXT, 3)  # a prefix of the ranking
    long_sentence = TEXT.splitlines()[3]
    assert " ".join(_words(first)) in long_sentence


def test_deterministic_and_quotes_inside_are_dropped() -> None:
    text = 'The mayor, Olga Pretorius, called the 2026 plan "a disgrace to Kelmouth harbour".'
    assert pick_queries(text, 2) == pick_queries(text, 2) == [
        '"The mayor, Olga Pretorius, called the 2026 plan a disgrace to Kelmouth harbour."'
    ]


def test_nothing_to_search_gives_no_queries() -> None:
    assert pick_queries("", 2) == []
    assert pick_queries("Too short. Also short. Read more here please now today.", 2) == []
    with pytest.raises(ValueError, match="count"):
        pick_queries(TEXT, 0)


def test_real_articles_give_distinct_queries_from_their_own_text() -> None:
    for text in (ORIGINAL_TEXT, "\n\n".join(generate_article(3).paragraphs)):
        queries = pick_queries(text, 3)
        assert len(queries) == 3 == len(set(queries))
        flat = " ".join(text.split())
        for q in queries:
            assert q.strip('"') in flat.replace('"', "")


@given(st.text(max_size=400), st.integers(1, 5))
def test_never_more_than_asked_and_always_well_formed(text: str, count: int) -> None:
    queries = pick_queries(text, count)
    assert len(queries) <= count
    for q in queries:
        assert MIN_PHRASE_WORDS <= len(_words(q)) <= MAX_PHRASE_WORDS
