"""Speed of ``repostwatch check``, the editor's lookup, measured as a user runs it: new processes.

    .venv/bin/python benchmarks/lookup.py               # 10,000 originals, 5 runs each
    .venv/bin/python benchmarks/lookup.py --originals 2000 --runs 3

Builds a store of N generated originals (``generate.py``'s Markov chain trained on the dev
corpus, as ``scale.py`` does) with ``repostwatch originals import``, then times, each in fresh
processes (median of the runs):

- the floor any Python CLI pays: ``python -c pass``; then importing the CLI module and
  ``repostwatch --help`` (heavy imports are lazy: they must stay close to the floor);
- a cold ``repostwatch check FILE`` of one copied page: the first one builds the index cache,
  later ones load it (memory-mapped) — the number an editor feels. Processes run with
  bytecode cached, as an installed Python runs them (on a machine that sets
  PYTHONDONTWRITEBYTECODE, as this sandbox does, the row without the cache is printed too,
  and the cache is kept in a temporary PYTHONPYCACHEPREFIX);
- ``repostwatch check --pages FILE --json`` over 2,000 pages: the candidate pages of the
  real-world corpus, repeated (HTML parsing included, process start included), against
  parsing alone in this process. Goals (issue 16): cold ``check FILE`` <= 0.5 s,
  ``check --pages`` >= 250 pages/s. ``--keep DIR`` keeps the stores, to profile a command.
- with ``--before REV``: the cold ``check FILE`` and ``check --pages`` of that revision (its
  packages extracted with ``git archive`` and put first on ``PYTHONPATH``, on a copy of each
  store with an index cache of its own) and of this tree, taking turns, with the ratio and
  whether every run printed the same.
Exit codes: 0 done, 1 a run failed, 2 no corpus, no such ``--before`` revision, or a
``--keep`` folder that holds an earlier run's stores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus_path, load_cases
from benchmarks.generate import (
    DOMAIN,
    PUBLICATION,
    Archive,
    MarkovChain,
    load_training_texts,
    make_pages,
)
from benchmarks.installed import installed_env, isolate
from benchmarks.revisions import extract, refused
from matcher import Page

BIN = Path(sys.executable).parent
PACKAGES = ("repostwatch", "crawler", "matcher", "reports")
CHECK_GOAL_S = 0.5  # issue 16 (was 1.0, issue 6): cold `check FILE` with 10,000 originals
PAGES_GOAL = 250.0  # issue 16 (was 50, issue 6): `check --pages`, pages/s, process included
BATCH_PAGES = 2_000  # issue 16: the corpus's candidate pages, repeated to this many


def _config(folder: Path, publications: Sequence[tuple[str, str]]) -> Path:
    path = folder / "repostwatch.toml"
    path.write_text("".join(f'[[publications]]\nname = "{name}"\ndomains = ["{domain}"]\n\n'
                            for name, domain in publications), encoding="utf-8")
    return path


_ENV: dict[str, str] = dict(os.environ)  # how the commands run: as installed, once set


def _wall(args: Sequence[str], *, cwd: Path, ok: Sequence[int] = (0,),
          env: Mapping[str, str] | None = None) -> float:
    """Seconds for one fresh process running ``args``; raises if it exits otherwise."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                          env=_ENV if env is None else env)
    took = time.perf_counter() - start
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-500:]}")
    return took


def _median(args: Sequence[str], runs: int, *, cwd: Path, ok: Sequence[int] = (0,),
            env: Mapping[str, str] | None = None) -> float:
    return statistics.median(_wall(args, cwd=cwd, ok=ok, env=env) for _ in range(runs))


def _revision(rev: str, folder: Path) -> dict[str, str]:
    """The environment that runs the commands with the packages of revision ``rev``."""
    shutil.rmtree(folder, ignore_errors=True)  # a kept folder may hold another revision
    extract(rev, PACKAGES, folder)
    # the editable install's finder comes after sys.path: these packages shadow this tree's
    return {**_ENV, "PYTHONPATH": str(folder)}


def _taking_turns(args: Sequence[str], sides: Mapping[str, tuple[Mapping[str, str], Path]],
                  runs: int, *, ok: Sequence[int]) -> tuple[dict[str, float], bool]:
    """Median seconds of ``args`` on each side (its environment and working folder), the
    sides taking turns; and whether every run of every side printed the same."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    printed: set[str] = set()
    for _ in range(runs):
        for name, (env, cwd) in sides.items():
            start = time.perf_counter()
            done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                                  env=env)
            times[name].append(time.perf_counter() - start)
            if done.returncode not in ok:
                raise RuntimeError(f"{name}: {' '.join(args)} exited {done.returncode}: "
                                   f"{done.stderr[-500:]}")
            printed.add(done.stdout)
    return {name: statistics.median(t) for name, t in times.items()}, len(printed) == 1


def _beside(folder: Path, name: str) -> Path:
    """A copy of ``folder`` (its config, store and index cache) for the other revision: each
    side keeps an index cache of its own format, so neither rebuilds the other's."""
    copy = folder.parent / name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    return copy


def _synthetic_store(folder: Path, size: int, corpus: Path) -> tuple[Path, Path]:
    """A store of ``size`` generated originals and one HTML page copying one of them."""
    chain = MarkovChain(load_training_texts(corpus))
    archive = Archive(chain, size, seed=11)
    with (folder / "originals.jsonl").open("w", encoding="utf-8") as fh:
        for o in archive:
            fh.write(json.dumps({"url": o.url, "title": o.title, "text": o.text}) + "\n")
    page = next(p for p in make_pages(archive, 40, seed=11, pool=size) if p.kind == "full")
    html = "<!doctype html><html><head><title>Copy</title></head><body>" + "".join(
        f"<p>{line}</p>" for line in page.text.splitlines()) + "</body></html>"
    (folder / "page.html").write_text(html, encoding="utf-8")
    _config(folder, [(PUBLICATION, DOMAIN)])
    return folder / "originals.jsonl", folder / "page.html"


def _corpus_store(folder: Path, corpus: Path) -> tuple[int, float]:
    """A store of the corpus's originals and ``pages.jsonl`` of its candidate pages; returns
    (pages, parse-only pages/s measured here)."""
    cases = load_cases(corpus)
    publishers: dict[str, str] = {}
    with (folder / "originals.jsonl").open("w", encoding="utf-8") as fh:
        seen: set[str] = set()
        for case in cases:
            o = case.get("original")
            if o and o["url"] not in seen:
                seen.add(o["url"])
                publishers.setdefault(o["publisher"], o["url"].split("/")[2])
                fh.write(json.dumps({"url": o["url"], "title": o.get("title") or "",
                                     "text": o["text"], "publication": o["publisher"]}) + "\n")
    pages = [(c["candidate"]["url"], c["candidate"]["html"]) for c in cases]
    with (folder / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for n in range(BATCH_PAGES):  # each copy of a page at an address of its own
            url, html = pages[n % len(pages)]
            fh.write(json.dumps({"url": f"{url}#{n}", "html": html}) + "\n")
    _config(folder, sorted(publishers.items()))
    start = time.perf_counter()
    for url, html in pages:
        _ = Page(url, html).text
    return BATCH_PAGES, len(pages) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--originals", type=int, default=10_000, help="originals in the store")
    p.add_argument("--runs", type=int, default=5, help="processes per measurement (median)")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="build the stores in DIR and keep them (to profile a command there)")
    p.add_argument("--before", metavar="REV",
                   help="also time the cold check of this git revision, taking turns")
    args = p.parse_args(argv)
    if message := refused(args.before):
        print(message, file=sys.stderr)
        return 2
    if args.keep and any((args.keep / name).exists() for name in ("synthetic", "corpus")):
        print(f"--keep {args.keep}: it holds the stores of an earlier run: give a new or "
              "empty folder", file=sys.stderr)
        return 2
    corpus = corpus_path()
    if not corpus.exists():
        print(f"corpus not found at {corpus}: nothing measured (set REPOSTWATCH_CORPUS)")
        return 2
    py, rw = str(BIN / "python"), str(BIN / "repostwatch")
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="rw-lookup-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        _ENV.clear()
        _ENV.update(installed_env(base / "pycache"))
        _wall([py, "-c", "import repostwatch.cli, crawler.lookup, repostwatch.store.reviews"],
              cwd=base)  # writes the bytecode of what the commands import
        synth, real = base / "synthetic", base / "corpus"
        synth.mkdir(parents=True)
        real.mkdir(parents=True)
        originals, page = _synthetic_store(synth, args.originals, corpus)
        took = _wall([rw, "originals", "import", str(originals)], cwd=synth)
        rows.append((f"import {args.originals:,} originals (JSONL)", f"{took:.1f} s",
                     f"{args.originals / took:,.0f} originals/s"))
        floor = _median([py, "-c", "pass"], args.runs, cwd=synth)
        rows.append(("python -c pass (the floor)", f"{floor:.3f} s", "baseline"))
        imp = _median([py, "-c", "import repostwatch.cli"], args.runs, cwd=synth)
        rows.append(("import repostwatch.cli", f"{imp:.3f} s", f"+{imp - floor:.3f} s over floor"))
        helped = _median([rw, "--help"], args.runs, cwd=synth)
        rows.append(("repostwatch --help", f"{helped:.3f} s", f"+{helped - floor:.3f} s"))
        first = _wall([rw, "check", str(page)], cwd=synth, ok=(1,))
        rows.append(("check FILE, first (builds index cache)", f"{first:.3f} s", ""))
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            uncached = _median([rw, "check", str(page)], args.runs, cwd=synth, ok=(1,),
                               env=os.environ)
            rows.append(("check FILE, cold, no bytecode cache (PYTHONDONTWRITEBYTECODE)",
                         f"{uncached:.3f} s", "not how an installed Python runs"))
        cold = _median([rw, "check", str(page)], args.runs, cwd=synth, ok=(1,))
        verdict = "met" if cold <= CHECK_GOAL_S else "NOT met"
        rows.append((f"check FILE, cold process, {args.originals:,} originals", f"{cold:.3f} s",
                     f"goal <= {CHECK_GOAL_S} s: {verdict}"))
        before_env = _revision(args.before, base / "before") if args.before else {}
        if args.before:
            other = _beside(synth, "synthetic-before")
            _wall([rw, "check", str(page)], cwd=other, ok=(1,), env=before_env)  # its cache
            turns, same = _taking_turns([rw, "check", str(page)],
                                        {"before": (before_env, other), "after": (_ENV, synth)},
                                        args.runs * 2, ok=(1,))
            rows.append((f"  the same at {args.before} / this tree, taking turns",
                         f"{turns['before']:.3f} / {turns['after']:.3f} s",
                         f"{turns['after'] / turns['before']:.2f}x; same output: {same}"))

        n, parse_rate = _corpus_store(real, corpus)
        _wall([rw, "originals", "import", "originals.jsonl"], cwd=real)
        _wall([rw, "check", "--pages", "pages.jsonl", "--json"], cwd=real, ok=(0, 1))  # cache
        batch = _median([rw, "check", "--pages", "pages.jsonl", "--json"], min(args.runs, 3),
                        cwd=real, ok=(0, 1))
        rate = n / batch
        verdict = "met" if rate >= PAGES_GOAL else "NOT met"
        rows.append(("parse only, in process (baseline)", f"{parse_rate:.0f} pages/s",
                     f"{len(load_cases(corpus))} corpus pages"))
        rows.append((f"check --pages {n:,} corpus pages, whole process", f"{rate:.0f} pages/s",
                     f"{batch:.2f} s; goal >= {PAGES_GOAL:.0f}: {verdict}"))
        if args.before:
            other = _beside(real, "corpus-before")
            _wall([rw, "check", "--pages", "pages.jsonl", "--json"], cwd=other, ok=(0, 1),
                  env=before_env)  # its cache
            turns, same = _taking_turns([rw, "check", "--pages", "pages.jsonl", "--json"],
                                        {"before": (before_env, other), "after": (_ENV, real)},
                                        min(args.runs, 3), ok=(0, 1))
            rows.append((f"  the same at {args.before} / this tree, taking turns",
                         f"{n / turns['before']:.0f} / {n / turns['after']:.0f} pages/s",
                         f"{turns['before'] / turns['after']:.2f}x; same output: {same}"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':{width}}  {'value':>14}  note")
    for name, value, note in rows:
        print(f"{name:{width}}  {value:>14}  {note}")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs; medians of {args.runs} "
          "fresh processes)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
