"""Distributed crawl throughput: 1, 2 and 3 `crawl --distributed` workers on one generated web.

    .venv/bin/python benchmarks/distributed.py           # 2,000 stories on 4 hosts, 1,000 originals
    .venv/bin/python benchmarks/distributed.py --quick   # 600 stories on 2 hosts, 300 originals

Needs the local Redis (``--redis``, default redis://127.0.0.1:6379/0; a key prefix of its own)
and PostgreSQL (``--pg``, default the test server's ``test`` database, where a fresh database
is made for each run and dropped after). The web is ``crawlweb.BenchWeb`` (the same generator
as ``crawl.py``), served from this process on 127.0.0.1. Every row is the real command,
``repostwatch crawl`` (alone, no Redis) or N × ``repostwatch crawl --distributed`` started
together, with the project's settings and the same config: the generated hosts get 16
requests in parallel and no delay, for the whole fleet (``[crawl] concurrency_per_site = 16``,
``download_delay = 0``, ``autothrottle = false``), and ``judge_processes`` as given.

pages/s = HTML pages judged by the whole fleet / (last worker's run end - first worker's run
start, from ``crawl_runs``: interpreter start-up and index loading excluded; the fleet's
``idle_grace``, 2 s here, included). The 1-worker fleet is the baseline. Where the time goes:
the CPU the workers used (their processes and judging processes, user + system, over the
crawl's seconds, start-up included), the CPU of Redis over the same seconds (its ``INFO``;
PostgreSQL's is not measured: its backends come and go with the connections), and the
machine's 1-minute load average at the end (other work on the machine shows there). A row
fails when the fleet did not judge every page exactly once (the pages in the store, the
workers' judged counts), found fewer planted copies than a complete crawl, or a worker exited
non-zero. Exit codes: 0 done, 1 a measurement failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.crawl import bench_config, store_originals
from benchmarks.crawlweb import BenchWeb
from benchmarks.installed import isolate
from crawler.sandbox import SandboxServer

STORIES, HOSTS, ORIGINALS = 2_000, 4, 1_000
QUICK_STORIES, QUICK_HOSTS, QUICK_ORIGINALS = 600, 2, 300
WORKERS = (1, 2, 3)
CHILD_TIMEOUT_S = 1_800


def _config(folder: Path, web: BenchWeb, proxy: str, database_url: str, prefix: str,
            judge_processes: int) -> Path:
    path = folder / "repostwatch.toml"
    path.write_text(bench_config(web, proxy, database_url, more=[
        "concurrency_per_site = 16", "download_delay = 0", "autothrottle = false",
        f"judge_processes = {judge_processes}", "",
        "[distributed]", f"key_prefix = {json.dumps(prefix)}", "idle_grace = 2"]),
        encoding="utf-8")
    return path


class _Database:
    """A fresh PostgreSQL database for one run, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        self.name = f"repostwatch_bench_{uuid.uuid4().hex[:8]}"
        self.url = f"{admin_url.rsplit('/', 1)[0]}/{self.name}"
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> _Database:
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import text

        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


def _run(folder: Path, web: BenchWeb, proxy: str, args: argparse.Namespace,
         workers: int) -> dict[str, Any]:
    """One row: ``workers`` distributed workers (0: one plain crawl, no Redis)."""
    from repostwatch.config import load_config
    from repostwatch.store import Store

    label = f"{workers} worker(s)" if workers else "alone (no Redis)"
    print(f"  {label}", file=sys.stderr, flush=True)
    prefix = f"rwbench-{uuid.uuid4().hex[:8]}"
    with _Database(args.pg) as db:
        run = folder / f"run-{workers}"
        run.mkdir()
        config = _config(run, web, proxy, db.url, prefix, args.judge_processes)
        store_originals(db.url, web, load_config(config).rules.values())
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
        cpu_before, redis_before = _children_cpu(), _redis_cpu(args.redis)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
        cmd = [sys.executable, "-m", "repostwatch", "--config", str(config), "crawl"]
        procs = [subprocess.Popen([*cmd, "--distributed", args.redis] if workers else cmd,
                                  env=env, stderr=subprocess.PIPE, text=True)
                 for _ in range(max(workers, 1))]
        errs = [p.communicate(timeout=CHILD_TIMEOUT_S)[1] for p in procs]
        cpu, redis_cpu = _children_cpu() - cpu_before, _redis_cpu(args.redis) - redis_before
        load = os.getloadavg()[0]
        store = Store.open(db.url)
        try:
            runs = list(store.runs(None, kind="watch"))
            pages = store.counts()["pages"]
            found = len(store.findings())
        finally:
            store.close()
    _forget(args.redis, prefix)
    if any(p.returncode for p in procs):
        return {"label": label, "error": next(e for p, e in zip(procs, errs, strict=True)
                                              if p.returncode).strip().splitlines()[-1]}
    judged = [int(r.stats.get("repostwatch/pages_judged", 0)) for r in runs]
    seconds = (max(r.finished_at for r in runs if r.finished_at)
               - min(r.started_at for r in runs)).total_seconds()
    row = {"label": label, "workers": workers, "pages": sum(judged), "seconds": seconds,
           "pages_s": sum(judged) / seconds, "split": judged, "found": found,
           "cpu": cpu, "redis": redis_cpu, "load": load}
    want = web.html_pages()
    if sum(judged) != want or pages != want or found < len(web.planted):
        row["error"] = (f"judged {sum(judged)} ({judged}), stored {pages} pages, found "
                        f"{found} of {want} pages / {len(web.planted)} planted")
    return row


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children: the workers."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _redis_cpu(redis_url: str) -> float:
    """CPU seconds (user + system) the Redis server has used so far (its INFO)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        info = client.info("cpu")
    finally:
        client.close()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _forget(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def _table(rows: list[dict[str, Any]]) -> list[str]:
    base = next((r for r in rows if r.get("workers") == 1 and "error" not in r), None)
    head = ["run", "pages", "crawl s", "pages/s", "vs 1 worker", "workers' CPU", "Redis CPU",
            "load", "pages judged per worker"]
    cells = [head]
    for r in rows:
        if "error" in r:
            cells.append([r["label"], f"FAILED: {r['error']}", *[""] * 7])
            continue
        ratio = f"{r['pages_s'] / base['pages_s']:.2f}" if base else "n/a"
        cells.append([r["label"], f"{r['pages']:,}", f"{r['seconds']:.1f}",
                      f"{r['pages_s']:.0f}", ratio, f"{r['cpu'] / r['seconds']:.2f} cores",
                      f"{r['redis'] / r['seconds']:.2f} cores", f"{r['load']:.1f}",
                      " + ".join(map(str, r["split"]))])
    widths = [max(len(c[i]) for c in cells if not c[1].startswith("FAILED") or i == 0)
              for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) if i in (0, 8) else c[i].rjust(widths[i])
                       for i in range(len(c))) if not c[1].startswith("FAILED")
             else f"{c[0].ljust(widths[0])}  {c[1]}" for c in cells]
    return [lines[0], "-" * len(lines[0]), *lines[1:]]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                epilog="example: .venv/bin/python benchmarks/distributed.py "
                                       "--quick")
    p.add_argument("--stories", type=int, help=f"article pages (default {STORIES:,})")
    p.add_argument("--hosts", type=int, help=f"hosts they are spread over (default {HOSTS})")
    p.add_argument("--originals", type=int, help=f"originals in the store (default {ORIGINALS:,})")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_STORIES:,} stories on "
                   f"{QUICK_HOSTS} hosts, {QUICK_ORIGINALS} originals")
    p.add_argument("--judge-processes", type=int, default=0, metavar="N",
                   help="[crawl] judge_processes of every worker (default 0: each worker "
                        "judges in its own threads, one process per worker)")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="the fleet's Redis")
    p.add_argument("--pg", default=os.environ.get(
        "REPOSTWATCH_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test"),
        help="a PostgreSQL database URL whose server may create databases")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    args = _parse(argv)
    stories = args.stories or (QUICK_STORIES if args.quick else STORIES)
    hosts = args.hosts or (QUICK_HOSTS if args.quick else HOSTS)
    originals = args.originals or (QUICK_ORIGINALS if args.quick else ORIGINALS)
    start = time.perf_counter()
    web = BenchWeb(stories, hosts=hosts, originals=originals)
    print(f"generating {stories:,} stories on {hosts} hosts, {originals:,} originals",
          file=sys.stderr)
    web.render()
    with tempfile.TemporaryDirectory(prefix="repostwatch-fleet-") as tmp, \
            SandboxServer(app=web.app()) as server:
        rows = [_run(Path(tmp), web, server.proxy_url, args, n) for n in (0, *WORKERS)]
    print("\n".join([
        *_table(rows), "",
        f"web: {web.html_pages():,} HTML pages on {hosts} hosts ({len(web.planted):,} copying "
        f"an original); store: PostgreSQL, {originals:,} originals; judge_processes = "
        f"{args.judge_processes} per worker; {os.cpu_count()} CPUs; "
        f"{time.perf_counter() - start:.0f} s in all",
        "politeness for the whole fleet: 16 requests per host at once, no delay; robots.txt "
        "obeyed",
    ]))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
