"""Crawl throughput: a bare Scrapy crawl that only fetches, against our whole pipeline.

    .venv/bin/python benchmarks/crawl.py            # 5,000 stories on 4 hosts, 2,000 originals
    .venv/bin/python benchmarks/crawl.py --quick    # 1,000 stories on 2 hosts, 300 originals
    .venv/bin/python benchmarks/crawl.py --profile  # and where the full crawl's time goes

The web is generated (``crawlweb.py``: article pages in page chrome, one in five copying an
original, listing pages linking them all) and served by ``SandboxServer(app=...)`` on
127.0.0.1 from this process; each crawl runs in a fresh process through it, as ``repostwatch
crawl`` runs it (``crawler.runner.run_crawls``: the project's settings, Scrapy's caching DNS
resolver, judging processes spawned ahead) with one explicit exception, ``BENCH_POLITENESS``:
the generated hosts get a download slot of 16 requests in parallel and no delay, and
AutoThrottle is off (Scrapy 2.19 cannot switch it off per slot; these crawls visit only the
generated hosts). Nothing else is relaxed: robots.txt is fetched and obeyed, every middleware
and extension runs. Rows:

- server alone: an aiohttp client fetching every page, 16 at a time (the ceiling the server
  allows; it must be well above the crawls);
- (a) bare: ``WatchSpider`` discovering the same pages by the same links, doing nothing else
  with a page (no item, no pipeline);
- (a') the same with Scrapy's default ``CONCURRENT_ITEMS`` (100 tasks started for the output
  of every response) instead of the project's 8: what the project's setting gains any crawl;
- (a'') ``WatchSpider`` yielding its items (``FetchedPage``) to no pipeline at all, with the
  project's settings: what building items and Scrapy's own handling of them cost, before any
  judging: the ceiling of (b)/(a) for any pipeline;
- (b) full: ``WatchSpider`` + ``StorePipeline`` on a fresh SQLite store pre-filled with the
  originals, as ``repostwatch crawl`` runs it: fetch, extract, ``assess``, store. It must find
  the planted copies (found/planted) and nothing else (false positives).

pages/s = HTML pages fetched / the crawl's ``elapsed_time_seconds``, from the spider's opening
(the store and the index opened) to its close; "process s" is the whole crawl process, from its
start (Python, imports, set-up) to its exit; peak RSS is the crawl process's VmHWM. Each crawl
also prints the CPU seconds of its own process, of its judging processes (start-up included) and
of the web's server (this process): all three share the machine's cores, so on 2 cores the full
crawl can only keep up with the bare one while their sum stays under twice the bare crawl's
time. Crawl processes run as an installed ``repostwatch`` runs: bytecode cached, and started
without this file as their main module (a spawned judging process re-runs its parent's main
file). With ``--runs N`` the rows take turns, N rounds, and the median run (by pages/s) of each
row is shown. Goals: (b)/(a) >= 0.8 (issue 16; it was 0.5, issue 5) and (b) >= 100 pages/s. Exit
codes: 0 done (goals met or not: the table says), 1 a measurement failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.crawlweb import BenchWeb, original_article
from benchmarks.installed import installed_env, isolate
from benchmarks.memory import children_peak_mb, peak_mb
from crawler.sandbox import PUBLISHER, SandboxServer
from repostwatch.config import CrawlConfig

STORIES, HOSTS, ORIGINALS = 5_000, 4, 2_000
QUICK_STORIES, QUICK_HOSTS, QUICK_ORIGINALS = 1_000, 2, 300
SLOT_CONCURRENCY = 16  # requests in parallel per generated host (CONCURRENT_REQUESTS stays 16)
RATIO_GOAL, PAGES_GOAL = 0.8, 100.0  # issue 16 (issue 5: 0.5): (b)/(a); (b) pages/s
CHILD_TIMEOUT_S = 1_800
PROFILE_TOP = 40  # functions listed by --profile
SCRAPY_CONCURRENT_ITEMS = 100  # Scrapy's default; the project sets 8 (crawler/settings.py)


def bench_politeness(hosts: Sequence[str]) -> dict[str, Any]:
    """The one setting the benchmark changes: politeness relaxed for the generated hosts only
    (cmdline priority, above the project's and the config's)."""
    return {
        "DOWNLOAD_SLOTS": {h: {"concurrency": SLOT_CONCURRENCY, "delay": 0.0, "jitter": 0.0}
                           for h in hosts},
        "AUTOTHROTTLE_ENABLED": False,  # global in Scrapy 2.19; only generated hosts are crawled
    }


# --- the crawl processes ----------------------------------------------------------------------


def _bare_spider() -> type:
    from crawler.spiders.watch import WatchSpider
    from matcher import host_of

    class BareWatchSpider(WatchSpider):
        """The watch spider's discovery (same start pages, links, caps), nothing else."""

        name = "bare-watch"

        def parse_page(self, response: Any, site: int, start: bool = False) -> Any:
            if start:
                self.sites[site].hosts.add(host_of(response.url))
            self.crawler.stats.inc_value("bench/pages")
            if response.meta.get("depth", 0) < self.sites[site].spec.max_depth:
                yield from self._follow(response, response.css("a::attr(href)").getall(), site)

    return BareWatchSpider


def _child_crawl(spec: dict[str, Any]) -> dict[str, Any]:
    from crawler.judges import JUDGE_PROCESSES_SETTING
    from crawler.runner import CrawlJob, run_crawls
    from crawler.spiders.watch import WatchSpider
    from repostwatch.config import load_config

    config = load_config(spec["config"])
    settings = bench_politeness(spec["hosts"])
    bare = spec["mode"] in ("bare", "bare-scrapy-items", "bare-items")
    if bare:
        settings["ITEM_PIPELINES"] = {}
    if spec["mode"] == "bare-scrapy-items":  # Scrapy's own default, not the project's
        settings["CONCURRENT_ITEMS"] = SCRAPY_CONCURRENT_ITEMS
    if not bare:  # explicit either way: threads (0) or N worker processes
        settings[JUDGE_PROCESSES_SETTING] = spec["judge_processes"]
    spider = _bare_spider() if spec["mode"] in ("bare", "bare-scrapy-items") else WatchSpider
    profiles = _start_profiling() if spec.get("profile") else None
    # As ``repostwatch crawl`` runs it (the runner spawns judging processes ahead).
    (result,) = run_crawls(config, [CrawlJob(spider, settings=settings)])
    stats = result.stats
    if profiles is not None:
        _print_profile(profiles)
    if spider is not WatchSpider:
        pages = stats.get("bench/pages", 0)
    elif bare:  # the items went nowhere: each HTML page gave one
        pages = stats.get("item_scraped_count", 0)
    else:
        pages = stats.get("repostwatch/pages_judged", 0) + stats.get("repostwatch/pages_gone", 0)
    import resource
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    print(f"    cpu s: crawl process {own.ru_utime + own.ru_stime:.1f}, judging processes "
          f"{children.ru_utime + children.ru_stime:.1f}", file=sys.stderr)
    return {"pages": pages, "crawl_s": stats.get("elapsed_time_seconds"),
            "errors": stats.get("log_count/ERROR", 0), "reason": stats.get("finish_reason"),
            "problems": {k: v for k, v in stats.items() if k.startswith("repostwatch/problems/")},
            "peak_mb": peak_mb() + (children_peak_mb() if spec.get("judge_processes") else 0)}


def _start_profiling() -> list[Any]:
    """cProfile in this thread and in every thread started later (the pipeline's workers)."""
    import cProfile
    import threading

    profiles = [cProfile.Profile()]

    def in_new_thread(*_args: Any) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook in the thread

    threading.setprofile(in_new_thread)
    profiles[0].enable()
    return profiles


def _print_profile(profiles: list[Any]) -> None:
    import pstats

    for p in profiles:
        p.disable()
    stats = pstats.Stats(profiles[0], stream=sys.stderr)
    for p in profiles[1:]:
        stats.add(p)
    print(f"--- profile of the full crawl's own process (the judging processes, if any, not "
          f"included): {len(profiles)} threads, summed; by own time",
          file=sys.stderr)
    stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    print("--- by cumulative time", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(PROFILE_TOP)


def _child_server(spec: dict[str, Any]) -> dict[str, Any]:
    """Every page once through the proxy with aiohttp, SLOT_CONCURRENCY at a time."""
    import asyncio

    import aiohttp

    urls = json.loads(Path(spec["urls"]).read_text())

    async def run() -> tuple[int, float]:
        queue = list(reversed(urls))
        done = 0
        async with aiohttp.ClientSession() as session:
            async def worker() -> None:
                nonlocal done
                while queue:
                    async with session.get(queue.pop(), proxy=spec["proxy"]) as response:
                        await response.read()
                        done += response.status == 200

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(SLOT_CONCURRENCY)))
            return done, time.perf_counter() - start

    pages, seconds = asyncio.run(run())
    return {"pages": pages, "crawl_s": seconds, "errors": 0, "reason": "finished",
            "problems": {}, "peak_mb": peak_mb()}


_ROOT = Path(__file__).resolve().parent.parent
_CHILD_MAIN = ("import sys; from benchmarks.crawl import main; "
               "sys.exit(main(['--child', sys.argv[1]]))")
# Children run as an installed Python runs them (bytecode cached, out of the source tree).
_CHILD_ENV = installed_env(Path(tempfile.gettempdir()) / "repostwatch-bench-pycache")


def _run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its last line on stdout is the JSON result."""
    print(f"  {spec['mode']} crawl", file=sys.stderr, flush=True)
    # Started as ``-c``, not as this file: judging processes are spawned, and a spawned process
    # runs its parent's main *file* again first (``repostwatch``'s is the CLI's few imports;
    # this one's would import the benchmark's aiohttp web server into every judging process).
    cmd = [sys.executable, "-c", _CHILD_MAIN, json.dumps(spec)]
    server_cpu = time.process_time()  # this process serves the web meanwhile
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
                              check=False, env=_CHILD_ENV, cwd=_ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {CHILD_TIMEOUT_S} s"}
    server_cpu = time.process_time() - server_cpu
    if spec.get("profile"):
        print(proc.stderr, file=sys.stderr)
    for line in proc.stderr.splitlines():
        if line.startswith("    cpu s:"):
            print(f"{line}, the web's server {server_cpu:.1f}", file=sys.stderr)
    if proc.returncode != 0:
        print(f"  {spec['mode']} failed:\n{proc.stderr}", file=sys.stderr)
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]),
            "process_s": time.perf_counter() - started}


# --- the parent: web, store, runs, table ------------------------------------------------------


def bench_config(web: BenchWeb, proxy: str, database_url: str, *,
                 more: Sequence[str] = ()) -> str:
    """The text of a repostwatch.toml watching every generated host: the project's politeness
    defaults are not touched (``more``: further lines of the ``[crawl]`` table, and tables)."""
    q = json.dumps
    lines = ["[[publications]]", f"name = {q(PUBLISHER.name)}",
             f"aliases = [{', '.join(q(a) for a in PUBLISHER.aliases)}]",
             f"domains = [{', '.join(q(d) for d in PUBLISHER.domains)}]", "",
             "[database]", f"url = {q(database_url)}", ""]
    for home in web.home_urls():
        lines += ["[[watch]]", f"url = {q(home)}", f"max_pages = {len(web.stories) + 1_000}", ""]
    lines += ["[crawl]", f"proxy = {q(proxy)}", 'allow_private_sites = ["*.test"]', *more, ""]
    return "\n".join(lines)


def _config(folder: Path, web: BenchWeb, proxy: str, database: Path) -> Path:
    path = folder / "repostwatch.toml"
    path.write_text(bench_config(web, proxy, f"sqlite:///{database}"), encoding="utf-8")
    return path


def _fill_store(folder: Path, web: BenchWeb) -> Path:
    """A SQLite store holding the publisher's originals 0..originals-1 (copied for each run)."""
    from repostwatch.config import load_config

    database = folder / "template.db"
    config = load_config(_config(folder, web, "http://127.0.0.1:1", database))
    store_originals(config.database_url, web, config.rules.values())
    return database


def store_originals(database_url: str, web: BenchWeb, rules: Any) -> None:
    """Fill the store at ``database_url`` with the publisher's originals 0..originals-1."""
    from repostwatch.store import Store

    store = Store.open(database_url)
    try:
        store.ensure_publications(rules)
        for number in range(web.originals):
            a = original_article(number)
            store.upsert_original(publication=PUBLISHER.name, url=PUBLISHER.article_url(a.slug),
                                  title=a.title, text="\n".join(a.paragraphs), author=a.author,
                                  published=a.published)
    finally:
        store.close()


def _found(database: Path, planted: dict[str, str]) -> dict[str, int]:
    """Planted copies found naming the right original, and findings on other pages."""
    from matcher import canonical_url
    from repostwatch.store import Store

    want = {canonical_url(page): canonical_url(orig) for page, orig in planted.items()}
    store = Store.open(f"sqlite:///{database}")
    try:
        findings = store.findings(include_gone=True)
    finally:
        store.close()
    found = sum(want.get(canonical_url(f.page_url)) == canonical_url(f.original_url)
                for f in findings)
    return {"found": found, "false_pos": sum(canonical_url(f.page_url) not in want
                                             for f in findings)}


def _measure(args: argparse.Namespace, web: BenchWeb, folder: Path) -> list[dict[str, Any]]:
    template = _fill_store(folder, web)
    urls = folder / "urls.json"
    urls.write_text(json.dumps([f"http://{h}{p}" for h, p in web.render()]))
    expected = web.html_pages()
    with SandboxServer(app=web.app()) as server:
        modes = ["server", "bare", "bare-scrapy-items", "bare-items"] + (
            [] if args.no_threads else ["full"]) + (["processes"] if args.judge_processes else [])
        runs_of: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for n in range(args.runs):  # the rows take turns: the machine's pace moves over time
            for mode in modes:
                run = folder / f"run-{mode}-{n}"
                run.mkdir()
                database = run / "repostwatch.db"
                shutil.copy(template, database)
                spec = {"mode": mode, "hosts": web.hosts, "proxy": server.proxy_url,
                        "urls": str(urls), "judge_processes": (
                            args.judge_processes if mode == "processes" else 0),
                        "config": str(_config(run, web, server.proxy_url, database))}
                result = _run_child(spec)
                if "error" not in result:
                    result.update(_check(result, expected, web, mode))
                    if mode in ("full", "processes") and "error" not in result:
                        result.update(_found(database, web.planted))
                runs_of[mode].append(result)
        rows = [_median(mode, runs) for mode, runs in runs_of.items()]
        for row in rows:  # each round's own ratio: the bare and full crawl of the same minutes
            row["rounds"] = [r["pages_s"] / b["pages_s"] for b, r in zip(
                runs_of["bare"], runs_of[row["mode"]], strict=True) if "pages_s" in r
                and "pages_s" in b]
        if args.profile:
            run = folder / "run-profile"
            run.mkdir()
            shutil.copy(template, run / "repostwatch.db")
            _run_child({"mode": "full", "hosts": web.hosts, "profile": True,
                        "judge_processes": args.judge_processes, "config": str(
                            _config(run, web, server.proxy_url, run / "repostwatch.db"))})
    return rows


def _check(result: dict[str, Any], expected: int, web: BenchWeb, mode: str) -> dict[str, Any]:
    """A run that did not fetch every page, or logged errors, is a failed measurement."""
    want = expected + (len(web.hosts) if mode == "server" else 0)  # robots.txt, by the client
    if result["reason"] != "finished" or result["errors"] or result["pages"] != want:
        return {"error": f"{result['pages']} of {want} pages, {result['errors']} errors, "
                         f"finish reason {result['reason']}, problems {result['problems']}"}
    return {"pages_s": result["pages"] / result["crawl_s"]}


def _median(mode: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    failed = [r for r in runs if "error" in r]
    if failed:
        return {**failed[0], "mode": mode}
    ranked = sorted(runs, key=lambda r: r["pages_s"])
    row = ranked[(len(ranked) - 1) // 2]
    return {**row, "mode": mode, "spread": (ranked[0]["pages_s"], ranked[-1]["pages_s"])}


LABELS = {"server": "server alone (aiohttp client)", "bare": "(a) bare Scrapy crawl",
          "bare-scrapy-items": "(a') bare, Scrapy's CONCURRENT_ITEMS",
          "bare-items": "(a'') items to no pipeline",
          "full": "(b) full, judged in threads",
          "processes": "(b) full, judged in processes"}


def _table(rows: list[dict[str, Any]], planted: int) -> list[str]:
    bare = next((r for r in rows if r["mode"] == "bare" and "pages_s" in r), None)
    head = ["run", "pages", "crawl s", "process s", "pages/s", "vs (a)", "peak RSS MB",
            "found/planted", "false pos"]
    cells = [head]
    for r in rows:
        if "error" in r:
            cells.append([LABELS[r["mode"]], f"FAILED: {r['error']}"] + [""] * 7)
            continue
        ratio = f"{r['pages_s'] / bare['pages_s']:.2f}" if bare else "n/a"
        found = f"{r['found']}/{planted}" if "found" in r else "-"
        cells.append([LABELS[r["mode"]], f"{r['pages']:,}", f"{r['crawl_s']:.1f}",
                      f"{r['process_s']:.1f}", f"{r['pages_s']:.0f}", ratio,
                      f"{r['peak_mb']:.0f}", found, str(r.get("false_pos", "-"))])
    widths = [max(len(c[i]) for c in cells if len(c[1]) < 40 or i == 0)
              for i in range(len(head))]
    lines = [" ".join([c[0].ljust(widths[0]), *(x.rjust(w) for x, w in zip(c[1:], widths[1:],
                                                                                strict=True))])
             for c in cells]
    return [lines[0], "-" * len(lines[0]), *lines[1:]]


def _goals(rows: list[dict[str, Any]]) -> list[str]:
    by = {r["mode"]: r for r in rows if "pages_s" in r}
    if "bare" not in by:
        return ["goals: n/a (the bare crawl failed)"]
    lines = []
    for mode in ("full", "processes"):
        if mode not in by:
            continue
        ratio, full = by[mode]["pages_s"] / by["bare"]["pages_s"], by[mode]["pages_s"]
        lines.append(f"{LABELS[mode]}: (b)/(a) = {ratio:.2f} (goal >= {RATIO_GOAL}: "
                     f"{'met' if ratio >= RATIO_GOAL else 'NOT met'}), {full:.0f} pages/s "
                     f"(goal >= {PAGES_GOAL:.0f}: {'met' if full >= PAGES_GOAL else 'NOT met'})"
                     + (f"; round by round {', '.join(f'{x:.2f}' for x in by[mode]['rounds'])}"
                        if len(by[mode].get("rounds", ())) > 1 else ""))
    return lines


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                epilog="example: .venv/bin/python benchmarks/crawl.py --quick")
    p.add_argument("--stories", type=int, help=f"article pages (default {STORIES:,})")
    p.add_argument("--hosts", type=int, help=f"hosts they are spread over (default {HOSTS})")
    p.add_argument("--originals", type=int, help=f"originals in the store (default {ORIGINALS:,})")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_STORIES:,} stories on "
                   f"{QUICK_HOSTS} hosts, {QUICK_ORIGINALS} originals")
    p.add_argument("--runs", type=int, default=1, help="runs of each row, median shown (default 1)")
    p.add_argument("--profile", action="store_true",
                   help="then profile one more full crawl (cProfile, all threads) to stderr")
    auto = CrawlConfig().judging_processes(beside_a_crawl=True)
    p.add_argument("--judge-processes", type=int, default=auto, metavar="N",
                   help=f"also (b) with N judging processes (default {auto}: the project's "
                        "[crawl] judge_processes = \"auto\" on this machine, a core each "
                        "less the crawl's; 0: not)")
    p.add_argument("--no-threads", action="store_true",
                   help="leave out (b) judged in threads (the slowest row)")
    p.add_argument("--keep-data", type=Path, help="work in this (empty) folder and keep it")
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    args = _parse(argv)
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps((_child_server if spec["mode"] == "server" else _child_crawl)(spec)))
        return 0
    stories = args.stories or (QUICK_STORIES if args.quick else STORIES)
    hosts = args.hosts or (QUICK_HOSTS if args.quick else HOSTS)
    originals = args.originals or (QUICK_ORIGINALS if args.quick else ORIGINALS)
    start = time.perf_counter()
    web = BenchWeb(stories, hosts=hosts, originals=originals)
    planted = len(web.planted)
    print(f"generating {stories:,} stories on {hosts} hosts, a store of {originals:,} originals",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="repostwatch-crawl-") as tmp:
        web.render()
        rows = _measure(args, web, args.keep_data or Path(tmp))
    print("\n".join([
        *_table(rows, planted), "",
        *_goals(rows),
        f"web: {web.html_pages():,} HTML pages ({stories:,} stories, {planted:,} copying an "
        f"original; listings and home pages) on {hosts} hosts, "
        f"{statistics.mean(map(len, web.render().values())) / 1024:.1f} KiB a page; "
        f"store: {originals:,} originals; runs: {args.runs} each "
        f"({time.perf_counter() - start:.0f} s in all)",
        f"politeness for the generated hosts only: {SLOT_CONCURRENCY} per host, no delay, "
        "AutoThrottle off; robots.txt obeyed; CONCURRENT_REQUESTS 16 (project default)",
    ]))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
