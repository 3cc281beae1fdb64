"""What the matcher is told: each publication's credit rule, and the verdict thresholds.

Thresholds live here and only here (the config file can override them, see docs/config.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .wires import WIRES, Wire

__all__ = ["CREDIT_MODES", "CreditMode", "CreditRule", "Thresholds"]

CreditMode = Literal["any", "link", "article-link"]
CREDIT_MODES: tuple[CreditMode, ...] = ("any", "link", "article-link")


@dataclass(frozen=True)
class CreditRule:
    """A publication's condition for reposts.

    ``credit``: ``any`` = a link to the site or the article, rel=canonical, or the name;
    ``link`` = a visible hyperlink to the site (or the article); ``article-link`` = a visible
    hyperlink to the original article itself. ``allow``: partner domains allowed to republish.
    ``domains``: the publication's own sites (pages there are never reported).
    ``nofollow_ok``: whether a ``rel=nofollow`` link counts as credit (else: ``partial``).
    ``report_syndicated``: whether copies of the publication's syndicated originals (wire
    stories, ``Original.source`` set) that lack credit count as lacking credit; by default
    they are kept apart (they are usually other licensees of the same wire).
    ``wires``: the wire services recognised in its originals and credited on their copies
    (the built-in list; the config adds its own).
    """

    publication: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    credit: CreditMode = "any"
    allow: tuple[str, ...] = ()
    nofollow_ok: bool = True
    report_syndicated: bool = False
    wires: tuple[Wire, ...] = WIRES

    @property
    def names(self) -> tuple[str, ...]:
        return (self.publication, *self.aliases)


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Numbers that turn an alignment into a verdict. Units are given per field.

    repost_min_coverage: share of the original's words found on the page (0..1) from which the
        page is a ``repost`` (below: an ``excerpt`` at most).
    repost_min_passage_words: words in the longest copied passage a ``repost`` needs besides its
        coverage: coverage gathered from short scattered matches (the stock lines of list-like
        articles, recurring phrases) is not a repost.
    full_min_coverage: coverage (0..1) from which a repost is called ``full`` (else ``partial``).
    excerpt_min_words: words in the longest copied passage from which a page that is not a repost
        is an ``excerpt``; below, a shared quotation or stock phrase is not a copy.
    excerpt_min_words_across_blocks: a shorter passage is still an ``excerpt`` when it runs
        across a paragraph break of the original (and of the page) with at least this many
        words: a quotation does not copy the article's paragraphing.
    min_passage_words: shorter common runs of words are chance, not copying.
    passage_max_gap: words of edits tolerated inside one passage.
    credit_near_chars: characters around the copied text within which a credit counts as
        "with the article" (farther away it is a footer or sidebar mention: ``partial``).
    max_candidates: originals aligned per page after the fingerprint look-up.
    min_original_words: an "article" with fewer words is a navigation stub or an extraction
        failure, and is not stored as an original. Also: an original with fewer words of its
        own writing (quotations and attributed statements left out) is judged on all its words.
    earlier_tolerance_days: a copy whose page says it was published more than this many days
        before the original is marked ``earlier`` (it may be the source, not a copy); within
        it, time zones and late metadata are given the benefit of the doubt.
    """

    repost_min_coverage: float = 0.25
    repost_min_passage_words: int = 25
    full_min_coverage: float = 0.8
    excerpt_min_words: int = 40
    excerpt_min_words_across_blocks: int = 25
    min_passage_words: int = 8
    passage_max_gap: int = 8
    credit_near_chars: int = 300
    max_candidates: int = 5
    min_original_words: int = 30
    earlier_tolerance_days: float = 1.0
