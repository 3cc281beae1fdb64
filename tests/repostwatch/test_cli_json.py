"""Machine-readable runs: ``--json`` summaries on stdout and ``--log-format json`` on stderr,
for crawl, recheck, search and run against the sandbox web (subprocesses: each starts a
reactor). The figures must agree with the store and with each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.sandbox import SEARX_HOST, archive_size, demo_config
from repostwatch.store import Store
from tests.crawler.test_crawl import _cli

SUMMARY_KEYS = {"command", "ok", "error", "finish_reason", "started_at", "finished_at",
                "requests", "pages_judged", "reposts", "excerpts", "credited",
                "lacking_credit", "problems"}


def _summary(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout  # one object, one line: nothing else on stdout
    data: dict[str, Any] = json.loads(lines[0])
    return data


def test_crawl_recheck_and_search_summaries(tmp_path: Path, sandbox) -> None:
    config = demo_config(sandbox.proxy_url)
    assert "[crawl]\n" in config
    config = config.replace("[crawl]\n", "[crawl]\njudge_processes = 1\n")
    (tmp_path / "repostwatch.toml").write_text(config)
    assert _cli(tmp_path, "originals", "import").returncode == 0
    done = _cli(tmp_path, "--log-format", "json", "crawl", "--json")
    assert done.returncode == 0, done.stderr
    crawl = _summary(done.stdout)
    assert SUMMARY_KEYS | {"site", "resumed"} <= set(crawl)
    assert (crawl["command"], crawl["ok"], crawl["error"]) == ("crawl", True, None)
    assert crawl["finish_reason"] == "finished" and crawl["started_at"] < crawl["finished_at"]
    with Store.open(f"sqlite:///{tmp_path / 'repostwatch.db'}") as store:
        findings = store.findings()
        (run,) = store.runs(kind="watch")
    # judged in a process the CLI spawned before the crawl began (crawler.judges.spawn_ahead)
    assert run.stats["repostwatch/judges_spawned_ahead"] == 1
    assert crawl["reposts"] + crawl["excerpts"] == len(findings) > 0
    assert crawl["credited"] + crawl["lacking_credit"] <= len(findings)
    assert crawl["pages_judged"] >= len(findings)
    assert all(isinstance(v, int) for v in crawl["problems"].values())
    # every line on stderr is a JSON object (log records and the human summary alike)
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"].startswith("pages judged:") for r in records)

    done = _cli(tmp_path, "recheck", "--json")
    assert done.returncode == 0, done.stderr
    recheck = _summary(done.stdout)
    assert recheck["command"] == "recheck" and recheck["ok"] is True
    assert recheck["scheduled"] == len(findings) and recheck["findings_gone"] == 0

    done = _cli(tmp_path, "search", "--json", "--budget", "2")
    assert done.returncode == 0, done.stderr
    search = _summary(done.stdout)
    assert (search["command"], search["queries"], search["budget"]) == ("search", 2, 2)
    assert search["result_pages"] > 0 and search["failed_queries"] == 0


def test_a_failed_search_says_why_in_its_summary(tmp_path: Path, sandbox) -> None:
    config = demo_config(sandbox.proxy_url).replace(SEARX_HOST, f"broken.{SEARX_HOST}")
    (tmp_path / "repostwatch.toml").write_text(config)
    assert _cli(tmp_path, "originals", "import").returncode == 0
    done = _cli(tmp_path, "search", "--json", "--budget", "1")
    assert done.returncode == 3
    search = _summary(done.stdout)
    assert search["ok"] is False and "error" in search["error"]
    assert search["failed_queries"] == 1 and search["pages_judged"] == 0


def test_run_summary_has_every_stage(tmp_path: Path, sandbox) -> None:
    (tmp_path / "repostwatch.toml").write_text(demo_config(sandbox.proxy_url))
    done = _cli(tmp_path, "run", "--json")
    assert done.returncode == 0, done.stderr
    run = _summary(done.stdout)
    assert (run["command"], run["ok"], run["error"]) == ("run", True, None)
    names = [s["stage"] for s in run["stages"]]
    assert names == ["originals http://daily-planet.test/sitemap.xml", "watch", "search",
                     "recheck", "report"]
    assert all(s["ok"] for s in run["stages"])
    assert run["stages"][0]["articles"]["added"] == archive_size()
    assert run["stages"][1]["pages_judged"] > 0
    assert run["stages"][-1]["summary"].startswith("report: 6 copies lacking credit")


def test_shell_completion_is_clicks(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword),
               "_REPOSTWATCH_COMPLETE": "bash_complete"}
        done = subprocess.run([sys.executable, "-m", "repostwatch"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.split()

    assert complete("repostwatch cr", 1) == ["plain,crawl"]
    assert complete("repostwatch --log-format ", 2) == ["plain,text", "plain,json"]
    assert "--json" in " ".join(complete("repostwatch search --", 2))
