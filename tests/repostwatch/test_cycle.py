"""``repostwatch run``: one whole cycle against the sandbox web, its lock and its exit codes.
The CLI starts a reactor of its own, so it runs as a subprocess."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.sandbox import archive_size, demo_config, expected_pages
from repostwatch.store import Store
from tests.crawler.test_crawl import _cli


def test_one_cycle_imports_crawls_rechecks_and_reports(tmp_path: Path, sandbox) -> None:
    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    done = _cli(tmp_path, "run")
    assert done.returncode == 0, done.stderr
    # an import says what it found (it judges no page): "(10 added)", not "(pages judged 0, …)"
    for stage in (f"originals http://daily-planet.test/sitemap.xml: ok ({archive_size()} added)",
                  "watch: ok",
                  "search: ok", "recheck: ok",
                  "report: 6 copies lacking credit"):  # search finds 2 more
        assert stage in done.stderr
    reports = list((tmp_path / "reports").glob("*.html"))
    assert len(reports) == 1
    store = Store.open(f"sqlite:///{tmp_path / 'repostwatch.db'}")
    try:
        copies = store.findings()
        kinds = [r.kind for r in store.runs()]
    finally:
        store.close()
    expected = {e.url for e in expected_pages() if e.verdict != "none"}
    assert {f.page_url for f in copies} >= expected
    assert kinds[0] == "recheck"  # newest first: the last stage
    assert {"originals", "watch", "search"} <= set(kinds[1:])


@contextmanager
def _a_run_in_progress(home: Path) -> Iterator[None]:
    """The run lock of ``home`` held as a run in progress (pid 4242) holds it."""
    lock = home / "repostwatch-jobs" / "run.lock"
    lock.parent.mkdir()
    with lock.open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("pid 4242")
        held.flush()
        yield


def test_runs_never_overlap(tmp_path: Path, sandbox) -> None:
    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    with _a_run_in_progress(tmp_path):
        done = _cli(tmp_path, "run")
    assert done.returncode == 2
    assert "another run is in progress (pid 4242)" in done.stderr
    assert not (tmp_path / "repostwatch.db").exists()  # nothing was started


def test_no_crawl_starts_while_a_run_holds_the_job_folder(tmp_path: Path, sandbox) -> None:
    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    with _a_run_in_progress(tmp_path):
        refused = {cmd: _cli(tmp_path, cmd) for cmd in ("crawl", "recheck")}
    for cmd, done in refused.items():
        assert done.returncode == 2, done.stderr
        assert (f"a `repostwatch run` is in progress (pid 4242): not starting the {cmd}"
                in done.stderr)
    assert not (tmp_path / "repostwatch.db").exists()  # nothing was started


def test_a_failed_stage_fails_the_cycle_but_not_the_others(tmp_path: Path, sandbox) -> None:
    config = demo_config(sandbox.proxy_url).replace(
        'originals = ["http://daily-planet.test/sitemap.xml"]',
        'originals = ["http://daily-planet.test/sitemap.xml", '
        '"http://daily-planet.test/no-such-feed.xml"]')
    assert "no-such-feed" in config
    (tmp_path / "repostwatch.toml").write_text(config)
    done = _cli(tmp_path, "run")
    assert done.returncode == 3, done.stderr
    assert ("originals http://daily-planet.test/no-such-feed.xml: the originals crawl could "
            "not fetch any page") in done.stderr
    assert "watch: ok" in done.stderr and "report: 6 copies lacking credit" in done.stderr
    assert "a stage failed: originals http://daily-planet.test/no-such-feed.xml" in (
        done.stderr)
