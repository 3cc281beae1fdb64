"""Limits on what a page's markup can make the HTML parser do: no page may cost minutes.

Lexbor builds the tree an HTML5 browser builds, and the HTML5 algorithm looks through the
stack of open elements for many tags (is there a ``<p>`` to close? a ``<li>``? is this end
tag's element in scope?) and re-opens the "active formatting elements" (``<b>``, ``<i>``…)
that a block closed. On a page that nests n elements both cost O(n) per tag: 50,000 nested
``<div>`` take seconds to parse, 100,000 about 20 s, a 10 MiB page hours; and 2,000 unclosed
``<b id=…>`` followed by 2,000 paragraphs make the parser clone 4 million elements (~1.8 GB).
Browsers bound the depth (Chromium at 512). ``bounded`` bounds it before Lexbor sees the page:

- up to ``MAX_DEPTH`` open elements: a start tag deeper than that is left out (its text stays,
  as part of its parent), and so is the end tag that would close it;
- up to ``MAX_FORMATTING`` active formatting elements: more ``<b>``, ``<i>``, ``<font>``…
  start tags are left out the same way (they are inline: no line of text moves);
- up to ``MAX_TAGS`` tags are read as markup; after them the next ``MAX_REST_BYTES`` of the
  page are read as text (tags removed; every element still open is closed first, so that no
  ``<svg>`` or ``<template>`` hides it), and the rest is not read;
- up to ``MAX_TEXT`` characters of text are read from a page (``matcher.page``): the longest
  articles are a few hundred thousand.

A copy buried past the limits is not found: a page can hide from us that way, but not make
judging it cost more than a fraction of a second.

Counting needs a model of the HTML5 tree builder (which end tags close what, which elements
close their open sibling, what is raw text, the builder's limit of three identical formatting
elements): ``_Model`` keeps the stack as the builder would, closer to too deep than too
shallow where it cannot tell (``tests/matcher/test_markup.py`` checks it against Lexbor). It
costs ~2 µs a tag, so it only runs where it can matter: a page of fewer than
``_CHECKED_FROM`` bytes or ``_SCREENED_FROM_TAGS`` "<", or of fewer than
``_CHECKED_FROM_TAGS`` "<" with at most ``_SCREEN_FORMATTING`` formatting tags with
attributes (what it takes to defeat the builder's limit on identical ones), parses in well
under a second whatever it holds, and is handed over unchanged. Normal pages are never
changed: their depth and formatting stay far below the limits.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

__all__ = ["MAX_DEPTH", "MAX_FORMATTING", "MAX_REST_BYTES", "MAX_TAGS", "MAX_TEXT", "bounded"]

MAX_DEPTH = 256
"""Open elements at most (Chromium's parser allows 512; news pages nest 20–40)."""
MAX_FORMATTING = 64
"""Active formatting elements at most (news pages have a handful open at a time)."""
MAX_TAGS = 50_000
"""Tags read as markup at most (a large news page has ~5,000); the rest is read as text."""
MAX_REST_BYTES = 2 * 1024 * 1024
"""Bytes of the page read as text after ``MAX_TAGS`` tags."""
MAX_TEXT = 2_000_000
"""Characters of a page's text (as parsed, before white space is collapsed) that are read."""

_CHECKED_FROM = 8 * 1024  # bytes: a smaller page parses in < 0.3 s whatever it holds
_SCREENED_FROM_TAGS = 2_500  # "<"s: fewer tags cannot nest or clone for long (< 0.6 s)
_CHECKED_FROM_TAGS = 8_192  # "<"s: with fewer, nesting costs < 0.4 s...
_SCREEN_FORMATTING = 128  # ...unless formatting tags with attributes could pile up (clones)

_START = re.compile(rb"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_FORMATTING_WITH_ATTRIBUTES = re.compile(
    rb"<(?:[bisu]|em|tt|big|code|font|small|strike|strong)[\t\n\f\r /]", re.IGNORECASE)
_TAG_REST = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*>""")  # attributes, quotes kept whole
_ANY_TAG = re.compile(rb"<[^<>]*>")
_LT = 0x3C

_VOID = frozenset("area base basefont bgsound br col embed frame hr image img input keygen "
                  "link meta param source track wbr".split())
_RAW = frozenset("script style textarea title xmp iframe noembed noframes".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# Where "in scope" stops looking (HTML's scope boundaries, foreign ones included).
_BOUNDARY = frozenset("applet caption html table td th marquee object template "
                      "foreignobject desc mi mo mn ms mtext annotation-xml".split())
# Elements HTML calls special: an end tag of an ordinary element is ignored past one.
_SPECIAL = _BOUNDARY | frozenset(
    "address area article aside base basefont bgsound blockquote body br button center col "
    "colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame "
    "frameset h1 h2 h3 h4 h5 h6 head header hgroup hr iframe img input keygen li link "
    "listing main menu meta nav noembed noframes noscript ol p param plaintext pre script "
    "search section select source style summary tbody textarea tfoot thead title tr track "
    "ul wbr xmp".split())
# Start tags that close an open <p> (in button scope), and the element families that close
# their own open sibling.
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr listing main menu nav ol p pre "
    "search section summary ul xmp plaintext li dd dt".split())
_LIST_STOPS = _SPECIAL - {"address", "div", "p"}  # where <li>, <dd>, <dt> stop looking
# A start tag that closes its open sibling: the siblings, and where looking for one stops
# (None: only the current node is looked at).
_FAMILY: dict[str, tuple[tuple[str, ...], frozenset[str] | None]] = {
    "li": (("li",), _LIST_STOPS), "dd": (("dd", "dt"), _LIST_STOPS),
    "dt": (("dd", "dt"), _LIST_STOPS),
    "option": (("option",), None), "optgroup": (("option", "optgroup"), None),
}
# Table parts clear the stack down to the part of the table they belong in.
_CLEARS_TO = {"tr": ("tbody", "thead", "tfoot", "table", "template"),
              "td": ("tr", "table", "template"), "th": ("tr", "table", "template"),
              "tbody": ("table", "template"), "thead": ("table", "template"),
              "tfoot": ("table", "template"), "caption": ("table", "template"),
              "colgroup": ("table", "template")}
_TABLE_ENDS = frozenset("table tbody thead tfoot tr td th caption colgroup".split())
_IGNORED_ENDS = frozenset({"body", "html", "br"})  # the builder pops nothing for these
_RAW_MAX_TAGS = 1_000  # a "raw text" element with more "<" inside is read as markup too


def bounded(html: bytes) -> bytes:
    """``html`` (UTF-8) with at most ``MAX_DEPTH`` open and ``MAX_FORMATTING`` active
    formatting elements and ``MAX_TAGS`` tags read as markup (see the module's docstring);
    the same object whenever nothing had to be left out."""
    if len(html) < _CHECKED_FROM:
        return html
    tags = int(np.count_nonzero(np.frombuffer(html, dtype=np.uint8) == _LT))
    if tags < _SCREENED_FROM_TAGS or (tags < _CHECKED_FROM_TAGS and len(
            _FORMATTING_WITH_ATTRIBUTES.findall(html)) <= _SCREEN_FORMATTING):
        return html
    return _Model(html).run()


class _Model:
    """The HTML5 tree builder's stack of open elements and list of active formatting
    elements, as far as tag names tell; tags past the limits are cut out of the page."""

    def __init__(self, html: bytes) -> None:
        self.html = html
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {}  # name -> its positions in the stack
        self.boundaries: list[int] = []  # positions of _BOUNDARY elements
        self.specials: list[int] = []  # positions of _SPECIAL elements
        self.stops: dict[frozenset[str], list[int]] = {_LIST_STOPS: []}
        self.formatting: list[tuple[str, bytes]] = []  # active formatting: name, attributes
        self.markers: list[int] = []  # length of ``formatting`` when each marker came
        self.left_out: dict[str, int] = {}  # start tags left out, by name, not yet closed
        self.foreign = 0  # open <svg>/<math>: no raw text inside them
        self.deepest = 0  # the most elements open at once (what the limits keep down)
        self._closings: dict[str, int] = {}  # raw text name -> its next end tag (-1: none)
        self.searches = 0  # searches for the end of raw text (each one reads on to it)
        self._lt_at: np.ndarray[tuple[int], np.dtype[np.intp]] | None = None
        self.out: list[bytes] = []  # the page, cut: pieces kept
        self.kept = 0  # html[:kept] is accounted for in ``out``

    def _cut(self, start: int, end: int) -> None:
        """Leave ``html[start:end]`` (a tag) out of the page."""
        self.out.append(self.html[self.kept:start])
        self.kept = end

    def _push(self, name: str) -> None:
        at = len(self.stack)
        self.stack.append(name)
        self.deepest = max(self.deepest, at + 1)
        self.where.setdefault(name, []).append(at)
        if name in _BOUNDARY:
            self.boundaries.append(at)
            self.markers.append(len(self.formatting))
        if name in _SPECIAL:
            self.specials.append(at)
        for kinds, places in self.stops.items():
            if name in kinds:
                places.append(at)
        if name in ("svg", "math"):
            self.foreign += 1

    def _pop_to(self, at: int) -> None:
        """Pop the stack down to (and with) position ``at``."""
        while len(self.stack) > at:
            name = self.stack.pop()
            self.where[name].pop()
            top = len(self.stack)
            if self.boundaries and self.boundaries[-1] == top:
                self.boundaries.pop()
                del self.formatting[self.markers.pop():]  # the marker's entries go with it
            if self.specials and self.specials[-1] == top:
                self.specials.pop()
            for places in self.stops.values():
                if places and places[-1] == top:
                    places.pop()
            if name in ("svg", "math"):
                self.foreign = max(0, self.foreign - 1)

    def _open(self, name: str) -> int:
        """The topmost position of an open ``name`` (-1 if none)."""
        places = self.where.get(name)
        return places[-1] if places else -1

    def _in_scope(self, at: int) -> bool:
        return at >= 0 and (not self.boundaries or self.boundaries[-1] <= at)

    def _above(self, at: int, names: tuple[str, ...]) -> bool:
        """Whether one of ``names`` is open above position ``at``."""
        return any(self._open(n) > at for n in names)

    def _start(self, name: str, attributes: bytes) -> bool:
        """A start tag: False when it is left out."""
        if name in _CLOSES_P:
            p = self._open("p")
            if self._in_scope(p) and (not self.where.get("button")
                                      or self.where["button"][-1] < p):
                self._pop_to(p)
        clears = _CLEARS_TO.get(name)
        if clears is not None and not self.foreign:  # (in <svg> a <tr> is just an element)
            below = max(self._open(n) for n in clears)
            if below >= 0:
                self._pop_to(below + 1)
        family = _FAMILY.get(name)
        if family is not None:
            siblings, stops = family
            sibling = max(self._open(n) for n in siblings)
            if stops is None:
                reachable = sibling == len(self.stack) - 1
            else:
                places = self.stops[stops]
                reachable = not places or places[-1] <= sibling
            if sibling >= 0 and reachable:
                self._pop_to(sibling)
        formatting = name in _FORMATTING and name not in ("a", "nobr")
        if len(self.stack) >= MAX_DEPTH or (formatting
                                            and len(self.formatting) >= MAX_FORMATTING):
            self.left_out[name] = self.left_out.get(name, 0) + 1
            return False
        self._push(name)
        if formatting:
            self._remember((name, attributes.strip()))
        return True

    def _remember(self, entry: tuple[str, bytes]) -> None:
        """Add a formatting element to the list; as the builder does, a fourth identical one
        (same name and attributes, since the last marker) takes the place of the first."""
        since = self.markers[-1] if self.markers else 0
        same = [i for i in range(since, len(self.formatting)) if self.formatting[i] == entry]
        if len(same) >= 3:
            del self.formatting[same[0]]
        self.formatting.append(entry)

    def _end(self, name: str) -> bool:
        """An end tag: False when it is left out (it closes a start tag left out)."""
        if self.left_out.get(name):  # the innermost element of that name was left out
            self.left_out[name] -= 1
            return False
        if name in _IGNORED_ENDS:
            return True
        at = self._open(name)
        if name in _TABLE_ENDS:
            closes = at >= 0 and not (self._above(at, ("table", "template")) if name != "table"
                                      else self._above(at, ("template",)))
        elif name in ("li", "dd", "dt"):
            closes = self._in_scope(at) and not self._above(at, ("ol", "ul"))
        elif name == "p":
            closes = self._in_scope(at) and not self._above(at, ("button",))
        elif name in _SPECIAL or name in _FORMATTING:
            closes = self._in_scope(at)
        else:  # an ordinary element: not past a special one
            closes = at >= 0 and (not self.specials or self.specials[-1] < at)
        if name in _FORMATTING and (at < 0 or closes):  # the adoption agency: off the list
            for i in range(len(self.formatting) - 1, -1, -1):
                if self.formatting[i][0] == name:
                    del self.formatting[i]
                    break
        if closes:
            self._pop_to(at)
        return True

    def _lts(self, start: int, end: int) -> int:
        """How many "<" ``html[start:end]`` holds (from the positions of all of them, found
        once: no region is counted twice however many raw text tags open in it)."""
        if self._lt_at is None:
            self._lt_at = np.flatnonzero(np.frombuffer(self.html, dtype=np.uint8) == _LT)
        first, last = np.searchsorted(self._lt_at, (start, end))
        return int(last - first)

    def _skip_raw(self, name: str, pos: int) -> int:
        """Where the raw text of ``name`` opened before ``pos`` ends (the start of its end
        tag), or ``pos`` when its content is to be read as markup after all."""
        known = self._closings.get(name)  # the next end tag found by an earlier search
        if known is None or 0 <= known < pos:
            self.searches += 1
            found = _closing(name).search(self.html, pos)
            known = self._closings[name] = found.start() if found is not None else -1
        if known < 0 or self._lts(pos, known) > _RAW_MAX_TAGS:
            return pos  # no end (or too much inside): read on as markup, never hide a tag
        return known

    def run(self) -> bytes:
        html, tags, pos = self.html, 0, 0
        while tags < MAX_TAGS:
            lt = html.find(b"<", pos)
            if lt < 0:
                break
            tags += 1
            if html.startswith(b"<!--", lt):
                end = html.find(b"-->", lt + 2)
                if end < 0:
                    break  # the rest is a comment
                pos = end + 3
                continue
            m = _START.match(html, lt)
            if m is None:
                if html.startswith((b"<!", b"<?", b"</"), lt):  # doctype, bogus comment
                    end = html.find(b">", lt)
                    if end < 0:
                        break
                    pos = end + 1
                else:
                    pos = lt + 1  # a "<" in text
                continue
            rest = _TAG_REST.match(html, m.end())
            if rest is None:
                break  # an unclosed quote or tag: the rest is inside it
            end = rest.end()
            name = m.group(2).decode("latin-1").lower()
            if m.group(1):
                if not self._end(name):
                    self._cut(lt, end)
            elif name in _VOID or (self.foreign and html[end - 2] == 0x2F):  # "/>"
                pass
            elif not self._start(name, html[m.end():end - 1]):
                self._cut(lt, end)
            elif name in _RAW and not self.foreign:
                text_end = self._skip_raw(name, end)
                tags += self._lts(end, text_end) if text_end > end else 0
                end = text_end
            elif name == "plaintext" and not self.foreign:
                return self._finish(len(html))
            pos = end
        if tags >= MAX_TAGS:
            return self._finish(pos)
        if not self.out:
            return html  # nothing left out
        self.out.append(html[self.kept:])
        return b"".join(self.out)

    def _finish(self, pos: int) -> bytes:
        """The page up to ``pos`` as cut, every element still open closed, then (some of)
        the rest of the page as text: no element left open hides it (an <svg>, a <template>…)."""
        self.out.append(self.html[self.kept:pos])
        self.out.extend(f"</{name}>".encode("latin-1") for name in reversed(self.stack))
        rest = self.html[pos:pos + MAX_REST_BYTES]
        rest = _ANY_TAG.sub(b" ", rest).replace(b"<", b"&lt;")
        self.out.append(rest)
        return b"".join(self.out)


@lru_cache(maxsize=16)
def _closing(name: str) -> re.Pattern[bytes]:
    """The end tag of the raw text element ``name``."""
    return re.compile(rb"</" + name.encode("latin-1") + rb"[\t\n\f\r />]", re.IGNORECASE)
