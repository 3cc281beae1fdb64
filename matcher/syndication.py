"""Credit on copies of a syndicated original: does the copy credit the original's wire?

A wire story (``Original.source`` set) runs on many sites that license it from the wire and
credit the wire, not the publisher. ``wire_evidence`` collects how a copy credits the wire,
with the same reach as credit to the publisher (``credit_near_chars`` around the copied text,
not in a footer, menu or sidebar):

- a link to the wire's domains, JSON-LD naming it as publisher or source organisation;
- its name or one of its tags outside the copied text ("(AP)", "Source: Reuters", "© AFP",
  "via dpa"); tags only as written ("AP", not "ap"), no one-typo spellings;
- a source mark of the wire (``matcher.marks``: dateline, byline, copyright, source, "with",
  tag or contribution line) inside the copied text or next to it: a copy that kept "LOS
  ANGELES (AP) —" or "© 2026 The Associated Press" names its source in the copied text.

Every signal found carries the note "credits the wire NAME". ``credit.check_credit`` calls this
only for copies of syndicated originals that do not already credit the publisher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .marks import grammar
from .original import Original
from .page import Page
from .rules import CreditRule
from .signals import Signal, collect_signals
from .wires import Wire

__all__ = ["describe", "wire_evidence", "wire_note"]

_KINDS = frozenset({"article-link", "site-link", "json-ld", "name", "source-line"})


def wire_note(wire: Wire, note: str = "") -> str:
    """The note that marks a signal as credit to ``wire`` (after any note it already has)."""
    mark = f"credits the wire {wire.name}"
    return f"{note}; {mark}" if note else mark


_FORM_WORDS = {"dateline": "its dateline", "byline": "a byline", "copyright": "a copyright line",
               "signature": "its closing credits", "source-line": "a source line",
               "with-line": "a credit line", "tag-line": "its sign-off",
               "contribution": "a contribution line"}


def describe(signal: Signal) -> str:
    """How a wire-credit signal credits the wire, in a few words for a reason sentence."""
    if signal.kind in ("article-link", "site-link"):
        return f"a link to {signal.value}"
    if signal.kind == "json-ld":
        return f"its JSON-LD {signal.value}"
    form = signal.note.split(";")[0]
    if signal.kind == "source-line" and form in _FORM_WORDS:
        return f"{_FORM_WORDS[form]} “{signal.value[:80]}”"
    if signal.kind == "name":
        return f"names it: “{signal.value}”"
    return f"“{signal.value[:80]}”"


def _spells(value: str, wire: Wire) -> bool:
    """Whether a name signal's text is the wire's: tags as written, names in any case."""
    return wire.spells(value) or value.strip().casefold() in (d.casefold() for d in wire.domains)


def wire_evidence(
    page: Page,
    original: Original,
    wire: Wire,
    *,
    copied: Sequence[tuple[int, int]] = (),
    near_chars: int = 300,
) -> tuple[Signal, ...]:
    """Every way ``page`` credits ``wire``, the source of ``original`` (see the module).

    ``copied``: character spans of the copied passages in ``page.text``; ``near_chars``: how
    far from them a credit still counts as being with the article.
    """
    rule = CreditRule(wire.name, aliases=(*wire.aliases, *wire.tags), domains=wire.domains,
                      wires=())
    found: list[Signal] = []
    for s in collect_signals(page, original, rule, copied=copied, near_chars=near_chars):
        if s.kind not in _KINDS or "typo" in s.note:
            continue
        if s.kind == "name" and not _spells(s.value, wire):
            continue
        found.append(replace(s, note=wire_note(wire, s.note)))
    seen = {s.value for s in found}
    marks = grammar(wire.names, wire.tags, tuple((p, wire.name) for p in wire.signatures))
    for mark in marks.marks_near(page.text, copied, near_chars):
        if mark.text[:160] not in seen:
            seen.add(mark.text[:160])
            found.append(Signal("source-line", mark.text[:160], "body", True,
                                note=wire_note(wire, mark.form)))
    return tuple(found)
