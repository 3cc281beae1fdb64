"""Speed, memory and accuracy at archive scale: our matcher, a naive rapidfuzz scan and
datasketch's MinHashLSHEnsemble (the peer), on the same generated data in one run.

    .venv/bin/python benchmarks/scale.py            # N = 1,000 / 10,000 / 100,000, 2,000 pages
    .venv/bin/python benchmarks/scale.py --quick    # N = 1,000 / 10,000, 500 pages
    .venv/bin/python benchmarks/scale.py --sizes 1000,30000 --pages 1000

Data comes from ``generate.py``, trained on ../shared/data/cases-dev.jsonl.gz (absent: the
script says so and exits 2). The same pages are judged at every N (they copy originals
1..N_min; a larger archive only adds distractors), from already-extracted text. Each (system,
N) runs in a fresh process: "build peak" is the VmHWM of the process that builds the index,
"index RSS" its resident growth while building. When the index can ``save``/``load``, pages are
judged by another fresh process that loads it from disk and reads originals lazily from disk
(as the store does); "peak RSS" is the VmHWM of the judging process. A page is found when the
system names its labelled original; naming one for an unrelated page, or a wrong one, is a
false positive. Exit codes: 0 done, 1 a measurement failed, 2 no corpus.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import (
    DOMAIN,
    PUBLICATION,
    Archive,
    LabelledPage,
    MarkovChain,
    load_training_texts,
    make_pages,
    read_pages,
    write_data,
)
from benchmarks.memory import peak_mb

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cases-dev.jsonl.gz"
SIZES, QUICK_SIZES = (1_000, 10_000, 100_000), (1_000, 10_000)
PAGES, QUICK_PAGES = 2_000, 500
NAIVE_MAX_SIZE = 1_000  # the naive scan runs at the smallest N if it is at most this
NAIVE_PAGES = 200  # pages it judges (the first ones; kinds are shuffled): ~0.5 s a page
NAIVE_CUTOFF = 60.0  # token_set_ratio (0..100) of the best original from which it calls a copy
PEER_THRESHOLDS = (0.1, 0.3)  # containment thresholds of MinHashLSHEnsemble
PEER_MAX_SIZE = 100_000  # largest N for the peer (~3 min and ~10 GB each at 100,000)
NUM_PERM, SHINGLE_WORDS = 128, 5
ORIGINALS_CACHE = 4_096  # originals the judging process keeps parsed (the store caches too)
RECURRENCE_SAMPLE, POSTINGS_LIMIT = 200, 50  # for the data notes: the index's default limit
CHILD_TIMEOUT_S = 1_800
MB = 1024 * 1024
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


def _rss_mb() -> float:
    """Resident set size now (/proc/self/statm)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _original(record: dict[str, Any]) -> Any:
    from matcher import Original

    return Original(record["id"], PUBLICATION, record["url"], record["title"], record["text"])


def _read_originals(data: Path, n: int) -> list[Any]:
    with (data / "originals.jsonl").open(encoding="utf-8") as fh:
        return [_original(json.loads(line)) for line, _ in zip(fh, range(n), strict=False)]


class _LazyOriginals(MutableMapping[int, Any]):
    """Originals 1..n read from ``originals.jsonl`` when asked for, the last few cached."""

    def __init__(self, path: Path, n: int) -> None:
        self._fh = path.open("rb")
        self._offsets = [0]
        for line, _ in zip(self._fh, range(n), strict=False):
            self._offsets.append(self._offsets[-1] + len(line))
        self._offsets.pop()
        self._cache: OrderedDict[int, Any] = OrderedDict()

    def __getitem__(self, key: int) -> Any:
        if key not in self._cache:
            if not 1 <= key <= len(self._offsets):
                raise KeyError(key)
            self._fh.seek(self._offsets[key - 1])
            self._cache[key] = _original(json.loads(self._fh.readline()))
            if len(self._cache) > ORIGINALS_CACHE:
                self._cache.popitem(last=False)
        self._cache.move_to_end(key)
        return self._cache[key]

    def __setitem__(self, key: int, value: Any) -> None:
        raise TypeError("read-only: the archive is on disk")

    def __delitem__(self, key: int) -> None:
        raise TypeError("read-only: the archive is on disk")

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self._offsets) + 1))

    def __len__(self) -> int:
        return len(self._offsets)


def _judge(pages: Sequence[LabelledPage], judge: Callable[[LabelledPage], set[int]]
           ) -> dict[str, Any]:
    """Time ``judge`` (the originals it names) on every page; score it against the labels."""
    times, claims = [], []
    for page in pages:
        start = time.perf_counter()
        claims.append(judge(page))
        times.append(time.perf_counter() - start)
    times.sort()
    tp = fp = fn = 0
    misses: Counter[str] = Counter()
    for page, claim in zip(pages, claims, strict=True):
        right = page.original_id in claim
        tp += right
        fn += page.original_id is not None and not right
        fp += bool(claim) and not right
        misses[page.kind] += (page.original_id is not None or bool(claim)) and not right
    return {"pages_s": len(pages) / sum(times), "p50_ms": 1000 * times[len(times) // 2],
            "p99_ms": 1000 * times[min(len(times) - 1, int(0.99 * len(times)))],
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "named": sum(len(c) for c in claims) / len(claims),
            "misses": {k: v for k, v in sorted(misses.items()) if v}}


def _assess_with(index: Any) -> Callable[[LabelledPage], set[int]]:
    from matcher import CreditRule, Page, assess

    rules = {PUBLICATION: CreditRule(PUBLICATION, domains=(DOMAIN,))}

    def judge(page: LabelledPage) -> set[int]:
        result = assess(Page.from_text(page.url, page.text), index, rules)
        copy = result.verdict in ("repost", "excerpt") and result.original is not None
        return {result.original.id} if copy and result.original is not None else set()

    return judge


def _child_ours_build(data: Path, n: int) -> dict[str, Any]:
    from matcher import FingerprintIndex

    originals = _read_originals(data, n)
    before = _rss_mb()
    start = time.perf_counter()
    index = FingerprintIndex()
    for original in originals:
        index.add(original)
    out = {"build_s": time.perf_counter() - start, "index_mb": _rss_mb() - before,
           "build_peak_mb": peak_mb()}
    from repostwatch.store import index_cache  # the arrays on disk, as the application keeps them

    index_cache.save(index, data / f"index-{n}")
    return out


def _child_ours_judge(data: Path, n: int) -> dict[str, Any]:
    from repostwatch.store import index_cache

    pages, lazy, folder = read_pages(data), _LazyOriginals(data / "originals.jsonl", n), (
        data / f"index-{n}")
    start = time.perf_counter()
    index = index_cache.load(folder, originals=lazy)
    load_s = time.perf_counter() - start
    return {"load_s": load_s, **_judge(pages, _assess_with(index)), "peak_mb": peak_mb()}


def _shingles(text: str) -> list[int]:
    """32-bit hashes of the distinct word 5-grams of ``text``: the peer's set elements."""
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    return list({zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode())
                 for i in range(len(words) - SHINGLE_WORDS + 1)})


def _identity(value: int) -> int:
    return value


def _child_peer(data: Path, n: int, threshold: float) -> dict[str, Any]:
    """MinHashLSHEnsemble: originals indexed with their sizes; a page's shingle set is the
    query; it names every original whose estimated containment passes ``threshold``."""
    from datasketch import MinHash, MinHashLSHEnsemble

    originals, pages = _read_originals(data, n), read_pages(data)
    before = _rss_mb()
    start = time.perf_counter()
    sets = [_shingles(o.text) for o in originals]
    sketches = MinHash.generator(sets, num_perm=NUM_PERM, hashfunc=_identity)
    lsh = MinHashLSHEnsemble(threshold=threshold, num_perm=NUM_PERM)
    lsh.index([(o.id, m, max(1, len(s))) for o, s, m in zip(originals, sets, sketches,
                                                             strict=True)])
    out = {"build_s": time.perf_counter() - start, "build_peak_mb": peak_mb()}
    del sets, sketches
    gc.collect()
    out["index_mb"] = _rss_mb() - before
    proto = MinHash(num_perm=NUM_PERM, hashfunc=_identity)

    def judge(page: LabelledPage) -> set[int]:
        shingles = _shingles(page.text)
        m = MinHash(num_perm=NUM_PERM, hashfunc=_identity, permutations=proto.permutations,
                    scheme=proto.scheme)
        m.update_batch(shingles)
        return set(lsh.query(m, max(1, len(shingles))))

    return {**out, **_judge(pages, judge), "peak_mb": peak_mb()}


def _child_naive(data: Path, n: int, sample: int) -> dict[str, Any]:
    """rapidfuzz: the page against every original with token_set_ratio; the best one is named
    when it scores at least ``NAIVE_CUTOFF``."""
    from rapidfuzz import fuzz, process

    texts = [o.text for o in _read_originals(data, n)]

    def judge(page: LabelledPage) -> set[int]:
        best = process.extractOne(page.text, texts, scorer=fuzz.token_set_ratio,
                                  score_cutoff=NAIVE_CUTOFF)
        return set() if best is None else {best[2] + 1}  # ids are positions + 1

    return {**_judge(read_pages(data)[:sample], judge), "peak_mb": peak_mb()}


_CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "ours-build": _child_ours_build, "ours-judge": _child_ours_judge,
    "peer": _child_peer, "naive": _child_naive}


def _run_child(system: str, data: Path, n: int, **options: Any) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its last line on stdout is the JSON result."""
    spec = {"system": system, "data": str(data), "n": n, **options}
    print(f"  {system} N={n:,} {options or ''}", file=sys.stderr, flush=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {CHILD_TIMEOUT_S} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {system} N={n:,} failed:\n{proc.stderr}", file=sys.stderr)
        return {"error": tail}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _measure(data: Path, sizes: Sequence[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        row = _run_child("ours-build", data, n)
        row.update(_run_child("ours-judge", data, n))
        rows.append({**row, "system": "ours (repostwatch)", "n": n})
    if sizes[0] <= NAIVE_MAX_SIZE:
        rows.append({**_run_child("naive", data, sizes[0], sample=args.naive_pages),
                     "system": f"naive rapidfuzz, {args.naive_pages} pg", "n": sizes[0]})
    for threshold in PEER_THRESHOLDS:
        for n in (n for n in sizes if n <= args.peer_max_size):
            rows.append({**_run_child("peer", data, n, threshold=threshold),
                         "system": f"LSH Ensemble t={threshold}", "n": n})
    return rows


COLUMNS = (  # heading, result key, format
    ("system", "system", ""), ("N", "n", ","), ("build s", "build_s", ".1f"),
    ("load s", "load_s", ".2f"), ("pages/s", "pages_s", ".0f"), ("p50 ms", "p50_ms", ".2f"),
    ("p99 ms", "p99_ms", ".2f"), ("precision", "precision", ".4f"), ("recall", "recall", ".4f"),
    ("named/pg", "named", ".2f"), ("build peak MB", "build_peak_mb", ".0f"),
    ("peak RSS MB", "peak_mb", ".0f"), ("index RSS MB", "index_mb", ".0f"))


def _table(rows: list[dict[str, Any]]) -> list[str]:
    """One line per row, columns aligned; a missing figure is n/a, a failed row says why."""
    cells = [[h for h, _, _ in COLUMNS] + ["misses by kind"]]
    for r in rows:
        misses = " ".join(f"{k}:{v}" for k, v in r.get("misses", {}).items()) or "-"
        cells.append([format(r[k], f) if r.get(k) is not None else "n/a" for _, k, f in COLUMNS]
                     + [f"FAILED: {r['error']}" if "error" in r else misses])
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = [" ".join([c[0].ljust(widths[0]),
                       *(x.rjust(w) for x, w in zip(c[1:-1], widths[1:], strict=True)), c[-1]])
             for c in cells]
    return [lines[0], "-" * len(lines[0]), *lines[1:]]


def _notes(rows: list[dict[str, Any]]) -> list[str]:
    ours = {r["n"]: r for r in rows if r["system"].startswith("ours") and "pages_s" in r}
    if len(ours) < 2:
        return ["per-page time ratio: n/a (needs ours at two sizes)"]
    small, large = ours[min(ours)], ours[max(ours)]
    return [f"our per-page time at N = {max(ours):,} / N = {min(ours):,}: "
            f"{small['pages_s'] / large['pages_s']:.2f}x mean, "
            f"{large['p50_ms'] / small['p50_ms']:.2f}x p50",
            f"naive: rapidfuzz process.extractOne(page, all originals, "
            f"scorer=token_set_ratio, score_cutoff={NAIVE_CUTOFF:g}) on the first pages only "
            "(partial_ratio takes ~1 s per page-original pair on these texts)",
            f"peer: datasketch MinHashLSHEnsemble(num_perm={NUM_PERM}), word {SHINGLE_WORDS}-"
            "gram sets; named/pg = candidates it returns per page (ours: originals named)"]


def _generate(args: argparse.Namespace, sizes: Sequence[int], n_pages: int,
              folder: Path) -> list[str]:
    """Write archive and pages to ``folder``; return lines describing the data."""
    start = time.perf_counter()
    archive = Archive(MarkovChain(load_training_texts(args.corpus)), sizes[-1], seed=args.seed)
    pages = make_pages(archive, n_pages, seed=args.seed, pool=sizes[0])
    write_data(folder, archive, pages)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(Counter(p.kind for p in pages).items()))
    notes = [f"data: {sizes[-1]:,} originals, {n_pages:,} pages ({kinds}), seed {args.seed}, "
             f"made in {time.perf_counter() - start:.0f} s from {args.corpus.name}"]
    for k in (SHINGLE_WORDS, 8):
        again, common = archive.recurrence(k, sample=RECURRENCE_SAMPLE, limit=POSTINGS_LIMIT,
                                           seed=args.seed)
        notes.append(f"data: {100 * again:.1f} % of an original's word {k}-grams recur in "
                     f"other originals, {100 * common:.1f} % in more than {POSTINGS_LIMIT}")
    return notes


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                epilog="example: .venv/bin/python benchmarks/scale.py --quick")
    p.add_argument("--sizes", help="archive sizes N, comma-separated (default 1000,10000,100000)")
    p.add_argument("--pages", type=int, help=f"labelled pages (default {PAGES:,})")
    p.add_argument("--quick", action="store_true",
                   help=f"N = {QUICK_SIZES[0]:,} and {QUICK_SIZES[1]:,}, {QUICK_PAGES} pages")
    p.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    p.add_argument("--naive-pages", type=int, default=NAIVE_PAGES,
                   help=f"pages the naive scan judges (default {NAIVE_PAGES})")
    p.add_argument("--peer-max-size", type=int, default=PEER_MAX_SIZE,
                   help=f"largest N for the peer (default {PEER_MAX_SIZE:,})")
    p.add_argument("--corpus", type=Path, help="training text (default: the dev corpus, or "
                   "$REPOSTWATCH_CORPUS)", default=Path(os.environ.get(
                       "REPOSTWATCH_CORPUS", DEFAULT_CORPUS)))
    p.add_argument("--keep-data", type=Path, help="write the generated data here and keep it")
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        spec = json.loads(args.child)
        system, data, n = spec.pop("system"), Path(spec.pop("data")), spec.pop("n")
        print(json.dumps(_CHILDREN[system](data, n, **spec)))
        return 0
    if not args.corpus.exists():
        print(f"corpus not found at {args.corpus}: nothing measured (set REPOSTWATCH_CORPUS)")
        return 2
    sizes = sorted({int(s) for s in args.sizes.split(",")} if args.sizes
                   else set(QUICK_SIZES if args.quick else SIZES))
    n_pages = args.pages or (QUICK_PAGES if args.quick else PAGES)
    with tempfile.TemporaryDirectory(prefix="repostwatch-scale-") as tmp:
        data = args.keep_data or Path(tmp)
        print(f"generating {sizes[-1]:,} originals and {n_pages:,} pages", file=sys.stderr)
        notes = _generate(args, sizes, n_pages, data)
        rows = _measure(data, sizes, args)
    print("\n".join([*_table(rows), "", *_notes(rows), *notes]))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
