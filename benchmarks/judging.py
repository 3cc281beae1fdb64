"""CPU a page of a crawl's judging work (judge and record), before and after, in one run.

    .venv/bin/python benchmarks/judging.py                # "before" = the merge base with main
    .venv/bin/python benchmarks/judging.py --before REV   # any other revision (e7cd963 or later)
    .venv/bin/python benchmarks/judging.py --quick        # the quick web of crawl.py

The pages of ``crawl.py``'s generated web (the same stories, hosts and originals; one story in
five copies an original), each judged and recorded as a crawl's judging process does it
(``crawler.judging.worker_judge``, in batches of the pipeline's ``PROCESS_BATCH_PAGES``), into
a fresh copy of the store at every pass, with the index memory-mapped from its cache as a
crawl's judging process maps it; no crawl runs. The clock is the process's CPU time over the
judging only. "before" is the ``crawler``, ``matcher`` and ``repostwatch`` packages of another
revision (``git archive`` into a temporary folder), "after" this tree's; every pass runs in a
fresh process, the two sides taking turns, and each side has its own store of the same
originals, made beforehand by its own code. On ``main`` the merge base is the last commit:
what is measured then is the uncommitted changes (none: the same code twice, and the ratio
shows the noise).

The table gives each side's median and spread over ``--runs`` passes (an even number, 6 or
more: the machine's pace moves a single pass by ±20 %, and each side goes first as often), the
share of recording, the findings (planted copies and false positives), and a digest of every
page's judgement and every finding (page, original, verdict, credit); the line under it says
whether both sides judged alike. Why it exists: on a machine with two cores a full crawl
needs more CPU than the cores give (docs/crawling.md), and its ratio to a bare crawl moves by
±0.1 a round with the machine's pace; what judging costs a page, the part the code decides, is
far less sensitive to it measured here, alone.
Exit codes: 0 done, 1 a pass failed, 2 bad arguments (a revision that is not one, or that has
no ``crawler``/``matcher``/``repostwatch``).
"""

from __future__ import annotations

import argparse
import hashlib
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

from benchmarks.installed import installed_env, isolate
from benchmarks.revisions import ROOT, extract, merge_base, refused, short
from benchmarks.tables import print_table

PACKAGES = ("crawler", "matcher", "repostwatch")
CHILD_TIMEOUT_S = 900  # one pass of the full web takes ~30 s


def _write_web(folder: Path, stories: int, hosts: int, originals: int
               ) -> tuple[Path, Path, str]:
    """The web's pages (url, html) and the originals as JSON Lines files, and crawl.py's
    repostwatch.toml for the web with its database's path left as ``{database}`` (the index
    cache is the default one, beside the file): made by this tree's code once, so that both
    sides judge the very same pages."""
    from benchmarks.crawl import bench_config
    from benchmarks.crawlweb import BenchWeb, original_article
    from crawler.sandbox import PUBLISHER

    web = BenchWeb(stories, hosts=hosts, originals=originals)
    pages, stored = folder / "pages.jsonl", folder / "originals.jsonl"
    with pages.open("w", encoding="utf-8") as out:
        for (host, path), body in web.render().items():
            if path != "/robots.txt":
                out.write(json.dumps([f"http://{host}{path}", body.decode("utf-8")]) + "\n")
    with stored.open("w", encoding="utf-8") as out:
        for number in range(originals):
            a = original_article(number)
            out.write(json.dumps({
                "publication": PUBLISHER.name, "url": PUBLISHER.article_url(a.slug),
                "title": a.title, "text": "\n".join(a.paragraphs), "author": a.author,
                "published": a.published.isoformat() if a.published else None}) + "\n")
    return pages, stored, bench_config(web, "http://127.0.0.1:1", "sqlite:///{database}")


def _write_config(folder: Path, config: str, database: Path) -> Path:
    """``folder``/repostwatch.toml: ``config`` with ``database`` for its store."""
    path = folder / "repostwatch.toml"
    path.write_text(config.replace("{database}", json.dumps(str(database), ensure_ascii=False)
                                   [1:-1]), "utf-8")  # the path as a TOML string
    return path


# -- the children: in a process of their own, with the code of spec["tree"] -----------------


def _check_loaded_from(tree: str) -> None:
    """Every module of the three packages loaded so far comes from ``tree``: a module an older
    tree does not have would otherwise be found in this checkout (on the path, and in its
    editable install)."""
    root = Path(tree).resolve()
    strays = [name for name, module in list(sys.modules.items())
              if name.split(".")[0] in PACKAGES and getattr(module, "__file__", None)
              and not Path(module.__file__).resolve().is_relative_to(root)]
    if strays:
        raise RuntimeError(f"{', '.join(sorted(strays)[:3])} not from {tree}")


def _template(spec: dict[str, Any]) -> dict[str, Any]:
    """The side's store of the originals and its index cache, made by its own code, under
    temporary names until complete."""
    from datetime import datetime

    from repostwatch.config import load_config
    from repostwatch.store import Store

    folder = Path(spec["template"])
    work = folder.with_name(folder.name + ".partial")
    work.mkdir()
    database = work / "repostwatch.db"
    config = load_config(_write_config(work, spec["config"], database))
    store = Store.open(f"sqlite:///{database}")
    try:
        store.ensure_publications(config.rules.values())
        for line in Path(spec["originals"]).read_text("utf-8").splitlines():
            o = json.loads(line)
            published = o.pop("published")
            store.upsert_original(**o, published=datetime.fromisoformat(published)
                                  if published else None)
        store.load_index(cache_dir=config.index_cache)  # as the crawl does before OPEN
    finally:
        store.close()
    _check_loaded_from(spec["tree"])
    work.rename(folder)
    return {"done": True}


def _judge(spec: dict[str, Any]) -> dict[str, Any]:
    """Judge and record every page once, into a copy of the side's template."""
    from datetime import UTC, datetime

    from crawler import judging
    from crawler.items import FetchedPage
    from repostwatch.config import load_config

    run, template = Path(spec["run"]), Path(spec["template"])
    config = load_config(_write_config(run, spec["config"], run / "repostwatch.db"))
    cache = config.index_cache
    assert cache is not None  # the default, beside the config file
    shutil.copy(template / "repostwatch.db", run / "repostwatch.db")
    shutil.copytree(template / cache.name, cache)
    now = datetime.now(UTC)
    items = []
    for line in Path(spec["pages"]).read_text("utf-8").splitlines():
        url, html = json.loads(line)
        items.append(FetchedPage(url=url, final_url=url, status=200, html=html, fetched_at=now,
                                 headers=(("Content-Type", "text/html; charset=utf-8"),),
                                 body=html.encode("utf-8"), encoding="utf-8"))
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    judging._open(config, True)  # as a judging process opens them
    if {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} != stamps:
        raise RuntimeError("the index was built again, not mapped from its cache")
    store = judging._WORKER["store"]
    run_id = store.start_run("crawl")
    recording = [0.0]
    record_pages = store.record_pages

    def timed(records: Any) -> Any:
        start = time.process_time()
        try:
            return record_pages(records)
        finally:
            recording[0] += time.process_time() - start

    store.record_pages = timed
    outcomes = []
    start = time.process_time()
    for at in range(0, len(items), spec["batch"]):
        outcomes += judging.worker_judge(items[at:at + spec["batch"]], run_id)
    took = time.process_time() - start
    found = sorted((f.page_url, f.original_url, f.verdict, f.extent, f.credit_status)
                   for f in store.findings(include_gone=True))
    store.close()
    _check_loaded_from(spec["tree"])
    judged = [(o.judged, o.verdict, o.credit_status, o.lacks_credit) for o in outcomes]
    return {"ms": 1000 * took / len(items),
            "record_ms": 1000 * recording[0] / len(items),
            "digest": hashlib.sha256(repr((judged, found)).encode()).hexdigest()[:12],
            "findings": len(found)}


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    """One step of ``spec`` ("template" or "judge") with the packages of ``spec["tree"]``."""
    sys.path.insert(0, spec["tree"])  # before any of the packages is imported
    return _template(spec) if spec["step"] == "template" else _judge(spec)


def _run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one step in a fresh process, as installed (bytecode cached: modules imported on the
    clock are not compiled there) and without repostwatch's environment overrides."""
    env = installed_env(Path(tempfile.gettempdir()) / "repostwatch-bench-pycache")
    try:
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                               json.dumps(spec)], capture_output=True, text=True, check=False,
                              env=env, timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer in {CHILD_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    try:
        if done.returncode == 0 and lines:
            return json.loads(lines[-1])  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        pass
    print(done.stderr, file=sys.stderr, end="")
    return {"error": (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]}


# -- the comparison -----------------------------------------------------------------------


def _row(name: str, runs: Sequence[dict[str, Any]]) -> list[str]:
    """A side's line of the table (FAILED when its last step failed)."""
    if not runs or "error" in runs[-1]:
        return [name, "FAILED", "", "", "", ""]
    ms = [r["ms"] for r in runs]
    record = statistics.median(r["record_ms"] for r in runs)
    return [name, f"{statistics.median(ms):.3f}", f"{min(ms):.3f}-{max(ms):.3f}",
            f"{record / statistics.median(ms):.0%}", f"{runs[0]['findings']:,}",
            ", ".join(sorted({r["digest"] for r in runs}))]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; ``--runs`` and ``--batch`` below 1 exit 2 with a message."""
    from crawler.pipelines import PROCESS_BATCH_PAGES

    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--before", help="revision of 'before' (default: the merge base with main)")
    p.add_argument("--quick", action="store_true", help="the quick web of crawl.py")
    p.add_argument("--runs", type=int, default=6, help="passes of each side (default 6)")
    p.add_argument("--batch", type=int, default=PROCESS_BATCH_PAGES,
                   help=f"pages a batch (default {PROCESS_BATCH_PAGES}, as a crawl hands them)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.runs < 1 or args.batch < 1:
        p.error("--runs and --batch take a number of 1 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--child"]:  # a pass: no parser, no Scrapy import
        print(json.dumps(_child(json.loads(argv[1]))))
        return 0
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    args = _parse(argv)
    if message := refused(args.before):
        print(message, file=sys.stderr)
        return 2
    from benchmarks import crawl

    stories, hosts, originals = ((crawl.QUICK_STORIES, crawl.QUICK_HOSTS, crawl.QUICK_ORIGINALS)
                                 if args.quick else (crawl.STORIES, crawl.HOSTS, crawl.ORIGINALS))
    rev = args.before or merge_base()
    with tempfile.TemporaryDirectory(prefix="repostwatch-judging-") as name:
        folder = Path(name)
        try:
            extract(rev, PACKAGES, folder / "before")
        except subprocess.CalledProcessError:
            print(f"--before {rev}: that revision has no {', '.join(PACKAGES)} to measure",
                  file=sys.stderr)
            return 2
        pages, stored, config = _write_web(folder, stories, hosts, originals)
        trees = {"before": str(folder / "before"), "after": str(ROOT)}
        common = {"pages": str(pages), "originals": str(stored), "config": config,
                  "batch": args.batch}
        results: dict[str, list[dict[str, Any]]] = {}
        for side, tree in trees.items():  # untimed, and apart from the passes
            made = _run_child({**common, "step": "template", "tree": tree,
                               "template": str(folder / f"{side}-template")})
            results[side] = [made] if "error" in made else []
        for n in range(args.runs):
            for side in (("before", "after") if n % 2 == 0 else ("after", "before")):
                if results[side] and "error" in results[side][-1]:
                    continue  # a side that failed once is not run again
                run = folder / f"{side}-{n}"
                run.mkdir()
                results[side].append(_run_child({
                    **common, "step": "judge", "tree": trees[side], "run": str(run),
                    "template": str(folder / f"{side}-template")}))
                shutil.rmtree(run)
    print_table([["side", "CPU ms a page", "spread", "recording", "findings", "digest"],
                  _row(f"before ({short(rev)})", results["before"]),
                  _row("after (this tree)", results["after"])])
    failed = {side: runs[-1]["error"] for side, runs in results.items() if "error" in runs[-1]}
    for side, error in failed.items():
        print(f"{side} failed: {error}")
    if not failed:
        b, a = (statistics.median(r["ms"] for r in results[s]) for s in ("before", "after"))
        same = {r["digest"] for r in results["before"]} == {r["digest"] for r in results["after"]}
        passes = f"{args.runs} pass{'es' if args.runs > 1 else ''}"
        print(f"\nafter/before: {a / b:.2f}x (medians of {passes} each, taking turns); every "
              f"page judged alike: {'yes' if same else 'NO'}")
    print(f"web: {stories:,} stories on {hosts} hosts, {originals:,} originals; batches of "
          f"{args.batch}; CPU time of the judging only (no start-up, no index loading)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
