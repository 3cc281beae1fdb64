"""Recognising HTML: by its Content-Type, or by its first bytes (files, and responses sent
without a Content-Type or with a wrong one)."""

from __future__ import annotations

import re

__all__ = ["HTML_TYPES", "SNIFF_BYTES", "looks_like_html"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""Content-Types of HTML pages."""

SNIFF_BYTES = 1024
"""How many leading bytes are enough to decide."""

_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_COMMENT = re.compile(rb"^\s*(?:<!--.*?-->\s*)*", re.S)
_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link|script|style|div|p|article|section|"
    rb"main|header|nav|span|a|h[1-6]|table|ul|ol|form|img|br)\b",
    re.I,
)


def looks_like_html(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a document) starts like HTML or an HTML fragment:
    after a BOM, white space and comments, a doctype or a common HTML tag. PDFs, images, JSON
    and plain text are not HTML."""
    head = head[:SNIFF_BYTES]
    for bom, codec in _BOMS.items():
        if head.startswith(bom):
            head = head[len(bom):].decode(codec, errors="ignore").encode("ascii", "ignore")
            break
    rest = head[_COMMENT.match(head).end():]  # type: ignore[union-attr]
    return bool(_START.match(rest))
