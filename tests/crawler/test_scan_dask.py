"""A scan on a local Dask cluster of three workers into PostgreSQL, one worker killed in the
middle of a file: the same findings as one process scanning alone, none lost, none twice."""

from __future__ import annotations

import os
import signal
import threading
import time
from html import escape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.sandbox import PUBLISHER
from crawler.sandbox.content import generate_article
from crawler.sandbox.warcs import WarcFile, request_record, response_record, warcinfo_record
from crawler.scan.run import ScanSummary, run_scan
from repostwatch.config import Config, load_config
from repostwatch.store import Store
from repostwatch.store.archive import file_states
from repostwatch.store.models import ArchiveCaptureRow, FindingCheckRow
from tests.conftest import fresh_pg_database
from tests.crawler.scanhome import make_home, unrelated_page, write_sandbox_warc

LONG_FILE_PAGES = 800  # unrelated pages after the long file's first copy: seconds of work


def _copy_page(n: int, *, credited: bool) -> bytes:
    """A page copying original ``n`` (of another site than the sandbox's), credited or not."""
    a = generate_article(n)
    credit = (f'<p>Source: <a href="{PUBLISHER.article_url(a.slug)}">The Daily Planet</a></p>'
              if credited else "")
    body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return (f"<html><head><title>{escape(a.title)}</title></head><body><article>{body}"
            f"{credit}</article></body></html>").encode()


def _long_file(path: Path) -> None:
    """A file whose first record is a copy and whose last is another: a worker is well inside
    it once the first copy is stored."""
    with WarcFile(path) as warc:
        warc.add(warcinfo_record(path.name))
        for kind, n in (("first", 2), ("middle", 3)):
            url = f"http://longfile.test/{kind}.html"
            warc.add(request_record(url))
            warc.add(response_record(url, _copy_page(n, credited=kind == "middle")))
            for i in range(LONG_FILE_PAGES // 2):
                number = i + (0 if kind == "first" else LONG_FILE_PAGES)
                warc.add(response_record(f"http://filler.test/{number}.html",
                                         unrelated_page(number)))
        warc.add(response_record("http://longfile.test/last.html", _copy_page(4, credited=False)))


def _files(folder: Path) -> list[str]:
    folder.mkdir()
    files = []
    for i, pages in enumerate((slice(0, 12), slice(12, 24), slice(24, 36), slice(36, None))):
        path = folder / f"part-{i}.warc.gz"
        write_sandbox_warc(path, hostile=i == 1, pages=pages)
        files.append(str(path))
    long = folder / "long.warc.gz"
    _long_file(long)
    return [str(long), *files]


def _findings(database_url: str) -> dict[str, tuple[str, str, str, float]]:
    with Store.open(database_url, migrate=False) as store:
        return {f.page_url: (f.original_url, f.verdict, f.credit_status, round(f.coverage, 4))
                for f in store.findings(include_gone=True)}


def _count(database_url: str, model: Any) -> int:
    with Store.open(database_url, migrate=False) as store, store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _kill_mid_file(config: Config, location: str, done: threading.Event) -> dict[str, Any]:
    """Wait until a worker has stored a copy of ``location`` and is still reading it, then
    SIGKILL that worker's process. Returns what the store said at that moment."""
    deadline = time.monotonic() + 240
    with Store.open(config.database_url, migrate=False) as store:
        while time.monotonic() < deadline and not done.is_set():
            state = file_states(store, [location]).get(location)
            if state is not None and state.status == "scanning" and state.copies >= 1:
                pid = int(state.worker.rsplit(":", 1)[1])
                os.kill(pid, signal.SIGKILL)
                return {"records": state.records, "attempts": state.attempts, "pid": pid}
            time.sleep(0.02)
    return {}


@pytest.mark.postgres
@pytest.mark.timeout(420)
def test_three_workers_one_killed_mid_file_find_what_one_process_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path / "archive")
    (tmp_path / "alone").mkdir()
    alone = load_config(make_home(tmp_path / "alone", monkeypatch,
                                  f"sqlite:///{tmp_path / 'alone' / 'store.db'}")
                        / "repostwatch.toml")
    reference = run_scan(alone, files, rescan=False, workers=1, dask=None, allow_private=False)
    assert reference.where == "this process" and not reference.failed
    expected = _findings(alone.database_url)
    assert {"http://longfile.test/first.html", "http://longfile.test/middle.html",
            "http://longfile.test/last.html"} <= set(expected)

    with fresh_pg_database() as pg_url:
        (tmp_path / "fleet").mkdir()
        config = load_config(make_home(tmp_path / "fleet", monkeypatch, pg_url)
                             / "repostwatch.toml")
        outcome: list[ScanSummary | BaseException] = []
        done = threading.Event()

        def scan() -> None:
            try:
                outcome.append(run_scan(config, files, rescan=False, workers=3, dask=None,
                                        allow_private=False))
            except BaseException as exc:
                outcome.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=scan)
        thread.start()
        killed = _kill_mid_file(config, files[0], done)
        thread.join(timeout=360)
        assert not thread.is_alive()
        (summary,) = outcome
        assert isinstance(summary, ScanSummary), summary
        assert summary.where == "a local Dask cluster of 3 workers"
        assert killed, "no worker was seen inside the long file"
        assert not summary.failed, [f.error for f in summary.failed]

        with Store.open(config.database_url, migrate=False) as store:
            states = file_states(store, files)
        assert {s.status for s in states.values()} == {"done"}
        long = states[files[0]]
        assert long.attempts == killed["attempts"] + 1  # the killed attempt, then a retry
        assert long.worker != f"{long.worker.rsplit(':', 1)[0]}:{killed['pid']}"
        assert killed["records"] < long.records  # it was killed before the file's end

        assert _findings(config.database_url) == expected
        copies = len(expected)
        assert _count(config.database_url, ArchiveCaptureRow) == copies
        assert _count(config.database_url, FindingCheckRow) == copies  # none twice
        # what one file of the cluster counted, the lone process counted too
        assert summary.counts["copies"] == reference.counts["copies"] == copies
        assert summary.counts["too_large"] == reference.counts["too_large"] == 2


@pytest.mark.timeout(300)
def test_local_workers_share_a_sqlite_store(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite on one machine: the workers' writes take its one write lock in turn."""
    from tests.crawler.scanhome import answer_key

    folder = tmp_path / "archive"
    folder.mkdir()
    files = []
    for i, pages in enumerate((slice(0, 15), slice(15, 30), slice(30, None))):
        path = folder / f"part-{i}.warc.gz"
        write_sandbox_warc(path, hostile=False, pages=pages)
        files.append(str(path))
    config = load_config(make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 's.db'}")
                         / "repostwatch.toml")
    summary = run_scan(config, files, rescan=False, workers=2, dask=None, allow_private=False)
    assert summary.where == "a local Dask cluster of 2 workers" and not summary.failed
    assert {url: f[1:3] for url, f in _findings(config.database_url).items()} == answer_key()
