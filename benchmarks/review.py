"""Speed of the review UI's findings list with 100,000 findings (SQLite), over HTTP.

    .venv/bin/python benchmarks/review.py                  # 100,000 findings, 15 runs a page
    .venv/bin/python benchmarks/review.py --findings 20000 --runs 7
    .venv/bin/python benchmarks/review.py --db /tmp/review.db   # keep the store between runs

Builds a store with bulk inserts (``reviewstore.py``: realistic ~5 KB rows), serves the UI on
127.0.0.1 (aiohttp's test server, in this process) and times whole GET requests, HTML rendered
with the counts per filter value: the first page, a deep page (the 50,000th row onwards, by
cursor), filtered pages, another sort, a period, the JSON API, and the site scorecards. The
baseline, timed in the same run, is the bare indexed query under the first page (``SELECT id
FROM findings ORDER BY last_checked DESC LIMIT 50``). The load average is printed: on a shared
machine other jobs slow every row alike. Goal (issue 8): every page's median <= 200 ms. Exit codes:
0 goal met, 1 a page missed it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from benchmarks.installed import isolate
from benchmarks.reviewstore import PUBLICATIONS, build_review_store
from reports.web import Auth, create_app
from repostwatch.config import load_config
from repostwatch.store import Store
from repostwatch.store.reviews import Cursor

GOAL_MS = 200.0


def _deep_cursor(store: Store, offset: int) -> str:
    with store.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT id FROM findings ORDER BY last_checked DESC, id DESC LIMIT 1 OFFSET :n"),
            {"n": offset}).first()
    from repostwatch.store.models import FindingRow

    with store.session() as s:
        finding = s.get(FindingRow, row[0]) if row else None
        assert finding is not None, "the store is smaller than the deep page's offset"
        return Cursor(finding.last_checked, finding.id).encode()


async def _time(call: Callable[[], Awaitable[None]], runs: int) -> list[float]:
    await call()  # warm-up: the OS cache and SQLite's page cache, as a running server has
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def _measure(store: Store, folder: Path, findings: int,
                   runs: int) -> list[tuple[str, list[float]]]:
    (folder / "repostwatch.toml").write_text(
        "".join(f'[[publications]]\nname = "{p}"\n\n' for p in PUBLICATIONS), encoding="utf-8")
    config = load_config(folder / "repostwatch.toml", env={})
    app = create_app(store, config, auth=Auth())
    deep = _deep_cursor(store, findings // 2)
    pages = {
        "first page": "/findings",
        f"deep page (row {findings // 2:,})": "/findings?" + urlencode({"after": deep}),
        "filtered: state + credit": "/findings?review_state=new&credit_status=uncredited",
        "filtered: publication + verdict": "/findings?" + urlencode(
            {"publication": PUBLICATIONS[1], "verdict": "excerpt"}),
        "filtered: site, by coverage": "/findings?site=site3.example&sort=coverage",
        "period: since 2026-10-01": "/findings?since=2026-10-01",
        "sorted by first seen, asc": "/findings?sort=first_seen&order=asc",
        "API first page (JSON)": "/api/findings",
        "site scorecards (all sites)": "/sites",
        "one site: scorecard + findings": "/sites/site3.example",
    }
    results: list[tuple[str, list[float]]] = []

    async def baseline() -> None:
        def query() -> None:
            with store.engine.connect() as conn:
                conn.execute(text("SELECT id FROM findings ORDER BY last_checked DESC "
                                  "LIMIT 50")).all()
        await asyncio.to_thread(query)

    results.append(("baseline: bare indexed SELECT", await _time(baseline, runs)))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for name, path in pages.items():
            async def get(path: str = path) -> None:
                response = await client.get(path)
                assert response.status == 200, (path, response.status, await response.text())
                await response.read()

            results.append((name, await _time(get, runs)))
    return results


def main(argv: list[str] | None = None) -> int:
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", type=Path, help="SQLite file to build once and reuse")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rw-review-bench-") as tmp:
        folder = Path(tmp)
        db = args.db or folder / "review.db"
        url = f"sqlite:///{db}"
        if db.exists():
            store = Store.open(url)
            print(f"store: {db} (reused)", file=sys.stderr)
        else:
            start = time.perf_counter()
            store = build_review_store(url, findings=args.findings)
            print(f"store: {args.findings:,} findings built in "
                  f"{time.perf_counter() - start:.1f} s ({db.stat().st_size / 1e6:.0f} MB)",
                  file=sys.stderr)
        try:
            total = store.counts()["findings"]
            results = asyncio.run(_measure(store, folder, total, args.runs))
        finally:
            store.close()
    base = statistics.median(results[0][1])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nreview list, {total:,} findings (SQLite), {args.runs} runs each, whole HTTP "
          f"requests with counts; {os.cpu_count()} cores, load average {load}")
    print(f"{'page':36} {'median ms':>10} {'p95 ms':>8} {'x baseline':>11}  goal <= {GOAL_MS:g}")
    missed = 0
    for name, times in results:
        med = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else med
        verdict = "" if name.startswith("baseline") else ("ok" if med <= GOAL_MS else "MISSED")
        missed += verdict == "MISSED"
        print(f"{name:36} {med:10.1f} {p95:8.1f} {med / base:11.1f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
