"""What to scan: WARC / ARC files named on the command line, folders of them, and path lists
(Common Crawl's ``warc.paths.gz``), each opened as a byte stream, local or over http(s).

A path list holds one file a line; a line that is neither a URL nor an absolute path is
relative to ``base_url`` (Common Crawl's lists are relative to https://data.commoncrawl.org/).
Remote files are streamed (``crawler.scan.remote``), never downloaded whole, through the same
address guard as ``check``: unless private addresses are allowed, only public ones.
"""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from repostwatch.config import CrawlConfig
from repostwatch.errors import UsageError

from .records import ArchivedResponse, ArchiveError, Skipped, read_archive

__all__ = ["ARCHIVE_SUFFIXES", "is_path_list", "is_remote", "open_location", "read_record_at",
           "resolve"]

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_LIST_SUFFIXES = (".paths", ".paths.gz", ".txt", ".txt.gz")
_BUFFER = 1024 * 1024  # bytes read from a local file at once
_MAX_LIST_BYTES = 256 * 1024 * 1024  # a path list this large is not a path list


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def is_path_list(location: str) -> bool:
    """Whether ``location`` names a list of files (by its name) rather than an archive."""
    return location.split("?", 1)[0].lower().endswith(_LIST_SUFFIXES)


def resolve(args: list[str], *, base_url: str, config: CrawlConfig,
            allow_private: bool) -> list[str]:
    """The archive files ``args`` name, in order, each once: local paths made absolute,
    folders expanded to the archives in them (sorted), path lists read. Raises
    ``UsageError`` for a missing path and ``ArchiveError`` for an unreadable list."""
    out: list[str] = []
    for arg in args:
        if is_remote(arg):
            found = (_read_list(arg, base_url, config, allow_private) if is_path_list(arg)
                     else [arg])
        elif "://" in arg:
            raise UsageError(f"{arg}: only local paths and http(s) URLs can be scanned")
        else:
            path = Path(arg).expanduser()
            if path.is_dir():
                found = [str(p.resolve()) for p in sorted(path.rglob("*"))
                         if p.is_file() and p.name.lower().endswith(ARCHIVE_SUFFIXES)]
                if not found:
                    raise UsageError(f"{arg}: no WARC or ARC files in this folder",
                                     hint="names ending in .warc(.gz) or .arc(.gz)")
            elif not path.is_file():
                raise UsageError(f"{arg}: no such file, and not an http(s) URL")
            elif is_path_list(arg):
                found = _read_list(str(path.resolve()), base_url, config, allow_private)
            else:
                found = [str(path.resolve())]
        out.extend(found)
    return list(dict.fromkeys(out))


def _read_list(location: str, base_url: str, config: CrawlConfig,
               allow_private: bool) -> list[str]:
    with open_location(location, config=config, allow_private=allow_private) as raw:
        data = raw.read(_MAX_LIST_BYTES + 1)
    if len(data) > _MAX_LIST_BYTES:
        raise ArchiveError("too large for a list of files", location=location)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ArchiveError(f"broken gzip: {exc}", location=location) from exc
    base = base_url if base_url.endswith("/") else base_url + "/"
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        out.append(entry if is_remote(entry) or entry.startswith("/") else base + entry)
    return out


@contextmanager
def open_location(location: str, *, config: CrawlConfig, allow_private: bool,
                  offset: int = 0) -> Iterator[IO[bytes]]:
    """``location`` open for reading as bytes from byte ``offset`` on: a local file, or a
    remote one streamed. Raises ``ArchiveError`` when it cannot be opened."""
    if not is_remote(location):
        try:
            # not a `with` here: an OSError of the caller's block is not an open failure
            handle = Path(location).open("rb", buffering=_BUFFER)  # noqa: SIM115
        except OSError as exc:
            raise ArchiveError(f"cannot open: {exc.strerror or exc}",
                               location=location) from exc
        with handle:
            handle.seek(offset)
            yield handle
        return
    from .remote import RemoteStream

    with RemoteStream(location, config=config, allow_private=allow_private,
                      offset=offset) as stream:
        yield stream


def read_record_at(location: str, offset: int, *, config: CrawlConfig, allow_private: bool,
                   max_bytes: int) -> ArchivedResponse | Skipped:
    """The response record starting at ``offset`` of the file at ``location``: a finding's
    archive evidence read again (``lookup`` shows both). Raises ``ArchiveError`` when there
    is no response record there."""
    with open_location(location, config=config, allow_private=allow_private,
                       offset=offset) as stream:
        for item in read_archive(stream, location, max_bytes=max_bytes):
            return dataclasses.replace(item, offset=offset)
    raise ArchiveError("no response record there", location=location, offset=offset)
