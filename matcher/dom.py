"""One walk over a parsed page: its visible text, where its links sit, its ``<head>`` elements.

``walk`` visits every node of the tree once (selectolax's traversal, in document order) and
keeps what the matcher needs of every page: the raw visible text (scripts, styles, SVG and the
like left out; block elements start a new line) and the elements that later questions are
answered from, without looking at their attributes yet: the anchors and the ``<head>`` elements.
Everything about a link beyond its node (address, text, region, hidden flag, offset) is worked
out only when asked, so a page that copies nothing pays for the walk and nothing more.

The text rules (kept exactly, so that outcomes do not move): a block element starts a new line,
and so does a text node right after a block sibling; ``clean_text`` then collapses white space
line by line and drops empty lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "BLOCK_TAGS",
    "DROP_TAGS",
    "Placement",
    "Walk",
    "clean_text",
    "offset_map",
    "visible_text",
    "walk",
]

DROP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "object", "canvas"])
"""Elements whose content a reader does not see as text."""
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th "
    "tr ul caption option button label title body html".split()
)
_HEAD_TAGS = frozenset({"title", "base", "link", "meta", "script"})
_NOTED = _HEAD_TAGS | DROP_TAGS
_TEXT = "-text"

# Regions of a page, innermost first wins; class/id hints catch templates without HTML5 tags.
_REGION_TAGS = {"footer": "footer", "header": "header", "nav": "nav", "aside": "aside",
                "article": "article", "main": "article"}
_REGION_HINT = re.compile(r"footer|header|sidebar|(?<![a-z])nav|menu|related|comment", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0", re.I)
_OUTSIDE = frozenset({"body", "html", "-document"})  # a placement is not looked for above these
_KEPT_LINE = re.compile(r"\n[^\S\n]*\S")  # the start of a line that is not blank
_FILLED_LINE = re.compile(r"\S[^\n]*")  # a line that is not blank, from its first non-space


@dataclass(slots=True)
class Walk:
    """What one walk found: ``parts`` joined are the raw visible text; each anchor is its node
    and the number of parts before it; ``heads`` maps ``title``, ``base``, ``link``, ``meta``
    and ``script`` to those elements anywhere in the document, in order."""

    parts: list[str] = field(default_factory=list)
    anchors: list[tuple[LexborNode, int]] = field(default_factory=list)
    heads: dict[str, list[LexborNode]] = field(
        default_factory=lambda: {tag: [] for tag in _HEAD_TAGS})

    def offsets(self) -> list[int]:
        """The raw-text offset of each anchor."""
        ends = [0, *accumulate(map(len, self.parts))]
        return [ends[i] for _, i in self.anchors]


def _after(node: LexborNode) -> int:
    """The ``mem_id`` of the first node after ``node``'s subtree in document order (0 at the
    end). Nodes are told apart by ``mem_id``: selectolax's ``==`` compares their HTML."""
    cur: LexborNode | None = node
    while cur is not None:
        nxt = cur.next
        if nxt is not None:
            return nxt.mem_id
        cur = cur.parent
    return 0


@dataclass(frozen=True, slots=True)
class _Ids:
    """Lexbor's ids of the tags the walk tells apart. The walk compares ids, not names: for an
    element, selectolax's ``tag`` decodes a new string every time it is read (and the string
    is then hashed to be looked up), its ``tag_id`` is an integer. Every known tag name has one
    id, the same in every namespace (an SVG ``<title>`` is a ``title``); elements of other names
    get ids of their own, none of them among these."""

    text: int
    body: int
    anchor: int
    title: int
    block: frozenset[int]
    drop: frozenset[int]
    noted: frozenset[int]
    heads: tuple[tuple[int, str], ...]


@cache
def _ids() -> _Ids:
    """The ids, read from nodes that selectolax makes (built on first use)."""
    maker = LexborHTMLParser("")
    of = {name: maker.create_node(name).tag_id for name in BLOCK_TAGS | _NOTED | {"a"}}
    text = LexborHTMLParser("x").body
    assert text is not None and text.first_child is not None
    return _Ids(
        text=text.first_child.tag_id, body=of["body"], anchor=of["a"], title=of["title"],
        block=frozenset(of[name] for name in BLOCK_TAGS),
        drop=frozenset(of[name] for name in DROP_TAGS),
        noted=frozenset(of[name] for name in _NOTED),
        heads=tuple((of[name], name) for name in sorted(_HEAD_TAGS)),
    )


def walk(tree: LexborHTMLParser) -> Walk:
    """Walk ``tree`` once (see the module's docstring). Text comes from ``<body>`` only;
    ``heads`` from the whole document, dropped elements included (a ``<noscript>`` may hold a
    ``<link rel=canonical>``)."""
    found = Walk()
    root, body = tree.root, tree.body
    if root is None:
        return found
    _walk(root, body, found)
    return found


def _walk(root: LexborNode, body: LexborNode | None, found: Walk) -> None:
    ids = _ids()
    parts, anchors = found.parts, found.anchors
    heads = {tag_id: found.heads[name] for tag_id, name in ids.heads}
    for node in root.traverse():  # <head> (elements only), up to <body>
        tag_id = node.tag_id
        if tag_id == ids.body:
            break
        if tag_id in heads:
            heads[tag_id].append(node)
    if body is None:
        return
    append = parts.append
    text, block, drop, noted = ids.text, ids.block, ids.drop, ids.noted
    until = -1  # inside a dropped element: the mem_id of the node after it
    for node in body.traverse(include_text=True):
        tag_id = node.tag_id
        if until >= 0:
            if node.mem_id != until:
                if tag_id in heads:  # inside a dropped element: still in the document
                    heads[tag_id].append(node)
                continue
            until = -1
        if tag_id == text:
            prev = node.prev
            if prev is not None:
                before = prev.tag_id
                if before in drop:
                    before = _kept_before(prev, drop)
                if before in block:
                    append("\n" + (node.text_content or ""))
                    continue
            append(node.text_content or "")
        elif tag_id in block:
            append("\n")
            if tag_id == ids.title:
                heads[tag_id].append(node)
        elif tag_id == ids.anchor:
            anchors.append((node, len(parts)))
        elif tag_id in noted:
            if tag_id in heads:
                heads[tag_id].append(node)
            if tag_id in drop:
                until = _after(node)


def _kept_before(dropped: LexborNode, drop: frozenset[int]) -> int:
    """The tag id of the sibling before ``dropped`` and any dropped elements before it (-1 if
    none): what the node after them follows once they are left out."""
    prev = dropped.prev
    while prev is not None and prev.tag_id in drop:
        prev = prev.prev
    return prev.tag_id if prev is not None else -1


def visible_text(node: LexborNode) -> str:
    """The text of ``node``'s subtree, dropped elements left out (no line breaks added)."""
    out: list[str] = []
    until = -1
    for sub in node.traverse(include_text=True):
        if until >= 0:
            if sub.mem_id != until:
                continue
            until = -1
        tag = sub.tag
        if tag == _TEXT:
            out.append(sub.text_content or "")
        elif tag in DROP_TAGS:
            until = _after(sub)
    return "".join(out)


def clean_text(raw: str) -> str:
    """White space collapsed line by line (``str.split`` white space, as ``\\s`` in a regex),
    empty lines dropped."""
    # Each match is a line that is not blank, from its first character that is not white
    # space: most lines of a page's raw text are blank, and they are never visited.
    return "\n".join(" ".join(line.split()) for line in _FILLED_LINE.findall(raw))


def offset_map(raw: str, clean: str) -> Callable[[int], int]:
    """A map from offsets in ``raw`` to offsets in ``clean`` (``clean_text(raw)``): the
    position in the clean line plus the distance from the start of the raw line, at most to the
    line's end (offsets on an empty line go to the end of the line before)."""
    # Kept raw lines and clean lines correspond one to one, in order.
    starts = [m.start() for m in _KEPT_LINE.finditer("\n" + raw)] if clean else []
    lengths = [len(line) for line in clean.split("\n")] if clean else []
    clean_starts = list(accumulate((n + 1 for n in lengths[:-1]), initial=0))

    def mapping(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return 0
        return min(clean_starts[i] + (offset - starts[i]), clean_starts[i] + lengths[i])

    return mapping


class Placement:
    """Where a node sits: its region and whether it or an ancestor is hidden.

    Each element's answer is kept, so the links of a page cost one look at each of their
    ancestors in all (not one walk up the tree per link: a deeply nested page would make that
    quadratic).
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[str, bool]] = {}

    def of(self, node: LexborNode) -> tuple[str, bool]:
        """``(region, hidden)``: the innermost region (``body`` when none) and the flag."""
        path: list[LexborNode] = []
        above = ("", False)
        cur: LexborNode | None = node
        while cur is not None and cur.tag not in _OUTSIDE:
            known = self._known.get(cur.mem_id)
            if known is not None:
                above = known
                break
            path.append(cur)
            cur = cur.parent
        for element in reversed(path):
            region, hidden = _own(element)
            above = (region or above[0], hidden or above[1])
            self._known[element.mem_id] = above
        return above[0] or "body", above[1]


def _own(node: LexborNode) -> tuple[str, bool]:
    """The region ``node`` itself marks ("" if none) and whether it hides itself."""
    attrs = node.attributes
    style = attrs.get("style")
    hidden = ("hidden" in attrs or attrs.get("aria-hidden") == "true"
              or bool(style and _HIDDEN_STYLE.search(style)))
    tag = node.tag or ""
    if tag in _REGION_TAGS:
        return _REGION_TAGS[tag], hidden
    m = _REGION_HINT.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
    return (m.group().lower() if m else ""), hidden
