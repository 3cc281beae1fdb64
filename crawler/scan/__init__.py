"""Web archives scanned for copies: WARC / ARC files read record by record, every HTML
response judged by ``matcher.assess``, copies recorded with their archive record as evidence.

    records.py  reading a file's response records (FastWARC; warcio for ARC), bodies capped
    sources.py  which files: paths, folders, path lists; local files or streamed URLs
    remote.py   a remote file as a blocking stream, behind the address guard
    scanner.py  one file scanned into the store: the unit of resumption and of distribution
    cluster.py  many files as Dask tasks (a LocalCluster, or a scheduler's workers)

Needs the ``scan`` extra (``pip install 'repostwatch[scan]'``): FastWARC, warcio, Dask.
"""

from __future__ import annotations

from .records import SKIP_REASONS, ArchivedResponse, ArchiveError, Skipped, read_archive
from .scanner import HOSTILE_REASONS, FileScan, Judge, scan_file
from .sources import open_location, resolve

__all__ = [
    "HOSTILE_REASONS",
    "SKIP_REASONS",
    "ArchiveError",
    "ArchivedResponse",
    "FileScan",
    "Judge",
    "Skipped",
    "open_location",
    "read_archive",
    "resolve",
    "scan_file",
]
