"""``repostwatch scan`` in one process: the sandbox web as a WARC file scanned into the store,
findings equal to the answer key, evidence that re-reads, resumption, remote files."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from crawler.scan.records import ArchivedResponse
from crawler.scan.sources import read_record_at
from repostwatch.config import CrawlConfig, load_config
from repostwatch.store import Store
from repostwatch.store.models import ArchiveCaptureRow, FindingCheckRow
from tests.crawler.scanhome import answer_key, kept_apart, make_home, write_sandbox_warc
from tests.localserver import Server
from tests.repostwatch.clihome import run

MAX = 10 * 1024 * 1024


def findings(database_url: str) -> dict[str, tuple[str, str, str]]:
    """page URL → (original URL, verdict, credit status) of every finding in the store."""
    with Store.open(database_url, migrate=False) as store:
        return {f.page_url: (f.original_url, f.verdict, f.credit_status)
                for f in store.findings(include_gone=True)}


def rows(database_url: str, model: Any) -> int:
    with Store.open(database_url, migrate=False) as store, store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Exit code and JSON summary of a scan (stderr in the summary's ``stderr``)."""
    capsys.readouterr()
    code = run("scan", "--json", *args)
    captured = capsys.readouterr()
    out = captured.out.strip().splitlines()
    return code, {**(json.loads(out[-1]) if out else {}), "stderr": captured.err}


def test_a_scan_finds_the_copies_of_the_archive(db_url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch, db_url)
    warc = home / "sandbox.warc.gz"
    write_sandbox_warc(warc)
    code, summary = scan_json(capsys, str(warc), "--workers", "1")
    assert code == 0, summary
    assert (summary["command"], summary["ok"], summary["error"]) == ("scan", True, None)
    key = answer_key()
    found = findings(load_config(home / "repostwatch.toml").database_url)
    assert {url: f[1:] for url, f in found.items()} == key
    assert summary["copies"] == len(key) and summary["files"]["scanned"] == 1
    assert summary["lacking_credit"] == sum(c in ("uncredited", "misattributed")
                                            for url, (_, c) in key.items()
                                            if url not in kept_apart())
    # the publisher's own pages are not judged; hostile records are skipped, counted, named
    assert summary["skipped"]["own_site"] > 0
    assert {k: summary["skipped"][k] for k in ("too_large", "bad_http", "not_html",
                                               "http_error")} == {
        "too_large": 2, "bad_http": 1, "not_html": 1, "http_error": 1}
    assert summary["wrong_charset"] == 1
    assert summary["hostile"] == 4
    named = " ".join(summary["problems"])
    for host in ("bomb.test", "huge.test", "broken.test", "cyrillic.test"):
        assert host in named


def test_the_evidence_reads_the_record_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    warc = home / "sandbox.warc.gz"
    write_sandbox_warc(warc, hostile=False)
    assert run("scan", str(warc)) == 0
    capsys.readouterr()
    assert run("lookup", "1", "--json") == 1  # a copy of original 1 lacks credit
    copies = json.loads(capsys.readouterr().out)["copies"]
    assert copies and all(len(c["archive"]) == 1 for c in copies)
    database_url = load_config(home / "repostwatch.toml").database_url
    with Store.open(database_url, migrate=False) as store:
        for copy in copies:
            (archive,) = copy["archive"]
            assert archive["warc"] == str(warc) and archive["captured_at"] == \
                "2025-05-06T07:08:09Z"
            again = read_record_at(archive["warc"], archive["offset"], config=CrawlConfig(),
                                   allow_private=False, max_bytes=MAX)
            assert isinstance(again, ArchivedResponse) and again.uri == copy["page_url"]
            (version,) = store.page_versions(copy["page_url"])
            assert version.body == again.body  # the kept evidence is the archived body
    run("lookup", "1")
    assert f"in {warc} at offset" in capsys.readouterr().out


def test_a_finished_file_is_skipped_and_an_interrupted_one_adds_nothing_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    database_url = load_config(home / "repostwatch.toml").database_url
    warc = home / "sandbox.warc.gz"
    write_sandbox_warc(warc, hostile=False)

    import crawler.scan.scanner as scanner

    real = scanner.record_capture
    recorded: list[str] = []

    def crash_after_five(*args: Any, **kwargs: Any) -> Any:
        if len(recorded) == 5:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the file
        recorded.append(args[1].url)
        return real(*args, **kwargs)

    monkeypatch.setattr(scanner, "record_capture", crash_after_five)
    assert run("scan", str(warc)) == 130
    assert len(findings(database_url)) == 5
    with Store.open(database_url, migrate=False) as store:
        (scan_run,) = store.runs(kind="scan")
        assert scan_run.status == "interrupted"
    monkeypatch.setattr(scanner, "record_capture", real)

    code, summary = scan_json(capsys, str(warc))  # scanned again from its start
    assert code == 0 and summary["files"] == {"scanned": 1, "failed": 0, "already_done": 0}
    assert {u: f[1:] for u, f in findings(database_url).items()} == answer_key()
    copies = len(answer_key())
    assert rows(database_url, ArchiveCaptureRow) == copies
    assert rows(database_url, FindingCheckRow) == copies  # one history row per record

    code, summary = scan_json(capsys, str(warc))  # finished: not read again
    assert code == 0 and summary["files"]["already_done"] == 1 and summary["records"] == 0
    code, summary = scan_json(capsys, str(warc), "--rescan")  # asked to: nothing added
    assert code == 0 and summary["copies"] == copies
    assert rows(database_url, FindingCheckRow) == copies


def test_a_broken_file_fails_alone_and_is_retried(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    good, cut = home / "a.warc.gz", home / "b.warc.gz"
    write_sandbox_warc(good, hostile=False, pages=slice(0, 20))
    write_sandbox_warc(cut, hostile=False, pages=slice(20, None))
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) - 300])
    code, summary = scan_json(capsys, str(home))  # a folder: both files
    assert code == 3
    assert summary["ok"] is False and summary["error"] == "1 file(s) could not be read to the end"
    assert summary["files"] == {"scanned": 1, "failed": 1, "already_done": 0}
    (failed,) = summary["failed_files"]
    assert failed["location"] == str(cut) and "cut short" in failed["error"]
    cut.write_bytes(data)  # downloaded again
    code, summary = scan_json(capsys, str(home))
    assert code == 0 and summary["files"] == {"scanned": 1, "failed": 0, "already_done": 1}
    database_url = load_config(home / "repostwatch.toml").database_url
    assert {u: f[1:] for u, f in findings(database_url).items()} == answer_key()


@pytest.fixture
def archive_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path / "served"
    folder.mkdir()

    async def serve(request: web.Request) -> web.StreamResponse:
        path = folder / request.match_info["name"]
        if not path.is_file():
            return web.Response(status=404)
        return web.FileResponse(path)  # answers Range requests too

    app = web.Application()
    app.router.add_get("/data/{name}", serve)
    with Server(app) as server:
        yield server, folder


def test_remote_files_and_path_lists_are_streamed_behind_the_guard(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        archive_server: tuple[Server, Path]) -> None:
    server, folder = archive_server
    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    write_sandbox_warc(folder / "one.warc.gz", hostile=False, pages=slice(0, 20))
    write_sandbox_warc(folder / "two.warc.gz", hostile=False, pages=slice(20, None))
    (folder / "warc.paths.gz").write_bytes(gzip.compress(b"data/one.warc.gz\ndata/two.warc.gz\n"))
    listing = server.url("/data/warc.paths.gz")

    # 127.0.0.1 is refused unless allowed, like `check`
    code = run("scan", listing, "--base-url", server.url("/"))
    assert code == 3
    assert "refusing" in capsys.readouterr().err

    code, summary = scan_json(capsys, listing, "--base-url", server.url("/"),
                              "--allow-private", "--workers", "1")
    assert code == 0 and summary["files"]["scanned"] == 2, summary
    database_url = load_config(home / "repostwatch.toml").database_url
    assert {u: f[1:] for u, f in findings(database_url).items()} == answer_key()
    capsys.readouterr()
    run("lookup", "1", "--json")
    archive = json.loads(capsys.readouterr().out)["copies"][0]["archive"][0]
    assert archive["warc"].startswith(server.url("/data/"))
    again = read_record_at(archive["warc"], archive["offset"], config=CrawlConfig(),
                           allow_private=True, max_bytes=MAX)  # a Range request
    assert isinstance(again, ArchivedResponse) and again.status == 200

    missing = server.url("/data/three.warc.gz")
    code, summary = scan_json(capsys, missing, "--allow-private")
    assert code == 3 and "HTTP 404" in summary["failed_files"][0]["error"]


def test_a_dask_cluster_with_a_sqlite_store_is_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    write_sandbox_warc(home / "a.warc.gz", hostile=False)
    assert run("scan", str(home / "a.warc.gz"), "--dask", "tcp://127.0.0.1:8786") == 2
    assert "PostgreSQL" in capsys.readouterr().err


@pytest.mark.parametrize(("table", "problem"), [
    ('dask = "not an address"', "scan.dask"),
    ("max_record_mb = 0", "scan.max_record_mb"),
    ("workers = -1", "scan.workers"),
    ("threads = 2", "scan.threads"),
])
def test_scan_settings_are_checked(tmp_path: Path, table: str, problem: str) -> None:
    from repostwatch.errors import ConfigError

    path = tmp_path / "repostwatch.toml"
    path.write_text(f"[scan]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_config(path, env={})


def test_scan_settings_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "repostwatch.toml"
    path.write_text('[scan]\nworkers = 3\nbase_url = "/data/cc/"\n', encoding="utf-8")
    config = load_config(path, env={"REPOSTWATCH_DASK": "tcp://scheduler:8786"})
    assert (config.scan.workers, config.scan.base_url, config.scan.dask) == (
        3, "/data/cc/", "tcp://scheduler:8786")


def test_a_scan_waits_for_no_one_it_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Another scan of the same job folder, or a `run`, holds it: exit 2 naming the pid, and
    nothing read (repostwatch.locks)."""
    import os

    from repostwatch.locks import job_lock, run_lock

    home = make_home(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    warc = home / "sandbox.warc.gz"
    write_sandbox_warc(warc, hostile=False)
    jobs = home / "repostwatch-jobs"
    for held, message in ((job_lock(jobs, "scan"), "another scan is in progress"),
                          (run_lock(jobs), "a `repostwatch run` is in progress")):
        capsys.readouterr()
        with held:
            assert run("scan", str(warc)) == 2
        assert f"{message} (pid {os.getpid()})" in capsys.readouterr().err
    assert findings(f"sqlite:///{tmp_path / 'store.db'}") == {}
    assert run("scan", str(warc)) == 0  # free again
