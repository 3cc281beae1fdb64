"""A whole scan: which files to read (those not finished before), where (this process, a
local Dask cluster, a Dask scheduler), the run recorded, and the outcome summed up.

Where the files are read is decided once: ``dask`` (a scheduler address) sends one task per
file to its workers; else ``workers`` > 1 (0: one per CPU core, at most one per file) starts a
``LocalCluster`` of that many processes when more than one file is to be read; else this
process reads the files one after the other. SQLite may be shared by the processes of one
machine (their writes take SQLite's one write lock in turn: WAL, 30 s busy timeout), not by a
cluster's machines: a scheduler address with a SQLite store is refused.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from repostwatch.config import Config
from repostwatch.errors import UsageError
from repostwatch.store.archive import file_states, run_progress

from .scanner import FileScan, Judge, scan_file

__all__ = ["ScanSummary", "plan_workers", "run_scan"]


@dataclass
class ScanSummary:
    """What a scan did: its run id, each file's outcome, the files left alone because an
    earlier scan finished them, where it ran and how long it took."""

    run_id: int
    where: str
    workers: int
    files: list[FileScan] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.counts)
        return total

    @property
    def failed(self) -> list[FileScan]:
        return [f for f in self.files if f.status != "done"]

    @property
    def status(self) -> str:
        """The run's status: ``interrupted``, ``failed`` (a file failed) or ``finished``."""
        return "interrupted" if self.interrupted else "failed" if self.failed else "finished"

    def to_dict(self) -> dict[str, Any]:
        """The ``scan --json`` summary (docs/json.md)."""
        from .records import SKIP_REASONS
        from .scanner import HOSTILE_REASONS

        c = self.counts
        records = c.get("records", 0)
        failed = self.failed
        return {
            # the keys every run summary starts with (crawl, recheck, search, run: docs/json.md)
            "command": "scan", "ok": self.status == "finished",
            "error": ("interrupted" if self.interrupted else
                      f"{len(failed)} file(s) could not be read to the end" if failed else None),
            "run_id": self.run_id, "status": self.status, "where": self.where,
            "workers": self.workers, "seconds": round(self.seconds, 3),
            "files": {"scanned": sum(f.status == "done" for f in self.files),
                      "failed": len(self.failed), "already_done": len(self.already_done)},
            "records": records,
            "records_per_s": round(records / self.seconds, 1) if self.seconds > 0 else None,
            "judged": c.get("judged", 0), "copies": c.get("copies", 0),
            "reposts": c.get("verdict/repost", 0), "excerpts": c.get("verdict/excerpt", 0),
            "credit": {k.removeprefix("credit/"): v for k, v in sorted(c.items())
                       if k.startswith("credit/")},
            "lacking_credit": c.get("lacking_credit", 0),
            "skipped": {k: c[k] for k in (*SKIP_REASONS, "own_site") if c.get(k)},
            "wrong_charset": c.get("wrong_charset", 0),
            "problems": [p for f in self.files for p in f.problems],
            "hostile": sum(c.get(k, 0) for k in HOSTILE_REASONS),
            "failed_files": [{"location": f.location, "error": f.error} for f in self.failed],
        }


def plan_workers(config: Config, *, files: int, workers: int | None,
                 dask: str | None) -> tuple[str, int]:
    """(where, worker processes): ``"dask"``, ``"local"`` (a LocalCluster) or ``"process"``.
    Raises ``UsageError`` for a scheduler with a SQLite store."""
    address = dask if dask is not None else config.scan.dask
    if address:
        if config.database_url.startswith("sqlite"):
            raise UsageError(
                "a Dask cluster needs a shared PostgreSQL store, and [database] url is SQLite: "
                "its workers on other machines cannot write one file",
                hint="set [database] url or REPOSTWATCH_DATABASE_URL to postgresql+psycopg://"
                     "..., or scan on this machine with --workers N (docs/scaling.md)")
        return "dask", 0
    n = config.scan.workers if workers is None else workers
    if n == 0:
        n = os.cpu_count() or 1
    n = max(1, min(n, files))
    return ("local" if n > 1 else "process"), n


def run_scan(
    config: Config, locations: Sequence[str], *, rescan: bool, workers: int | None,
    dask: str | None, allow_private: bool,
    on_file: Callable[[FileScan], None] = lambda _: None,
    on_progress: Callable[[int, int], None] = lambda _r, _c: None,
) -> ScanSummary:
    """Scan ``locations`` (resolved files) into the store as run ``scan``; files a finished
    scan read are left alone unless ``rescan``. ``on_file`` hears of each file as it ends,
    ``on_progress(records, copies)`` of the whole scan every few seconds. Ctrl-C stops the
    scan: the run is recorded ``interrupted``, and the next scan continues with the files not
    finished (``KeyboardInterrupt`` is raised again)."""
    judge = Judge.open(config, migrate=True)  # writes the index cache the workers map
    try:
        states = {} if rescan else file_states(judge.store, locations)
        todo = [loc for loc in locations if loc not in states
                or states[loc].status != "done"]
        where, n = plan_workers(config, files=len(todo), workers=workers, dask=dask)
        address = dask if dask is not None else config.scan.dask
        label = {"dask": f"the Dask cluster at {address}",
                 "local": f"a local Dask cluster of {n} workers",
                 "process": "this process"}[where]
        run_id = judge.store.start_run("scan")
        summary = ScanSummary(run_id, label, n,
                              already_done=[loc for loc in locations if loc not in todo])
        started = time.monotonic()
        try:
            if where == "process":
                done: list[int] = [0, 0]

                def progress(records: int, copies: int) -> None:
                    on_progress(done[0] + records, done[1] + copies)

                for location in todo:
                    outcome = scan_file(location, judge, run_id=run_id,
                                        allow_private=allow_private, progress=progress)
                    done[0] += outcome.counts.get("records", 0)
                    done[1] += outcome.counts.get("copies", 0)
                    summary.files.append(outcome)
                    on_file(outcome)
            elif todo:
                from .cluster import scan_with_dask

                def poll() -> None:
                    on_progress(*run_progress(judge.store, run_id))

                def collect(outcome: FileScan) -> None:
                    summary.files.append(outcome)
                    on_file(outcome)

                scan_with_dask(todo, config=config, run_id=run_id,
                               allow_private=allow_private,
                               address=address if where == "dask" else None, workers=n,
                               on_file=collect, on_progress=poll)
        except KeyboardInterrupt:
            summary.interrupted = True
            raise
        finally:
            summary.seconds = time.monotonic() - started
            counts = summary.counts
            counts["pages_judged"] = counts.pop("judged", 0)  # the crawl's name for it
            stats: dict[str, Any] = {f"repostwatch/{k}": v for k, v in counts.items()}
            stats.update({"repostwatch/scan/files": len(summary.files),
                          "repostwatch/scan/failed": len(summary.failed),
                          "repostwatch/scan/already_done": len(summary.already_done)})
            judge.store.finish_run(run_id, summary.status, stats)
        return summary
    finally:
        judge.store.close()
