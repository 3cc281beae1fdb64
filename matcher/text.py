"""Text normalisation and tokenisation shared by the index and the aligner.

Copies are compared on *tokens*: words for scripts that separate words with spaces, single
characters for CJK scripts (which do not). Tokens are normalised so that typographic variants
do not hide a copy: Unicode NFKC, case folded, curly quotes / dashes / entities already decoded
by the HTML parser. Every token keeps its character offsets in the text it came from, so a
matched passage can be shown to a person exactly as it appears on the page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Hashes", "Tokens", "kgram_hashes", "normalize_space", "token_hash", "tokenize"]

Hashes = npt.NDArray[np.uint64]
"""An array of 64-bit hashes (token or shingle hashes)."""

# A word: letters/digits with inner apostrophes or hyphens ("don't", "e-mail"), or a single
# CJK / kana / hangul character (those scripts write words without spaces).
_CJK = (
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals (NFKC maps them to ideographs)
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3200-\u33ff"  # enclosed CJK letters, CJK compatibility
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (with compatibility forms)
    "\uac00-\ud7af"  # hangul syllables
    "\uff65-\uff9f"  # halfwidth katakana
    "\U0001f200-\U0001f2ff"  # enclosed ideographic supplement
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B to G
)
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:['’][^\W{_CJK}]+)*")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Tokens:
    """A tokenised text: normalised words and, for each, its (start, end) character span.

    ``hashes`` (the words' stable 64-bit hashes) and ``spans`` are computed on first use: most
    crawled pages hold no copy, and never need their spans.
    """

    text: str
    words: tuple[str, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def hashes(self) -> Hashes:
        if "hashes" not in self._cache:
            self._cache["hashes"] = np.fromiter(map(_HASHES.__getitem__, self.words),
                                                dtype=np.uint64, count=len(self.words))
        return self._cache["hashes"]  # type: ignore[no-any-return]

    def _bounds(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        if "bounds" not in self._cache:
            bounds = _ascii_bounds(self.text if self.text.isascii() else _shape(self.text))
            if len(bounds[0]) != len(self.words):
                found = [m.span() for m in _TOKEN_RE.finditer(self.text)]
                bounds = (np.array([s for s, _ in found], dtype=np.intp),
                          np.array([e for _, e in found], dtype=np.intp))
            self._cache["bounds"] = bounds
        return self._cache["bounds"]  # type: ignore[no-any-return]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        starts, ends = self._bounds()
        return tuple(zip(starts.tolist(), ends.tolist(), strict=True))

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Character span covering tokens ``first`` to ``last`` inclusive."""
        starts, ends = self._bounds()
        return int(starts[first]), int(ends[last])


_NOT_WORD = re.compile(r"[^\w']")


def _normalize_word(word: str) -> str:
    """NFKC and case folding, as long as the result is still one token (normalising twice
    changes nothing): what NFKC turns into punctuation ("¼" → "1⁄4") is dropped, and a sign
    that would become several tokens ("㋿" → "令和") keeps a simpler form."""
    folded = _NOT_WORD.sub("", unicodedata.normalize("NFKC", word).casefold().replace("’", "'"))
    for form in (folded, word.casefold(), word.lower()):
        if form and _TOKEN_RE.fullmatch(form):
            return form
    return word


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens (character offsets available as ``spans``)."""
    if text.isascii():  # lower() keeps ASCII text aligned: one regex pass in C
        return Tokens(text=text, words=tuple(_TOKEN_RE.findall(text.lower())))
    # Normalise the whole text at once when that keeps every token where it was (the usual
    # case: curly quotes, accents, Cyrillic); otherwise word by word.
    whole = unicodedata.normalize("NFKC", text.replace("’", "'")).casefold()
    words = _TOKEN_RE.findall(whole)
    if len(whole) != len(text) or len(words) != len(_TOKEN_RE.findall(text)) or any(
        _TOKEN_RE.fullmatch(w) is None for w in (unicodedata.normalize("NFKC", w) for w in words
                                                 if not w.isascii())
    ):
        words = [_normalize_word(w) if not w.isascii() else w.lower()
                 for w in _TOKEN_RE.findall(text)]
    return Tokens(text=text, words=tuple(words))


_CJK_CHAR = re.compile(f"[{_CJK}]")
_OTHER_WORD_CHAR = re.compile(r"(?![\x00-\x7f])\w")
_OTHER_CHAR = re.compile(r"[^\x00-\x7f]")


def _shape(text: str) -> str:
    """An ASCII text of the same length whose tokens sit where ``text``'s do: CJK characters
    become \x01 (one token each), other word characters "a", the curly apostrophe "'", and
    anything else a space. Four passes of compiled regexes instead of a loop in Python."""
    text = _CJK_CHAR.sub("\x01", text.replace("’", "'"))
    return _OTHER_CHAR.sub(" ", _OTHER_WORD_CHAR.sub("a", text))


_WORD_BYTES = np.zeros(256, dtype=bool)
for _c in b"0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _WORD_BYTES[_c] = True


def _ascii_bounds(text: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Token starts and ends of an ASCII text, vectorised: the same tokens as ``_TOKEN_RE``
    (word characters, joined by single apostrophes between them)."""
    b = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    word = _WORD_BYTES[b]
    inner = np.zeros_like(word)
    inner[1:-1] = (b[1:-1] == ord("'")) & word[:-2] & word[2:]
    m = word | inner
    before = np.concatenate(([False], m[:-1]))
    after = np.concatenate((m[1:], [False]))
    starts, ends = np.flatnonzero(m & ~before), np.flatnonzero(m & ~after) + 1
    cjk = np.flatnonzero(b == 1)  # from _shape: a CJK character is a token of its own
    if len(cjk):
        starts = np.sort(np.concatenate((starts, cjk)))
        ends = np.sort(np.concatenate((ends, cjk + 1)))
    return starts, ends


class _HashCache(dict[str, int]):
    """Token → stable hash, computed once (a dict lookup per token is the hot path)."""

    def __missing__(self, word: str) -> int:
        if len(self) > 2_000_000:  # the vocabulary of crawled pages is open-ended
            self.clear()
        value = int.from_bytes(
            hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")
        self[word] = value
        return value


_HASHES = _HashCache()


def token_hash(word: str) -> int:
    """A stable 64-bit hash of a normalised token (stable across processes, unlike ``hash``)."""
    return _HASHES[word]


def normalize_space(text: str) -> str:
    """Collapse runs of white space to one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()


_MULT = np.uint64(0x100000001B3)


def _mix(x: Hashes) -> Hashes:
    """splitmix64's finaliser: spreads the bits so that minima (winnowing) are unbiased."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def kgram_hashes(tokens: Tokens, k: int) -> Hashes:
    """64-bit hashes of every run of ``k`` consecutive tokens (empty when fewer than k).

    Stable across processes (fingerprints are stored), vectorised with numpy.
    """
    t = tokens.hashes
    n = len(t) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _MULT + t[j : j + n]  # wraps modulo 2**64, as intended
        return _mix(h)
