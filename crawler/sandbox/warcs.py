"""WARC files written by hand, for the scan's tests, the benchmark and the demo.

A WARC file is a sequence of records: a header block (``WARC/1.0``, ``WARC-Type``,
``WARC-Target-URI``, ``WARC-Date``, ``Content-Length``...), a blank line, ``Content-Length``
bytes of content (for a response: the HTTP status line, headers and body as received), and two
CRLFs. A ``.warc.gz`` gzips each record as a member of its own, as Common Crawl does, so that a
record can be read from its offset alone. Written by hand rather than with a WARC library, so
that hostile records (broken headers, lying lengths, a file cut short) can be written too.

``sandbox_records`` turns the sandbox web (every HTML page of every site, the publisher's own
included) into response records: an archive holding its credited, uncredited, misattributed,
excerpted and allow-listed copies and unrelated pages, with the same answer key
(``expected_pages`` and ``hidden_pages``).
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["CAPTURED_AT", "WarcFile", "http_response", "request_record", "response_record",
           "sandbox_records", "warc_record", "warcinfo_record"]

CAPTURED_AT = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
"""The capture date of generated records unless one is given."""


def _record_id(seed: str) -> str:
    return f"<urn:uuid:{uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16])}>"


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def warc_record(kind: str, content: bytes, *, uri: str | None = None,
                date: datetime = CAPTURED_AT, content_type: str = "",
                extra: Sequence[tuple[str, str]] = (), length: int | None = None) -> bytes:
    """One uncompressed record of type ``kind`` holding ``content``. ``length`` overrides the
    declared Content-Length (to write a record that lies about it)."""
    headers = [("WARC-Type", kind), ("WARC-Record-ID", _record_id(f"{kind} {uri} {date} "
                                                                   f"{len(content)}")),
               ("WARC-Date", _date(date))]
    if uri is not None:
        headers.append(("WARC-Target-URI", uri))
    if content_type:
        headers.append(("Content-Type", content_type))
    headers += [*extra, ("Content-Length", str(len(content) if length is None else length))]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return b"WARC/1.0\r\n" + head.encode("utf-8") + b"\r\n" + content + b"\r\n\r\n"


def http_response(body: bytes, *, status: int = 200, reason: str = "OK",
                  content_type: str = "text/html; charset=utf-8",
                  headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """An HTTP/1.1 response as a crawler received it: status line, headers, body."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{name}: {value}" for name, value in headers]
    if not any(name.lower() == "content-length" for name, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def response_record(uri: str, body: bytes, *, date: datetime = CAPTURED_AT, status: int = 200,
                    content_type: str = "text/html; charset=utf-8",
                    headers: Sequence[tuple[str, str]] = (), http: bytes | None = None) -> bytes:
    """A ``response`` record of ``uri`` answering ``body`` (or the raw ``http`` bytes)."""
    block = http if http is not None else http_response(
        body, status=status, content_type=content_type, headers=headers)
    return warc_record("response", block, uri=uri, date=date,
                       content_type="application/http; msgtype=response",
                       extra=[("WARC-IP-Address", "192.0.2.1")])


def request_record(uri: str, *, date: datetime = CAPTURED_AT) -> bytes:
    """The ``request`` record a crawler writes before each response."""
    host = uri.split("/")[2] if uri.count("/") >= 2 else ""
    path = "/" + uri.split("/", 3)[3] if uri.count("/") >= 3 else "/"
    block = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: sandbox-crawler/1.0\r\n"
             "Accept: text/html\r\n\r\n").encode()
    return warc_record("request", block, uri=uri, date=date,
                       content_type="application/http; msgtype=request")


def warcinfo_record(filename: str, *, date: datetime = CAPTURED_AT) -> bytes:
    """The ``warcinfo`` record that opens a file."""
    info = b"software: repostwatch sandbox\r\nformat: WARC File Format 1.0\r\n"
    return warc_record("warcinfo", info, date=date, content_type="application/warc-fields",
                       extra=[("WARC-Filename", filename)])


class WarcFile:
    """Records written to ``path``: one gzip member each when ``path`` ends in ``.gz``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.gzipped = path.name.endswith(".gz")
        self._out = path.open("wb")
        self.offsets: list[int] = []  # where each record starts in the file

    def add(self, record: bytes) -> int:
        """Append ``record`` (from ``warc_record``...); returns its offset in the file."""
        offset = self._out.tell()
        self.offsets.append(offset)
        self._out.write(gzip.compress(record, compresslevel=6, mtime=0)
                        if self.gzipped else record)
        return offset

    def add_raw(self, data: bytes) -> None:
        """Append bytes as they are (a broken member, a cut-off tail)."""
        self._out.write(data)

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> WarcFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def write(cls, path: Path, records: Iterable[bytes]) -> list[int]:
        """Write ``records`` to ``path``; returns their offsets."""
        with cls(path) as warc:
            for record in records:
                warc.add(record)
            return warc.offsets


def sandbox_records(articles: int = 8, *, date: datetime = CAPTURED_AT) -> Iterator[bytes]:
    """A response record of every HTML page of the sandbox web (``build_app(articles)``), each
    preceded by its request record, in a stable order."""
    from .app import _html_pages, _Pages

    for url, html in sorted(_html_pages(_Pages(articles))):
        yield request_record(url, date=date)
        yield response_record(url, html.encode("utf-8"), date=date)
