"""A synthetic archive and labelled pages in real language, for ``benchmarks/scale.py``.

Originals come from a word Markov chain of order 2 trained on the dev corpus's article texts, so
common phrases recur across the archive as in a real one. The corpus is small (44,000 words;
nine order-2 states in ten have one successor): so that the chain does not copy it verbatim,
half of its steps back off to order 1, and 30 % of content words are swapped for others of the
same script and case (function words never are). Originals also carry planted boilerplate: a
repost-rule footer, stock phrases and quotations from a shared pool (Zipf-like popularity).
Pages hold an original (whole, partial, an excerpt, edited, cut by ads) in chrome that the chain
writes from another seed, or only chain text ("unrelated"), plus one shared line ("quote").
Filler sharing a run of ``RUN_LIMIT_WORDS`` tokens with any original gets a word replaced, so a
page holds an original's text only where its label says so. Deterministic for a seed.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.int64]
Hashes = npt.NDArray[np.uint64]

CHAIN_BACKOFF = 0.5  # share of chain steps drawn from the order-1 table
CONTENT_SUBSTITUTION = 0.3  # share of content words swapped for a random one
FUNCTION_WORD_SHARE = 0.45  # the most frequent words, this share of tokens, are never swapped
ORIGINAL_WORDS, ORIGINAL_SPREAD = 600, 60  # words of an original: 600 ± 60, then planted lines
ROW_SLACK = 60  # words generated past a text's length, to end it at a sentence end
PARAGRAPHS = (5, 8)  # paragraphs of an original (inclusive range; fewer if sentences are long)
MIN_PARAGRAPH_WORDS = 40
TITLE_WORDS = (6, 12)
QUOTE_POOL = 300  # quotations the archive shares; quotation i has weight 1 / (i + 1)
QUOTE_WORDS = (15, 30)
QUOTE_COUNT_P = (0.3, 0.45, 0.25)  # chance that an original quotes 0, 1 or 2 of them
STOCK_SHARE = 0.3  # share of originals with one stock phrase
FOOTER_SHARE = 0.6  # share of originals ending with the repost-rule footer
PUBLICATION, DOMAIN = "P", "p.test"
STOCK_PHRASES = (
    "The company did not immediately respond to a request for comment.",
    "This story has been updated with additional reporting.",
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "The views expressed in this article are the author's own.",
    "Follow us on social media for the latest updates from our newsroom.",
    "Reporting by staff correspondents; editing by the night desk.",
)
REPOST_FOOTER = ("Republishing this article in full or in part is allowed only with an active "
                 "hyperlink to P and the name of the author.")
AD_LINES = ("Save 20% on your first order with code SPRING",
            "Sponsored: compare mortgage rates in two minutes",
            "Try our premium plan free for 30 days", "Hotels near you: book now and pay later")

KIND_SHARES = {"full": 0.15, "partial": 0.15, "excerpt": 0.15, "edited": 0.15, "ads": 0.10,
               "unrelated": 0.20, "quote": 0.10}
"""Page kinds and their shares; ``unrelated`` and ``quote`` pages copy no original."""
COPY_KINDS = frozenset({"full", "partial", "excerpt", "edited", "ads"})
PARTIAL_SHARE = (0.3, 0.6)  # a partial copy keeps this share of paragraphs, from the first
EXCERPT_MIN_WORDS = 50  # an excerpt is 1-2 paragraphs of at least this many words
EDIT_WORD_SHARE = 0.05  # an edited copy replaces these words, drops a sentence, swaps two paras
AD_SHARE = 0.5  # chance of an ad between two paragraphs of an ``ads`` copy
HOST_WORDS, HOST_PARAGRAPHS = (300, 600), (3, 5)  # a page's own article (excerpt, none kinds)
CHROME_LINES = 5  # chain lines of chrome: a headline, three "read also" titles, a footer line
FOOTER_LINE_WORDS = (12, 25)
MENU_ITEMS = (5, 9)
SHARED_LINE_P = (0.6, 0.2, 0.2)  # a quote page's line: a pool quotation, stock phrase, footer
RUN_LIMIT_WORDS = 12  # filler shares no run of this many tokens with any original
MAX_CLEANING_ROUNDS = 12
_GRAM_MULT = np.uint64(0x100000001B3)
_CHUNK_ROWS = 8192  # archive rows hashed at once: bounds the memory of a scan

_END_RE = re.compile(r"[.!?][\"'”’»)]*$")
_PLAIN_RE = re.compile(r"\w(?:[\w'’-]*\w)?")
_EDGE_RE = re.compile(r"^\W+|\W+$")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:['’][^\W{_CJK}]+)*")  # as the matcher's
_SCRIPTS = tuple(re.compile(p) for p in (r"[\u0400-\u04ff]", rf"[{_CJK}]"))  # else Latin
_CLASSES = 2 * (len(_SCRIPTS) + 1)


class GeneratorError(Exception):
    """The training text cannot produce the data asked for (too small, too repetitive)."""


def load_training_texts(path: Path) -> list[str]:
    """The distinct ``original.text`` fields of the corpus (gzip JSON lines)."""
    texts: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            original = json.loads(line).get("original")
            if original and original.get("text"):
                texts.setdefault(original.get("url") or original["text"], original["text"])
    return list(texts.values())


def _word_class(word: str) -> int:
    """Script and case of a word, so that a replacement reads like the word it replaces."""
    script = next((i + 1 for i, s in enumerate(_SCRIPTS) if s.search(word)), 0)
    return 2 * script + int(word[:1].isupper())


def _unique(values: Hashes) -> Hashes:
    """Sorted unique values (numpy's hash-based ``unique`` is slow on large uint64 arrays)."""
    values = np.sort(values.ravel())
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _member(values: Hashes, known: Hashes) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` is in sorted unique ``known``."""
    if not len(known):
        return np.zeros(values.shape, dtype=bool)
    return known[np.minimum(np.searchsorted(known, values), len(known) - 1)] == values


def _windows(values: Ids, k: int) -> Hashes:
    """Hashes of every window of k consecutive values along the last axis."""
    width = values.shape[-1] - k + 1
    h = np.zeros((*values.shape[:-1], max(width, 0)), dtype=np.uint64)
    v = values.astype(np.uint64)
    for j in range(k if width > 0 else 0):
        h = h * _GRAM_MULT + v[..., j : j + width]
    return h


def _table(keys: Ids, values: Ids) -> tuple[Ids, Ids, Ids, Ids]:
    """Successor table: sorted unique keys, start and count of each key's run in ``values``."""
    order = np.argsort(keys, kind="stable")
    uniq, start, count = np.unique(keys[order], return_index=True, return_counts=True)
    return uniq, start.astype(np.int64), count.astype(np.int64), values[order]


class MarkovChain:
    """Word chain of order 2 with order-1 backoff, writing many texts at once (numpy).

    Texts mostly in scripts that the matcher splits per character are left out.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        index: dict[str, int] = {}
        # the matcher counts each CJK / kana / hangul character as a word, and the corpus has
        # too little of such text (two short articles) for a chain not to copy it verbatim
        texts = [t for t in texts
                 if 2 * len(re.findall(f"[{_CJK}]", t)) <= sum(c.isalnum() for c in t)]
        seqs = [np.array([index.setdefault(w, len(index)) for w in t.split()], dtype=np.int64)
                for t in texts]
        seqs = [s for s in seqs if len(s) >= 3]
        if not seqs:
            raise GeneratorError("the training texts hold no run of three words")
        vocab, self._index = list(index), index
        self.words, self.size = np.array(vocab, dtype=object), len(vocab)
        a, b, c = (np.concatenate([s[i : len(s) - 2 + i] for s in seqs]) for i in range(3))
        self._keys2, self._start2, self._count2, self._next2 = _table(a * self.size + b, c)
        keys1, start1, count1, self._next1 = _table(
            np.concatenate([s[:-1] for s in seqs]), np.concatenate([s[1:] for s in seqs]))
        self._start1, self._count1 = (np.zeros(self.size, dtype=np.int64) for _ in range(2))
        self._start1[keys1], self._count1[keys1] = start1, count1
        self.ends = np.array([_END_RE.search(w) is not None for w in vocab])
        self._starts = np.array([(s[i], s[i + 1]) for s in seqs for i in range(len(s) - 1)
                                 if i == 0 or self.ends[s[i - 1]]], dtype=np.int64)
        tokens = np.concatenate(seqs)
        freq = np.bincount(tokens, minlength=self.size)
        by_freq = np.argsort(-freq, kind="stable")
        n_function = int(np.searchsorted(np.cumsum(freq[by_freq]) / len(tokens),
                                         FUNCTION_WORD_SHARE)) + 1
        self.content = np.array([_PLAIN_RE.fullmatch(w) is not None for w in vocab])
        self.content[by_freq[:n_function]] = False
        self._class = np.array([_word_class(w) for w in vocab], dtype=np.int64)
        self._pools = [tokens[self.content[tokens] & (self._class[tokens] == c)]
                       for c in range(_CLASSES)]
        if not len(self._pools[0]):
            raise GeneratorError("the training texts hold no lower-case Latin content word")
        norm: dict[str, int] = {}  # normalised words and tokens, for comparing texts
        self.norm = np.array([norm.setdefault(_EDGE_RE.sub("", w.casefold()), len(norm))
                              for w in vocab], dtype=np.int64)
        per_word = [[norm.setdefault(t.casefold().replace("’", "'"), len(norm))
                     for t in _TOKEN_RE.findall(w)] for w in vocab]
        self._tok_len = np.array([len(t) for t in per_word], dtype=np.int64)
        self._tok_start = np.cumsum(self._tok_len) - self._tok_len
        self._tok_flat = np.array([t for ts in per_word for t in ts], dtype=np.int64)

    def generate(self, n: int, length: int, rng: np.random.Generator) -> Ids:
        """``n`` texts of ``length`` word ids (rows), each from a random sentence start."""
        out = np.empty((n, max(length, 2)), dtype=np.int64)
        pick = self._starts[rng.integers(0, len(self._starts), n)]
        a, b = pick[:, 0], pick[:, 1]
        out[:, 0], out[:, 1] = a, b
        for t in range(2, out.shape[1]):
            a, b = b, self._step(a, b, rng)
            out[:, t] = b
        hit = self.content[out] & (rng.random(out.shape) < CONTENT_SUBSTITUTION)
        out[hit] = self.similar(out[hit], rng)
        return out[:, :length]

    def _step(self, a: Ids, b: Ids, rng: np.random.Generator) -> Ids:
        key = a * self.size + b
        pos = np.minimum(np.searchsorted(self._keys2, key), len(self._keys2) - 1)
        draw = rng.random((3, len(a)))
        order2 = (self._keys2[pos] == key) & (draw[0] >= CHAIN_BACKOFF)
        next2 = self._next2[self._start2[pos] + (draw[1] * self._count2[pos]).astype(np.int64)]
        count1 = self._count1[b]
        at1 = np.minimum(self._start1[b] + (draw[2] * count1).astype(np.int64),
                         len(self._next1) - 1)
        restart = self._starts[rng.integers(0, len(self._starts), len(a)), 0]
        return np.where(order2, next2, np.where(count1 > 0, self._next1[at1], restart))

    def content_words(self, n: int, rng: np.random.Generator, *, capital: bool = False) -> Ids:
        """``n`` random Latin content words (by corpus frequency), lower-case or capitalised."""
        pool = self._pools[int(capital)] if len(self._pools[int(capital)]) else self._pools[0]
        return pool[rng.integers(0, len(pool), n)]

    def similar(self, ids: Ids, rng: np.random.Generator) -> Ids:
        """A random content word of the same script and case for each of ``ids``."""
        out, classes = ids.copy(), self._class[ids]
        for c, pool in enumerate(self._pools):
            where = classes == c
            if len(pool) and where.any():
                out[where] = pool[rng.integers(0, len(pool), int(where.sum()))]
        return out

    def replace_word(self, word: str, rng: np.random.Generator) -> str:
        """A random content word like ``word`` (same script and case)."""
        return str(self.words[self.similar(np.array([self._index.get(word, 0)]), rng)[0]])

    def render(self, ids: Ids) -> str:
        return " ".join(self.words[ids].tolist())

    def cut(self, row: Ids, words: int) -> int:
        """Length of ``row`` ended at the first sentence end from ``words`` words on."""
        ends = np.flatnonzero(self.ends[row[words - 1 :]])
        return words + int(ends[0]) if len(ends) else min(words, len(row))

    def paragraphs(self, row: Ids, count: int) -> list[Ids]:
        """``row`` split at sentence ends into about ``count`` paragraphs of sensible length."""
        ends = np.flatnonzero(self.ends[row[:-1]]) + 1
        bounds = [0]
        for target in (len(row) * j // count for j in range(1, count)):
            i = int(np.searchsorted(ends, target))
            cut = int(ends[i]) if i < len(ends) else target
            if cut - bounds[-1] >= MIN_PARAGRAPH_WORDS and len(row) - cut >= MIN_PARAGRAPH_WORDS:
                bounds.append(cut)
        return [row[s:e] for s, e in itertools.pairwise([*bounds, len(row)])]

    def tokens(self, ids: Ids) -> tuple[Ids, Ids]:
        """The matcher's tokens of the words ``ids`` (flattened), and the word of each token."""
        ids = ids.ravel()
        lens = self._tok_len[ids]
        owner = np.repeat(np.arange(len(ids)), lens)
        within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        return self._tok_flat[self._tok_start[ids][owner] + within], owner


@dataclass(frozen=True)
class SynthOriginal:
    """A generated original: the text is its paragraphs separated by blank lines."""

    id: int
    url: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _line(text: str) -> str:
    return text.rstrip(".,;:!?—-–… ")


class Archive:
    """``size`` originals, rendered on demand (``original(i)`` is the same for a seed)."""

    def __init__(self, chain: MarkovChain, size: int, *, seed: int) -> None:
        rng = np.random.default_rng([seed, 1])
        self.chain, self.size = chain, size
        self.rows = chain.generate(size, ORIGINAL_WORDS + ORIGINAL_SPREAD + ROW_SLACK, rng)
        self._lengths = rng.integers(ORIGINAL_WORDS - ORIGINAL_SPREAD,
                                     ORIGINAL_WORDS + ORIGINAL_SPREAD + 1, size)
        self._paragraphs = rng.integers(PARAGRAPHS[0], PARAGRAPHS[1] + 1, size)
        titles = chain.generate(size, TITLE_WORDS[1], rng)
        title_words = rng.integers(TITLE_WORDS[0], TITLE_WORDS[1] + 1, size)
        plain = [_line(chain.render(titles[i, : title_words[i]])) for i in range(size)]
        twice = {t for t, c in Counter(plain).items() if c > 1}
        self.titles = [f"{t} ({i + 1})" if t in twice else t for i, t in enumerate(plain)]
        self.quote_rows = chain.generate(QUOTE_POOL, QUOTE_WORDS[1], rng)
        quote_words = rng.integers(QUOTE_WORDS[0], QUOTE_WORDS[1] + 1, QUOTE_POOL)
        speakers = chain.content_words(2 * QUOTE_POOL, rng, capital=True).reshape(-1, 2)
        self.quotes = [f"“{_line(chain.render(self.quote_rows[i, : quote_words[i]]))},” "
                       f"{chain.render(speakers[i])} said." for i in range(QUOTE_POOL)]
        weights = 1.0 / np.arange(1, QUOTE_POOL + 1)
        self._quotes = rng.choice(QUOTE_POOL, size=(size, len(QUOTE_COUNT_P) - 1),
                                  p=weights / weights.sum())
        self._quote_counts = rng.choice(len(QUOTE_COUNT_P), size=size, p=QUOTE_COUNT_P)
        self._slots = rng.random((size, len(QUOTE_COUNT_P)))
        self._stock = np.where(rng.random(size) < STOCK_SHARE,
                               rng.integers(0, len(STOCK_PHRASES), size), -1)
        self._footer = rng.random(size) < FOOTER_SHARE

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[SynthOriginal]:
        return (self.original(i) for i in range(self.size))

    def quotes_of(self, index: int) -> list[int]:
        """The pool quotations planted in original ``index`` (0-based)."""
        return self._quotes[index, : self._quote_counts[index]].tolist()

    def original(self, index: int) -> SynthOriginal:
        """Original ``index`` (0-based); its id is ``index + 1``."""
        row = self.rows[index]
        row = row[: self.chain.cut(row, int(self._lengths[index]))]
        paragraphs = [self.chain.render(p)
                      for p in self.chain.paragraphs(row, int(self._paragraphs[index]))]
        planted = [self.quotes[q] for q in self.quotes_of(index)]
        if self._stock[index] >= 0:
            planted.append(STOCK_PHRASES[self._stock[index]])
        for line, slot in zip(planted, self._slots[index], strict=False):
            at = int(slot * len(paragraphs))
            paragraphs[at] = f"{paragraphs[at]} {line}"
        if self._footer[index]:
            paragraphs.append(REPOST_FOOTER)
        oid = index + 1
        return SynthOriginal(oid, f"https://{DOMAIN}/a/{oid}", self.titles[index],
                             tuple(paragraphs))

    def token_runs(self, k: int) -> Hashes:
        """Sorted hashes of every run of k tokens in the originals' chain text and the
        quotations (also runs across two originals: cautious)."""
        blocks = [self.rows[i : i + _CHUNK_ROWS] for i in range(0, self.size, _CHUNK_ROWS)]
        return _unique(np.concatenate([_unique(_windows(self.chain.tokens(b)[0], k))
                                       for b in [*blocks, self.quote_rows]]))

    def recurrence(self, k: int, *, sample: int, limit: int, seed: int) -> tuple[float, float]:
        """Share of the word k-grams of sampled originals' chain text found in another
        original, and in more than ``limit`` originals: how much phrases recur."""
        rng = np.random.default_rng([seed, 3])
        picks = rng.choice(self.size, size=min(sample, self.size), replace=False)
        grams = [_unique(_windows(self.chain.norm[self.rows[i]], k)) for i in picks]
        probe = _unique(np.concatenate(grams))
        df = np.zeros(len(probe), dtype=np.int64)  # originals holding each k-gram of probe
        for i in range(0, self.size, _CHUNK_ROWS):
            h = np.sort(_windows(self.chain.norm[self.rows[i : i + _CHUNK_ROWS]], k), axis=1)
            first = np.ones(h.shape, dtype=bool)
            first[:, 1:] = h[:, 1:] != h[:, :-1]
            values = h[first]
            values = values[_member(values, probe)]
            df += np.bincount(np.searchsorted(probe, values), minlength=len(probe))
        per = np.concatenate([df[np.searchsorted(probe, g)] for g in grams])
        return float(np.mean(per > 1)), float(np.mean(per > limit))


@dataclass(frozen=True)
class LabelledPage:
    """A page's visible text and its label: the original it copies (None: none) and how."""

    url: str
    text: str
    original_id: int | None
    kind: str


def _clean(fillers: list[Ids], archive: Archive, rng: np.random.Generator) -> None:
    """Break every run of ``RUN_LIMIT_WORDS`` tokens that filler shares with the archive."""
    chain, k = archive.chain, RUN_LIMIT_WORDS
    known = archive.token_runs(k)
    for round_ in range(MAX_CLEANING_ROUNDS):
        tokens = [chain.tokens(a) for a in fillers]
        grams = [_windows(t, k) for t, _ in tokens]
        bad = _unique(np.concatenate([np.empty(0, np.uint64), *grams]))
        bad = bad[_member(bad, known)]
        if not len(bad):
            return
        dirty = [(a, owner, g) for a, (_, owner), g in zip(fillers, tokens, grams, strict=True)
                 if _member(g, bad).any()]
        fillers = [a for a, _, _ in dirty]
        for array, owner, g in dirty:
            skip_to = -1
            for p in np.flatnonzero(_member(g, bad)).tolist():
                if p > skip_to:
                    w = int(owner[p + k // 2])
                    # a word like the one replaced; a small script's few words may not break
                    # the run, so later rounds take any Latin word
                    array[w] = (chain.similar(array[w : w + 1], rng)[0]
                                if round_ < MAX_CLEANING_ROUNDS // 2
                                else chain.content_words(1, rng)[0])
                    skip_to = p + k // 2
    raise GeneratorError(f"filler still shares {RUN_LIMIT_WORDS}-token runs with the archive")


def _edit(paragraphs: list[str], chain: MarkovChain, rng: np.random.Generator) -> list[str]:
    """Replace some words, drop one sentence, swap two paragraphs."""
    out = []
    for p in paragraphs:
        words = p.split()
        for i in np.flatnonzero(rng.random(len(words)) < EDIT_WORD_SHARE).tolist():
            words[i] = chain.replace_word(words[i], rng)
        out.append(" ".join(words))
    longest = max(range(len(out)), key=lambda i: len(out[i]))
    sentences = _SENTENCE_RE.split(out[longest])
    if len(sentences) > 1:
        del sentences[int(rng.integers(len(sentences)))]
        out[longest] = " ".join(sentences)
    if len(out) > 1:
        i, j = rng.choice(len(out), size=2, replace=False).tolist()
        out[i], out[j] = out[j], out[i]
    return out


def _body(kind: str, original: SynthOriginal, host: list[str], chain: MarkovChain,
          rng: np.random.Generator) -> list[str]:
    """The article part of a page that copies ``original`` as ``kind`` says."""
    paragraphs = list(original.paragraphs)
    if kind == "partial":
        return paragraphs[: max(1, round(rng.uniform(*PARTIAL_SHARE) * len(paragraphs)))]
    if kind == "edited":
        return _edit(paragraphs, chain, rng)
    if kind == "ads":
        out = [paragraphs[0]]
        for p in paragraphs[1:]:
            if rng.random() < AD_SHARE:
                out += ["Advertisement", AD_LINES[int(rng.integers(len(AD_LINES)))]]
            out.append(p)
        return out
    if kind == "excerpt":
        start = int(rng.integers(max(1, len(paragraphs) - 1)))
        taken = paragraphs[start : start + int(rng.integers(1, 3))]
        if sum(len(p.split()) for p in taken) < EXCERPT_MIN_WORDS:
            taken = paragraphs[start : start + 2]
        at = int(rng.integers(1, len(host) + 1))
        return host[:at] + taken + host[at:]
    return paragraphs


def make_pages(archive: Archive, n: int, *, seed: int, pool: int) -> list[LabelledPage]:
    """``n`` labelled pages; copies are of originals with ids 1..``pool``."""
    rng = np.random.default_rng([seed, 2])
    chain, pool = archive.chain, min(pool, archive.size)
    counts = {kind: round(share * n) for kind, share in KIND_SHARES.items()}
    counts["unrelated"] += n - sum(counts.values())
    kinds = [kind for kind, c in counts.items() for _ in range(c)]
    kinds = [kinds[i] for i in rng.permutation(n)]
    targets = rng.integers(0, pool, n)
    used = np.bincount([q for i in range(pool) for q in archive.quotes_of(i)],
                       minlength=QUOTE_POOL)
    shared = [archive.quotes[q] for q in np.flatnonzero(used > 1)]  # repeated in the pool
    host_rows = chain.generate(n, HOST_WORDS[1] + ROW_SLACK, rng)
    host_words = rng.integers(HOST_WORDS[0], HOST_WORDS[1] + 1, n)
    line_rows = chain.generate(n * CHROME_LINES, FOOTER_LINE_WORDS[1], rng).reshape(
        n, CHROME_LINES, -1)
    title_words = rng.integers(TITLE_WORDS[0], TITLE_WORDS[1] + 1, (n, CHROME_LINES))
    fillers = [[host_rows[i, : chain.cut(host_rows[i], int(host_words[i]))],
                *(line_rows[i, j, : title_words[i, j]] for j in range(CHROME_LINES - 1)),
                line_rows[i, -1, : chain.cut(line_rows[i, -1], FOOTER_LINE_WORDS[0])]]
               for i in range(n)]
    _clean([a for f in fillers for a in f], archive, rng)  # edits the rows in place
    pages = []
    for i, (kind, filler) in enumerate(zip(kinds, fillers, strict=True)):
        host = [chain.render(p) for p in chain.paragraphs(
            filler[0], int(rng.integers(HOST_PARAGRAPHS[0], HOST_PARAGRAPHS[1] + 1)))]
        site = chain.render(chain.content_words(2, rng, capital=True))
        menu = chain.content_words(int(rng.integers(MENU_ITEMS[0], MENU_ITEMS[1] + 1)), rng)
        headline, body, original_id = _line(chain.render(filler[1])), host, None
        if kind in COPY_KINDS:
            original = archive.original(int(targets[i]))
            original_id, body = original.id, _body(kind, original, host, chain, rng)
            headline = headline if kind == "excerpt" else original.title
        elif kind == "quote":
            line = [rng.choice(shared) if shared else REPOST_FOOTER,
                    STOCK_PHRASES[int(rng.integers(len(STOCK_PHRASES)))],
                    REPOST_FOOTER][int(rng.choice(len(SHARED_LINE_P), p=SHARED_LINE_P))]
            at = int(rng.integers(1, len(host) + 1))
            body = [*host[:at], str(line), *host[at:]]
        lines = [site, " | ".join(w.capitalize() for w in chain.words[menu].tolist()), headline,
                 *body, "Read also", *(_line(chain.render(r)) for r in filler[2:-1]),
                 f"© 2024 {site}. All rights reserved.", chain.render(filler[-1]),
                 "Privacy · Terms · Contact"]
        url = f"https://site{int(rng.integers(1, 1000))}.test/story/{i + 1}"
        pages.append(LabelledPage(url, "\n".join(lines), original_id, kind))
    return pages


def write_data(folder: Path, archive: Archive, pages: Sequence[LabelledPage]) -> None:
    """``originals.jsonl`` (every original, in id order) and ``pages.jsonl`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "originals.jsonl").open("w", encoding="utf-8") as fh:
        for o in archive:
            fh.write(json.dumps({"id": o.id, "url": o.url, "title": o.title, "text": o.text},
                                ensure_ascii=False) + "\n")
    with (folder / "pages.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in pages)


def read_pages(folder: Path) -> list[LabelledPage]:
    with (folder / "pages.jsonl").open(encoding="utf-8") as fh:
        return [LabelledPage(**json.loads(line)) for line in fh]
