"""What an article does not write itself: quotations and statements it attributes to others.

Independent reports of one event quote the same statement, press release or figures, often at
length; those words belong to the speaker, not to either report, so sharing them does not make
one report a copy of the other. ``attributed_spans`` finds them in an original's text:

- **quotations**: five words or more between quotation marks of any common style — “…” ‘…’
  "…" «…» »…« „…“ „…” ‚…‘ ‹…› 「…」 『…』 — nested quotes inside the outermost pair, a short
  attribution in the same sentence (", the ministry said."), and a quotation that
  runs over several paragraphs by the usual convention (each paragraph reopens the quote, only
  the last one closes it). A mark left open at the end of a paragraph without that convention
  is a typo, not a quotation, and marks nothing. ``’`` closes a quote only where it is not an
  apostrophe (not between two letters);
- **introduced statements**: the paragraphs after one that ends with a colon and says whose
  words follow ("The ministry said in a statement:", "Die Erklärung im Wortlaut:"), up to
  ``_STATEMENT_PARAGRAPHS`` of them (plain text does not say where a block quotation ends;
  statements quoted in full rarely run longer, and a report rarely goes on after a colon
  with more than a paragraph or two of its own);
- **attributed sentences**: a sentence that names a statement, a press release or "according
  to" as its source ("…, the company said in a statement.", "According to the ministry, …",
  "…, говорится в сообщении", "laut Polizei …", "selon le communiqué …").

The rest is the article's *own writing*; ``own_mask`` gives it per token. Verdicts measure what
a page took of the own writing (``matcher.assess``); passages still show everything copied.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import cache

import numpy as np
import numpy.typing as npt

from .text import Tokens, token_hash, tokenize

__all__ = ["attributed_spans", "may_attribute", "own_mask"]

Span = tuple[int, int]

# Opening mark → the marks that close it. “ and » open a quote unless they close one ("„…“"
# in German, "»…«" in Danish and German books); " closes an open " and opens otherwise.
_CLOSERS = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",
    '"': '"',
    "‘": "’",
    "‚": "‘’",
    "‹": "›",
    "›": "‹",
    "「": "」",
    "『": "』",
}
_MARKS = frozenset("“”„«»\"‘’‚‹›「」『』")
_OPEN_ONLY_AT_WORD_START = frozenset("‘‚")  # elsewhere: an apostrophe or a closing mark

# Words that say a text is someone else's: a statement, a release, "according to".
_CUE = re.compile(
    r"\b(?:"
    r"(?:in|from) (?:a|an|the|its|his|her|their) (?:[\w-]+ )?"
    r"(?:statement|release|communiqu[eé]|letter|post|filing|notice)|"
    r"(?:statement|release|communiqu[eé]|announcement) (?:said|says|read|reads|added|noted|stated)|"
    r"press release|news release|according to|"
    r"говорится в|сообщил[аи]? в|по данным|по словам|по информации|пресс-релиз|пресс-служб\w*|"
    r"в заявлении|в сообщении|"
    r"laut|zufolge|in einer (?:Mitteilung|Erklärung|Stellungnahme|Pressemitteilung)|"
    r"(?:hieß|heißt) es|Pressemitteilung|"
    r"selon|dans un communiqué|communiqué de presse|"
    r"según|en un comunicado|comunicado de prensa|nota de prensa|"
    r"secondo|in una nota|comunicato stampa"
    r")\b",
    re.IGNORECASE,
)
# Tokens (normalised as matcher.text does: case folded, so "ß" is "ss") one of which every
# match of _CUE holds: the regex, slow with its many alternatives, runs only on sentences
# that have one.
_CUE_WORDS = frozenset(
    "statement release communiqué communique letter post filing notice announcement according "
    "говорится сообщил сообщила сообщили данным словам информации пресс заявлении сообщении "
    "laut zufolge mitteilung erklärung stellungnahme pressemitteilung hiess heisst selon según "
    "comunicado prensa secondo nota comunicato".split())
# An introduction of the words that follow: a speech or writing verb, or a statement word.
# Not "read" ("Read more:") nor "states" ("Swing states:"): they end too many other lines.
_INTRO = re.compile(
    r"\b(?:said|says|stated|wrote|writes|added|announced|declared|statement|"
    r"release|full text|in full|заявил[аи]?|говорится|сообщил[аи]?|заявлени[ея]|написал[аи]?|"
    r"erklärte|sagte|schrieb|teilte|Erklärung|Mitteilung|Wortlaut|"
    r"a déclaré|a écrit|communiqué|declaró|escribió|comunicado|ha dichiarato)\b",
    re.IGNORECASE,
)
_STATEMENT_PARAGRAPHS = 3  # an introduced statement runs over at most this many paragraphs
_QUOTE_MIN_WORDS = 5  # shorter: a name, a title, a scare quote
_ATTRIBUTION_MAX_WORDS = 6  # "…,” the regional health ministry said." is an attribution
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states|announced|declared|"
    r"explained|warned|asked|replied|insisted|noted|argued|continued|recalled|concluded|"
    r"according|sagte|sagt|erklärte|erklärt|betonte|schrieb|fügte|meinte|teilte|so|"
    r"заявил[аи]?|сказал[аи]?|отметил[аи]?|добавил[аи]?|написал[аи]?|сообщил[аи]?|"
    r"подчеркнул[аи]?|déclaré|dit|ajouté|affirmé|écrit|dijo|afirmó|añadió|declaró|"
    r"detto|dichiarato|aggiunto)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"”»’」』)]*\s+")
_MARK = re.compile("[“”„«»\"‘’‚‹›「」『』]")
_LINE_ENDS_WITH_COLON = re.compile(r":\s*\n")  # what may introduce a statement (``_INTRO``)


def _paragraphs(text: str) -> list[Span]:
    """The non-empty lines of ``text`` (an original keeps one paragraph a line)."""
    spans = []
    at = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def _opens(text: str, i: int) -> bool:
    """Whether the mark at ``i`` can open a quote: ‘ and ‚ only at the start of a word, " only
    before a word and not after one (a stray " after a word, 'platforms." Given', is a
    closing mark whose opening is lost, or an inch mark)."""
    before = text[i - 1] if i else " "
    if text[i] == '"':
        after = text[i + 1] if i + 1 < len(text) else " "
        return not (before.isalnum() or before in ".,;:!?…") and not after.isspace()
    if text[i] not in _OPEN_ONLY_AT_WORD_START:
        return True
    return not before.isalnum()


def _closes_apostrophe(text: str, i: int) -> bool:
    """Whether the ’ at ``i`` closes a quote rather than being an apostrophe: not between two
    letters (don’t, l’été), nor a plural possessive before a word (the players’ union)."""
    before = text[i - 1] if i else " "
    after = text[i + 1 : i + 3] or " "
    if before.isalnum() and after[0].isalnum():
        return False
    return not (before in "sS" and after[0] == " " and after[1:2].islower())


def _quotations(text: str, paragraphs: list[Span]) -> list[Span]:
    """Spans of text between quotation marks (outermost pairs; marks included). A mark that
    never closes (a typo, an apostrophe taken for a quote) does not hide the quotations after
    it: every pair that closes counts, the outermost ones are kept."""
    marks = [(m.start(), m.group()) for m in _MARK.finditer(text)]
    if not marks:
        return []
    spans: list[Span] = []
    at = 0  # the first mark not read yet
    carried: int | None = None  # start of a quotation continued from the paragraph before
    for n, (start, end) in enumerate(paragraphs):
        while at < len(marks) and marks[at][0] < start:
            at += 1
        if carried is None and (at == len(marks) or marks[at][0] >= end):
            continue  # no mark in this paragraph (most of them)
        stack: list[tuple[str, int]] = []
        pairs: list[Span] = []
        if carried is not None and text[start] in _CLOSERS:
            stack.append((text[start], carried))  # the convention: the mark reopens it
            at += marks[at][0] == start if at < len(marks) else 0
        while at < len(marks) and marks[at][0] < end:
            i, c = marks[at]
            at += 1
            depth = next((d for d in range(len(stack) - 1, -1, -1)
                          if c in _CLOSERS[stack[d][0]]), None)
            if depth is not None and (c != "’" or _closes_apostrophe(text, i)):
                pairs.append((stack[depth][1], i + 1))
                del stack[depth:]
            elif c in _CLOSERS and _opens(text, i):
                stack.append((c, i))
        carried = None
        if stack and n + 1 < len(paragraphs) and text[paragraphs[n + 1][0]] == stack[0][0]:
            pairs.append((stack[0][1], end))  # the next paragraph reopens the quotation
            carried = stack[0][1]
        reach = -1  # pairs nest or follow each other: keep those no earlier pair contains
        for a, b in sorted(pairs, key=lambda pair: (pair[0], -pair[1])):
            if b > reach:
                spans.append(_with_attribution(text, a, b, start, end))
                reach = b
    return spans


def _with_attribution(text: str, opened: int, closed: int, start: int, end: int) -> Span:
    """The quotation ``text[opened:closed]`` with a short attribution in its sentence (", the
    ministry said.", "The ministry added:"): every report quoting it needs one, so two
    reports may share it word for word without copying each other. A span of fewer than
    ``_QUOTE_MIN_WORDS`` words is a name, a title or a scare quote («Spartak», “so-called”),
    not someone's words: it marks nothing (an empty span)."""
    if len(text[opened:closed].split()) < _QUOTE_MIN_WORDS:
        return opened, opened
    lead = start
    for before in _SENTENCE_END.finditer(text, start, opened):
        lead = before.end()
    if lead < opened and _is_attribution(text[lead:opened]):
        opened = lead
    after = _SENTENCE_END.search(text, closed, end)
    tail = after.start() if after else end
    ended = text[closed - 2 : closed - 1] in (".", "!", "?", "…")  # “…done.” Next sentence.
    if not ended and _is_attribution(text[closed:tail]):
        closed = tail
    return opened, closed


def _is_attribution(words: str) -> bool:
    """Whether ``words`` (next to a quotation) only say who said it: a speech verb in a few
    words."""
    return len(words.split()) <= _ATTRIBUTION_MAX_WORDS and _SPEECH.search(words) is not None


def _sentences(text: str, start: int, end: int) -> list[Span]:
    spans = []
    at = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((at, m.start()))
        at = m.end()
    if at < end:
        spans.append((at, end))
    return spans


def _statements(text: str, paragraphs: list[Span], anchors: list[int]) -> list[Span]:
    """Introduced statements, and attributed sentences: those holding a cue, looked for only
    in sentences with one of its words (``anchors``: their offsets, sorted)."""
    spans: list[Span] = []
    following = 0  # paragraphs of an introduced statement still to come
    for start, end in paragraphs:
        intro = text[start:end].rstrip().endswith(":") and _INTRO.search(
            text, *_sentences(text, start, end)[-1]) is not None
        if following and not intro:
            spans.append((start, end))
            following -= 1
            continue
        following = _STATEMENT_PARAGRAPHS if intro else 0
        first = bisect_left(anchors, start)
        if first < len(anchors) and anchors[first] < end:
            spans.extend(s for s in _sentences(text, start, end)
                         if bisect_left(anchors, s[0]) < bisect_left(anchors, s[1])
                         and _CUE.search(text, *s))
    return spans


def _anchors(tokens: Tokens) -> list[int]:
    """Offsets of the tokens that can start or hold a cue (``_CUE_WORDS``), sorted."""
    cues, hashes = _cue_hashes(), tokens.hashes
    hit = cues[np.minimum(np.searchsorted(cues, hashes), len(cues) - 1)] == hashes
    return tokens.starts[hit].tolist() if hit.any() else []


@cache
def _cue_hashes() -> npt.NDArray[np.uint64]:
    return np.array(sorted(token_hash(w) for w in _CUE_WORDS), dtype=np.uint64)


def attributed_spans(text: str, tokens: Tokens | None = None) -> list[Span]:
    """Character spans of ``text`` that quote or attribute someone else's words, sorted and
    merged (see the module docstring for what counts). ``tokens``: ``text`` tokenised, when
    the caller has it."""
    anchors = _anchors(tokens if tokens is not None else tokenize(text))
    paragraphs = _paragraphs(text)
    merged: list[Span] = []
    for start, end in sorted(s for s in _quotations(text, paragraphs)
                             + _statements(text, paragraphs, anchors) if s[1] > s[0]):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def own_mask(tokens: Tokens) -> npt.NDArray[np.bool_]:
    """For each token of ``tokens``: whether it is the text's own writing (not inside a span of
    ``attributed_spans``)."""
    spans = attributed_spans(tokens.text, tokens)
    own = np.ones(len(tokens), dtype=bool)
    if not spans or not len(tokens):
        return own
    starts = tokens.starts
    edges = np.array(spans, dtype=np.int64).ravel()  # start0, end0, start1, end1, …
    # A token is inside a span when an odd number of edges lie at or before its start.
    own[np.searchsorted(edges, starts, side="right") % 2 == 1] = False
    return own


def _paragraphs_back(text: str, at: int, count: int) -> int:
    """The start of the line ``count`` paragraphs (non-empty lines) before the line holding
    offset ``at`` (0 when there are fewer): blank lines between paragraphs do not count."""
    lo = text.rfind("\n", 0, at) + 1  # the start of the line of ``at``
    while lo > 0 and count > 0:
        previous = text.rfind("\n", 0, lo - 1) + 1
        count -= bool(text[previous : lo - 1].strip())
        lo = previous
    return lo


def may_attribute(tokens: Tokens, ranges: Iterable[tuple[int, int]]) -> bool:
    """Whether any of the token ranges (first, last) of ``tokens`` may hold words the text
    attributes to someone else: a quotation mark, a cue word or a line ending with a colon in
    it, in the lines just before it (a quotation, a statement or an attributed sentence may
    have begun there) or in the rest of its last line (a sentence is attributed by a cue
    after its first words too, "The pier will close, according to the council", and a
    quotation takes in the attribution before it). False means ``own_mask`` is all true
    there and need not be computed (it costs more than this test)."""
    text, cues = tokens.text, _cue_hashes()
    for first, last in ranges:
        start, end = tokens.char_span(first, last)
        lo = _paragraphs_back(text, start, _STATEMENT_PARAGRAPHS + 1)
        hi = text.find("\n", end)  # a paragraph is a line: its end bounds every span
        hi = len(text) if hi < 0 else hi
        if _MARK.search(text, lo, hi) or _LINE_ENDS_WITH_COLON.search(text, lo, hi):
            return True
        hashes = tokens.hashes[int(np.searchsorted(tokens.starts, lo)) :
                               int(np.searchsorted(tokens.starts, hi))]
        if (cues[np.minimum(np.searchsorted(cues, hashes), len(cues) - 1)] == hashes).any():
            return True
    return False
