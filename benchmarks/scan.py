"""Archive scan throughput: records/s per core of ``repostwatch scan`` on a CC-NEWS-like WARC.

    .venv/bin/python benchmarks/scan.py             # 10,000 records in 6 files, 2,000 originals
    .venv/bin/python benchmarks/scan.py --quick     # 3,000 records in 3 files, 300 originals

The archive is generated: news article pages (the sandbox's generated articles, 300-600 words)
inside page chrome padded to realistic sizes (menus of headlines, inline scripts and styles,
JSON-LD: lognormal, median ``PAGE_MEDIAN_KB``), each response record after its request record
as Common Crawl writes them, gzipped record by record; one page in ``COPY_EVERY`` copies one of
the publisher's originals (whole without credit, whole with a source link, or its first 40 %),
on ``HOSTS`` hosts. It is split into ``--files`` files so that workers have one each. Rows:

- read alone (the floor): FastWARC iterating the files and reading every response body, no
  judging; warcio doing the same, the reader not chosen (docs/dependencies.md);
- crawl path: the crawl pipeline's per-page work on the same pages (``Page`` + ``assess`` +
  ``Store.record_pages`` in batches, as ``crawler.pipelines`` does), no fetching;
- scan, 1 process: ``run_scan`` in this process (reading, filtering, decoding, ``assess``,
  storing copies with their evidence);
- scan, local cluster of 1, 2, 3 workers (Dask ``LocalCluster``, one task per file).

records/s = response records / wall time; per core = records / CPU seconds of the processes
doing the work (the scanning process, or the workers' tasks: ``FileScan.cpu_seconds``), so
the figure does not depend on how busy the machine is. Every scan must find every planted copy
and exactly the pages the crawl path finds (the same ``assess``; "other findings" are pages
whose generated prose the matcher takes for a copy, the same for every row). The store is
SQLite (a fresh copy per row); the workers write to it in turn. Exit code 1 when a row finds
otherwise.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.crawlweb import original_article
from benchmarks.installed import isolate
from crawler.sandbox import PUBLISHER, demo_config
from crawler.sandbox.content import generate_article, generate_headline
from crawler.sandbox.warcs import WarcFile, request_record, response_record, warcinfo_record

RECORDS, FILES, ORIGINALS = 10_000, 6, 2_000
QUICK_RECORDS, QUICK_FILES, QUICK_ORIGINALS = 3_000, 3, 300
COPY_EVERY = 50  # one page in fifty copies an original (the assumption)
HOSTS = 400  # news sites in the archive
PAGE_MEDIAN_KB, PAGE_SIGMA = 60.0, 0.6  # lognormal HTML size (mean ~72 KiB)
OWN_BASE = 50_000  # the pages' own articles: sandbox numbers the store never holds
_TREATMENTS = ("plain", "credited", "partial")


def _padding(rng: random.Random, target: int, host: str) -> tuple[str, str]:
    """(head, body) chrome of about ``target`` bytes: inline scripts (55 %) and styles (15 %),
    menus of headline links (30 %: ~160 links on a median page, as on news article pages);
    made of varied tokens so that it compresses as real pages do (~4x)."""
    words = [generate_headline(OWN_BASE + rng.randrange(40_000)).title for _ in range(8)]
    vocab = " ".join(words).split()
    parts_head, parts_body, size = [], [], 0
    while size < target:
        pick = rng.random()
        if pick < 0.55:
            values = ",".join(f'"{rng.choice(vocab).lower()}{rng.randrange(10_000)}":'
                              f"{rng.randrange(10**6)}" for _ in range(40))
            chunk = f"<script>window.__cfg_{rng.randrange(999)}={{{values}}};</script>\n"
            parts_head.append(chunk)
        elif pick < 0.7:
            rules = "".join(f".c{rng.randrange(10**5)}{{margin:{rng.randrange(40)}px;"
                            f"color:#{rng.randrange(16**6):06x}}}" for _ in range(30))
            chunk = f"<style>{rules}</style>\n"
            parts_head.append(chunk)
        else:
            links = "".join(f'<li><a href="https://{host}/{rng.randrange(10**7)}.html">'
                            f"{escape(' '.join(rng.choices(vocab, k=7)))}</a></li>"
                            for _ in range(12))
            chunk = f'<nav class="m{rng.randrange(99)}"><ul>{links}</ul></nav>\n'
            parts_body.append(chunk)
        size += len(chunk)
    return "".join(parts_head), "".join(parts_body)


def page(n: int, rng: random.Random, originals: int) -> tuple[str, bytes, int | None]:
    """(URL, HTML, the copied original's number or None) of archive page ``n``."""
    host = f"news-{n % HOSTS}.example"
    copy = n % COPY_EVERY == COPY_EVERY // 2
    number = (n // COPY_EVERY) % originals if copy else None
    a = original_article(number) if number is not None else generate_article(OWN_BASE + n % 40_000)
    paragraphs = list(a.paragraphs)
    treatment = _TREATMENTS[(n // COPY_EVERY) % len(_TREATMENTS)] if copy else "own"
    if treatment == "partial":
        paragraphs = paragraphs[: math.ceil(len(paragraphs) * 0.4)]
    text = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    if treatment == "credited":
        text += (f'<p class="credit">Source: <a href="{PUBLISHER.article_url(a.slug)}">'
                 f"{escape(PUBLISHER.name)}</a></p>\n")
    target = int(rng.lognormvariate(math.log(PAGE_MEDIAN_KB * 1024), PAGE_SIGMA))
    head, chrome = _padding(rng, target, host)
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f"{escape(a.title)}</title>{head}</head><body>{chrome}<main><article><h1>"
            f"{escape(a.title)}</h1>{text}</article></main><footer>{escape(host)}</footer>"
            "</body></html>")
    return f"https://{host}/{n}/{a.slug}.html", html.encode(), number


def generate(folder: Path, records: int, files: int, originals: int) -> dict[str, Any]:
    """Write the archive's files; returns the planted copies and size figures."""
    rng = random.Random(17)
    per_file = math.ceil(records / files)
    planted, sizes, paths = {}, [], []
    for f in range(files):
        path = folder / f"CC-NEWS-BENCH-{f:05d}.warc.gz"
        paths.append(str(path))
        with WarcFile(path) as warc:
            warc.add(warcinfo_record(path.name))
            for n in range(f * per_file, min(records, (f + 1) * per_file)):
                url, html, number = page(n, rng, originals)
                sizes.append(len(html))
                if number is not None:
                    planted[url] = PUBLISHER.article_url(original_article(number).slug)
                warc.add(request_record(url))
                warc.add(response_record(url, html))
    packed = sum(Path(p).stat().st_size for p in paths)
    return {"paths": paths, "planted": planted, "mean_kb": statistics.mean(sizes) / 1024,
            "median_kb": statistics.median(sizes) / 1024,
            "html_mb": sum(sizes) / 2**20, "packed_mb": packed / 2**20}


def make_store(folder: Path, originals: int) -> Path:
    """A config and a SQLite store holding ``originals`` originals (copied per row)."""
    from repostwatch.config import load_config
    from repostwatch.store import Store

    text = demo_config("http://127.0.0.1:1", database_url="sqlite:///store.db")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("proxy ="))
    (folder / "repostwatch.toml").write_text(text, encoding="utf-8")
    config = load_config(folder / "repostwatch.toml")
    with Store.open(config.database_url) as store:
        store.ensure_publications(config.rules.values())
        for number in range(originals):
            a = original_article(number)
            store.upsert_original(publication=PUBLISHER.name, url=PUBLISHER.article_url(a.slug),
                                  title=a.title, text="\n".join(a.paragraphs), author=a.author,
                                  published=a.published)
    return folder


def fresh_home(template: Path, folder: Path) -> Any:
    from repostwatch.config import load_config

    shutil.copytree(template, folder)
    return load_config(folder / "repostwatch.toml")


def read_alone(paths: list[str], reader: str) -> dict[str, Any]:
    """Iterate every file and read every response body: the floor under any scan."""
    records, started, cpu = 0, time.perf_counter(), time.process_time()
    for path in paths:
        with Path(path).open("rb", buffering=1 << 20) as fh:
            if reader == "fastwarc":
                from fastwarc.warc import ArchiveIterator, WarcRecordType

                for record in ArchiveIterator(fh, record_types=WarcRecordType.response):
                    record.reader.read()
                    records += 1
            else:
                from warcio.archiveiterator import ArchiveIterator as WarcioIterator

                for record in WarcioIterator(fh):
                    if record.rec_type == "response":
                        record.content_stream().read()
                        records += 1
    return {"records": records, "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu}


def crawl_path(paths: list[str], config: Any) -> dict[str, Any]:
    """The crawl pipeline's per-page work on the archive's HTML pages: decode, ``Page``,
    ``assess``, ``Store.record_pages`` in batches as the pipeline's (it stores every page it
    judges)."""
    from crawler.batches import BATCH_PAGES
    from crawler.items import FetchedPage
    from crawler.judging import judge_and_record
    from crawler.scan.records import ArchivedResponse, read_archive
    from crawler.sniff import decode_html
    from repostwatch.store import Store
    from repostwatch.store.reviews import allowed_rules

    store = Store.open(config.database_url)
    index = store.load_index(cache_dir=config.index_cache)
    rules = allowed_rules(store, config.rules)
    records = copies = 0
    batch: list[FetchedPage] = []

    def record() -> int:
        outcomes = judge_and_record(store, index, config, rules, batch, None)
        batch.clear()
        return sum(o.credit_status is not None for o in outcomes)

    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        with Path(path).open("rb", buffering=1 << 20) as fh:
            for item in read_archive(fh, path, max_bytes=10 * 2**20):
                records += 1
                if not isinstance(item, ArchivedResponse):
                    continue
                encoding, html = decode_html(item.content_type, item.body)
                batch.append(FetchedPage(
                    url=item.uri, final_url=item.uri, status=item.status, html=html,
                    fetched_at=item.captured_at, headers=item.headers, body=item.body,
                    encoding=encoding))
                if len(batch) >= BATCH_PAGES:
                    copies += record()
    copies += record()
    store.close()
    return {"records": records, "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu, "copies": copies}


def scan(paths: list[str], config: Any, workers: int) -> dict[str, Any]:
    from crawler.scan.run import run_scan

    started = time.perf_counter()
    summary = run_scan(config, paths, rescan=True, workers=workers, dask=None,
                       allow_private=False)
    seconds = time.perf_counter() - started  # index cache and cluster start included
    return {"records": summary.counts["records"], "seconds": seconds,
            "cpu": sum(f.cpu_seconds for f in summary.files), "summary": summary}


def found(config: Any, planted: dict[str, str]) -> tuple[int, set[str]]:
    """(planted copies found naming the right original, the pages of the other findings)."""
    from repostwatch.store import Store

    with Store.open(config.database_url, migrate=False) as store:
        got = {f.page_url: f.original_url for f in store.findings(include_gone=True)}
    right = sum(got.get(url) == original for url, original in planted.items())
    return right, set(got) - set(planted)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller archive and store")
    parser.add_argument("--records", type=int, help=f"response records (default {RECORDS:,})")
    parser.add_argument("--files", type=int, help=f"files (default {FILES})")
    parser.add_argument("--originals", type=int, help=f"originals (default {ORIGINALS:,})")
    parser.add_argument("--workers", default="1,2,3", help="local cluster sizes to measure")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    isolate()  # a user's REPOSTWATCH_DATABASE_URL is not ours to write to
    here = Path(__file__).resolve().parent  # its distributed.py would shadow Dask's package
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    args = _parse(argv)
    records = args.records or (QUICK_RECORDS if args.quick else RECORDS)
    files = args.files or (QUICK_FILES if args.quick else FILES)
    originals = args.originals or (QUICK_ORIGINALS if args.quick else ORIGINALS)
    sizes = [int(w) for w in args.workers.split(",") if w]
    rows: list[dict[str, Any]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="repostwatch-scan-") as tmp:
        folder = Path(tmp)
        (folder / "archive").mkdir()
        print(f"generating {records:,} records in {files} files, a store of {originals:,} "
              "originals", file=sys.stderr)
        archive = generate(folder / "archive", records, files, originals)
        (folder / "template").mkdir()
        template = make_store(folder / "template", originals)
        paths, planted = archive["paths"], archive["planted"]
        for reader in ("fastwarc", "warcio"):
            rows.append({"row": f"read alone: {reader}", "workers": 1,
                         **read_alone(paths, reader)})
        config = fresh_home(template, folder / "crawl")
        result = crawl_path(paths, config)
        right, crawl_extra = found(config, planted)
        rows.append({"row": "crawl path (judge + record_pages)", "workers": 1, **result,
                     "found": f"{right}/{len(planted)}", "extra": len(crawl_extra),
                     "same": True})
        for label, workers in [("scan, 1 process", 1),
                               *((f"scan, local cluster of {n}", n) for n in sizes)]:
            config = fresh_home(template, folder / f"scan-{label.replace(' ', '-')}")
            if label.startswith("scan, local") and workers == 1:
                # a cluster of one: Dask, where run_scan would read in this process
                result = _cluster_of_one(paths, config)
            else:
                result = scan(paths, config, workers)
            right, extra = found(config, planted)
            rows.append({"row": label, "workers": workers, **result,
                         "found": f"{right}/{len(planted)}", "extra": len(extra),
                         "same": extra == crawl_extra})
            print(f"  {label}: {result['records'] / result['seconds']:.0f} records/s",
                  file=sys.stderr)
    floor = rows[0]["records"] / rows[0]["cpu"]
    print(_table(rows, floor))
    print(f"\narchive: {records:,} response records (each after its request record) in {files} "
          f"files, {archive['packed_mb']:.0f} MiB gzipped, {archive['html_mb']:.0f} MiB of HTML "
          f"(mean {archive['mean_kb']:.0f} KiB, median {archive['median_kb']:.0f} KiB a page); "
          f"{len(planted):,} copies planted (1 in {COPY_EVERY}); store: {originals:,} originals "
          f"(SQLite); {time.perf_counter() - start:.0f} s in all")
    bad = [r["row"] for r in rows if "found" in r and (
        r["found"] != f"{len(planted)}/{len(planted)}" or not r["same"])]
    if bad:
        print(f"FOUND OTHERWISE than the crawl path: {', '.join(bad)}")
    return 1 if bad else 0


def _cluster_of_one(paths: list[str], config: Any) -> dict[str, Any]:
    from crawler.scan.cluster import scan_with_dask
    from repostwatch.store import Store

    with Store.open(config.database_url) as store:
        store.load_index(cache_dir=config.index_cache)
    started = time.perf_counter()
    outcomes = scan_with_dask(paths, config=config, run_id=None, allow_private=False,
                              address=None, workers=1, on_file=lambda _: None)
    return {"records": sum(o.counts.get("records", 0) for o in outcomes),
            "seconds": time.perf_counter() - started,
            "cpu": sum(o.cpu_seconds for o in outcomes)}


def _table(rows: list[dict[str, Any]], floor: float) -> str:
    lines = ["| row | workers | records | wall s | records/s | records/s per core | "
             "per core / floor | copies found | other findings (same as crawl path) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        per_core = r["records"] / r["cpu"] if r["cpu"] else float("nan")
        lines.append(
            f"| {r['row']} | {r['workers']} | {r['records']:,} | {r['seconds']:.1f} | "
            f"{r['records'] / r['seconds']:,.0f} | {per_core:,.0f} | {per_core / floor:.3f} | "
            f"{r.get('found', '-')} | "
            + (f"{r['extra']} ({'yes' if r['same'] else 'NO'})" if "extra" in r else "-")
            + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
