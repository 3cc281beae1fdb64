"""Credit (attribution): does a page that copies an original honour the publication's rule?

``check_credit`` is the one function that decides; the evidence comes from
``matcher.signals``. Statuses: ``credited`` (meets the rule), ``partial`` (falls short, and
the reason says how), ``uncredited``, ``misattributed`` (a source line names someone else),
``allowed`` (an allow-listed partner). Reasons are plain sentences a report can show.

The rule (``CreditRule.credit``):

| evidence next to the copy            | ``any``  | ``link``  | ``article-link`` |
|--------------------------------------|----------|-----------|------------------|
| visible link to the article          | credited | credited  | credited         |
| visible link to the site             | credited | credited  | partial          |
| rel=canonical / og:url / JSON-LD     | credited | partial   | partial          |
| the name, or a "Source: name" line   | credited | partial   | partial          |
| any of these only far from the copy  | partial  | partial   | partial          |
| only a hidden link, or a short link  | partial  | partial   | partial          |
| only "Source: someone else"          | misattributed (all rules)               |
| nothing                              | uncredited (all rules)                  |

A ``rel=nofollow`` link counts unless the rule says ``nofollow_ok = false`` (then: partial).

A copy of a syndicated original (``Original.source`` names a wire) that does not meet the rule
for the publisher is ``credited`` when it credits the wire next to the copied text (any form:
link, name, source line, or a mark of the wire kept in the copy such as its dateline; see
``matcher.syndication``); otherwise its status stands and the reason says that the wire is not
credited either. Copies of the publisher's own stories are never credited by naming a wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .original import Original
from .page import Page
from .rules import CreditRule
from .signals import Signal, collect_signals
from .syndication import describe, wire_evidence
from .urls import host_matches
from .wires import Wire, find_wire

__all__ = [
    "CREDIT_MET",
    "CREDIT_STATUSES",
    "Credit",
    "CreditStatus",
    "Signal",
    "allowed_credit",
    "check_credit",
    "decide",
    "lacks_credit",
]

CreditStatus = Literal["credited", "partial", "uncredited", "misattributed", "allowed"]
CREDIT_STATUSES: tuple[CreditStatus, ...] = (
    "credited", "allowed", "partial", "uncredited", "misattributed"
)
CREDIT_MET: frozenset[str] = frozenset({"credited", "allowed"})
"""The statuses that meet the publication's rule; every other status lacks credit."""

_LINKS = ("article-link", "site-link")
_NAMES = ("name", "source-line")
_HEAD = ("canonical", "og:url", "json-ld")
_RULE_WORDS = {
    "any": "a link, rel=canonical or the name next to the article",
    "link": "a visible link to the site",
    "article-link": "a visible link to the original article",
}


KeptApart = Literal["syndicated", "earlier"]
"""Why a copy is kept out of "lacking credit" whatever its credit status: ``syndicated`` (it
copies a wire story the publisher licensed too: usually another licensee of the same wire),
``earlier`` (the page says it was published before the original: it may be the source)."""
KEPT_APART: tuple[KeptApart, ...] = ("syndicated", "earlier")


def kept_apart(*, syndicated: bool = False, report_syndicated: bool = False,
               earlier: bool = False) -> KeptApart | None:
    """Why a copy is kept apart (see ``KeptApart``), or None when its credit is chased.

    A copy of a syndicated original is kept apart unless the publication's rule says
    ``report_syndicated``; a page published earlier than the original always is.
    """
    if earlier:
        return "earlier"
    if syndicated and not report_syndicated:
        return "syndicated"
    return None


def lacks_credit(status: str, *, syndicated: bool = False, report_syndicated: bool = False,
                 earlier: bool = False) -> bool:
    """Whether a copy with this credit status breaks the rule (what reports chase): its
    status does not meet the rule, and it is not kept apart (``kept_apart``)."""
    return status not in CREDIT_MET and kept_apart(
        syndicated=syndicated, report_syndicated=report_syndicated, earlier=earlier) is None


@dataclass(frozen=True, slots=True)
class Credit:
    """The credit status, a one-sentence reason, and the evidence behind it."""

    status: CreditStatus
    reason: str
    evidence: tuple[Signal, ...] = ()


def allowed_credit(host: str, publication: str) -> Credit:
    """The credit of a copy on ``host``, an allow-listed partner of ``publication``."""
    return Credit("allowed", f"{host} is an allowed partner of {publication}.")


def check_credit(
    page: Page,
    original: Original,
    rule: CreditRule,
    *,
    copied: Sequence[tuple[int, int]] = (),
    near_chars: int = 300,
) -> Credit:
    """Decide how ``page`` credits ``original`` under ``rule``.

    ``copied``: character spans of the copied passages in ``page.text`` (mentions inside them
    are part of the copy, not credit). ``near_chars``: how far from them a credit still counts
    as being with the article.
    """
    if rule.allow and host_matches(page.host, rule.allow):
        return allowed_credit(page.host, rule.publication)
    evidence = collect_signals(page, original, rule, copied=copied, near_chars=near_chars)
    credit = decide(rule, evidence)
    if original.source is not None and lacks_credit(credit.status):
        wire = find_wire(original.source, rule.wires)
        return _credit_to_wire(page, original, wire, credit, copied, near_chars)
    return credit


def _credit_to_wire(page: Page, original: Original, wire: Wire, credit: Credit,
                    copied: Sequence[tuple[int, int]], near_chars: int) -> Credit:
    """The credit of a copy of ``wire``'s story that falls short for the publisher."""
    found = wire_evidence(page, original, wire, copied=copied, near_chars=near_chars)
    evidence = (*credit.evidence, *found)
    counted = [s for s in found if s.in_article and not s.hidden]
    if counted:
        return Credit("credited", f"Credits the wire service {wire.name}, the source of this "
                                  f"syndicated story ({describe(counted[0])}).", evidence)
    return Credit(credit.status, f"{credit.reason} The original is syndicated from "
                                 f"{wire.name}, which the copy does not credit either.",
                  evidence)



def decide(rule: CreditRule, evidence: Sequence[Signal]) -> Credit:
    """The status and reason for ``evidence`` under ``rule`` (see the table above)."""
    ev = tuple(evidence)
    pub = rule.publication
    near = [s for s in ev if s.in_article]
    links = [s for s in near if s.kind in _LINKS and not s.hidden]
    counted = [s for s in links if rule.nofollow_ok or not s.nofollow]
    article_links = [s for s in counted if s.kind == "article-link"]
    head = [s for s in near if s.kind in _HEAD]
    names = [s for s in near if s.kind in _NAMES]

    def result(status: CreditStatus, reason: str) -> Credit:
        return Credit(status, reason, ev)

    if article_links:
        return result("credited", f"Links to the original article on {pub}.")
    if counted and rule.credit != "article-link":
        return result("credited", f"Links to {pub}.")
    if rule.credit == "any" and head:
        return result("credited", f"Declares the original in its <head> ({head[0].kind}).")
    if rule.credit == "any" and names:
        how = "as the source" if any(s.kind == "source-line" for s in names) else \
            "next to the article"
        return result("credited", f"Names {pub} {how}.")
    # Falling short of the rule, most telling reason first.
    if counted:
        return result("partial", f"Links to {pub}, but not to the article itself.")
    if links:
        return result("partial", f"Links to {pub} only with rel=nofollow, which the rule "
                                 "does not accept.")
    if head or names:
        what = "Names" if names else "Declares (in <head>)"
        return result("partial",
                      f"{what} {pub}, but the rule asks for {_RULE_WORDS[rule.credit]}.")
    ours = [s for s in ev if s.kind in (*_LINKS, *_NAMES, *_HEAD)]
    if any(s.kind in _LINKS and s.hidden for s in ours):
        return result("partial", f"Links to {pub} only with a hidden link.")
    if ours:
        return result("partial", f"Credits {pub} only away from the article "
                                 f"({_where(ours[0])}).")
    short = [s for s in near if s.kind == "short-link"]
    if short:
        return result("partial", f"Links through a URL shortener ({short[0].value}) whose "
                                 "target was not checked.")
    others = [s for s in near if s.kind == "other-source"]
    if others:
        return result("misattributed", f"Credits another source: “{others[0].value}”.")
    rejected = [s for s in ev if s.kind == "not-credit"]
    if rejected:
        where = rejected[0].note.removeprefix("named in ").removesuffix(": not credit")
        return result("uncredited", f"Names {pub} only in {where} (“{_clip(rejected[0].value)}”)"
                                    ", which is not credit.")
    return result("uncredited", f"No link to {pub} and no mention of it.")


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _where(signal: Signal) -> str:
    if signal.where not in ("body", "article"):
        return f"in the {signal.where}"
    return "far from the copied text"
