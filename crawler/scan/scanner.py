"""Scanning one archive file: every HTML response judged by ``matcher.assess``, every copy
recorded with its archive record as evidence, the file's progress and end remembered.

The work of one file is the unit of resumption and of distribution: a file is marked
``scanning`` when started (its attempt counted), has a heartbeat while it runs, and is marked
``done`` only when its last record was read. A file not ``done`` is scanned again from its
start by the next scan (or, on Dask, by another worker): records already recorded are
recognised by (finding, file, offset) and add nothing (``repostwatch.store.archive``).
"""

from __future__ import annotations

import codecs
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from matcher import CreditRule, FingerprintIndex, Page, assess, host_matches, host_of
from repostwatch.config import Config
from repostwatch.store import Store
from repostwatch.store.archive import Capture, finish_file, record_capture, start_file, touch_file

from ..sniff import decode_html, utf8_of
from .records import ArchivedResponse, ArchiveError, Skipped, read_archive
from .sources import open_location

__all__ = ["HOSTILE_REASONS", "FileScan", "Judge", "scan_file", "worker_name"]

HEARTBEAT_S = 2.0  # seconds between progress writes of a file being scanned
MAX_NAMED = 20  # problems named per file (the rest are counted only)
HOSTILE_REASONS = frozenset({"too_large", "bad_http", "bad_encoding", "bad_record",
                             "wrong_charset"})
"""Counters of records that are broken or hostile (not merely not HTML): each is also named."""


def worker_name() -> str:
    """This process, as the store names who scans a file: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Judge:
    """What judging needs, opened once per process: the store, the index, the config, the
    credit rules with the store's allow-list."""

    store: Store
    index: FingerprintIndex
    config: Config
    rules: Mapping[str, CreditRule]
    own_domains: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.own_domains = tuple(d for rule in self.rules.values() for d in rule.domains)

    @classmethod
    def open(cls, config: Config, *, migrate: bool = False) -> Judge:
        """Open the store and load the index (memory-mapped from ``[database] index_cache``
        when it is current; built and cached there otherwise)."""
        from repostwatch.errors import StoreError
        from repostwatch.store.reviews import allowed_rules

        store = Store.open(config.database_url, migrate=migrate)
        try:
            index = store.load_index(cache_dir=config.index_cache)
        except StoreError:  # the cache folder is not writable here (a remote worker)
            index = store.load_index()
        return cls(store, index, config, allowed_rules(store, config.rules))

    def refresh(self, config: Config) -> Judge:
        """The same store with the index and allow-list read again (originals may have been
        added since; from a current cache this is a memory-map, not a rebuild)."""
        from repostwatch.errors import StoreError
        from repostwatch.store.reviews import allowed_rules

        try:
            index = self.store.load_index(cache_dir=config.index_cache)
        except StoreError:
            index = self.store.load_index()
        return Judge(self.store, index, config, allowed_rules(self.store, config.rules))


@dataclass(frozen=True)
class FileScan:
    """The outcome of one file: ``status`` is ``done`` (read to its end), ``failed``
    (``error`` says why) or ``skipped`` (done by an earlier scan). ``counts``: ``records``
    (response records), ``judged``, ``copies``, ``verdict/…``, ``credit/…``,
    ``lacking_credit``, ``own_site`` and the skip reasons (``records.SKIP_REASONS``,
    ``wrong_charset``); ``problems`` names the hostile records (at most ``MAX_NAMED``)."""

    location: str
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    worker: str = ""
    attempt: int = 0
    cpu_seconds: float = 0.0  # CPU time of the scanning process while it read this file

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "status": self.status, "counts": self.counts,
                "problems": list(self.problems), "error": self.error,
                "seconds": round(self.seconds, 3), "worker": self.worker,
                "attempt": self.attempt, "cpu_seconds": round(self.cpu_seconds, 3)}


class _Tally:
    """Counts of one file, its named problems, and when to write a heartbeat."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []
        self.next_beat = time.monotonic() + HEARTBEAT_S

    def skip(self, uri: str, offset: int, reason: str, detail: str = "") -> None:
        self.counts[reason] += 1
        if reason in HOSTILE_REASONS and len(self.problems) < MAX_NAMED:
            self.problems.append(f"{reason} at offset {offset} ({uri[:200]})"
                                 + (f": {detail}" if detail else ""))


def scan_file(location: str, judge: Judge, *, run_id: int | None, allow_private: bool,
              progress: Callable[[int, int], None] | None = None) -> FileScan:
    """Scan the archive at ``location`` into the store; never raises for a bad file or record
    (the outcome says what happened). ``progress(records, copies)`` is called now and then."""
    worker = worker_name()
    started, cpu = time.monotonic(), time.process_time()
    attempt = start_file(judge.store, location, run_id=run_id, worker=worker)
    tally = _Tally()
    max_bytes = int(judge.config.scan.max_record_mb * 1024 * 1024)
    status, error = "done", None
    try:
        with open_location(location, config=judge.config.crawl,
                           allow_private=allow_private) as stream:
            for item in read_archive(stream, location, max_bytes=max_bytes):
                tally.counts["records"] += 1
                if isinstance(item, Skipped):
                    tally.skip(item.uri, item.offset, item.reason, item.detail)
                else:
                    _judge(item, location, judge, tally, run_id)
                if time.monotonic() >= tally.next_beat:
                    _beat(judge, location, tally, progress)
    except ArchiveError as exc:
        status, error = "failed", str(exc)
    except KeyboardInterrupt:
        finish_file(judge.store, location, status="failed", records=tally.counts["records"],
                    copies=tally.counts["copies"], stats=_stats(tally),
                    error="interrupted")
        raise
    counts = dict(tally.counts)
    finish_file(judge.store, location, status=status, records=counts.get("records", 0),
                copies=counts.get("copies", 0), stats=_stats(tally), error=error)
    if progress is not None:
        progress(counts.get("records", 0), counts.get("copies", 0))
    return FileScan(location, status, counts, tuple(tally.problems), error,
                    time.monotonic() - started, worker, attempt, time.process_time() - cpu)


def _stats(tally: _Tally) -> dict[str, Any]:
    return {"counts": dict(tally.counts), "problems": tally.problems}


def _beat(judge: Judge, location: str, tally: _Tally,
          progress: Callable[[int, int], None] | None) -> None:
    tally.next_beat = time.monotonic() + HEARTBEAT_S
    records, copies = tally.counts["records"], tally.counts["copies"]
    touch_file(judge.store, location, records=records, copies=copies)
    if progress is not None:
        progress(records, copies)


def _judge(item: ArchivedResponse, location: str, judge: Judge, tally: _Tally,
           run_id: int | None) -> None:
    """Judge one archived HTML response; record it when it holds a copy."""
    if judge.own_domains and host_matches(host_of(item.uri), judge.own_domains):
        tally.counts["own_site"] += 1
        return
    encoding, html, wrong = _decode(item.content_type, item.body)
    if wrong:
        tally.skip(item.uri, item.offset, "wrong_charset",
                   f"declared {item.content_type!r}, decoded as {encoding}")
    page = Page(item.uri, html, final_url=item.uri, fetched_at=item.captured_at,
                utf8=utf8_of(encoding, item.body, html))
    result = assess(page, judge.index, judge.rules, thresholds=judge.config.thresholds)
    tally.counts["judged"] += 1
    if not result.is_copy or result.credit is None:
        return
    record_capture(judge.store, result, page,
                   Capture(location, item.offset, item.record_id, item.captured_at),
                   status=item.status, run_id=run_id, headers=item.headers, body=item.body,
                   encoding=encoding)
    tally.counts["copies"] += 1
    tally.counts[f"verdict/{result.verdict}"] += 1
    tally.counts[f"credit/{result.credit.status}"] += 1
    if result.lacks_credit:
        tally.counts["lacking_credit"] += 1
    tally.next_beat = 0.0  # a copy found: tell the store at once


def _decode(content_type: str, body: bytes) -> tuple[str, str, bool]:
    """(encoding, text, charset was wrong) of an archived page: the declared charset, unless
    it is unknown or its decoding leaves replacement characters the page's own declaration
    (``<meta>``, BOM) or a guess does not; archives keep whatever servers declared."""
    encoding, html = decode_html(content_type or None, body)
    declared = _declared_charset(content_type)
    if declared is None:
        return encoding, html, False
    try:
        codecs.lookup(declared)
    except LookupError:
        encoding, html = decode_html(None, body)
        return encoding, html, True
    if "\ufffd" not in html:
        return encoding, html, False
    other_encoding, other = decode_html(None, body)
    if other.count("\ufffd") < html.count("\ufffd"):
        return other_encoding, other, True
    return encoding, html, False


def _declared_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None
