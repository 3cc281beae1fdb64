"""Credit (attribution): does a page that copies an original refer to its source, and how?

Credit lives where extractors drop it, so the whole page is read: ``<head>`` (rel=canonical,
og:url, JSON-LD), every link with the region it sits in, and the visible text for the
publication's names and "Source:"-style lines. Mentions *inside* the copied text do not count:
an article that names its own publication is not credited by being copied.

One function decides the status (``check_credit``); its ``reason`` is a plain sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .original import Original
from .page import Page
from .rules import CreditRule
from .urls import canonical_url, host_matches, host_of

__all__ = [
    "CREDIT_MET",
    "CREDIT_STATUSES",
    "Credit",
    "CreditStatus",
    "Signal",
    "check_credit",
    "lacks_credit",
]

_FAR_REGIONS = frozenset({"footer", "nav", "menu", "sidebar", "related", "comment"})

CreditStatus = Literal["credited", "partial", "uncredited", "misattributed", "allowed"]
CREDIT_STATUSES: tuple[CreditStatus, ...] = (
    "credited", "allowed", "partial", "uncredited", "misattributed"
)
CREDIT_MET: frozenset[str] = frozenset({"credited", "allowed"})
"""The statuses that meet the publication's rule; every other status lacks credit."""


def lacks_credit(status: str) -> bool:
    """Whether a copy with this credit status breaks the rule (what reports chase)."""
    return status not in CREDIT_MET

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
# "via X" credits us when X is our name, and says nothing otherwise.
_VIA = re.compile(r"\bvia[ \t]+(?P<tail>[^\n]{2,80})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of credit evidence.

    kind: ``article-link``, ``site-link``, ``canonical``, ``og:url``, ``json-ld``, ``name``,
    ``source-line``, or ``other-source`` (a source line naming someone else).
    where: ``head`` or the page region (``article``, ``footer``, ``body``...).
    in_article: whether it sits with the copied text (not in a footer or sidebar far away).
    """

    kind: str
    value: str
    where: str
    in_article: bool
    nofollow: bool = False
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Credit:
    """The credit status, a one-sentence reason, and the evidence behind it."""

    status: CreditStatus
    reason: str
    evidence: tuple[Signal, ...] = ()


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


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _near(pos: int, spans: Sequence[tuple[int, int]], reach: int) -> bool:
    if not spans:
        return True
    return any(s - reach <= pos < e + reach for s, e in spans)


def _head_signals(page: Page, original: Original, rule: CreditRule) -> list[Signal]:
    signals: list[Signal] = []
    target = canonical_url(original.url)
    for kind, url in (("canonical", page.canonical), ("og:url", page.og_url)):
        if url and canonical_url(url) == target:
            signals.append(Signal(kind, url, "head", True))
    for item in page.json_ld:
        based = item.get("isBasedOn") or item.get("isBasedOnUrl")
        for ref in based if isinstance(based, list) else [based]:
            url = ref.get("url") if isinstance(ref, dict) else ref
            if isinstance(url, str) and host_matches(host_of(url), rule.domains):
                signals.append(Signal("json-ld", url, "head", True))
    return signals


def _link_signals(
    page: Page, original: Original, rule: CreditRule, copied: Sequence[tuple[int, int]], reach: int
) -> list[Signal]:
    signals: list[Signal] = []
    target = canonical_url(original.url)
    for link in page.links:
        if not host_matches(host_of(link.href), rule.domains):
            continue
        kind = "article-link" if canonical_url(link.href) == target else "site-link"
        in_article = link.region not in _FAR_REGIONS and _near(link.offset, copied, reach)
        signals.append(
            Signal(kind, link.href, link.region, in_article, link.nofollow, link.hidden)
        )
    return signals


def _text_signals(
    page: Page, rule: CreditRule, copied: Sequence[tuple[int, int]], reach: int
) -> list[Signal]:
    signals: list[Signal] = []
    text = page.text
    names = _name_pattern((*rule.names, *rule.domains))
    for m in _SOURCE_LINE.finditer(text):
        if _inside(m.start(), copied):
            continue
        tail = m.group("tail").strip()
        near = _near(m.start(), copied, reach)
        kind = "source-line" if names and names.search(tail) else "other-source"
        signals.append(Signal(kind, m.group().strip()[:160], "body", near))
    if names:
        for m in _VIA.finditer(text):
            if not _inside(m.start(), copied) and names.search(m.group("tail")):
                near = _near(m.start(), copied, reach)
                signals.append(Signal("source-line", m.group().strip()[:160], "body", near))
    if names:
        for m in names.finditer(text):
            if _inside(m.start(), copied):
                continue
            near = _near(m.start(), copied, reach)
            signals.append(Signal("name", m.group(), "body", near))
    return signals


def check_credit(
    page: Page,
    original: Original,
    rule: CreditRule,
    *,
    copied: Sequence[tuple[int, int]] = (),
    near_chars: int = 1500,
) -> Credit:
    """Decide how ``page`` credits ``original`` under ``rule``.

    ``copied``: character spans of the copied passages in ``page.text`` (mentions inside them
    are part of the copy, not credit). ``near_chars``: how far from the copied text a credit
    still counts as being with the article.
    """
    if rule.allow and host_matches(page.host, rule.allow):
        return Credit("allowed", f"{page.host} is an allowed partner of {rule.publication}.")
    evidence = (
        _head_signals(page, original, rule)
        + _link_signals(page, original, rule, copied, near_chars)
        + _text_signals(page, rule, copied, near_chars)
    )
    return _decide(rule, tuple(evidence))


def _decide(rule: CreditRule, evidence: tuple[Signal, ...]) -> Credit:
    kinds = {s.kind for s in evidence}
    visible_links = [s for s in evidence if s.kind.endswith("-link") and not s.hidden]
    article_links = [s for s in visible_links if s.kind == "article-link"]
    near_names = [s for s in evidence if s.kind in ("name", "source-line") and s.in_article]
    head = [s for s in evidence if s.where == "head"]
    pub = rule.publication

    def credited(reason: str) -> Credit:
        return Credit("credited", reason, evidence)

    def partial(reason: str) -> Credit:
        return Credit("partial", reason, evidence)

    if rule.credit == "article-link":
        if article_links:
            return credited(f"Links to the original article on {pub}.")
        if visible_links:
            return partial(f"Links to {pub}, but not to the article itself.")
    elif rule.credit == "link":
        if visible_links:
            return credited(f"Links to {pub}.")
    else:
        if article_links:
            return credited(f"Links to the original article on {pub}.")
        if [s for s in visible_links if s.in_article]:
            return credited(f"Links to {pub}.")
        if "source-line" in kinds and near_names:
            return credited(f"Names {pub} as the source.")
        if head:
            return credited(f"Declares the original in its <head> ({head[0].kind}).")
        if near_names:
            return credited(f"Names {pub} next to the article.")
        if visible_links:
            return partial(f"Links to {pub} only away from the article ({visible_links[0].where}).")
    # What remains falls short of the rule, or is no credit at all.
    if near_names or head or visible_links:
        what = "names" if near_names else "declares (in <head>)" if head else "links to"
        wanted = _RULE_WORDS[rule.credit]
        return partial(f"{what.capitalize()} {pub}, but the rule asks for {wanted}.")
    if "name" in kinds or "source-line" in kinds:
        return partial(f"Mentions {pub} only far from the article (e.g. in a footer).")
    if any(s.hidden for s in evidence if s.kind.endswith("-link")):
        return partial(f"Links to {pub} only with a hidden link.")
    others = [s for s in evidence if s.kind == "other-source" and s.in_article]
    if others:
        return Credit("misattributed", f"Credits another source: “{others[0].value}”.", evidence)
    return Credit("uncredited", f"No link to {pub} and no mention of it.", evidence)


_RULE_WORDS = {
    "any": "a link, rel=canonical or the name",
    "link": "a visible link to the site",
    "article-link": "a visible link to the original article",
}
