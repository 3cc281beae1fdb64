"""An interrupted crawl (Ctrl-C) resumes with ``crawl --resume``: nothing fetched twice, no
duplicate findings. The CLI starts a reactor of its own, so it runs as a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web

from crawler.sandbox import SandboxServer
from repostwatch.store import Store
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html
from tests.repostwatch.clihome import URL

PAGES = 40
COPY_AT = 30  # the page holding a copy comes late, after the interruption


def _site(log: list[str], *, stall: str = "") -> web.Application:
    """allotment.test; the page ``stall`` answers after 20 s (a crawl stopping gracefully
    waits for it)."""
    async def page(request: web.Request) -> web.Response:
        log.append(request.path)
        if request.path == stall:
            await asyncio.sleep(20)
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if request.path == "/":
            links = "".join(f'<a href="/p{i}">page {i}</a> ' for i in range(PAGES))
            return web.Response(text=page_html(f"<p>{links}</p>"), content_type="text/html")
        if not request.path.removeprefix("/p").isdigit():  # the chrome's /sport link
            return web.Response(status=404, text="no such page")
        n = int(request.path.removeprefix("/p"))
        body = (paragraphs_html(ORIGINAL_PARAGRAPHS) if n == COPY_AT
                else f"<p>Notes from the allotment, part {n}: the beans are up.</p>")
        return web.Response(text=page_html(body), content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    return app


def _wait_for_pages(log: list[str], pages: int) -> None:
    """Until the site has served ``pages`` of its /pN pages (at most 30 s)."""
    deadline = time.monotonic() + 30
    while sum(p.startswith("/p") for p in log) < pages and time.monotonic() < deadline:
        time.sleep(0.02)


def _cli(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "REPOSTWATCH_CONFIG": str(home / "repostwatch.toml")}
    env.pop("REPOSTWATCH_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "repostwatch", *args], cwd=home, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _prepare(home: Path, proxy_url: str, *, delay: float, max_pages: int = 100,
             max_depth: int = 2, judge_processes: int = 2) -> None:
    """A config watching allotment.test through ``proxy_url``, and the one original imported."""
    (home / "repostwatch.toml").write_text(
        '[[publications]]\nname = "The Daily Planet"\ndomains = ["daily-planet.test"]\n'
        f'[[watch]]\nurl = "http://allotment.test/"\nmax_pages = {max_pages}\n'
        f"max_depth = {max_depth}\n"
        f'[crawl]\nproxy = "{proxy_url}"\ndownload_delay = {delay}\n'
        'allow_private_sites = ["*.test"]\n'
        "autothrottle = false\nconcurrency_per_site = 1\n"
        f"judge_processes = {judge_processes}\n")
    (home / "o.jsonl").write_text(json.dumps({"url": URL, "text": ORIGINAL_TEXT}))
    imported = _cli(home, "originals", "import", "o.jsonl")
    imported.communicate(timeout=60)
    assert imported.returncode == 0


def test_interrupted_crawl_resumes_without_fetching_twice(tmp_path: Path) -> None:
    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.15)

        first = _cli(tmp_path, "crawl")
        _wait_for_pages(log, 5)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
        assert "`repostwatch crawl --resume` continues the crawl where it stopped" in err
        assert "crawling: " not in err  # no live progress line when stderr is not a terminal
        fetched_before = sum(p.startswith("/p") for p in log)
        assert 5 <= fetched_before < PAGES  # stopped part-way
        assert (tmp_path / "repostwatch-jobs" / "watch").is_dir()

        second = _cli(tmp_path, "crawl", "--resume")
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err

    counts = Counter(p for p in log if p != "/robots.txt")
    assert counts == Counter({"/": 1, "/sport": 1, **{f"/p{i}": 1 for i in range(PAGES)}})
    assert not (tmp_path / "repostwatch-jobs" / "watch").exists()  # finished: nothing left
    store = Store.open(f"sqlite:///{tmp_path / 'repostwatch.db'}")
    try:
        findings = store.findings(include_gone=True)
        runs = store.runs()
    finally:
        store.close()
    assert [f.page_url for f in findings] == [f"http://allotment.test/p{COPY_AT}"]
    assert [r.status for r in runs[:2]] == ["finished", "interrupted"]


@pytest.mark.parametrize(("stop", "judge_processes"), [(signal.SIGTERM, 2), (signal.SIGINT, 0)],
                         ids=["kill-processes", "ctrl-c-threads"])
def test_a_stopped_crawl_has_recorded_every_page_it_fetched(
        tmp_path: Path, stop: signal.Signals, judge_processes: int) -> None:
    """Pages are recorded in batches; a graceful stop (Ctrl-C, or SIGTERM from ``kill`` or a
    service manager) writes the batch in hand before the crawl ends."""
    import sqlite3

    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.15, judge_processes=judge_processes)
        crawl = _cli(tmp_path, "crawl", "--json")
        _wait_for_pages(log, 5)
        crawl.send_signal(stop)
        out, err = crawl.communicate(timeout=60)
        assert crawl.returncode == 130, err
        assert "continues the crawl where it stopped" in err
    # --json: the run's summary on stdout, stopped or not (docs/json.md), the figures of what
    # was done before it stopped
    summary = json.loads(out)
    assert (summary["command"], summary["ok"], summary["finish_reason"]) == (
        "crawl", False, "shutdown")
    assert summary["error"].startswith("interrupted (Ctrl-C or SIGTERM)")
    # every page that answered (the chrome's /sport link answers 404: skipped, never a page)
    fetched = {f"http://allotment.test{p}" for p in log if p not in ("/robots.txt", "/sport")}
    with sqlite3.connect(tmp_path / "repostwatch.db") as db:
        recorded = {url for (url,) in db.execute("SELECT url FROM pages")}
        [(status,)] = db.execute("SELECT status FROM crawl_runs WHERE kind = 'watch'")
    assert 5 <= sum(u.rsplit("/", 1)[1].startswith("p") for u in fetched) < PAGES
    assert recorded == fetched
    assert status == "interrupted"
    assert summary["pages_judged"] == len(fetched)  # the home page and the /pN pages


def test_a_second_ctrl_c_says_the_crawl_cannot_be_resumed(tmp_path: Path) -> None:
    """The first Ctrl-C waits for the page in flight (stalled); the second stops at once,
    without saving the queue: the advice must not be --resume, which would refuse."""
    log: list[str] = []
    with SandboxServer(app=_site(log, stall="/p2")) as server:
        _prepare(tmp_path, server.proxy_url, delay=0)
        first = _cli(tmp_path, "crawl", "--json")
        deadline = time.monotonic() + 30
        while "/p2" not in log and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)
        time.sleep(1)
        assert first.poll() is None  # still waiting for /p2
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
        summary = json.loads(out)  # the crawl gave no figures: the summary says how it ended
        assert summary["ok"] is False and summary["error"].startswith("stopped at once")
        assert summary["pages_judged"] is None and summary["problems"] is None  # unknown, not 0
        assert summary["resumed"] is False
        assert "--resume" not in err
        assert ("the crawl stopped at once (a second Ctrl-C) without saving its queue, so it "
                "cannot be resumed: `repostwatch crawl` starts it over") in err
        again = _cli(tmp_path, "crawl", "--resume")  # what the advice says not to do
        _, err = again.communicate(timeout=60)
        assert again.returncode == 2 and "cannot be resumed" in err


def test_an_interrupted_run_sums_up_its_stages_in_json(tmp_path: Path) -> None:
    """``run --json`` stopped by Ctrl-C during its crawl prints the stages that ran (the
    crawl's figures up to the stop), no report (the cycle did not run to its end), exit 130."""
    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.15)
        cycle = _cli(tmp_path, "run", "--json")
        _wait_for_pages(log, 5)
        cycle.send_signal(signal.SIGINT)
        out, err = cycle.communicate(timeout=60)
    assert cycle.returncode == 130, err
    summary = json.loads(out)
    assert (summary["command"], summary["ok"]) == ("run", False)
    assert summary["error"].startswith("interrupted (Ctrl-C or SIGTERM)")
    stages = {stage["stage"]: stage for stage in summary["stages"]}
    assert "report" not in stages and not list(tmp_path.glob("**/repostwatch-report-*"))
    watch = stages["watch"]
    assert (watch["ok"], watch["finish_reason"]) == (False, "shutdown")
    assert 5 <= watch["pages_judged"] < PAGES


def test_a_killed_crawl_is_not_resumed(tmp_path: Path) -> None:
    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.15)
        first = _cli(tmp_path, "crawl")
        _wait_for_pages(log, 5)
        first.kill()  # no chance to save its queue or record its end
        first.communicate(timeout=60)
        again = _cli(tmp_path, "crawl", "--resume")
        _, err = again.communicate(timeout=60)
        assert again.returncode == 2
        assert "did not stop cleanly" in err and "without --resume" in err
        fresh = _cli(tmp_path, "crawl")
        _, err = fresh.communicate(timeout=120)
        assert fresh.returncode == 0, err
    store = Store.open(f"sqlite:///{tmp_path / 'repostwatch.db'}")
    try:
        findings = store.findings(include_gone=True)
    finally:
        store.close()
    assert [f.page_url for f in findings] == [f"http://allotment.test/p{COPY_AT}"]  # once


def test_a_second_crawl_or_a_run_is_refused_while_a_crawl_runs(tmp_path: Path) -> None:
    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.15)
        first = _cli(tmp_path, "crawl")
        _wait_for_pages(log, 3)
        refused = {}
        for args in (("crawl",), ("crawl", "--resume"), ("run",)):
            second = _cli(tmp_path, *args)
            refused[args] = (second.communicate(timeout=60)[1], second.returncode)
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    for args in (("crawl",), ("crawl", "--resume")):
        message, code = refused[args]
        assert code == 2, message
        assert f"another crawl is in progress (pid {first.pid})" in message
        assert "discarding" not in message and "Traceback" not in message
    message, code = refused[("run",)]
    assert code == 2 and f"a crawl is in progress (crawl: pid {first.pid})" in message
    counts = Counter(p for p in log if p != "/robots.txt")  # the first crawl alone fetched
    assert counts == Counter({"/": 1, "/sport": 1, **{f"/p{i}": 1 for i in range(PAGES)}})


@pytest.mark.parametrize("resume", [False, True])
def test_nothing_to_resume_or_discard(tmp_path: Path, resume: bool) -> None:
    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0, max_pages=3, max_depth=1)
        stale = tmp_path / "repostwatch-jobs" / "watch"
        if not resume:
            stale.mkdir(parents=True)  # as if a crawl had been interrupted
        done = _cli(tmp_path, "crawl", *(["--resume"] if resume else []))
        _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert ("nothing to resume" in err) is resume
    assert ("discarding the interrupted crawl" in err) is not resume
    assert not stale.exists()


def test_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    log: list[str] = []
    with SandboxServer(app=_site(log)) as server:
        _prepare(tmp_path, server.proxy_url, delay=0.06)
        master, slave = pty.openpty()
        env = {**os.environ, "REPOSTWATCH_CONFIG": str(tmp_path / "repostwatch.toml"),
               "TERM": "xterm", "COLUMNS": "200"}
        proc = subprocess.Popen([sys.executable, "-m", "repostwatch", "crawl"], cwd=tmp_path,
                                env=env, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(120) == 0
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert "crawling: " in text and " judged" in text and "fetched (" in text
    assert "pages judged: 41" in text  # the summary stays after the live line is gone


def test_progress_line_counts() -> None:
    from crawler.progress import progress_line

    stats = {"response_received_count": 50, "repostwatch/pages_judged": 40,
             "repostwatch/verdict/repost": 3, "repostwatch/verdict/excerpt": 1,
             "repostwatch/lacking_credit": 2, "repostwatch/problems/timeout": 2,
             "repostwatch/problems/robots_forbidden": 7}
    assert progress_line(stats, 10.0) == (
        "crawling: 50 fetched (5.0/s) · 40 judged · 4 copies · 2 lacking credit · 2 skipped")


def test_progress_line_shows_the_work_left_where_it_is_known() -> None:
    from crawler.progress import progress_line

    stats = {"response_received_count": 50, "repostwatch/pages_judged": 48,
             "scheduler/enqueued": 85, "scheduler/dequeued": 50}
    assert progress_line(stats, 10.0) == (
        "crawling: 50 fetched (5.0/s) · 48 judged · 0 copies · 0 lacking credit · 0 skipped · "
        "35 queued · about 7 s left")
    assert progress_line(stats, 1.0).endswith("· 35 queued")  # no rate to go by yet
    imported = {"repostwatch/originals/listed": 400, "repostwatch/originals/added": 30,
                "repostwatch/originals/updated": 5, "repostwatch/originals/unchanged": 85,
                "repostwatch/problems/http_error": 2}
    assert progress_line(imported, 40.0, spider="originals") == (
        "importing originals: 122 of 400 listed (30 added, 5 updated, 85 unchanged, 2 failed)"
        " · 3.0/s · about 1 min 31 s left")
    assert progress_line({}, 0.5, spider="originals") == "importing originals: 0 articles · 0.0/s"
