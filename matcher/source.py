"""An original's source: the publisher's own story, or a wire story it syndicates.

``detect_source(original, rule)`` runs once per original (at import, and whenever the original
changes), never per page. Its rules, in plain words:

- A story is **syndicated** when a wire *signs* it (``matcher.marks``): a dateline opening one
  of its first four lines ("LONDON (Reuters) -", "МОСКВА, 5 дек — РИА Новости."), or a byline,
  copyright, signature, source, "with" or tag line standing as one of its first four or last
  three lines ("By The Associated Press", "© 2026 AFP", "(Reporting by …; Editing by …)",
  "Quelle: dpa", "Le Monde avec AFP", "— dpa"), or the original's author naming the wire
  ("Associated Press", "Jane Doe, Reuters").
- A story that only **mentions** a wire ("Reuters reported on Monday that…", "according to AP",
  a wire named anywhere in the middle of the text) is the publisher's own.
- A story a wire only **contributed** to ("The Associated Press contributed to this report.",
  "Additional reporting by Reuters", "With files from The Canadian Press", "Mit Material von
  dpa") is the publisher's own: its text is the publisher's writing, so copies of it copy the
  publisher. The contribution is kept as evidence, so a person can override the decision.
- A publication that *is* the wire (Reuters on reuters.com) publishes its own stories: marks
  naming the publication itself (by name, alias or domain) do not make a story syndicated.
- When several marks sign a story, the strongest wins: dateline, byline, copyright, signature,
  source line, "with" line, tag line; the earlier one on a tie. A "dpa/AFP" dateline is
  syndicated from the first wire named (dpa).

The store keeps ``SourceDecision.source`` as ``Original.source`` (and the evidence beside it);
a person's override (own, or syndicated from a named wire) replaces the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .marks import FORMS, Grammar, Mark, grammar
from .original import Original
from .rules import CreditRule
from .urls import host_matches, host_of
from .wires import WIRES, Wire

__all__ = ["SourceDecision", "SourceMark", "detect_source", "wires_grammar"]

# A dateline or byline opens the story: within its first four non-empty lines, as a title, a
# byline, a date line ("Updated 1:33 am CST…") or a stray URL may come first in extracted text.
HEAD_LINES = 4
TAIL_LINES = 3  # credit, copyright and signature lines close it: its last three

Where = Literal["start", "end", "author"]
_FORM_WORDS = {
    "dateline": "its dateline", "byline": "its byline", "copyright": "its copyright line",
    "signature": "its closing credits", "source-line": "its source line",
    "with-line": "its credit line", "tag-line": "its sign-off", "contribution": "a line",
}
_WHERE_WORDS = {"start": "opens the story", "end": "closes the story",
                "author": "is the author field"}


@dataclass(frozen=True, slots=True)
class SourceMark:
    """One piece of evidence: the ``wire`` named, the ``rule`` (mark form, see
    ``matcher.marks.FORMS``), the matched ``text`` and ``where`` it was found."""

    wire: str
    rule: str
    text: str
    where: Where


@dataclass(frozen=True, slots=True)
class SourceDecision:
    """``source``: the wire's name for a syndicated original, None for the publisher's own.
    ``reason``: one plain sentence. ``evidence``: every mark found (contributions too, and
    marks naming the publication itself), strongest first."""

    source: str | None
    reason: str
    evidence: tuple[SourceMark, ...] = ()

    @property
    def syndicated(self) -> bool:
        return self.source is not None


def wires_grammar(wires: Sequence[Wire]) -> Grammar:
    """The mark grammar for every name and tag of ``wires`` (compiled once per list)."""
    return grammar(tuple(n for w in wires for n in w.names),
                   tuple(t for w in wires for t in w.tags),
                   tuple((p, w.name) for w in wires for p in w.signatures))


def _author_grammar(wires: Sequence[Wire]) -> Grammar:
    # An author field is a byline by definition, so tags match in any case ("Ap Sports Writer").
    return grammar(tuple(n for w in wires for n in (*w.names, *w.tags)))


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _marks(original: Original, wires: Sequence[Wire]) -> list[tuple[Mark, Where]]:
    g = wires_grammar(wires)
    text = original.text
    lines = _lines(text)
    n = len(lines)
    found: list[tuple[Mark, Where]] = []
    for i, (start, end) in enumerate(lines):
        head, tail = i < HEAD_LINES, i >= n - TAIL_LINES
        if not (head or tail) or (mark := g.line(text, start, end)) is None:
            continue
        if mark.form == "dateline" and not head:
            continue
        # A short story's line may be both: it is at the end when past the middle.
        at_end = mark.form != "dateline" and tail and (not head or 2 * i >= n)
        found.append((mark, "end" if at_end else "start"))
    author = (original.author or "").strip()
    if author:
        a = _author_grammar(wires)
        mark = a.line(author) or a.line("By " + author)
        if mark is not None and mark.form in ("byline", "tag-line"):
            found.append((Mark("byline", author, mark.names, 0), "author"))
    return found


def _own(wire: Wire, original: Original, rule: CreditRule | None) -> bool:
    """Whether ``wire`` is the publication itself (its name, an alias or a domain)."""
    names = (original.publication, *(rule.names if rule else ()))
    domains = (host_of(original.url), *(rule.domains if rule else ()))
    return any(wire.spells(n) for n in names if n) or any(
        host_matches(d, wire.domains) for d in domains if d)


def _wire_of(name: str, wires: Sequence[Wire], mark: Mark, where: Where) -> Wire | None:
    # In an author field or a byline's "Jane Doe, Ap Sports Writer" a tag is safe in any case.
    any_case = where == "author" or mark.form == "byline"
    return next((w for w in wires if w.spells(name, any_case=any_case)), None)


def detect_source(original: Original, rule: CreditRule | None = None) -> SourceDecision:
    """Decide whether ``original`` is its publisher's own story or syndicated from a wire.

    Reads the original's first and last lines and its author (see the module docstring for
    the rules). ``rule`` is the publication's credit rule: its ``wires`` (the built-in list
    plus the config's) are the wires recognised, its names and domains tell when the
    publication is the wire itself. Pure and cheap: a few regular expressions on a few lines.
    """
    wires = rule.wires if rule is not None else WIRES
    evidence: list[tuple[int, int, SourceMark, bool]] = []
    for order, (mark, where) in enumerate(_marks(original, wires)):
        for name in mark.names:
            wire = _wire_of(name, wires, mark, where)
            if wire is None:
                continue
            own = _own(wire, original, rule)
            rank = FORMS.index(mark.form) if mark.strong and not own else len(FORMS)
            evidence.append((rank, order, SourceMark(wire.name, mark.form, mark.text, where),
                             own))
    evidence.sort(key=lambda e: (e[0], e[1]))
    marks = tuple(e[2] for e in evidence)
    if evidence and evidence[0][0] < len(FORMS):
        best = evidence[0][2]
        return SourceDecision(
            best.wire,
            f"Syndicated from {best.wire}: {_FORM_WORDS[best.rule]} “{best.text[:80]}” "
            f"{_WHERE_WORDS[best.where]}.",
            marks,
        )
    own_marks = [e[2] for e in evidence if e[3] and e[2].rule != "contribution"]
    if own_marks:
        return SourceDecision(None, f"Own story: the publication is the wire service "
                                    f"{own_marks[0].wire} itself.", marks)
    if marks:
        return SourceDecision(None, f"Own story: {marks[0].wire} only contributed to it "
                                    f"(“{marks[0].text[:80]}”).", marks)
    return SourceDecision(None, "Own story: no wire dateline, byline or credit line.")
