"""Many archive files at once: one Dask task per file, on a local cluster or a remote one.

Dask does the distribution (scheduling, worker health, retries): a worker that dies (killed,
out of memory, its machine lost) has its task run again on another worker, by Dask's own
rule (``distributed.scheduler.allowed-failures``, 3 by default). What makes that retry safe is
the store: a file not finished is scanned again from its start, and records already recorded
add nothing (``repostwatch.store.archive``). Each worker process opens the store once and
memory-maps the index from ``[database] index_cache`` (written by the scanning command before
any task starts; a worker on another machine builds its own copy there the first time).

Progress comes from the store, where each file's worker writes a heartbeat: the scanning
command polls it (``run_progress``) while it waits for the files to finish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from repostwatch.config import Config
from repostwatch.errors import CrawlError, UsageError

from .scanner import FileScan, Judge, scan_file

__all__ = ["scan_task", "scan_with_dask"]

_JUDGES: dict[str, Judge] = {}  # in a worker process: its open store, by database URL
_POLL_S = 2.0  # seconds between two progress polls of the store


def scan_task(location: str, config: Config, run_id: int | None,
              allow_private: bool) -> FileScan:
    """The Dask task: scan one file in this worker process. The store stays open for the
    worker's next tasks; the index and allow-list are read again per file (memory-mapped:
    cheap), so a long-lived worker sees originals added since."""
    judge = _JUDGES.get(config.database_url)
    judge = Judge.open(config) if judge is None else judge.refresh(config)
    _JUDGES[config.database_url] = judge
    return scan_file(location, judge, run_id=run_id, allow_private=allow_private)


def scan_with_dask(
    locations: Sequence[str], *, config: Config, run_id: int | None, allow_private: bool,
    address: str | None, workers: int, on_file: Callable[[FileScan], None],
    on_progress: Callable[[], None] | None = None,
) -> list[FileScan]:
    """Scan ``locations`` as one Dask task each, on the scheduler at ``address`` or on a
    local cluster of ``workers`` processes; ``on_file`` is called as each file ends,
    ``on_progress`` every few seconds meanwhile. Outcomes in the order files finished.
    Raises ``UsageError`` when Dask is not installed, ``CrawlError`` when the scheduler
    cannot be reached."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise UsageError("scanning on several workers needs Dask",
                         hint="pip install 'repostwatch[scan]', or pass --workers 1") from exc
    cluster: Any = None
    try:
        if address:
            client = Client(address, timeout=30)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise CrawlError(f"cannot reach the Dask scheduler at {address}: {exc}",
                         hint="start one with `dask scheduler` and workers with "
                              "`dask worker ADDRESS` (docs/scaling.md)") from exc
    stop = threading.Event()
    poller = None
    if on_progress is not None:
        poller = threading.Thread(target=_poll, args=(stop, on_progress), daemon=True)
        poller.start()
    outcomes: list[FileScan] = []
    try:
        futures = {client.submit(scan_task, loc, config, run_id, allow_private, pure=False,
                                 key=f"repostwatch-scan-{run_id}-{i}"): loc
                   for i, loc in enumerate(locations)}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # the task failed as a whole: KilledWorker, a bug...
                outcome = FileScan(futures[future], "failed",
                                   error=f"{type(exc).__name__}: {exc}"[:500])
            outcomes.append(outcome)
            on_file(outcome)
    finally:
        stop.set()
        if poller is not None:
            poller.join(timeout=_POLL_S * 2)
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes


def _poll(stop: threading.Event, on_progress: Callable[[], None]) -> None:
    while not stop.wait(_POLL_S):
        try:
            on_progress()
        except Exception:  # progress is a courtesy: a failed poll must not stop the scan
            logging.getLogger(__name__).debug("progress poll failed", exc_info=True)
