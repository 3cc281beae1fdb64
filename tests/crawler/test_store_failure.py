"""The store failing under a crawl: a database that vanishes mid-crawl stops the crawl with one
clear error (and no page in the log); a run whose process died is marked when the next starts.

The vanishing database is a PostgreSQL database dropped while the crawl runs (skipped without
a server, failed under REPOSTWATCH_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.runner import STORE_FAILED, CrawlResult, crawl_failed, project_settings
from crawler.sandbox import archive_size, demo_config
from crawler.spiders.originals import OriginalsSpider
from crawler.spiders.watch import WatchSpider
from repostwatch.config import Config, load_config
from repostwatch.store import Store
from tests.conftest import PG_ADMIN_URL, fresh_pg_database


def _config(tmp_path: Path, proxy_url: str, database_url: str,
            monkeypatch: pytest.MonkeyPatch) -> Config:
    for var in ("REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY", "REPOSTWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "repostwatch.toml"
    path.write_text(demo_config(proxy_url, database_url=database_url), encoding="utf-8")
    return load_config(path)


def _drop(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        name = database_url.rsplit("/", 1)[1]
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@deferred_f_from_coro_f
async def test_a_database_that_vanishes_stops_the_crawl_with_one_error(
        tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    # The crawl used to download on, and log every page's HTML in an error per item
    caplog.set_level(logging.INFO)
    with fresh_pg_database() as url:
        config = _config(tmp_path, sandbox.proxy_url, url, monkeypatch)
        originals = AsyncCrawlerRunner(project_settings(config)).create_crawler(OriginalsSpider)
        await originals.crawl_async()
        assert originals.stats.get_value("repostwatch/originals/added") == archive_size()
        crawler = AsyncCrawlerRunner(project_settings(config)).create_crawler(WatchSpider)
        dropped: list[str] = []

        def vanish(item: Any) -> None:
            if not dropped:  # after the first page recorded
                dropped.append(item.url)
                _drop(url)

        crawler.signals.connect(vanish, signal=signals.item_scraped)
        caplog.clear()
        await crawler.crawl_async()
    stats = dict(crawler.stats.get_stats())
    assert dropped
    assert stats["finish_reason"] == STORE_FAILED
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("the store failed"), errors
    assert stats.get("log_count/ERROR") == 1
    logged = "\n".join(r.getMessage() for r in caplog.records).lower()
    assert "<html" not in logged and "</p>" not in logged and "<!doctype" not in logged
    problem = crawl_failed(CrawlResult("watch", stats))
    assert problem is not None and "the store failed" in problem


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_runs_whose_process_died_are_marked_when_the_next_starts(db_url: str) -> None:
    # A crawl killed outright (SIGKILL, power loss) left its run "running" forever
    store = Store.open(db_url)
    try:
        here = socket.gethostname()
        dead = store.start_run("watch")
        elsewhere = store.start_run("watch")
        unknown = store.start_run("recheck")
        live = store.start_run("search")
        _set_owner(store, dead, {"host": here, "pid": _dead_pid()})
        _set_owner(store, elsewhere, {"host": here + ".other", "pid": _dead_pid()})
        _set_owner(store, unknown, {})  # a run recorded before runs named their process
        assert {r.id: r.status for r in store.runs()} == dict.fromkeys(
            (dead, elsewhere, unknown, live), "running")
        new = store.start_run("watch")
        status = {r.id: r.status for r in store.runs()}
        assert status == {dead: "abandoned", elsewhere: "running", unknown: "running",
                          live: "running", new: "running"}
        (row,) = [r for r in store.runs() if r.id == dead]
        assert row.stats["finish_reason"] == "abandoned" and row.finished_at is None
        assert {"host": here, "pid": os.getpid()}.items() <= (
            next(r for r in store.runs() if r.id == new).stats.items())
    finally:
        store.close()


def _set_owner(store: Store, run_id: int, stats: dict[str, Any]) -> None:
    from repostwatch.store.models import CrawlRun

    with store.session() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        run.stats = stats
