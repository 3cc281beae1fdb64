"""Speed of ``assess`` from HTML on one core, before and after, measured in one run.

    python benchmarks/assess_html.py                  # "before" = the merge base with main
    python benchmarks/assess_html.py --before REV     # any other revision
    python benchmarks/assess_html.py --profile        # where the time of "after" goes
    python benchmarks/assess_html.py --stages         # ... by stage: parse, tokens, look-up…

Pages/s of ``assess(Page(url, html), index, rules)`` (parse, visible text, tokens, look-up,
alignment, credit) over:

- the dev corpus: every candidate page of ``../shared/data/cases-dev.jsonl.gz`` (nine in ten
  are copies), all its originals in one index, as ``benchmarks/corpus.py`` judges them;
- a crawl-like mix, where nine pages in ten copy nothing: the corpus's pages that are not
  copies, the synthetic pages' real templates with the copied article taken out (every
  paragraph found in the original removed), and one copy for every nine of those.

In the same run and on the same pages: the floor (selectolax's parse and its plain text
extraction, which any judge pays), selectolax's parse alone (the share of time spent outside
it is printed), and "before": the ``matcher`` package of another revision (``git archive``
into a temporary directory, imported under another name). Each figure is the best of
``--runs`` passes, the systems taking turns, so that other work on the machine weighs on all
alike. "after, from UTF-8" hands each page its HTML as UTF-8 too (``Page.utf8``, encoded
before the clock starts), as a crawl, a WARC scan and ``check`` hand it (the response's body):
the page is not encoded again (a page of the corpus: 140 KB, ~0.14 ms). The last rows judge
hostile pages (deeply nested markup, tags that never end where a copy's date is looked for),
copies of an original with a publication date: seconds per page.
Exit codes: 0 done, 2 no corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selectolax.lexbor import LexborHTMLParser

import matcher
from benchmarks.corpus import corpus_path, load_cases
from benchmarks.revisions import extract, merge_base, refused
from benchmarks.tables import print_table

_MIX_COPY_EVERY = 10  # one page in ten of the crawl-like mix is a copy


def _before_package(rev: str, folder: Path) -> ModuleType:
    """The ``matcher`` package as it was at ``rev``, imported as ``matcher_before``."""
    extract(rev, ("matcher",), folder)
    package = folder / "matcher"
    spec = importlib.util.spec_from_file_location(
        "matcher_before", package / "__init__.py", submodule_search_locations=[str(package)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["matcher_before"] = module
    spec.loader.exec_module(module)
    return module


class _Judge:
    """One implementation's ``assess`` with its own index of every corpus original."""

    def __init__(self, package: ModuleType, cases: Sequence[dict[str, Any]], *,
                 published: datetime | None = None) -> None:
        self.package = package
        self.index = package.FingerprintIndex()
        self.rules: dict[str, Any] = {}
        seen: set[str] = set()
        for case in cases:
            o = case.get("original")
            if not o or o["url"] in seen:
                continue
            seen.add(o["url"])
            original = package.Original(len(seen), o["publisher"], o["url"],
                                        o.get("title") or "", o["text"], published=published)
            self.index.add(original)
            self.rules.setdefault(original.publication, package.CreditRule(
                original.publication, domains=(package.host_of(o["url"]),)))

    def __call__(self, url: str, html: str) -> Any:
        return self.package.assess(self.package.Page(url, html), self.index, self.rules)


class _FromBytes:
    """``judge`` handed each page's HTML as UTF-8 too (``Page.utf8``), as a crawl, a WARC
    scan and ``check`` hand it (the response's body): encoded before the clock starts."""

    def __init__(self, judge: _Judge, pages: Sequence[tuple[str, str]]) -> None:
        self.judge = judge
        self.encoded = {id(html): html.encode() for _, html in pages}

    def __call__(self, url: str, html: str) -> Any:
        judge = self.judge
        page = judge.package.Page(url, html, utf8=self.encoded[id(html)])
        return judge.package.assess(page, judge.index, judge.rules)


def _floor(url: str, html: str) -> str:
    body = LexborHTMLParser(html).body
    return body.text() if body is not None else ""


def _parse_only(url: str, html: str) -> object:
    return LexborHTMLParser(html)


def _without_article(html: str, original: str) -> str:
    """``html`` with every paragraph-like element whose text is part of ``original`` removed:
    the page's real template (chrome, sidebars, comments) around no copied article."""
    tree = LexborHTMLParser(html)
    known = " ".join(original.split())
    for node in tree.css("p, li, h1, h2, h3, blockquote, figcaption"):
        text = " ".join((node.text() or "").split())
        if len(text) >= 20 and text in known:
            node.decompose()
    return tree.html or ""


def _datasets(cases: Sequence[dict[str, Any]],
              judge: _Judge) -> dict[str, list[tuple[str, str]]]:
    corpus = [(c["candidate"]["url"], c["candidate"]["html"]) for c in cases
              if c.get("original")]
    quiet: list[tuple[str, str]] = []
    copies: list[tuple[str, str]] = []
    for case in cases:
        cand = case["candidate"]
        if case.get("original") is None or case["labels"].get("is_repost") is False:
            quiet.append((cand["url"], cand["html"]))
        elif cand.get("synthetic"):
            stripped = (cand["url"], _without_article(cand["html"], case["original"]["text"]))
            if judge(*stripped).verdict == "none":  # what is left copies nothing
                quiet.append(stripped)
            copies.append((cand["url"], cand["html"]))
    wanted = len(quiet) // (_MIX_COPY_EVERY - 1)
    step = max(1, len(copies) // max(1, wanted))
    mix = quiet + copies[::step][:wanted]
    return {"dev corpus": corpus, "crawl-like mix": mix}


def _best(systems: dict[str, Callable[[str, str], object]], pages: Sequence[tuple[str, str]],
          runs: int) -> dict[str, float]:
    """Best seconds of one pass over ``pages`` per system, the systems taking turns."""
    best = dict.fromkeys(systems, float("inf"))
    for system in systems.values():  # warm: originals tokenised, memo tables filled
        for url, html in pages:
            system(url, html)
    for _ in range(runs):
        for name, system in systems.items():
            start = time.process_time()
            for url, html in pages:
                system(url, html)
            best[name] = min(best[name], time.process_time() - start)
    return best


def _hostile_pages(original: str) -> list[tuple[str, str, bool]]:
    """(what, HTML, whether "before" is run on it: the largest would take it hours); each
    copies ``original`` after its hostile markup, so the verdict shows the copy is found."""
    article = "".join(f"<p>{line}</p>" for line in original.splitlines())
    return [
        ("50,000 nested <div> (0.3 MB)", "<html><body>" + "<div>x" * 50_000 + article, True),
        ("10 MiB of nested <div>", "<html><body>" + "<div>x" * 1_750_000 + article, False),
        ("10 MiB of nested <span> then </div>",
         "<html><body>" + "<span>" * 1_000_000 + article + "</div>" * 700_000, False),
        ("formatting clones: 2,000 <b id=n>, 2,000 <p>x</p>",
         "<html><body><p>" + "".join(f"<b id={i}>" for i in range(2000)) + "</p>"
         + "<p>x</p>" * 2000 + article, True),
        ("10 MiB of links, 5 levels deep",
         "<html><body>" + "<div><nav><ul><li><span>" + '<a href="/p">x</a>' * 580_000
         + article, False),
        ("10 MiB of paragraphs of text",
         "<html><body>" + article * (10_000_000 // len(article) + 1), False),
        # where the copy's own date is looked for (the originals of this table have theirs)
        ("2,000 '<script ld+json ' never ended",
         "<html><body>" + article + "<script ld+json " * 2_000, True),
        ("20,000 '<time ' never ended", "<html><body>" + article + "<time " * 20_000, True),
        ("'datePublished ' 120,000 times in a text",
         "<html><body>" + article + "<p>" + "datePublished " * 120_000 + "</p>", True),
        ("a <time>, then 100,000 nested <div>",
         "<html><body>" + article + '<time datetime="2025-05-02T10:00:00Z">'
         + "<div>" * 100_000, True),
    ]


_STEPS: tuple[tuple[str, Callable[[Any, _Judge], object]], ...] = (
    ("parse and text", lambda page, judge: page.text),
    ("tokens", lambda page, judge: page.tokens),
    ("assess", lambda page, judge: matcher.assess(page, judge.index, judge.rules)),
)


def _stages(judge: _Judge, pages: Sequence[tuple[str, str]], runs: int) -> None:
    """CPU ms a page of each stage of "after": parse (with the visible text), tokens,
    look-up, alignment and credit (the last three timed inside ``assess``)."""
    module = sys.modules["matcher.assess"]
    spent: dict[str, float] = {}

    def timed(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start
        return wrapper

    saved = (module.align, module.check_credit, judge.index.candidates)
    module.align = timed("alignment", module.align)
    module.check_credit = timed("credit", module.check_credit)
    judge.index.candidates = timed("look-up", judge.index.candidates)  # type: ignore[method-assign]
    best: dict[str, float] = {}
    try:
        for _ in range(runs + 1):
            spent.clear()
            for url, html in pages:
                page = matcher.Page(url, html)
                for name, step in _STEPS:
                    start = time.process_time()
                    step(page, judge)
                    spent[name] = spent.get(name, 0.0) + time.process_time() - start
            best = {k: min(v, best.get(k, v)) for k, v in spent.items()}
    finally:
        module.align, module.check_credit, judge.index.candidates = saved  # type: ignore[method-assign]
    best["other (assess)"] = best.pop("assess") - sum(
        best.get(k, 0.0) for k in ("look-up", "alignment", "credit"))
    total = sum(best.values())
    rows = [("stage", "ms/page", "share")]
    for name in ("parse and text", "tokens", "look-up", "alignment", "credit",
                 "other (assess)"):
        rows.append((name, f"{1000 * best.get(name, 0.0) / len(pages):.2f}",
                     f"{best.get(name, 0.0) / total:.0%}"))
    rows.append(("total", f"{1000 * total / len(pages):.2f}", "100%"))
    print_table(rows)


def _profile(judge: _Judge, pages: Sequence[tuple[str, str]]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for url, html in pages:
        judge(url, html)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="revision of the 'before' matcher (default: the "
                                         "merge base with main)")
    parser.add_argument("--runs", type=int, default=5, help="passes per system (best is kept)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile 'after' on the dev corpus (cProfile, top 15)")
    parser.add_argument("--stages", action="store_true",
                        help="also time each stage of 'after' on both sets of pages")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile pages")
    args = parser.parse_args()
    path = corpus_path()
    if not path.exists():
        print(f"corpus not found at {path}: nothing measured (set REPOSTWATCH_CORPUS)")
        return 2
    if message := refused(args.before):
        print(message, file=sys.stderr)
        return 2
    cases = load_cases(path)
    rev = args.before or merge_base()
    with tempfile.TemporaryDirectory() as folder:
        before = _Judge(_before_package(rev, Path(folder)), cases)
        after = _Judge(matcher, cases)
        systems: dict[str, Callable[[str, str], object]] = {
            "floor": _floor, "parse": _parse_only, "before": before, "after": after}
        print(f"before: matcher/ at {rev[:12]}; after: this working tree; best of "
              f"{args.runs} passes; pages/s on one core\n")
        rows = [("pages", "n", "floor: parse+text", "before", "after", "after/before",
                 "outside parse", "after, from UTF-8")]
        for name, pages in _datasets(cases, after).items():
            secs = _best({**systems, "bytes": _FromBytes(after, pages)}, pages, args.runs)
            rate = {k: len(pages) / v for k, v in secs.items()}
            rows.append((name, str(len(pages)), f"{rate['floor']:,.0f}",
                         f"{rate['before']:,.0f}", f"{rate['after']:,.0f}",
                         f"{rate['after'] / rate['before']:.2f}x",
                         f"{1 - secs['parse'] / secs['after']:.0%}", f"{rate['bytes']:,.0f}"))
        print_table(rows)
        print("\n(after, from UTF-8: each page handed as UTF-8 too, as a crawl, a WARC scan "
              "and `check` hand it, not encoded again)")
        if args.stages:
            for name, pages in _datasets(cases, after).items():
                print(f"\nstages of 'after' on the {name} (CPU ms a page, best of "
                      f"{args.runs})\n")
                _stages(after, pages, args.runs)
        if args.profile:
            print("\nprofile of 'after' on the dev corpus (cProfile: slows Python code, "
                  "not selectolax)\n")
            _profile(after, _datasets(cases, after)["dev corpus"])
        if not args.no_hostile:
            print("\nhostile pages: seconds for one page (parse to verdict)\n")
            rows = [("page", "size", "before", "after", "verdict")]
            copied = next(c["original"]["text"] for c in cases if c.get("original"))
            # originals with their date, as imported ones have: a copy's own is looked for
            dated = datetime(2026, 1, 5, tzinfo=UTC)
            hostile_before = _Judge(before.package, cases, published=dated)
            hostile_after = _Judge(matcher, cases, published=dated)
            for what, html, run_before in _hostile_pages(copied):
                url = "https://hostile.test/"
                start = time.process_time()
                verdict = hostile_after(url, html).verdict
                took = time.process_time() - start
                was = "not run"
                if run_before:
                    start = time.process_time()
                    hostile_before(url, html)
                    was = f"{time.process_time() - start:.2f} s"
                rows.append((what, f"{len(html) / 2**20:.1f} MiB", was, f"{took:.2f} s",
                             verdict))
            print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
