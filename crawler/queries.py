"""Query picking: the few sentences of an original most likely to find its copies by search.

A search engine finds a copy from an exact phrase only if the phrase is rare on the web and
survives copying. Long sentences with names and numbers are rare; short ones, and the lines
every article of a site shares ("Subscribe to our newsletter"), are not. ``pick_queries`` is
pure and deterministic: the same text gives the same queries in every process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_PHRASE_WORDS", "MIN_PHRASE_WORDS", "pick_queries"]

MIN_PHRASE_WORDS = 8  # shorter sentences are too common to find a copy with
MAX_PHRASE_WORDS = 16  # longer phrases break on small edits; search engines cap query length

# Sentence ends: . ! ? (and a closing quote or bracket) followed by space, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"\w+")
_QUOTES = re.compile(r"[\"“”„«»]")
# Site chrome and calls to action: found on every page of a site, so useless as a query.
_BOILERPLATE = re.compile(
    r"\b(?:subscribe|newsletter|sign up|log in|cookies?|advertisement|all rights reserved|"
    r"copyright|click here|read more|read also|follow us|share this|reposts are welcomed|"
    r"terms of (?:use|service)|privacy policy)\b|©",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    "a about after again against all also an and any are as at be because been before being "
    "between both but by can could did do does doing down during each few for from further "
    "had has have having he her here hers him his how i if in into is it its itself just me "
    "more most my no nor not now of off on once only or other our out over own said same she "
    "should so some such than that the their them then there these they this those through "
    "to too under until up very was we were what when where which while who whom why will "
    "with would you your".split()
)


@dataclass(frozen=True)
class _Candidate:
    score: float
    position: int  # of the sentence in the text, for a stable tie break
    phrase: str


def pick_queries(text: str, count: int, *, min_words: int = MIN_PHRASE_WORDS,
                 max_words: int = MAX_PHRASE_WORDS) -> list[str]:
    """Up to ``count`` exact-phrase queries (``"..."``) from ``text``, most distinctive first.

    Each query is a run of ``min_words``..``max_words`` words from one sentence (a longer
    sentence gives its most distinctive window), taken from different sentences. Sentences
    shorter than ``min_words`` and boilerplate (newsletter, cookies, copyright, the repost
    rule) are never used. Distinctive means: numbers, capitalised words inside the sentence
    (names), long words and few stop words. Fewer queries (none) when the text has no
    suitable sentence. Double quotes inside a phrase are dropped so the phrase stays one.
    """
    if count < 1 or min_words < 1 or max_words < min_words:
        raise ValueError("need count >= 1 and 1 <= min_words <= max_words")
    candidates = []
    for position, sentence in enumerate(_sentences(text)):
        if _BOILERPLATE.search(sentence):
            continue
        words = _WORD.findall(_QUOTES.sub("", sentence))
        words = [w for w in words if _LETTERS.search(w)]  # a lone dash is not a word
        if len(words) < min_words:
            continue
        best = _best_window(words, min(len(words), max_words))
        phrase = " ".join(words[best:best + max_words]).strip(" ,;:-–—")
        score = sum(_word_score(w, first=best + i == 0)
                    for i, w in enumerate(words[best:best + max_words]))
        candidates.append(_Candidate(score, position, phrase))
    candidates.sort(key=lambda c: (-c.score, c.position))
    picked: list[str] = []
    for c in candidates:
        query = f'"{c.phrase}"'
        if query not in picked:
            picked.append(query)
        if len(picked) == count:
            break
    return picked


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _best_window(words: list[str], size: int) -> int:
    """The start of the ``size``-word window with the highest score (the earliest on ties)."""
    scores = [_word_score(w, first=i == 0) for i, w in enumerate(words)]
    best, best_score = 0, sum(scores[:size])
    current = best_score
    for start in range(1, len(words) - size + 1):
        current += scores[start + size - 1] - scores[start - 1]
        if current > best_score + 1e-9:
            best, best_score = start, current
    return best


def _word_score(word: str, *, first: bool) -> float:
    """How much one word makes a phrase rare on the web."""
    core = "".join(_LETTERS.findall(word))
    if not core:
        return 0.0
    if any(ch.isdigit() for ch in core):
        return 2.0  # numbers, dates, amounts
    if core.lower() in _STOPWORDS:
        return 0.0
    if core[0].isupper() and not first:
        return 2.0  # a name: capitalised inside the sentence
    return 1.0 if len(core) >= 7 else 0.5
