"""``repostwatch.locks``: one crawl of a job at a time, no crawl beside a run, and no lock that
outlives its process. flock(2) locks of two open files conflict within one process too, so
most cases are played in this process; a killed holder is a real child process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from repostwatch.errors import UsageError
from repostwatch.locks import job_lock, run_lock


def _refused(lock: AbstractContextManager[None], message: str) -> None:
    with pytest.raises(UsageError, match=message), lock:
        pass


def test_a_second_crawl_of_a_job_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with job_lock(tmp_path, "crawl"):
        _refused(job_lock(tmp_path, "crawl"), rf"another crawl is in progress \(pid "
                                              rf"{os.getpid()}\): not starting a second one")
        with job_lock(tmp_path, "recheck"):  # another job may run beside it
            pass
    with job_lock(tmp_path, "crawl"):  # released at the end of the block
        pass
    assert (tmp_path / "crawl.lock").read_text() == ""  # no pid left behind


def test_no_crawl_beside_a_run_and_no_run_beside_a_crawl(tmp_path: Path) -> None:
    with run_lock(tmp_path):
        _refused(job_lock(tmp_path, "scan"), rf"a `repostwatch run` is in progress \(pid "
                                             rf"{os.getpid()}\): not starting the scan")
        _refused(run_lock(tmp_path), "another run is in progress")
    with job_lock(tmp_path, "recheck"), job_lock(tmp_path, "crawl"):
        _refused(run_lock(tmp_path), rf"a crawl is in progress \(crawl: pid {os.getpid()}, "
                                     rf"recheck: pid {os.getpid()}\): not starting a run")
    with run_lock(tmp_path):
        pass


def test_job_names_cannot_escape_the_folder_or_take_the_runs_lock(tmp_path: Path) -> None:
    for bad in ("../crawl", "run", "", "a b"):
        with pytest.raises(ValueError), job_lock(tmp_path, bad):
            pass


def test_a_killed_holder_leaves_no_lock(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from repostwatch.locks import job_lock
        with job_lock(Path({str(tmp_path)!r}), "crawl"):
            print("held", flush=True)
            time.sleep(60)
    """)
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "held\n"
            _refused(job_lock(tmp_path, "crawl"), rf"\(pid {child.pid}\)")
        finally:
            child.kill()
    with job_lock(tmp_path, "crawl"):  # the kernel let go when the holder died
        pass
