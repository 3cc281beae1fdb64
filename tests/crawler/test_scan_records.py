"""Reading archive files: records, offsets, capture dates, decoding, hostile records, ARC."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.sandbox.warcs import WarcFile, request_record, response_record, warcinfo_record
from crawler.scan.records import ArchivedResponse, ArchiveError, Skipped, read_archive
from crawler.scan.sources import read_record_at, resolve
from repostwatch.config import CrawlConfig
from tests.crawler.scanhome import hostile_records

MAX = 10 * 1024 * 1024
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _read(path: Path) -> list[ArchivedResponse | Skipped]:
    with path.open("rb") as fh:
        return list(read_archive(fh, str(path), max_bytes=MAX))


@pytest.mark.parametrize("name", ["plain.warc", "zipped.warc.gz"])
def test_responses_with_offsets_dates_and_bodies(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    offsets = WarcFile.write(path, [
        warcinfo_record(name),
        request_record("http://a.test/1"),
        response_record("http://a.test/1", b"<html><p>one</p></html>", date=WHEN),
        response_record("http://a.test/2", b"<p>two</p>", content_type="",
                        headers=[("X-Thing", "y")]),
    ])
    got = _read(path)
    assert [type(r) for r in got] == [ArchivedResponse, ArchivedResponse]
    first, second = got
    assert isinstance(first, ArchivedResponse) and isinstance(second, ArchivedResponse)
    assert (first.uri, first.offset, first.captured_at, first.status) == (
        "http://a.test/1", offsets[2], WHEN, 200)
    assert first.body == b"<html><p>one</p></html>"
    assert first.record_id.startswith("<urn:uuid:")
    assert second.offset == offsets[3] and second.body == b"<p>two</p>"  # sniffed as HTML
    assert ("X-Thing", "y") in second.headers
    # the offset is enough to read the record again
    again = read_record_at(str(path), offsets[3], config=CrawlConfig(), allow_private=False,
                           max_bytes=MAX)
    assert isinstance(again, ArchivedResponse) and again.body == second.body
    assert again.offset == offsets[3]


def test_encodings_are_undone(tmp_path: Path) -> None:
    html = b"<html><body><p>" + b"encoded words " * 50 + b"</p></body></html>"
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (html[:100], html[100:])) + \
        b"0\r\n\r\n"
    deflated = zlib.compress(html)
    path = tmp_path / "enc.warc.gz"
    WarcFile.write(path, [
        response_record("http://a.test/gz", gzip.compress(html),
                        headers=[("Content-Encoding", "gzip")]),
        response_record("http://a.test/chunked", chunked,
                        headers=[("Transfer-Encoding", "chunked")]),
        response_record("http://a.test/deflate", deflated,
                        headers=[("Content-Encoding", "deflate")]),
        response_record("http://a.test/raw-deflate", deflated[2:-4],
                        headers=[("Content-Encoding", "deflate")]),
        response_record("http://a.test/bad", b"\x1f\x8bnot gzip at all",
                        headers=[("Content-Encoding", "gzip")]),
    ])
    got = {r.uri.rsplit("/", 1)[1]: r for r in _read(path)}
    for name in ("gz", "chunked", "deflate", "raw-deflate"):
        item = got[name]
        assert isinstance(item, ArchivedResponse) and item.body == html, name
    bad = got["bad"]
    assert isinstance(bad, Skipped) and bad.reason == "bad_encoding"


def test_hostile_records_are_skipped_and_the_file_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "hostile.warc.gz"
    records = []
    for name, record in hostile_records():
        records += [record, response_record(f"http://after.test/{name}", b"<p>fine</p>")]
    WarcFile.write(path, records)
    got = _read(path)
    skipped = {r.uri.split("/")[2]: r.reason for r in got if isinstance(r, Skipped)}
    assert skipped == {"bomb.test": "too_large", "huge.test": "too_large",
                       "broken.test": "bad_http", "images.test": "not_html",
                       "gone.test": "http_error"}
    fine = [r.uri for r in got if isinstance(r, ArchivedResponse)]
    # every good record after a hostile one is read, and the page in a wrong charset is
    # handed on (the scanner decodes it)
    assert fine == ["http://after.test/gzip_bomb", "http://after.test/huge",
                    "http://after.test/broken_http", "http://cyrillic.test/news.html",
                    "http://after.test/wrong_charset", "http://after.test/not_html",
                    "http://after.test/gone"]


def test_a_100_mb_record_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    body = b"<html><body>" + b"x" * (100 * 1024 * 1024) + b"</body></html>"
    WarcFile.write(path, [response_record("http://big.test/", body),
                          response_record("http://small.test/", b"<p>small</p>")])
    del body
    got = _read(path)
    assert isinstance(got[0], Skipped) and got[0].reason == "too_large"
    assert "104857" in got[0].detail  # the declared length, not a read body
    assert isinstance(got[1], ArchivedResponse) and got[1].body == b"<p>small</p>"


@pytest.mark.parametrize("cut", [0.5, 0.1, 30, 12])
@pytest.mark.parametrize("zipped", [True, False])
@pytest.mark.parametrize("tail", [None, 600])
def test_a_file_cut_short_raises_after_its_whole_records(
        tmp_path: Path, cut: float, zipped: bool, tail: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if tail is not None:
        monkeypatch.setattr("crawler.scan.records._TAIL", tail)
    path = tmp_path / ("cut.warc.gz" if zipped else "cut.warc")
    with WarcFile(path) as warc:
        warc.add(response_record("http://a.test/1", b"<p>one</p>"))
        warc.add(response_record("http://a.test/2", b"<p>two</p>"))
        last = response_record("http://a.test/3", b"<p>three</p>" * 100)
        tail = gzip.compress(last) if zipped else last
        warc.add_raw(tail[: int(len(tail) * cut) if cut < 1 else int(cut)])
    seen: list[ArchivedResponse | Skipped] = []
    with pytest.raises(ArchiveError) as info, path.open("rb") as fh:
        seen.extend(read_archive(fh, str(path), max_bytes=MAX))
    responses = [r.uri for r in seen if isinstance(r, ArchivedResponse)]
    # the cut record may be handed on with the part of its body there is (an uncompressed
    # file has no framing to tell), but never a record after it, and the file is flagged
    assert responses[:2] == ["http://a.test/1", "http://a.test/2"]
    assert responses[2:] in ([], ["http://a.test/3"])
    assert all(r.reason in ("bad_record", "bad_http") for r in seen if isinstance(r, Skipped))
    assert str(path) in str(info.value) and "cut short" in str(info.value)


@pytest.mark.parametrize("tail", [None, 3000])
def test_whole_files_are_not_taken_for_cut_ones(tmp_path: Path, tail: int | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if tail is not None:  # a file much longer than the bytes kept of its end
        monkeypatch.setattr("crawler.scan.records._TAIL", tail)
    import hashlib

    def body(i: int) -> bytes:  # incompressible enough: the files span many reads
        return b"<p>" + b"".join(hashlib.sha512(f"{i} {k}".encode()).hexdigest().encode()
                                 for k in range(10)) + b"</p>"

    for name in ("whole.warc.gz", "whole.warc"):
        path = tmp_path / name
        WarcFile.write(path, [response_record(f"http://a.test/{i}", body(i))
                              for i in range(300)])
        assert path.stat().st_size > 4 * 64 * 1024
        assert len(_read(path)) == 300


def test_arc_files_are_read_with_their_dates(tmp_path: Path) -> None:
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html><p>from 2005</p></html>"
    fields = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://old.arc 0.0.0.0 20050101000000 text/plain %d\n" % len(fields)
    record = b"http://old.test/a 192.0.2.1 20050506070809 text/html %d\n" % len(http) + http
    path = tmp_path / "old.arc.gz"
    path.write_bytes(gzip.compress(head + fields + b"\n") + gzip.compress(record + b"\n"))
    (item,) = _read(path)
    assert isinstance(item, ArchivedResponse)
    assert (item.uri, item.captured_at, item.body) == (
        "http://old.test/a", datetime(2005, 5, 6, 7, 8, 9, tzinfo=UTC),
        b"<html><p>from 2005</p></html>")


def test_sources_expand_folders_and_path_lists(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.warc.gz", "a/y.arc", "a/notes.md", "b.warc"):
        (tmp_path / name).write_bytes(b"")
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(
        b"crawl-data/CC-NEWS/2025/05/CC-NEWS-1.warc.gz\n# a comment\n\n"
        b"https://mirror.example/CC-NEWS-2.warc.gz\n/data/CC-NEWS-3.warc.gz\n"))
    got = resolve([str(tmp_path / "a"), str(tmp_path / "b.warc"), str(listing),
                   str(tmp_path / "b.warc")],
                  base_url="https://data.commoncrawl.org", config=CrawlConfig(),
                  allow_private=False)
    assert got == [str(tmp_path / "a/x.warc.gz"), str(tmp_path / "a/y.arc"),
                   str(tmp_path / "b.warc"),
                   "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/05/CC-NEWS-1.warc.gz",
                   "https://mirror.example/CC-NEWS-2.warc.gz", "/data/CC-NEWS-3.warc.gz"]
