"""Credit evidence: every way a page can refer to a publication, collected as ``Signal``s.

Credit lives where extractors drop it, so the whole page is read: ``<head>`` (rel=canonical,
og:url, JSON-LD), every link with the region it sits in and its offset in the text, and the
visible text for the publication's names (exact, or with one typo) and credit lines ("Source:",
"originally published on", "Quelle:", "Источник:", "©"…). What is not credit is left out:

- mentions *inside* the copied text or a copied title (an article naming its own publication
  is not credited by being copied);
- boilerplate: lines repeated three or more times on the page (widgets, "X may receive a
  commission"), and long legal lines ("Copyright … originally published on other editions of
  X are the property of …").

``decide`` in ``credit.py`` turns the signals into a status.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
from rapidfuzz.distance import Levenshtein

from .marks import grammar
from .original import Original
from .page import Page
from .rules import CreditRule
from .urls import canonical_url, domain_keys, host_matches, host_of

__all__ = ["SHORTENERS", "Signal", "collect_signals"]

FAR_REGIONS = frozenset({"footer", "nav", "menu", "sidebar", "related", "comment"})
SHORTENERS = frozenset({
    "bit.ly", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "buff.ly", "is.gd", "lnkd.in",
    "dlvr.it", "fb.me", "trib.al", "rebrand.ly", "shorturl.at", "cutt.ly", "tiny.cc", "t.ly",
})
"""URL shorteners: where a link through them leads is unknown without fetching it."""

# A credit line: "Source: X", "Quelle: X", "originally published on X"... in English, Russian,
# German, French, Spanish, Italian. The tail (the rest of that line) is what the line credits.
# Bare "source"/"via" without a colon are too common in prose ("a source told AFP") to count.
_SOURCE_LINE = re.compile(
    r"(?:\b(?:source|sources|quelle|quellen|fuente|fuentes|fonte|источник|источники)[ \t]?:|"
    r"\b(?:courtesy of|reprinted (?:with permission )?from|"
    r"(?:originally|first) (?:published|appeared|posted) (?:on|in|at|by)|"
    r"read (?:the )?(?:original|full) (?:article|story|report) (?:at|on|in)|"
    r"erschien (?:zuerst|ursprünglich) (?:bei|in|auf)|"
    r"publié (?:initialement|d'abord) (?:sur|dans|par)|"
    r"publicado (?:originalmente|primero) (?:en|por)|впервые опубликовано (?:на|в)|"
    r"по материалам)\b)"
    r"[ \t]*(?P<tail>[^\n]{2,120})",
    re.IGNORECASE,
)
_SOURCE_STARTS = ("source", "quelle", "fuente", "fonte", "источник", "courtesy", "reprinted",
                  "originally", "first", "read", "erschien", "publi", "впервые", "по материалам")
# "via X" and "© X" credit us when X is our name, and say nothing otherwise (every site has a
# "© Site" footer, and "via Getty Images" is a photo credit).
_OURS_ONLY = re.compile(r"(?:\bvia|©|\(c\))[ \t]*(?:\d{4}[ \t]*)?(?P<tail>[^\n]{2,80})",
                        re.IGNORECASE)
_OURS_STARTS = ("via", "©", "(c)")
# Characters that re's IGNORECASE matches to a Latin or Cyrillic letter although str.lower()
# does not turn them into that letter (dotted and dotless i, long s, old Cyrillic letter forms).
_ODD_CHARS = "\u0130\u0131\u017f" + "".join(map(chr, range(0x1C80, 0x1C87)))
_CASE_ODDITIES = re.compile(f"[{_ODD_CHARS}]")
_LEGAL = re.compile(
    r"copyright|all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"todos los derechos reservados|все права защищены|trademark|under licen[cs]e|"
    r"terms of (?:use|service)|privacy policy",
    re.IGNORECASE,
)
_LEGAL_STARTS = ("copyright", "all rights reserved", "alle rechte vorbehalten",
                 "tous droits réservés", "todos los derechos reservados", "все права защищены",
                 "trademark", "under licen", "terms of ", "privacy policy")
_LEGAL_MIN_WORDS = 10  # a short "© The Daily Planet" line is a credit, a legal paragraph is not
_REPEATED = 3  # a line seen this many times on one page is a widget, not a credit
_WORD = re.compile(r"\w+")
_REDIRECT_KEYS = ("u", "url", "to", "target", "dest", "destination", "redirect", "q", "link")


def _lower(text: str) -> str | None:
    """``text.lower()``, or None when it holds a ``_CASE_ODDITIES`` character."""
    # Ten searches for one character each are faster than one search for a class of them.
    return None if any(char in text for char in _ODD_CHARS) else text.lower()


_lowered = lru_cache(maxsize=4)(_lower)  # kept for the few searches of one page's text


def _finditer(pattern: re.Pattern[str], starts: Sequence[str],
              text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a case-insensitive ``pattern`` each match of which begins
    with one of ``starts`` (lower case): the pattern is tried only where they occur in the
    lower-cased text (found by ``str.find``), not at every character of the page."""
    lowered = _lowered(text)
    if lowered is None:  # lower() would not show every match (or would shift it)
        yield from pattern.finditer(text)
        return
    tries: set[int] = set()
    for start in starts:
        at = lowered.find(start)
        while at >= 0:
            tries.add(at)
            at = lowered.find(start, at + 1)
    end = 0
    for at in sorted(tries):
        if at >= end and (m := pattern.match(text, at)):
            yield m
            end = m.end()


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of credit evidence.

    kind: ``article-link``, ``site-link``, ``short-link`` (through a URL shortener),
    ``canonical``, ``og:url``, ``json-ld``, ``name``, ``source-line``, ``other-source`` (a
    source line naming someone else), or ``not-credit`` (the name where it cannot count: a
    site-wide legal line, a line repeated across the page, the copied title; never credit,
    named so that the reason tells what was seen). where: ``head`` or the page region (``article``,
    ``footer``, ``body``...). in_article: it sits with the copied text (within
    ``credit_near_chars``, not in a footer, menu or sidebar). note: what else to know ("one
    typo", "through a redirector at HOST", "target not checked").
    """

    kind: str
    value: str
    where: str
    in_article: bool
    nofollow: bool = False
    hidden: bool = False
    note: str = ""


@dataclass(frozen=True)
class _Scope:
    """Where on the page text a mention counts: not in the copy, not in boilerplate.

    Boilerplate is a line (``_boilerplate_line``) or the copied title; it is looked for only
    on the lines of mentions outside the copy, when one asks: most pages have none.
    """

    copied: Sequence[tuple[int, int]]
    reach: int
    text: str
    title: str

    @cached_property
    def _lines(self) -> tuple[list[int], Counter[str]]:
        """Where each line starts, and how often each line occurs on the page, ignoring case."""
        folded = self.text.casefold()
        lines = folded.split("\n")  # casefold() maps no character to a line break
        # It may lengthen a line ("ß" → "ss"): then the starts come from the text itself.
        lengths = map(len, lines if len(folded) == len(self.text) else self.text.split("\n"))
        return list(accumulate((n + 1 for n in lengths), initial=0)), Counter(lines)

    @cached_property
    def _title(self) -> list[tuple[int, int]]:
        return _copied_title(self.text, self.title)

    @cached_property
    def _why(self) -> dict[int, str | None]:
        return {}  # line number → why it is boilerplate (None: it is not), once a line

    def _excluded(self, pos: int) -> tuple[int, int, str] | None:
        """The boilerplate span holding ``pos`` (its line, else the copied title) and why."""
        starts, counts = self._lines
        n = bisect_right(starts, pos) - 1
        start, end = starts[n], starts[n + 1] - 1  # the last start is one past the text's end
        if pos < end:  # not the line break after the line
            if n not in self._why:
                self._why[n] = _boilerplate_line(self.text[start:end], counts)
            if (why := self._why[n]) is not None:
                return start, end, why
        return next(((s, e, "the copied title") for s, e in self._title if s <= pos < e), None)

    def counts(self, pos: int) -> bool:
        return not any(s <= pos < e for s, e in self.copied) and self._excluded(pos) is None

    def rejected(self, pos: int) -> tuple[int, int, str] | None:
        """The excluded span holding ``pos`` outside the copy, and why it does not count:
        a mention there is named in the reason, not taken as credit."""
        if any(s <= pos < e for s, e in self.copied):
            return None
        return self._excluded(pos)

    def near(self, pos: int) -> bool:
        if not self.copied:
            return True
        return any(s - self.reach <= pos < e + self.reach for s, e in self.copied)


@lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = []
    for name in names:
        words = [re.escape(w) for w in re.split(r"[\s\-_.]+", name.strip()) if w]
        if words:
            alts.append(r"[\s\-_.]*".join(words))
    if not alts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=256)
def _name_starts(names: tuple[str, ...]) -> tuple[str, ...] | None:
    """The first word of each name in lower case: where a match of ``_name_pattern(names)``
    can begin (None unless every name is ASCII: ``_finditer`` knows the characters that
    match an ASCII letter ignoring case although ``lower()`` does not make them that letter)."""
    if not all(name.isascii() for name in names):
        return None
    firsts = [next(iter(w for w in re.split(r"[\s\-_.]+", name.strip()) if w), "")
              for name in names]
    return tuple(sorted({w.lower() for w in firsts if w}))


def _names_in(pattern: re.Pattern[str], names: tuple[str, ...],
              text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for ``pattern = _name_pattern(names)``, searching only where
    a name's first word occurs."""
    starts = _name_starts(names)
    return pattern.finditer(text) if starts is None else _finditer(pattern, starts, text)


def _legal(line: str) -> bool:
    """Whether ``line`` holds a legal phrase (``_LEGAL``), searched only if it holds one of
    their starts (as ``_finditer`` does)."""
    lowered = _lower(line)
    if lowered is not None and not any(start in lowered for start in _LEGAL_STARTS):
        return False
    return _LEGAL.search(line) is not None


def _boilerplate_line(line: str, counts: Counter[str]) -> str | None:
    """What ``line`` is if it is boilerplate: a long legal line, or one repeated (``counts``:
    the page's lines, case folded); None when it is neither."""
    if len(line.split()) >= _LEGAL_MIN_WORDS and _legal(line):
        return "a site-wide legal line"
    if counts[line.casefold()] >= _REPEATED:
        return "a line repeated across the page"
    return None


def _copied_title(text: str, title: str) -> list[tuple[int, int]]:
    """Where the page shows the original's title: a name in a copied title ("9to5Mac Gift
    Guide") is part of the copy, not credit."""
    words = title.split()
    if len(words) < 3:
        return []
    pattern = _title_pattern(title)
    if not words[0].isascii():
        return [m.span() for m in pattern.finditer(text)]
    # A match begins with the title's first word: tried only where it occurs (_finditer).
    return [m.span() for m in _finditer(pattern, (words[0].lower(),), text)]


@lru_cache(maxsize=256)
def _title_pattern(title: str) -> re.Pattern[str]:
    """The words of ``title`` with any white space between them, ignoring case."""
    return re.compile(r"\s+".join(re.escape(w) for w in title.split()), re.IGNORECASE)


def _head_signals(page: Page, target: str, rule: CreditRule) -> list[Signal]:
    signals: list[Signal] = []
    for kind, url in (("canonical", page.canonical), ("og:url", page.og_url)):
        if url and canonical_url(url) == target:
            signals.append(Signal(kind, url, "head", True))
    names = _name_pattern(rule.names)
    for item in page.json_ld:
        based = item.get("isBasedOn") or item.get("isBasedOnUrl")
        for ref in based if isinstance(based, list) else [based]:
            url = ref.get("url") if isinstance(ref, dict) else ref
            if isinstance(url, str) and host_matches(host_of(url), rule.domains):
                signals.append(Signal("json-ld", f"isBasedOn: {url}", "head", True))
        for key in ("sourceOrganization", "publisher"):
            org = item.get(key)
            name = org.get("name") if isinstance(org, dict) else org
            if isinstance(name, str) and names and names.fullmatch(name.strip()):
                signals.append(Signal("json-ld", f"{key}: {name.strip()}", "head", True))
    return signals


def _through_redirector(href: str, rule: CreditRule) -> str | None:
    """The URL of ours that a redirector link (``?u=https%3A//ours/...``) leads to, if any."""
    try:
        query = urlsplit(href).query
    except ValueError:
        return None
    for key, value in parse_qsl(query):
        if key.lower() in _REDIRECT_KEYS:
            url = unquote(value).strip()
            if url.startswith("www."):
                url = "http://" + url
            if url.startswith(("http://", "https://")) and host_matches(host_of(url),
                                                                        rule.domains):
                return url
    return None


@lru_cache(maxsize=256)
def _needles(domains: tuple[str, ...]) -> tuple[str, ...]:
    """What the address of every link that can be evidence contains (see ``_link_signals``)."""
    return (*domain_keys(domains), *SHORTENERS)


def _link_signals(page: Page, target: str, rule: CreditRule, scope: _Scope) -> list[Signal]:
    signals: list[Signal] = []
    # Only links to our domains, through a redirector to them, or through a shortener can be
    # evidence, and their addresses show our domain or a shortener's (percent-encoded ones are
    # let through too): the other links of the page are never resolved or placed.
    for link in page.links_mentioning(_needles(tuple(rule.domains))):
        host = host_of(link.href)
        href, note = link.href, ""
        near = link.region not in FAR_REGIONS and scope.near(link.offset)
        if not host_matches(host, rule.domains):
            via = _through_redirector(link.href, rule)
            if via is None:
                if host in SHORTENERS and near:
                    signals.append(Signal("short-link", link.href, link.region, near,
                                          link.nofollow, link.hidden, "target not checked"))
                continue
            href, note = via, f"through a redirector at {host}"
        kind = "article-link" if canonical_url(href) == target else "site-link"
        signals.append(Signal(kind, href, link.region, near, link.nofollow, link.hidden, note))
    return signals


def _outside(positions: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Indexes of the (ascending) ``positions`` that no span covers."""
    if not spans:
        return list(range(len(positions)))
    ordered = sorted(spans)
    starts = np.array([s for s, _ in ordered])
    reach = np.maximum.accumulate(np.array([e for _, e in ordered]))  # overlapping spans too
    pos = np.array(positions, dtype=np.int64)
    before = np.searchsorted(starts, pos, side="right") - 1
    covered = (before >= 0) & (reach[np.maximum(before, 0)] > pos)
    return np.flatnonzero(~covered).tolist()


def _covered(spans: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The union of ``spans``: starts and ends of disjoint, sorted intervals."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(spans):
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _edge_words(text: str, edges: Sequence[tuple[int, int]],
                copied: Sequence[tuple[int, int]], keep: int) -> list[tuple[int, str]]:
    """The words (start, word) of each ``text[lo:hi]`` of ``edges``, as ``\\w+`` finds them,
    except that of a run of words starting in ``copied`` only the first ``keep`` are listed:
    every window of up to ``keep + 1`` words that starts outside the copy holds the same words,
    and the copy itself (most of the page next to it) is not read word by word."""
    cstarts, cends = _covered(copied)
    words: list[tuple[int, str]] = []
    for lo, hi in edges:
        pos: int | None = lo
        while pos is not None:
            start, pos, inside = pos, None, 0
            for m in _WORD.finditer(text, start, hi):
                at = m.start()
                k = bisect_right(cstarts, at) - 1
                if k >= 0 and at < cends[k]:
                    if inside >= keep:  # skip to the copy's end (past a word across it)
                        pos = cends[k]
                        across = _WORD.match(text, pos, hi)
                        if across is not None and _WORD.match(text, pos - 1, pos):
                            pos = across.end()
                        break
                    inside += 1
                else:
                    inside = 0
                words.append((at, m.group()))
    return words


def _fuzzy_names(text: str, rule: CreditRule, scope: _Scope) -> list[Signal]:
    """Names written with one typo ("Daily Plantet"), near the copy; names of 6+ letters only
    (shorter ones collide with ordinary words)."""
    found: list[Signal] = []
    targets = [t for t in (" ".join(name.casefold().split()) for name in rule.names)
               if len(t.replace(" ", "")) >= 6]
    if not targets:
        return found
    # Only the text next to the copy is searched (credit far away would not count anyway).
    edges: list[tuple[int, int]] = []
    for s, e in sorted(scope.copied) or [(0, len(text))]:
        lo, hi = max(0, s - scope.reach), e + scope.reach
        if edges and lo <= edges[-1][1]:
            edges[-1] = (edges[-1][0], max(edges[-1][1], hi))
        else:
            edges.append((lo, hi))
    longest = max(len(t.split()) for t in targets)
    words = _edge_words(text, edges, scope.copied, longest - 1)
    outside = _outside([pos for pos, _ in words], scope.copied)  # a typo in the copy is copied
    folded = [w.casefold() for _, w in words]  # casefold() maps each character on its own
    # Where each window of words starts in their folded text joined with spaces: a window's
    # length is known before it is joined, and most windows are too long or too short.
    at = list(accumulate((len(w) + 1 for w in folded), initial=0))
    for target in targets:
        n = len(target.split())
        for i in outside[: bisect_right(outside, len(words) - n)]:
            if abs(at[i + n] - at[i] - 1 - len(target)) > 1:
                continue  # one edit cannot bridge more than one character of length
            window = " ".join(folded[i : i + n])
            if window == target:
                continue
            if Levenshtein.distance(window, target, score_cutoff=1) > 1:
                continue
            start = words[i][0]
            if scope.near(start) and scope.counts(start):
                found.append(Signal("name", text[start : words[i + n - 1][0]
                                                 + len(words[i + n - 1][1])],
                                    "body", True, note="one typo"))
    return found


def _text_signals(page: Page, rule: CreditRule, scope: _Scope) -> list[Signal]:
    signals: list[Signal] = []
    text = page.text
    every = (*rule.names, *rule.domains)
    names = _name_pattern(every)
    for m in _finditer(_SOURCE_LINE, _SOURCE_STARTS, text):
        if not scope.counts(m.start()):
            continue
        kind = "source-line" if names and names.search(m.group("tail")) else "other-source"
        signals.append(Signal(kind, m.group().strip()[:160], "body", scope.near(m.start())))
    if names is None:
        return signals
    for m in _finditer(_OURS_ONLY, _OURS_STARTS, text):
        if names.search(m.group("tail")) and scope.counts(m.start()):
            signals.append(Signal("source-line", m.group().strip()[:160], "body",
                                  scope.near(m.start())))
    found = list(_names_in(names, every, text))
    # A dateline naming the publication counts inside the copied text too: the copy kept the
    # source's name ("LONDON (Reuters) -" copied from Reuters). See matcher.marks.
    datelines = grammar(rule.names)
    lines: set[int] = set()
    for m in found:
        first = text.rfind("\n", 0, m.start()) + 1
        if first not in lines and (mark := datelines.dateline_around(text, m.start())):
            lines.add(first)
            signals.append(Signal("source-line", mark.text, "body", scope.near(mark.start),
                                  note="dateline"))
    mentions = [m for m in found if scope.counts(m.start())]
    # A mention that does not count is still named, so that the reason never says "no
    # mention" of a page that shows the name (in a legal footer, say).
    named: set[str] = set()
    for m in found:
        if (hit := scope.rejected(m.start())) is not None:
            line = text[hit[0]:hit[1]].strip()[:160]
            if line not in named:  # a repeated line once
                named.add(line)
                signals.append(Signal("not-credit", line, "body", False,
                                      note=f"named in {hit[2]}: not credit"))
    signals += [Signal("name", m.group(), "body", scope.near(m.start())) for m in mentions]
    if not any(scope.near(m.start()) for m in mentions):
        signals += _fuzzy_names(text, rule, scope)
    return signals


@lru_cache(maxsize=1024)
def _target(url: str) -> str:
    """``canonical_url`` of an original's address (one original is copied by many pages)."""
    return canonical_url(url)


def collect_signals(
    page: Page,
    original: Original,
    rule: CreditRule,
    *,
    copied: Sequence[tuple[int, int]] = (),
    near_chars: int = 300,
) -> tuple[Signal, ...]:
    """Every credit signal on ``page`` for ``original`` of ``rule``'s publication.

    ``copied``: character spans of the copied passages in ``page.text``. ``near_chars``: how
    far from them a credit still counts as being with the article.
    """
    scope = _Scope(copied, near_chars, page.text, original.title)
    target = _target(original.url)
    return (
        *_head_signals(page, target, rule),
        *_link_signals(page, target, rule, scope),
        *_text_signals(page, rule, scope),
    )
