"""Recognising HTML: by its Content-Type, or by its first bytes (files, and responses sent
without a Content-Type or with a wrong one); and decoding it to text.

``decode_html`` is the one way every page is decoded (crawls, ``check`` over HTTP, saved
files): the encoding a BOM, the Content-Type or a ``<meta>`` declares (w3lib), else UTF-8 if
the bytes are valid UTF-8, else a guess by charset_normalizer made from the non-ASCII runs of
the page only. Guessing from the whole page fails on the usual case of a page in Russian or
Chinese inside mostly-ASCII markup: measured on the sandbox's undeclared windows-1251 and
gb18030 pages, the whole page was taken for cp1125 and mac_iceland, the runs for cp1251 and
gb18030.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode

__all__ = ["HTML_TYPES", "SNIFF_BYTES", "declared_not_html", "decode_html", "looks_like_html"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""Content-Types of HTML pages."""


def declared_not_html(content_type: str) -> bool:
    """Whether a Content-Type header says the body is something other than HTML (an empty or
    missing one says nothing: the bytes decide)."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return bool(mime) and mime not in HTML_TYPES

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


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff][^<>\r\n]*")
_SAMPLE_BYTES = 64 * 1024


def _guess(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    from charset_normalizer import from_bytes  # Scrapy's own dependency

    sample = b" ".join(_NON_ASCII_RUN.findall(body))[:_SAMPLE_BYTES]
    match = from_bytes(sample or body[:_SAMPLE_BYTES]).best()
    return match.encoding if match is not None else None


def decode_html(content_type: str | None, body: bytes) -> tuple[str, str]:
    """``(encoding, text)`` of an HTML page (module docstring); never raises for bad bytes
    (undecodable ones become U+FFFD)."""
    encoding, text = html_to_unicode(content_type or None, body, auto_detect_fun=_guess)
    return encoding, text
