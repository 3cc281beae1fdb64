"""Accuracy and speed of ``assess`` on the real-world corpus, per case kind.

    python benchmarks/accuracy.py            # ../shared/data/cases-dev.jsonl.gz
    REPOSTWATCH_CORPUS=path python benchmarks/accuracy.py

Prints a table per kind (verdicts and credit statuses), one per kind of hard case built from
the corpus (``hardcases.py``: list-like originals, shared quotations, dates), the headline
figures next to the floors
pinned in ``accuracy_baseline.json`` (the gate), and the judging speed next to a baseline
measured in the same run: parsing alone (selectolax visible text), the floor any judge pays.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import hardcases
from benchmarks.corpus import STRICT_EXPECTED, corpus_path, evaluate, load_cases
from benchmarks.wirejudge import WireOutcome, WireRun
from matcher import Page

BASELINE = Path(__file__).with_name("accuracy_baseline.json")


def main() -> int:
    path = corpus_path()
    if not path.exists():
        print(f"corpus not found at {path}: nothing measured (set REPOSTWATCH_CORPUS)")
        return 2
    cases = load_cases(path)
    ev = evaluate(cases)
    result = ev.main
    print(f"corpus: {path} ({len(cases)} cases, {len(result.outcomes)} with an original)\n")
    print(f"{'kind':48} {'n':>3}  verdicts                         credit")
    for kind, outs in result.by_kind().items():
        verdicts = Counter(o.result.verdict for o in outs)
        credit = Counter(o.result.credit.status if o.result.credit else "-" for o in outs)
        v = " ".join(f"{k}:{n}" for k, n in sorted(verdicts.items()))
        c = " ".join(f"{k}:{n}" for k, n in sorted(credit.items()))
        print(f"{kind:48} {len(outs):>3}  {v:32} {c}")
    print(f"\n{'credit lines on real pages (no original)':48} {'n':>3}  right")
    kinds = sorted({o.case["kind"] for o in result.lines})
    for kind in kinds:
        outs = [o for o in result.lines if o.case["kind"] == kind]
        print(f"{kind:48} {len(outs):>3}  {sum(o.right for o in outs)}")
    print()
    print("\n".join(hardcases.table(ev.hard)))
    figures = ev.figures
    print(f"\n{'credit status under stricter rules':48} {'n':>3}  link / article-link")
    strict = ev.strict
    for kind in sorted(STRICT_EXPECTED["link"]):
        cells = []
        for r in strict.values():
            got = Counter(o.result.credit.status if o.result.credit else "-"
                          for o in r.outcomes if o.kind == kind)
            cells.append(" ".join(f"{k}:{n}" for k, n in sorted(got.items())))
        print(f"{kind:48} {sum(1 for o in result.outcomes if o.kind == kind):>3}  "
              f"{cells[0]:24} / {cells[1]}")
    if ev.wires is not None:
        _print_wires(ev.wires)
    baseline = json.loads(BASELINE.read_text())
    print(f"\n{'figure':28} {'measured':>10} {'gate':>10}")
    for name, value in figures.items():
        gate = "-"
        if name in baseline["floors"]:
            gate = f">= {baseline['floors'][name]:.3f}"
        elif name in baseline["ceilings"]:
            gate = f"<= {baseline['ceilings'][name]:g}"
        print(f"{name:28} {value:>10.3f} {gate:>10}")

    pages = [Page(c["candidate"]["url"], c["candidate"]["html"]) for c in cases
             if c.get("original")]
    start = time.perf_counter()
    for p in pages:
        _ = p.text
    parse_rate = len(pages) / (time.perf_counter() - start)
    print(f"\n{'speed (one core)':28} {'pages/s':>10} {'ratio':>10}")
    print(f"{'baseline: parse only':28} {parse_rate:>10.0f} {1.0:>10.2f}")
    rate = figures["pages_per_second"]
    print(f"{'assess (parse+match+credit)':28} {rate:>10.0f} {rate / parse_rate:>10.2f}")
    if ev.wires is not None and ev.wires.detect_seconds:
        w = ev.wires
        print(f"{'detect_source (originals/s)':28} "
              f"{len(w.sources) / w.detect_seconds:>10.0f}   (once per original, at import)")
    return 0


def _print_wires(w: WireRun) -> None:
    """Syndication cases generated from the corpus: per family, verdicts and credit."""
    print(f"\n{'syndication cases (generated)':48} {'n':>3}  verdicts / credit / lacking credit")
    families: dict[str, list[WireOutcome]] = {}
    for o in w.outcomes:
        families.setdefault(o.case.family, []).append(o)
    for family, outs in families.items():
        verdicts = Counter(o.result.verdict for o in outs)
        credit = Counter(o.status or "-" for o in outs)
        lacking = sum(o.result.lacks_credit for o in outs)
        v = " ".join(f"{k}:{n}" for k, n in sorted(verdicts.items()))
        c = " ".join(f"{k}:{n}" for k, n in sorted(credit.items()))
        print(f"{family:48} {len(outs):>3}  {v} / {c} / {lacking}")
    groups = Counter(s.label.split(":")[0] for s, _ in w.sources)
    right = Counter(s.label.split(":")[0] for s, d in w.sources if d.source == s.source)
    synd = Counter(s.label.split(":")[0] for s, _ in w.sources if s.source)
    print(f"\n{'source detection':48} {'n':>3}  right (syndicated)")
    for g, n in groups.items():
        print(f"{g:48} {n:>3}  {right[g]} ({synd[g]})")


if __name__ == "__main__":
    sys.exit(main())
