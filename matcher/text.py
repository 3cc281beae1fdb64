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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
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

    ``hashes`` (the words' stable 64-bit hashes) and the k-gram hashes are computed on first
    use and kept: a page is looked up and aligned with several originals, and an original stays
    cached across pages.
    """

    text: str
    words: tuple[str, ...]
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

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
            known = self._cache.pop("classes", None)  # kept by tokenize, else worked out
            self._cache["bounds"] = _token_bounds(
                known if known is not None else _classes(self.text)[1])
        return self._cache["bounds"]  # type: ignore[no-any-return]

    @property
    def starts(self) -> npt.NDArray[np.intp]:
        """The character offset at which each token starts."""
        return self._bounds()[0]

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
    if word.isascii():
        return word.lower()
    folded = _NOT_WORD.sub("", unicodedata.normalize("NFKC", word).casefold().replace("’", "'"))
    for form in (folded, word.casefold(), word.lower()):
        if form and _TOKEN_RE.fullmatch(form):
            return form
    return word


def _hash_if_it_stays(word: str) -> int | None:
    """The hash of a token of the normalised text, or None when NFKC would not keep it one
    token (then the text is normalised word by word)."""
    if word.isascii() or _TOKEN_RE.fullmatch(unicodedata.normalize("NFKC", word)) is not None:
        return _HASHES[word]  # type: ignore[no-any-return]
    return None


class _Memo(dict[str, Any]):
    """word → ``compute(word)``, computed once: a dict lookup per token is the hot path. Cleared
    when it grows past ``_MEMO_MAX`` entries (the vocabulary of crawled pages is open-ended)."""

    def __init__(self, compute: Callable[[str], Any]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, word: str) -> Any:
        if len(self) > _MEMO_MAX:
            self.clear()
        value = self[word] = self._compute(word)
        return value


_MEMO_MAX = 2_000_000


def _blake(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


_HASHES = _Memo(_blake)
_NORMALIZED = _Memo(_normalize_word)
_STAYING = _Memo(_hash_if_it_stays)


def token_hash(word: str) -> int:
    """A stable 64-bit hash of a normalised token (stable across processes, unlike ``hash``)."""
    return _HASHES[word]  # type: ignore[no-any-return]


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised tokens (character offsets available as ``spans``)."""
    if text.isascii():  # lower() keeps ASCII text aligned (and every character's class)
        lower = text.lower()
        cp = _classes(lower)
        return _with(Tokens(text=text, words=tuple(_words(lower, cp))), classes=cp[1])
    cp = _classes(text)
    if (words := _ascii_words(cp)) is not None:
        return _with(Tokens(text=text, words=tuple(words)), classes=cp[1])
    # Normalise the whole text at once when that keeps every token where it was (the usual
    # case: curly quotes, accents, Cyrillic); otherwise word by word.
    normal = _nfkc(text.replace("’", "'"))
    # casefold() never shortens a text (each character folds to one or more): a normal form
    # longer than the text ("…" → "...") cannot keep the tokens in place.
    if len(normal) <= len(text) and len(whole := normal.casefold()) == len(text):
        same, folded = _classes_after(cp, whole)
        bounds = None if same else _token_bounds(cp[1])  # the same classes: the same tokens
        words = _words(whole, folded)
        if bounds is None or len(words) == len(bounds[0]):
            try:  # one look-up a word: does it stay one token, and its hash (None: it does not)
                hashes = np.fromiter(map(_STAYING.__getitem__, words), dtype=np.uint64,
                                     count=len(words))
            except TypeError:
                pass
            else:
                tokens = Tokens(text=text, words=tuple(words))
                tokens._cache["hashes"] = hashes
                return (_with(tokens, bounds=bounds) if bounds is not None
                        else _with(tokens, classes=cp[1]))
    return _with(Tokens(text=text, words=tuple(map(_NORMALIZED.__getitem__, _words(text, cp)))),
                 classes=cp[1])


def _ascii_words(cp: _Classes) -> list[str] | None:
    """The tokens of a text whose every character beyond ASCII is a curly apostrophe or
    ``_between_words`` (most pages in Latin script: curly quotes, dashes, a "·" in a menu),
    normalised; None for any other text.

    Normalising such a text changes no token but by lowercasing it and turning "’" into "'":
    its other characters beyond ASCII compose only with a mark (which keeps a text out) and
    become ASCII characters that are no part of a token, or stay as they are. So the normal
    form is the text character for character (lowercased), or it is longer and ``tokenize``
    normalises the text's own tokens one by one. The normal form of the whole text, ~40 % of
    the time of tokenising such a page, is not worked out (measured: 168 -> 133 us a page of
    the generated web, 94 % of which qualify; 406 -> 314 us on the dev corpus's pages that
    qualify, 48 % of them).
    """
    points, classes = cp
    wide = points > 127
    beyond = classes[wide]
    if (beyond == _WORD).any() or (beyond == _CJK_CLASS).any():
        return None
    # "’" has the apostrophes' class, not _OTHER: it is mapped to "'" below, not checked.
    marks = np.unique(points[wide][beyond == _OTHER])
    if not all(map(_between_words, marks.tolist())):
        return None
    kept = np.where(_in_tokens(classes, classes == _WORD), points, 32)
    kept[kept == ord("’")] = ord("'")
    return kept.astype(np.uint8).tobytes().decode("ascii").lower().split()


@cache
def _between_words(point: int) -> bool:
    """Whether a character is never part of a token, whatever its neighbours, before and after
    normalising: punctuation, a symbol, a space or a format character (none is a combining
    mark or the second half of a composition: what they compose with is a mark, which another
    check keeps out) that NFKC and case folding leave as it is or turn into ASCII characters
    that are no part of a token ("…" is "..."; not "™", which is "TM", nor "＿", "_")."""
    char, category = chr(point), unicodedata.category(chr(point))
    if _class_of(char) != _OTHER or not (category[0] in "PSZ" or category == "Cf"):
        return False
    normal = unicodedata.normalize("NFKC", char).casefold()
    return normal == char or all(c.isascii() and _class_of(c) == _OTHER for c in normal)


def _with(tokens: Tokens, **known: Any) -> Tokens:
    """``tokens`` keeping what tokenising found: the bounds, or the characters' classes that
    they are worked out from when first asked (pages that copy nothing never ask)."""
    tokens._cache.update(known)
    return tokens


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalising only the lines that it changes.

    A page's text is mostly normalised already, but one "…" or "№" makes ``normalize`` run
    its slow path over the whole text. A line break is a boundary that normalisation never
    crosses (it has no decomposition, combining class 0, and composes with nothing), so the
    text normalised line by line is the same.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(line if unicodedata.is_normalized("NFKC", line)
                     else unicodedata.normalize("NFKC", line) for line in text.split("\n"))


# Character classes of the token pattern, per code point.
_OTHER, _WORD, _CJK_CLASS, _APOSTROPHE = 0, 1, 2, 3
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _class_of(char: str) -> int:
    if _CJK_CHAR.fullmatch(char):
        return _CJK_CLASS
    if char in "'’":
        return _APOSTROPHE
    return _WORD if char.isalnum() or char == "_" else _OTHER  # what \w matches in re


@cache
def _bmp_classes() -> npt.NDArray[np.uint8]:
    """The class of every code point of the Basic Multilingual Plane, as ``_class_of`` gives
    it (built on first use: ~4 ms, against ~12 ms calling ``_class_of`` for each)."""
    word = np.fromiter(map(str.isalnum, map(chr, range(0x10000))), dtype=bool, count=0x10000)
    table = np.where(word, _WORD, _OTHER).astype(np.uint8)
    table[ord("_")] = _WORD
    table[[ord("'"), ord("’")]] = _APOSTROPHE
    for lo, hi in _cjk_ranges():
        table[lo:min(hi, 0xFFFF) + 1] = _CJK_CLASS  # ranges beyond the BMP: empty slices
    return table


def _cjk_ranges() -> list[tuple[int, int]]:
    """The (first, last) code points of each range of ``_CJK`` (every item there is a range)."""
    ranges = [_CJK[i:i + 3] for i in range(0, len(_CJK), 3)]
    assert all(len(r) == 3 and r[1] == "-" for r in ranges), "_CJK holds ranges only"
    return [(ord(r[0]), ord(r[2])) for r in ranges]


_Classes = tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8]]


def _classes(text: str) -> _Classes:
    """The code points of ``text`` and their classes (vectorised: one table look-up each)."""
    if text.isascii():
        points = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.uint32)
    else:
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _bmp_classes()
    astral = points > 0xFFFF
    if not astral.any():
        return points, table[points]
    classes = table[np.where(astral, 0, points)]
    for point in np.unique(points[astral]).tolist():  # emoji, rare ideographs: a few a page
        classes[points == point] = _class_of(chr(point))
    return points, classes


def _classes_after(cp: _Classes, changed: str) -> tuple[bool, _Classes]:
    """The code points and classes of ``changed``, a text as long as the one ``cp`` describes
    (its normal form), and whether every class is the same: only the characters that differ
    are looked up again (capitals, curly quotes: a few in a hundred)."""
    points, classes = cp
    now = np.frombuffer(changed.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    at = np.flatnonzero(now != points)
    if not len(at):
        return True, cp
    new = now[at]
    if (new > 0xFFFF).any():  # rare characters beyond the table
        fresh = _classes(changed)
        return bool(np.array_equal(fresh[1], classes)), fresh
    looked = _bmp_classes()[new]
    if np.array_equal(looked, classes[at]):
        return True, (now, classes)
    folded = classes.copy()
    folded[at] = looked
    return False, (now, folded)


def _token_bounds(classes: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp],
                                                           npt.NDArray[np.intp]]:
    """Token starts and ends, as ``_TOKEN_RE`` finds them, from the characters' classes: a CJK
    character alone, or word characters joined by single apostrophes between them."""
    m = _in_tokens(classes, classes == _WORD)
    before = np.concatenate(([False], m[:-1]))
    after = np.concatenate((m[1:], [False]))
    starts, ends = np.flatnonzero(m & ~before), np.flatnonzero(m & ~after) + 1
    cjk = np.flatnonzero(classes == _CJK_CLASS)
    if len(cjk):
        starts = np.sort(np.concatenate((starts, cjk)))
        ends = np.sort(np.concatenate((ends, cjk + 1)))
    return starts, ends


def _words(text: str, cp: _Classes) -> list[str]:
    """The tokens of ``text`` (whose classes are ``cp``) as strings, not normalised."""
    points, classes = cp
    if (classes == _CJK_CLASS).any():
        starts, ends = _token_bounds(classes)
        return [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    # Without CJK, tokens are maximal runs, so blanking everything else and splitting on
    # white space finds them (no character is both a word character and white space).
    keep = _in_tokens(classes, classes == _WORD)
    if text.isascii():
        return np.where(keep, points, 32).astype(np.uint8).tobytes().decode("ascii").split()
    blank = np.where(keep, points, np.uint32(32)).astype(np.uint32)
    return blank.tobytes().decode("utf-32-le", "surrogatepass").split()


def _in_tokens(classes: npt.NDArray[np.uint8], word: npt.NDArray[np.bool_]
               ) -> npt.NDArray[np.bool_]:
    """Which characters belong to a token, without CJK: word characters (``word``) and
    apostrophes between two of them."""
    keep = word.copy()
    keep[1:-1] |= (classes[1:-1] == _APOSTROPHE) & word[:-2] & word[2:]
    return keep


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

    Stable across processes (fingerprints are stored), vectorised with numpy; kept with the
    tokens (a page is aligned with several originals, an original with many pages).
    """
    key = ("kgram", k)
    if key not in tokens._cache:
        hashes = _kgram_hashes(tokens.hashes, k)
        hashes.flags.writeable = False  # shared by every caller
        tokens._cache[key] = hashes
    return tokens._cache[key]  # type: ignore[no-any-return]


def _kgram_hashes(t: Hashes, k: int) -> Hashes:
    n = len(t) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _MULT + t[j : j + n]  # wraps modulo 2**64, as intended
        return _mix(h)
