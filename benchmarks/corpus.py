"""Run the labelled real-world corpus (../shared/data/cases-dev.jsonl.gz) through ``assess``.

Shared by ``benchmarks/accuracy.py`` (prints the table) and the accuracy gate test (enforces the
floors in ``benchmarks/accuracy_baseline.json``). Every original of the corpus goes into one
index (several publications), with the source ``detect_source`` finds for it (as the store does
at import), and each candidate page is judged against all of them.

The corpus labels credit to the publisher. Three of its originals are wire stories
(``wirecases.REAL_MARKS``); a copy of one that kept the mark naming the wire ("LOS ANGELES (AP)
—") credits the story's source, so its expected status is ``credited`` whatever the label says
about the publisher (docs/matching.md, "Syndicated originals"). The syndication cases generated
from the corpus (``wirecases``, ``wirejudge``) add their own figures.
The hard cases built from the corpus at run time (``hardcases.py``: list-like originals, shared
quotations, dates) are judged in a run of their own.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import hardcases
from benchmarks.wirecases import keeps_real_mark
from benchmarks.wirejudge import WireRun, run_wires
from matcher import (
    WIRES,
    Assessment,
    CreditMode,
    CreditRule,
    FingerprintIndex,
    Original,
    Page,
    assess,
    detect_source,
    find_wire,
    host_of,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "cases-dev.jsonl.gz"

CREDITED_KINDS = {
    "synthetic_full_credit_link",
    "synthetic_full_credit_name_only",
    "synthetic_full_canonical_only",
    "synthetic_excerpt_with_readmore_link",
}
UNCREDITED_KINDS = {
    "synthetic_full_no_credit",
    "synthetic_full_light_edit_no_credit",
    "synthetic_partial_no_credit",
    "synthetic_paragraphs_lifted_into_other_article",
}


def corpus_path() -> Path:
    return Path(os.environ.get("REPOSTWATCH_CORPUS", DEFAULT_CORPUS))


def load_cases(path: Path | None = None) -> list[dict[str, Any]]:
    with gzip.open(path or corpus_path(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _originals(cases: list[dict[str, Any]]) -> Iterator[tuple[Original, str]]:
    seen: dict[str, int] = {}
    for case in cases:
        o = case.get("original")
        if not o or o["url"] in seen:
            continue
        seen[o["url"]] = len(seen) + 1
        title = o.get("title") or ""
        yield Original(len(seen), o["publisher"], o["url"], title, o["text"]), o["url"]


@dataclass
class Outcome:
    case: dict[str, Any]
    result: Assessment

    @property
    def kind(self) -> str:
        return str(self.case["kind"])

    @property
    def credits_wire(self) -> bool:
        """A copy of one of the corpus's wire stories that kept the mark naming the wire."""
        return self.result.syndicated and keeps_real_mark(
            self.case["original"]["url"], self.result_page_text)

    @property
    def result_page_text(self) -> str:
        return Page(self.case["candidate"]["url"], self.case["candidate"]["html"]).text


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    lines: list[CreditLineOutcome] = field(default_factory=list)

    def by_kind(self) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.kind].append(o)
        return dict(sorted(groups.items()))


def corpus_index(cases: list[dict[str, Any]], *, credit: CreditMode = "any",
                 ) -> tuple[FingerprintIndex, dict[str, CreditRule]]:
    """Every original of the corpus in one index, with its source decided as an import does,
    and each publication's rule under ``credit`` (its domain: the host of its originals)."""
    index = FingerprintIndex()
    rules: dict[str, CreditRule] = {}
    for original, url in _originals(cases):
        rule = rules.setdefault(
            original.publication,
            CreditRule(original.publication, domains=(host_of(url),), credit=credit),
        )
        index.add(replace(original, source=detect_source(original, rule).source))
    return index, rules


def run(cases: list[dict[str, Any]], *, credit: CreditMode = "any") -> Run:
    """Judge every candidate page against all originals, each publication under ``credit``."""
    index, rules = corpus_index(cases, credit=credit)
    result = Run()
    start = time.perf_counter()
    for case in cases:
        if case.get("original") is None:
            continue
        cand = case["candidate"]
        page = Page(cand["url"], cand["html"])
        result.outcomes.append(Outcome(case, assess(page, index, rules)))
    result.seconds = time.perf_counter() - start
    result.lines = credit_lines(cases)
    return result


def metrics(r: Run) -> dict[str, float]:
    """Headline figures, each 0..1 (higher is better except ``*_rate`` of mistakes)."""
    tp = fp = fn = tn = 0
    full_total = full_right = 0
    credit_total = credit_right = 0
    false_credited = 0
    for o in r.outcomes:
        labels = o.case["labels"]
        is_copy = labels.get("is_repost")
        if is_copy is None:
            continue
        found = o.result.is_copy
        right_original = found and o.result.original is not None and (
            o.result.original.url == o.case["original"]["url"]
        )
        if is_copy:
            tp += found and right_original
            fn += not (found and right_original)
        else:
            fp += found
            tn += not found
        if labels.get("repost_extent") in ("full", "full_modified"):
            full_total += 1
            full_right += o.result.verdict == "repost" and right_original
        status = o.result.credit.status if o.result.credit else None
        wire = o.credits_wire
        expected = "credited" if wire else _expected_status(o.kind)
        if expected is not None:
            credit_total += 1
            credit_right += status == expected
        if labels.get("attributed") is False and status == "credited" and not wire:
            false_credited += 1
    return {
        "copy_precision": tp / (tp + fp) if tp + fp else 1.0,
        "copy_recall": tp / (tp + fn) if tp + fn else 1.0,
        "full_repost_found": full_right / full_total if full_total else 1.0,
        "credit_status_correct": credit_right / credit_total if credit_total else 1.0,
        "false_credited": float(false_credited),
        "credit_lines_correct": (sum(o.right for o in r.lines) / len(r.lines)
                                 if r.lines else 1.0),
        "pages_per_second": len(r.outcomes) / r.seconds if r.seconds else 0.0,
    }


# Under the stricter rules, name-only and <head>-only credit falls short (partial); a visible
# link to the article still meets every rule.
STRICT_EXPECTED = {
    "link": {"synthetic_full_credit_name_only": "partial",
             "synthetic_full_canonical_only": "partial",
             "synthetic_full_credit_link": "credited",
             "synthetic_excerpt_with_readmore_link": "credited",
             "synthetic_full_no_credit": "uncredited",
             "synthetic_full_wrong_credit": "misattributed"},
    "article-link": {"synthetic_full_credit_name_only": "partial",
                     "synthetic_full_canonical_only": "partial",
                     "synthetic_full_credit_link": "credited",
                     "synthetic_excerpt_with_readmore_link": "credited",
                     "synthetic_full_no_credit": "uncredited",
                     "synthetic_full_wrong_credit": "misattributed"},
}


def strict_correct(r: Run, credit: str) -> float:
    """Share of the labelled kinds whose status under a stricter rule is as expected."""
    expected = STRICT_EXPECTED[credit]
    outs = [o for o in r.outcomes if o.kind in expected]
    # Credit to the wire counts under every rule (the publisher's rule is not the wire's).
    right = sum((o.result.credit.status if o.result.credit else None) == (
        "credited" if o.credits_wire else expected[o.kind]) for o in outs)
    return right / len(outs) if outs else 1.0


def _expected_status(kind: str) -> str | None:
    if kind in CREDITED_KINDS:
        return "credited"
    if kind in UNCREDITED_KINDS:
        return "uncredited"
    if kind == "synthetic_full_wrong_credit":
        return "misattributed"
    return None


# Cases without an original: real pages whose credit line is labelled. Each is checked for a
# credit line ("Source:", "originally appeared on", "© Reuters", a wire dateline) naming the
# labelled publication; the boilerplate cases must yield none for the site's own brand.
CREDIT_LINE_KINDS = {
    "real_credit_line": True,
    "real_wire_dateline_copy": True,
    "real_credit_phrase_in_boilerplate": False,
}


@dataclass
class CreditLineOutcome:
    case: dict[str, Any]
    target: str
    expected: bool
    found: list[str]

    @property
    def right(self) -> bool:
        return bool(self.found) == self.expected


def credit_line_rule(case: dict[str, Any]) -> tuple[str, CreditRule]:
    """The labelled publication of a credit-line case, and a rule naming it as it signs (a
    wire signs its datelines with its tag: "(AP) —")."""
    labels = case["labels"]
    target = (labels.get("credit_target") or {}).get("name") or host_of(
        case["candidate"]["url"]).split(".")[0]
    wire = find_wire(target, WIRES)
    return target, CreditRule(target, aliases=(*wire.aliases, *wire.tags))


def credit_lines(cases: list[dict[str, Any]]) -> list[CreditLineOutcome]:
    from matcher.signals import collect_signals

    out = []
    for case in cases:
        expected = CREDIT_LINE_KINDS.get(case["kind"])
        if expected is None:
            continue
        page = Page(case["candidate"]["url"], case["candidate"]["html"])
        target, rule = credit_line_rule(case)
        probe = Original(0, target, "https://unknown.invalid/", "", "")
        found = [s.value for s in collect_signals(page, probe, rule) if s.kind == "source-line"]
        out.append(CreditLineOutcome(case, target, expected, found))
    return out


@dataclass
class Evaluation:
    """Everything the table and the gate need from one pass over the corpus."""

    main: Run
    strict: dict[str, Run]
    figures: dict[str, float]
    wires: WireRun | None = None
    hard: hardcases.HardRun | None = None  # the hard cases (benchmarks/hardcases.py)


def evaluate(cases: list[dict[str, Any]]) -> Evaluation:
    main = run(cases)
    strict = {mode: run(cases, credit=mode) for mode in STRICT_EXPECTED}
    figures = metrics(main)
    for mode, r in strict.items():
        figures[f"strict_{mode.replace('-', '_')}_correct"] = strict_correct(r, mode)
    wires = run_wires(cases)
    figures.update(wires.figures())
    hard = hardcases.evaluate(cases)
    figures.update(hardcases.figures(hard))
    return Evaluation(main, strict, figures, wires, hard)
