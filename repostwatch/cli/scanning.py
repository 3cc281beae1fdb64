"""``repostwatch scan``: WARC / ARC files judged record by record (``crawler.scan``)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from repostwatch.errors import CrawlError, UsageError

from .state import State, err, json_line

if TYPE_CHECKING:
    from crawler.scan.scanner import FileScan

__all__ = ["scan"]

_QUIET_PROGRESS_S = 30.0  # without a terminal, a progress line this often at most


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run one task per file on this Dask scheduler (tcp://host:8786; default: "
                   "[scan] dask, env REPOSTWATCH_DASK). Needs a PostgreSQL store.")
@click.option("--workers", type=click.IntRange(min=0), metavar="N",
              help="Local worker processes when several files are scanned (default: [scan] "
                   "workers; 0 = one per CPU core; 1 = in this process).")
@click.option("--base-url", metavar="URL",
              help="What the relative lines of a path list are relative to (default: "
                   "[scan] base_url, Common Crawl's https://data.commoncrawl.org/).")
@click.option("--rescan", is_flag=True,
              help="Scan again files an earlier scan finished (they are skipped otherwise).")
@click.option("--allow-private", is_flag=True,
              help="Allow reading URLs on private, loopback and link-local addresses.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object on stdout at the end: the scan's summary (docs/json.md).")
@click.pass_obj
def scan(state: State, sources: tuple[str, ...], dask_address: str | None,
         workers: int | None, base_url: str | None, rescan: bool, allow_private: bool,
         as_json: bool) -> None:
    """Scan web archives for copies: every HTML page of WARC / ARC files is judged.

    PATH_OR_URL is a WARC or ARC file (.warc, .warc.gz, .arc, .arc.gz), a folder of them, an
    http(s) URL of one (streamed, never downloaded whole), or a list of them, one a line
    (Common Crawl's warc.paths.gz; names ending in .paths, .paths.gz, .txt, .txt.gz).
    Copies are stored as findings with the file, offset and capture date of their record.
    A file read to its end is skipped by the next scan; an interrupted one is read again
    without duplicating a finding. Exit code: 0 done, 3 a file could not be read (the
    others were), 2 usage or configuration error.

    Example: repostwatch scan CC-NEWS-20250506071325-01234.warc.gz
    """
    try:
        import fastwarc  # noqa: F401 - only to say early what to install
    except ImportError as exc:
        raise UsageError("the scan needs the `scan` extra",
                         hint="pip install 'repostwatch[scan]'") from exc
    from crawler.scan.run import run_scan
    from crawler.scan.sources import resolve

    config = state.config
    allow = allow_private or config.crawl.allow_private
    with state.job_lock("scan"):  # one scan of this job folder at a time, none beside a run
        state.preflight(need_watch=False)
        locations = resolve(list(sources), base_url=base_url or config.scan.base_url,
                            config=config.crawl, allow_private=allow)
        show = _Progress(len(locations))
        try:
            summary = run_scan(config, locations, rescan=rescan, workers=workers,
                               dask=dask_address, allow_private=allow, on_file=show.file,
                               on_progress=show.progress)
        except KeyboardInterrupt:
            show.end()
            err("the next `repostwatch scan` of the same files goes on with those not "
                "finished")
            raise
        show.end()
    data = summary.to_dict()
    for location in summary.already_done:
        err(f"skipped (finished by an earlier scan; --rescan reads it again): {location}")
    err(f"files scanned: {data['files']['scanned']} of {len(locations)} ({summary.where}; "
        f"{data['files']['already_done']} finished before, {data['files']['failed']} failed)"
        f"  records: {data['records']} ({data['records_per_s'] or 0:g}/s)  pages judged: "
        f"{data['judged']}  reposts: {data['reposts']}  excerpts: {data['excerpts']}  "
        f"lacking credit: {data['lacking_credit']}")
    if data["skipped"]:
        err("records skipped: " + ", ".join(f"{v} {k.replace('_', ' ')}"
                                            for k, v in data["skipped"].items()))
    if data["wrong_charset"]:
        err(f"records judged after decoding them against their wrong charset: "
            f"{data['wrong_charset']}")
    for problem in data["problems"][:10]:
        err(f"  {problem}")
    if len(data["problems"]) > 10:
        err(f"  … {len(data['problems']) - 10} more (--json lists them)")
    if as_json:
        click.echo(json_line(data))
    if summary.failed:
        for f in summary.failed:
            err(f"failed: {f.location}: {f.error}")
        n = len(summary.failed)
        raise CrawlError(f"{n} file{'' if n == 1 else 's'} could not be read to their end",
                         hint="run the same scan again to retry them")


class _Progress:
    """Progress on stderr: one line rewritten on a terminal, a line now and then elsewhere."""

    def __init__(self, files: int) -> None:
        self.files = files
        self.done = 0
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.line = ""

    def file(self, outcome: FileScan) -> None:
        self.done += 1
        self._clear()
        what = "done" if outcome.status == "done" else f"FAILED ({outcome.error})"
        err(f"[{self.done}/{self.files}] {outcome.location}: {what}, "
            f"{outcome.counts.get('records', 0)} records, {outcome.counts.get('copies', 0)} "
            f"copies, {outcome.seconds:.1f} s")

    def progress(self, records: int, copies: int) -> None:
        now = time.monotonic()
        rate = records / max(now - self.started, 1e-9)
        self.line = (f"records: {records} ({rate:.0f}/s)  files done: {self.done}/"
                     f"{self.files}  copies found: {copies}")
        if self.tty:
            click.echo("\r" + self.line + " " * 4, err=True, nl=False)
        elif now - self.last >= _QUIET_PROGRESS_S:
            self.last = now
            err(self.line)

    def _clear(self) -> None:
        if self.tty and self.line:
            click.echo("\r" + " " * (len(self.line) + 4) + "\r", err=True, nl=False)

    def end(self) -> None:
        self._clear()
