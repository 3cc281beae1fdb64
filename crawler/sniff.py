"""Recognising HTML: by its Content-Type, or by its first bytes (files, and responses sent
without a Content-Type or with a wrong one); and decoding it to text.

``decode_html`` is the one way every page is decoded (crawls, ``check`` over HTTP, saved
files): the encoding a BOM, the Content-Type or a ``<meta>`` declares (w3lib), else UTF-8 if
the bytes are valid UTF-8, else a guess by charset_normalizer made from the non-ASCII runs of
the page only. Guessing from the whole page fails on the usual case of a page in Russian or
Chinese inside mostly-ASCII markup: measured on the sandbox's undeclared windows-1251 and
gb18030 pages, the whole page was taken for cp1125 and mac_iceland, the runs for cp1251 and
gb18030.

Only a character encoding a browser would use counts as declared (``TEXT_ENCODINGS``): a
Content-Type or ``<meta>`` naming a codec that is no character set (``hex``, ``base64``,
``rot13``, ``zlib``, ``idna``, ``punycode``, ``undefined``…) is ignored, as browsers ignore
it, and the next source decides; a ``<meta>`` declaring UTF-16 or UTF-32 is read as UTF-8 (the
Encoding Standard: bytes that spell an ASCII ``<meta>`` are not UTF-16). Otherwise one such tag
made decoding raise, and a copier could hide a page from crawls and ``check`` with it.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    to_unicode,
)

__all__ = ["HTML_TYPES", "SNIFF_BYTES", "TEXT_ENCODINGS", "declared_not_html", "decode_html",
           "html_body", "html_encoding", "looks_like_html", "utf8_of"]

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
    else:  # UTF-16 without a BOM (declared in the header): ASCII markup, every other byte 0
        wide = _wide_codec(head)
        if wide is not None:
            head = head.decode(wide, errors="ignore").encode("ascii", "ignore")
    rest = head[_COMMENT.match(head).end():]  # type: ignore[union-attr]
    return bool(_START.match(rest))


_NOT_PAGES = (b"<svg", b"<rss", b"<feed")  # markup, but an image or a feed


def html_body(content_type: str | None, body: bytes) -> bool:
    """Whether ``body`` is an HTML page to judge. It must start like HTML (``looks_like_html``:
    one of the usual first tags), or, when ``content_type`` says HTML, at least start with a
    tag and hold no NUL byte (an XHTML page's ``<?xml`` prolog, a ``<center>`` or a PHP
    ``<br />`` warning first). Nothing, a PDF, an image, JSON or plain text sent as text/html
    is no page: judged, it would read as a copy taken down."""
    if looks_like_html(body):
        return True
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip()
    return (mime in HTML_TYPES and head.startswith(b"<") and b"\x00" not in head
            and not head[:5].lower().startswith(_NOT_PAGES))


def _wide_codec(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` starts as ASCII in UTF-16 (every other
    byte of its first 64 zero), else None."""
    start = head[:64]
    if len(start) < 4:
        return None
    if not any(start[1::2]) and any(start[0::2]):
        return "utf-16-le"
    if not any(start[0::2]) and any(start[1::2]):
        return "utf-16-be"
    return None


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff][^<>\r\n]*")
_SAMPLE_BYTES = 64 * 1024


TEXT_ENCODINGS = frozenset({
    "utf-8", "utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le",
    "ascii", "cp866", "koi8-r", "koi8-u", "koi8-t", "mac-roman", "cp874", "tis-620",
    *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)),
    *(f"cp{n}" for n in range(1250, 1259)), "cp1125", "ptcp154", "kz1048",
    "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis",
    "cp932", "euc_kr", "cp949",
})
"""The encodings a page may declare, by Python's codec name (``codecs.lookup(label).name``):
those of the WHATWG Encoding Standard (what browsers decode), and a few national ones that
browsers read under a near label (tis-620, cp1125, ptcp154, kz1048, koi8-t)."""

_WIDE = frozenset({"utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le"})


def _declared(encoding: str | None) -> str | None:
    """``encoding`` if it is one of ``TEXT_ENCODINGS`` (w3lib has resolved the label)."""
    return encoding if encoding in TEXT_ENCODINGS else None


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
    if match is None:
        return None
    try:
        name = codecs.lookup(match.encoding).name
    except LookupError:
        return None
    # UTF-7 re-spells "<" in ASCII letters: a page no browser decodes so would become markup
    return None if name == "utf-7" else match.encoding


def html_encoding(content_type: str | None, body: bytes) -> str:
    """The encoding ``decode_html`` decodes ``body`` with: a BOM's, the header's, the
    ``<meta>``'s, a guess, UTF-8 — the first that is there and usable."""
    bom_encoding, _ = read_bom(body)
    if bom_encoding is not None:
        return bom_encoding
    header = _declared(http_content_type_encoding(content_type))
    if header is not None:  # "utf-16" with no BOM is little-endian (the Encoding Standard)
        return {"utf-16": "utf-16-le", "utf-32": "utf-32-be"}.get(header, header)
    meta = _declared(html_body_declared_encoding(body))
    if meta is not None:
        return "utf-8" if meta in _WIDE else meta
    return _wide_codec(body) or _guess(body) or "utf-8"


def decode_html(content_type: str | None, body: bytes) -> tuple[str, str]:
    """``(encoding, text)`` of an HTML page (module docstring); never raises for bad bytes
    (undecodable ones become U+FFFD) nor for a charset that names no text encoding."""
    encoding = html_encoding(content_type, body)
    _, bom = read_bom(body)
    try:
        return encoding, to_unicode(body[len(bom or b""):], encoding)
    except (LookupError, UnicodeError):  # a guessed codec that cannot decode with "replace"
        return "utf-8", to_unicode(body, "utf-8")


def utf8_of(encoding: str, body: bytes | None, html: str) -> bytes | None:
    """``html.encode("utf-8")`` without encoding it, when ``decode_html`` decoded it from
    ``body`` as UTF-8 with nothing replaced (most pages): the body, after its BOM. None
    otherwise: another encoding, or a page holding U+FFFD (a byte that was not UTF-8 may have
    become it). The matcher parses these bytes instead of encoding the page again
    (``matcher.Page.utf8``)."""
    try:
        if body is None or codecs.lookup(encoding).name != "utf-8" or "\ufffd" in html:
            return None
    except LookupError:
        return None
    return body[len(codecs.BOM_UTF8):] if body.startswith(codecs.BOM_UTF8) else body
