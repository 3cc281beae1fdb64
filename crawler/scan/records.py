"""Reading the response records of a WARC or ARC file, streamed, each body capped.

WARC files are read with FastWARC (Rust; 3.2x warcio's records/s on the same gzipped file,
docs/dependencies.md), ARC files (the format before WARC) with warcio, which reads them as
WARC. Either way the file is a stream: nothing but the current record is held, and a
record's body is read up to ``max_bytes`` only, so memory stays bounded whatever the records
hold. The HTTP body is decoded here (chunked transfer, gzip / deflate / br content encoding),
capped again after decoding: a gzip bomb stops at ``max_bytes``.

A record that cannot be used is yielded as a ``Skipped`` naming why (one of ``SKIP_REASONS``);
a file that cannot be read on (cut short, not a WARC, a broken gzip member) raises
``ArchiveError`` with the offset reached.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, cast

from repostwatch.errors import CrawlError

from ..sniff import SNIFF_BYTES, declared_not_html, looks_like_html

__all__ = ["SKIP_REASONS", "ArchiveError", "ArchivedResponse", "Skipped", "read_archive"]

SKIP_REASONS = {
    "not_html": "not an HTML page (Content-Type or first bytes)",
    "http_error": "an HTTP status other than 2xx (redirect, error)",
    "too_large": "body larger than [scan] max_record_mb (before or after decoding)",
    "bad_http": "no readable HTTP status line or headers",
    "bad_encoding": "a Content-Encoding or chunked body that does not decode",
    "no_uri": "no WARC-Target-URI, or not an http(s) one",
    "bad_record": "a WARC record whose own headers are broken (no date, no length)",
}
"""Why a response record is not judged: the counters of a scan (docs/cli.md)."""

_ARC_SUFFIXES = (".arc", ".arc.gz")
_TAIL = 4 * 1024 * 1024  # bytes kept of a file's end: where a cut-off shows
_GZIP_START = b"\x1f\x8b\x08"


class ArchiveError(CrawlError):
    """A WARC / ARC file could not be read on, at ``offset`` (bytes into the file as stored)."""

    def __init__(self, message: str, *, location: str, offset: int | None = None) -> None:
        where = f" at offset {offset}" if offset is not None else ""
        super().__init__(f"{location}{where}: {message}")
        self.location = location
        self.offset = offset


@dataclass(frozen=True)
class ArchivedResponse:
    """One archived HTTP response: ``offset`` is where its record starts in the file (as
    stored, compressed or not); ``body`` is decoded (transfer and content encodings) and at
    most ``max_bytes``; ``headers`` are the HTTP headers as (name, value) pairs."""

    offset: int
    uri: str
    captured_at: datetime
    record_id: str
    status: int
    headers: tuple[tuple[str, str], ...]
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Skipped:
    """A response record not judged: ``reason`` is a key of ``SKIP_REASONS``."""

    offset: int
    uri: str
    reason: str
    detail: str = ""


def is_arc(location: str) -> bool:
    """Whether ``location`` names an ARC file (by its name)."""
    return location.split("?", 1)[0].lower().endswith(_ARC_SUFFIXES)


def read_archive(stream: IO[bytes], location: str, *, max_bytes: int
                 ) -> Iterator[ArchivedResponse | Skipped]:
    """Every response record of the WARC / ARC file open as ``stream`` (gzipped or not),
    judged usable or not. Raises ``ArchiveError`` when the file cannot be read on, and at
    its end when it was cut short (neither reader says so for every cut: ``_Tracked``)."""
    tracked = _Tracked(stream)
    if is_arc(location):
        yield from _warcio_records(tracked, location, max_bytes)
    else:
        yield from _fastwarc_records(tracked, location, max_bytes)
    problem = tracked.cut_short()
    if problem:
        raise ArchiveError(f"the file is cut short: {problem}", location=location,
                           offset=tracked.position)


class _Tracked:
    """A stream read through: its position (FastWARC asks ``tell``) and its last bytes, which
    show whether the file ends where a record ends. FastWARC and warcio both end quietly at
    some cuts (a gzip member cut inside its deflate data, a record cut in its headers)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.position = stream.tell() if stream.seekable() else 0
        self._tail: list[bytes] = []
        self._kept = 0
        self._gzipped: bool | None = None  # told by the first bytes read

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.position += len(data)
        if self._gzipped is None and data:
            self._gzipped = data.startswith(b"\x1f\x8b")
        if data:
            self._tail.append(data)
            self._kept += len(data)
            while self._kept - len(self._tail[0]) >= _TAIL:
                self._kept -= len(self._tail.pop(0))
        return data

    def cut_short(self) -> str | None:
        """Why the bytes read do not end a file of whole records, or None (they do, or it
        cannot be told from the last ``_TAIL`` bytes)."""
        tail = b"".join(self._tail)
        if not tail:
            return None
        if not self._gzipped:
            # not gzipped: a record ends with two CRLFs (an ARC record with one LF)
            return None if tail.endswith((b"\r\n\r\n", b"\n")) else "the last record is cut"
        start = tail.rfind(_GZIP_START)
        while start >= 0:
            verdict = _members_to_end(tail[start:])
            if verdict is not None:
                return None if verdict else "its last gzip member is incomplete"
            start = tail.rfind(_GZIP_START, 0, start)
        return None


def _members_to_end(data: bytes) -> bool | None:
    """True when ``data`` is whole gzip members up to its end, False when it is members of
    which the last stops short, None when it does not start a gzip member at all."""
    first = True
    while data:
        inflater = zlib.decompressobj(31)
        try:
            while data and not inflater.eof:
                inflater.decompress(data, 1024 * 1024)
                data = inflater.unconsumed_tail
        except zlib.error:
            return None if first else False
        if not inflater.eof:
            return False
        data = inflater.unused_data
        first = False
    return True


def _fastwarc_records(stream: _Tracked, location: str, max_bytes: int
                      ) -> Iterator[ArchivedResponse | Skipped]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    offset: int | None = 0
    records = ArchiveIterator(cast(Any, stream), record_types=WarcRecordType.response,
                              parse_http=False)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except OSError as exc:  # a broken gzip member, a cut-off file, garbage between records
            raise ArchiveError(f"cannot read on: {exc}", location=location,
                               offset=offset) from exc
        offset = record.stream_pos
        uri = record.headers.get("WARC-Target-URI") or ""
        date = record.record_date
        if date is None:
            yield Skipped(offset, uri, "bad_record", "no WARC-Date")
            continue
        captured = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
        record_id = record.headers.get("WARC-Record-ID") or ""
        if not uri.startswith(("http://", "https://")):
            yield Skipped(offset, uri, "no_uri")
            continue
        if record.content_length > max_bytes + SNIFF_BYTES:  # the HTTP head is part of it
            yield Skipped(offset, uri, "too_large", f"{record.content_length} bytes")
            continue
        try:
            record.parse_http(max_header_len=32 * 1024)
        except (OSError, ValueError) as exc:
            yield Skipped(offset, uri, "bad_http", str(exc)[:200])
            continue
        status = record.http_headers.status_code if record.http_headers is not None else None
        if status is None:
            yield Skipped(offset, uri, "bad_http", "no HTTP status line")
            continue
        headers = tuple(record.http_headers.to_tuples())
        yield _response(offset, uri, captured, record_id, status, headers,
                        lambda n, r=record: r.reader.read(n), max_bytes)


def _warcio_records(stream: _Tracked, location: str, max_bytes: int
                    ) -> Iterator[ArchivedResponse | Skipped]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(stream, arc2warc=True)
    offset: int | None = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            raise ArchiveError(f"cannot read on: {exc}", location=location,
                               offset=offset) from exc
        offset = records.offset  # where this record started (get_record_offset() would read
        # the record to its end first)
        if record.rec_type != "response":
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        try:
            captured = datetime.fromisoformat(
                (record.rec_headers.get_header("WARC-Date") or "").replace("Z", "+00:00"))
        except ValueError:
            captured = datetime.fromtimestamp(0, UTC)
        captured = captured if captured.tzinfo else captured.replace(tzinfo=UTC)
        if not uri.startswith(("http://", "https://")):
            yield Skipped(offset, uri, "no_uri")
            continue
        length = int(record.rec_headers.get_header("Content-Length") or 0)
        if length > max_bytes + SNIFF_BYTES:
            yield Skipped(offset, uri, "too_large", f"{length} bytes")
            continue
        http = record.http_headers
        code = http.get_statuscode() if http is not None else None
        if code is None or not code.isdigit():
            yield Skipped(offset, uri, "bad_http", "no HTTP status line")
            continue
        headers = tuple((str(k), str(v)) for k, v in http.headers)
        yield _response(offset, uri, captured, record_id, int(code), headers,
                        record.raw_stream.read, max_bytes)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), "")


def _response(offset: int, uri: str, captured: datetime, record_id: str, status: int,
              headers: tuple[tuple[str, str], ...], read: Any,
              max_bytes: int) -> ArchivedResponse | Skipped:
    """The response's body read (capped) and decoded, or why it is skipped. The checks
    that need no body come first: most records are skipped without reading it."""
    if not 200 <= status < 300:
        return Skipped(offset, uri, "http_error", f"HTTP {status}")
    content_type = _header(headers, "Content-Type").strip()
    if declared_not_html(content_type):
        return Skipped(offset, uri, "not_html", content_type[:100])
    raw = read(max_bytes + 1)
    if len(raw) > max_bytes:
        return Skipped(offset, uri, "too_large", f"more than {max_bytes} bytes")
    try:
        if "chunked" in _header(headers, "Transfer-Encoding").lower():
            raw = _dechunk(raw)
        body = _decode(raw, _header(headers, "Content-Encoding").strip().lower(), max_bytes)
    except (ValueError, zlib.error) as exc:
        return Skipped(offset, uri, "bad_encoding", str(exc)[:200])
    if body is None:
        return Skipped(offset, uri, "too_large", f"more than {max_bytes} bytes once decoded")
    if not content_type and not looks_like_html(body[:SNIFF_BYTES]):
        return Skipped(offset, uri, "not_html", "no Content-Type, not HTML by its first bytes")
    return ArchivedResponse(offset, uri, captured, record_id, status, headers, content_type,
                            body)


def _dechunk(raw: bytes) -> bytes:
    """The body of a chunked transfer (as some crawlers archive it). Raises ``ValueError``."""
    out = bytearray()
    pos = 0
    while True:
        end = raw.find(b"\r\n", pos)
        if end < 0:
            raise ValueError("chunked body cut short")
        size = int(raw[pos:end].split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            return bytes(out)
        out += raw[end + 2:end + 2 + size]
        pos = end + 2 + size + 2


def _decode(raw: bytes, encoding: str, max_bytes: int) -> bytes | None:
    """``raw`` without its content encoding, or None when it decodes to more than
    ``max_bytes`` (a bomb stops there). Raises ``zlib.error`` / ``ValueError`` when broken."""
    if encoding in ("", "identity", "none"):
        return raw
    if encoding in ("gzip", "x-gzip", "deflate"):
        # wbits 47: gzip or zlib header; a raw deflate stream (old servers) is tried after
        for wbits in (47, -15):
            inflater = zlib.decompressobj(wbits)
            try:
                out = inflater.decompress(raw, max_bytes + 1)
            except zlib.error:
                if wbits == -15:
                    raise
                continue
            return None if len(out) > max_bytes or inflater.unconsumed_tail else out
    if encoding == "br":
        import brotli  # Scrapy's dependency

        try:
            out = brotli.Decompressor().process(raw, output_buffer_limit=max_bytes + 1)
        except brotli.error as exc:
            raise ValueError(f"broken br body: {exc}") from exc
        return None if len(out) > max_bytes else out
    raise ValueError(f"unknown Content-Encoding {encoding!r}")
