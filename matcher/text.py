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
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Tokens", "normalize_space", "token_hash", "tokenize"]

# A word: letters/digits with inner apostrophes or hyphens ("don't", "e-mail"), or a single
# CJK / kana / hangul character (those scripts write words without spaces).
_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # hangul syllables
)
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:['’][^\W{_CJK}]+)*")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Tokens:
    """A tokenised text: normalised words and, for each, its (start, end) character span."""

    text: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.words)

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Character span covering tokens ``first`` to ``last`` inclusive."""
        return self.spans[first][0], self.spans[last][1]


def _normalize_word(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("’", "'")


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens with character offsets into ``text``."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN_RE.finditer(text):
        words.append(_normalize_word(m.group()))
        spans.append(m.span())
    return Tokens(text=text, words=tuple(words), spans=tuple(spans))


@lru_cache(maxsize=500_000)
def token_hash(word: str) -> int:
    """A stable 64-bit hash of a normalised token (stable across processes, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


def normalize_space(text: str) -> str:
    """Collapse runs of white space to one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()
