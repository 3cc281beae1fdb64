"""Source marks: the forms in which a story names the wire (or publication) it comes from.

A name alone is a *mention* ("Reuters reported on Monday that…", "according to AP"). A *mark*
is a name in a form that signs the story, read one line at a time:

- ``dateline``: "LOS ANGELES (AP) —", "(Reuters) -", "Berlin (dpa/lhe) -", "Madrid, 5 dic
  (EFE).-", "BEIJING, Dec. 5 (Xinhua) --", "(ANSA) - ROMA", "МОСКВА, 5 декабря. /ТАСС/.",
  "МОСКВА, 5 дек — РИА Новости.", "Москва. 5 декабря. INTERFAX.RU -";
- ``byline``: "By The Associated Press", "Par AFP", "By Jane Doe, Associated Press", "Jane Doe,
  AP Business Writer";
- ``copyright``: "© 2026 The Associated Press", "Copyright 2026 Reuters. All rights
  reserved…", "©2026 Bloomberg L.P.";
- ``signature``: a wire's own closing line (``Wire.signatures``): "(Reporting by A; Editing
  by B)";
- ``source-line``: "Source: Reuters", "Quelle: dpa", "Fuente: EFE", "Источник: ТАСС", "По
  материалам ТАСС";
- ``with-line``: "with AFP", "Le Monde avec AFP", "mit dpa", "con EFE";
- ``tag-line``: a line that is only the name: "(dpa)", "— dpa", "dpa/lnw", "REUTERS", "/ТАСС/";
  or the name signing off a paragraph after its last sentence: "… into the US. PTI";
- ``contribution``: "AP contributed to this report", "Additional reporting by Reuters", "With
  files from The Canadian Press", "Mit Material von dpa", "avec des informations de l'AFP",
  "con información de EFE", "при участии ТАСС".

A dateline must begin its line (after an optional place and date of at most eight words that
starts with a capital letter); every other form is the whole line (a copyright line may go on
with "All rights reserved…", a contribution may sit in a longer closing line). Where marks count
is the caller's choice: ``matcher.source`` reads the first and last lines of an original,
credit reads the lines in and next to the copied text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

__all__ = ["FORMS", "STRONG_FORMS", "Grammar", "Mark", "grammar"]

FORMS = ("dateline", "byline", "copyright", "signature", "source-line", "with-line", "tag-line",
         "contribution")
STRONG_FORMS = frozenset(FORMS) - {"contribution"}
"""Forms by which the named source signs the story; a contribution only helped with it."""

MAX_LINE = 160  # characters: a byline, credit or tag line is short; longer lines are prose
MAX_CONTRIBUTION_LINE = 300  # characters: "X and Y in Z contributed to this report." lines
MAX_PLACE_WORDS = 8  # "SAN JOSE, Costa Rica, Dec. 5" before a dateline's "(AP) —"
_SIGNOFF_REACH = 60  # characters: a sign-off ("… the US. PTI ABC XYZ") ends its paragraph
DATELINE_REACH = 100  # characters from the line's start within which a dateline names its source

_ROLE = (r"(?:sports?|business|economics?|political|politics|science|medical|health|"
         r"entertainment|technology|tech|legal|diplomatic|chief|senior|national|international|"
         r"staff|news|wire|writers?|reporters?|correspondents?|journalists?|editors?|redaktion|"
         r"rédaction|redacción|correspondant|corresponsal|korrespondent(?:in)?|"
         r"корреспондент|обозреватель)")
_BY = r"(?:by|von|par|por|de|door|автор|авторы|текст)"
_PERSON = r"[^\W\d_][\w.'’\-]*(?:[ \t]+[^\W\d_][\w.'’\-]*){0,4}"
_WITH = r"(?:with|avec|con|mit|и|с)"
_WORD = re.compile(r"\w+")
_NAME_GROUPS = frozenset({"d1", "d2", "d3", "b1", "b2", "b3", "s", "w", "t", "c", "e",
                          "k1", "k2", "k3", "k4", "k5", "k6", "k7"})
# Words a with-line may start with besides capitalised names ("Staff and wires with AFP").
_WITH_PREFIX_WORDS = frozenset({"and", "et", "y", "und", "и", "staff", "wires", "redaktion",
                                "rédaction", "redacción", "редакция", "—", "–", "-"})


@dataclass(frozen=True, slots=True)
class Mark:
    """A source mark: its ``form`` (one of ``FORMS``), the matched ``text``, the ``names`` (and
    tags) it carries as written, and ``start``, its offset in the searched text."""

    form: str
    text: str
    names: tuple[str, ...]
    start: int

    @property
    def strong(self) -> bool:
        return self.form in STRONG_FORMS


def _name_alternative(name: str) -> str:
    words = [w for w in re.split(r"[\s\-‑]+", name.strip()) if w]
    if words and words[0].casefold() == "the" and len(words) > 1:
        words = words[1:]
    return r"[\s\-‑]*".join(re.escape(w) for w in words)


class Grammar:
    """The mark forms compiled for one set of names: ``names`` match in any letter case,
    ``tags`` exactly as written, ``signatures`` are (regular expression, name) pairs.

    Each form is compiled when first used: the patterns are long (every name, in every place
    a name may stand), ~10-40 ms of ``re.compile`` a set of names, and judging a page needs
    only the names and datelines of the publications it credits (the other forms are for
    finding an original's source)."""

    def __init__(self, names: Sequence[str], tags: Sequence[str] = (),
                 signatures: Sequence[tuple[str, str]] = ()) -> None:
        alts = sorted({a for a in map(_name_alternative, names) if a}, key=len, reverse=True)
        tag_alts = sorted({re.escape(t.strip()) for t in tags if t.strip()}, key=len,
                          reverse=True)
        branches = []
        if alts:
            branches.append(r"(?:the[ \t]+)?(?:" + "|".join(alts) + ")")
        if tag_alts:
            branches.append(r"(?-i:" + "|".join(tag_alts) + ")")
        name = r"(?<!\w)(?:" + ("|".join(branches) or r"(?!)") + r")(?!\w)"
        self.names = re.compile(name, re.IGNORECASE)
        # After a person's name and before a role ("Jane Doe, Ap Sports Writer") a tag is
        # safe in any letter case.
        loose = r"(?<!\w)(?:the[ \t]+)?(?:" + "|".join(
            sorted({*alts, *tag_alts}, key=len, reverse=True) or [r"(?!)"]) + r")(?!\w)"
        self._patterns = {"loose": loose}
        self._compiled: dict[str, re.Pattern[str]] = {}
        # The first word of every name and tag, case-folded: a line or window without one
        # cannot hold a name, and a set look-up is ~10 times cheaper than ``self.names``.
        self._firsts = frozenset(w for n in (*names, *tags) if (w := _first_word(n)))
        many = (rf"{name}(?:[ \t]*(?:[/,;&+]|\band\b|\bet\b|\by\b|\bund\b|\bи\b)[ \t]*{name}|"
                rf"[ \t]*/[ \t]*(?-i:[a-zäöüß]{{2,4}})(?!\w))*")
        place = r"[^\W\d_][^()\n]{0,60}?"
        self._patterns["dateline"] = (
            r"[ \t]*(?:"
            rf"(?P<p1>{place})?[ \t]*\([ \t]*(?P<d1>{many})[ \t]*\)[ \t]*\.?[ \t]*"
            r"(?:[-–—]{1,2}|\.-|:)"
            rf"|(?P<p2>[^\W\d_][^()/\n]{{0,60}}?)?[ \t]*/[ \t]*(?:корр\.?[ \t]*)?"
            rf"(?P<d2>{many})[^/\n]{{0,40}}/"
            rf"|(?P<p3>[^\W\d_][^()\n]{{0,40}}?\d[^()\n]{{0,20}}?)[ \t]*(?:[-–—]{{1,2}}|\.)"
            rf"[ \t]*(?P<d3>{many})[ \t]*(?:[.,:]|[-–—])"
            r")"
        )
        self._whole_patterns = {
            "byline": (
                rf"{_BY}[ \t]*:?[ \t]+(?P<b1>{many})(?:[ \t]+{_ROLE}){{0,3}}\.?"
                rf"|{_BY}[ \t]+{_PERSON}(?:[ \t]*(?:,|\||/|–|—|-|\(|\bof\b|\bfor\b))?[ \t]*"
                rf"(?P<b2>{many})\)?(?:[ \t]+{_ROLE}){{0,3}}\.?"
                rf"|{_PERSON}[ \t]*,[ \t]*(?P<b3>{loose})(?:[ \t]+{_ROLE}){{1,3}}\.?"
            ),
            "source-line": (
                r"(?:(?:source|sources|quelle|quellen|fuente|fuentes|fonte|fontes|bron|"
                r"источник|источники)[ \t]?:|по[ \t]+материалам|courtesy(?:[ \t]+of)?|"
                r"mit[ \t]+freundlicher[ \t]+genehmigung(?:[ \t]+(?:von|der|des))?)"
                rf"[ \t]*:?[ \t]*(?P<s>{many})\.?"
            ),
            "with-line": (rf"(?P<wp>(?:[^\n]{{0,40}}?[ \t])?)[(\[]?{_WITH}[ \t]+"
                          rf"(?:l['’][ \t]*)?(?P<w>{many})[)\]]?\.?"),
            # "(dpa)", "— dpa", "dpa/lnw", and editors' initials first: "kev/dpa/Reuters".
            "tag-line": (r"[ \t(\[—–/\-]*(?:(?-i:[a-zäöüß]{2,4})[ \t]*/[ \t]*)*?"
                         rf"(?P<t>{many})[ \t)\]./]*"),
        }
        self._patterns["copyright"] = (
            r"[ \t]*(?:©|\(c\)|copyright)[ \t]*(?:©[ \t]*)?"
            rf"(?:\d{{4}}(?:[ \t]*[-–][ \t]*\d{{4}})?[ \t]*)?(?P<c>{many})"
        )
        # A sign-off closing the last paragraph: "… to sneak into the US. PTI", "… said. (dpa)".
        self._patterns["signoff"] = (
            rf"(?<=[.!?\"”’)])[ \t]+[(\[—–\-]*[ \t]*(?P<e>{many})[ \t)\]]*\.?"
            r"(?:[ \t]+(?-i:[A-Z]{2,4}))*[ \t]*$"
        )
        self._signature_patterns = tuple(signatures)
        self._patterns["contribution"] = (
            rf"(?P<k1>{many})(?:['’]s)?(?:[ \t][^\n.!?]{{0,80}}?)?[ \t]+contributed\b"
            rf"|(?:additional|further)[ \t]+reporting[ \t]+(?:by|from)[ \t]+(?P<k2>{many})"
            r"|(?:information|material|reporting|files|wire[ \t]+reports?)[ \t]+(?:from|by)"
            rf"[ \t]+(?P<k3>{many})"
            rf"|mit[ \t]+material[ \t]+(?:von|der|des)[ \t]+(?P<k4>{many})"
            r"|avec[ \t]+(?:des[ \t]+informations[ \t]+de|l['’]aide[ \t]+de)[ \t]+"
            rf"(?:l['’][ \t]*)?(?P<k5>{many})"
            rf"|con[ \t]+informaci[oó]n[ \t]+de[ \t]+(?P<k6>{many})"
            rf"|при[ \t]+участии[ \t]+(?P<k7>{many})"
        )

    def _form(self, form: str) -> re.Pattern[str]:
        """The pattern of ``form`` ("loose", "dateline", "copyright", "signoff",
        "contribution"), compiled the first time it is asked for."""
        if (pattern := self._compiled.get(form)) is None:
            pattern = self._compiled[form] = re.compile(self._patterns[form], re.IGNORECASE)
        return pattern

    @cached_property
    def _whole(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(form, re.compile(p, re.IGNORECASE)) for form, p in self._whole_patterns.items()]

    @cached_property
    def _signatures(self) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(r"[ \t]*(?:" + p + ")", re.IGNORECASE), n)
                for p, n in self._signature_patterns]

    def may_name(self, text: str) -> bool:
        """False when ``text`` certainly holds none of the names (a cheap test first)."""
        return not self._firsts.isdisjoint(_WORD.findall(text.casefold()))

    def _names_in(self, m: re.Match[str]) -> tuple[str, ...]:
        found: list[str] = []
        for key, value in m.groupdict().items():
            if value and key in _NAME_GROUPS:
                names = self._form("loose") if key == "b3" else self.names
                found += [n.group() for n in names.finditer(value)]
        return tuple(found)

    def dateline(self, text: str, start: int = 0, end: int | None = None) -> Mark | None:
        """The dateline that begins the line at ``text[start:end]``, if any."""
        end = len(text) if end is None else end
        if not self.may_name(text[start : min(end, start + DATELINE_REACH + 40)]):
            return None
        m = self._form("dateline").match(text, start, end)
        if m is None:
            return None
        place = (m.group("p1") or m.group("p2") or m.group("p3") or "").strip()
        if place and (not place[0].isupper() or len(place.split()) > MAX_PLACE_WORDS):
            return None
        return Mark("dateline", m.group().strip(), self._names_in(m), m.start())

    def dateline_around(self, text: str, pos: int) -> Mark | None:
        """The dateline of the line holding ``pos`` (a name found there), if any."""
        first = text.rfind("\n", 0, pos) + 1
        if pos - first > DATELINE_REACH:
            return None
        last = text.find("\n", pos)
        mark = self.dateline(text, first, len(text) if last < 0 else last)
        return mark if mark is not None and mark.names else None

    def line(self, text: str, start: int = 0, end: int | None = None) -> Mark | None:
        """The mark that the line ``text[start:end]`` is (or begins with), if any."""
        end = len(text) if end is None else end
        if (mark := self.dateline(text, start, end)) is not None:
            return mark
        raw = text[start:end]
        stripped = raw.strip()
        at = start + (raw.find(stripped) if stripped else 0)
        if not stripped:
            return None
        if m := self._form("copyright").match(stripped):
            return Mark("copyright", stripped, self._names_in(m), at)
        for pattern, name in self._signatures:
            if pattern.match(stripped):
                return Mark("signature", stripped, (name,), at)
        # Every other form carries a name; on a long line only a sign-off can be left.
        if len(stripped) <= MAX_CONTRIBUTION_LINE and self.may_name(stripped):
            if len(stripped) <= MAX_LINE:
                for form, pattern in self._whole:
                    m = pattern.fullmatch(stripped)
                    if m and (form != "with-line" or _with_prefix_ok(m.group("wp"))):
                        return Mark(form, stripped, self._names_in(m), at)
            if m := self._form("contribution").search(stripped):
                return Mark("contribution", stripped, self._names_in(m), at)
        tail = max(0, len(stripped) - _SIGNOFF_REACH)
        if self.may_name(stripped[tail:]) and (m := self._form("signoff").search(stripped, tail)):
            return Mark("tag-line", m.group().strip(), self._names_in(m), at + m.start())
        return None

    def marks_near(self, text: str, spans: Sequence[tuple[int, int]],
                   reach: int) -> Iterator[Mark]:
        """Marks carrying a name on the lines of ``text`` that hold a name within ``reach``
        characters of ``spans`` (every line when ``spans`` is empty), each line once."""
        windows = [(max(0, s - reach), e + reach) for s, e in spans] or [(0, len(text))]
        seen: set[int] = set()
        for lo, hi in windows:
            if not self.may_name(text[lo:hi]):
                continue
            for m in self.names.finditer(text, lo, min(hi, len(text))):
                first = text.rfind("\n", 0, m.start()) + 1
                if first in seen:
                    continue
                seen.add(first)
                last = text.find("\n", m.end())
                mark = self.line(text, first, len(text) if last < 0 else last)
                if mark is not None and mark.names:
                    yield mark


def _first_word(name: str) -> str:
    words = _WORD.findall(name.casefold())
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return words[0] if words else ""


def _with_prefix_ok(prefix: str | None) -> bool:
    """A with-line's words before "with" name the publication ("Le Monde avec AFP"), they do
    not start a sentence ("An interview with Reuters")."""
    words = (prefix or "").split()
    return all(w[0].isupper() or w.casefold() in _WITH_PREFIX_WORDS for w in words) and (
        not words or words[0][0].isupper() or words[0] in ("—", "–", "-"))


@lru_cache(maxsize=128)
def grammar(names: tuple[str, ...], tags: tuple[str, ...] = (),
            signatures: tuple[tuple[str, str], ...] = ()) -> Grammar:
    """The compiled ``Grammar`` for these names (cached: compile once per set of names)."""
    return Grammar(names, tags, signatures)
