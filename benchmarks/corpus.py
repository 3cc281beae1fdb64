"""Run the labelled real-world corpus (../shared/data/cases-dev.jsonl.gz) through ``assess``.

Shared by ``benchmarks/accuracy.py`` (prints the table) and the accuracy gate test (enforces the
floors in ``benchmarks/accuracy_baseline.json``). Every original of the corpus goes into one
index (several publications), and each candidate page is judged against all of them.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher import Assessment, CreditRule, FingerprintIndex, Original, Page, assess, host_of

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


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def by_kind(self) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.kind].append(o)
        return dict(sorted(groups.items()))


def run(cases: list[dict[str, Any]]) -> Run:
    index = FingerprintIndex()
    rules: dict[str, CreditRule] = {}
    for original, url in _originals(cases):
        index.add(original)
        rules.setdefault(
            original.publication,
            CreditRule(original.publication, domains=(host_of(url),), credit="any"),
        )
    result = Run()
    start = time.perf_counter()
    for case in cases:
        if case.get("original") is None:
            continue
        cand = case["candidate"]
        page = Page(cand["url"], cand["html"])
        result.outcomes.append(Outcome(case, assess(page, index, rules)))
    result.seconds = time.perf_counter() - start
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
        expected = _expected_status(o.kind)
        if expected is not None:
            credit_total += 1
            credit_right += status == expected
        if labels.get("attributed") is False and status == "credited":
            false_credited += 1
    return {
        "copy_precision": tp / (tp + fp) if tp + fp else 1.0,
        "copy_recall": tp / (tp + fn) if tp + fn else 1.0,
        "full_repost_found": full_right / full_total if full_total else 1.0,
        "credit_status_correct": credit_right / credit_total if credit_total else 1.0,
        "false_credited": float(false_credited),
        "pages_per_second": len(r.outcomes) / r.seconds if r.seconds else 0.0,
    }


def _expected_status(kind: str) -> str | None:
    if kind in CREDITED_KINDS:
        return "credited"
    if kind in UNCREDITED_KINDS:
        return "uncredited"
    if kind == "synthetic_full_wrong_credit":
        return "misattributed"
    return None
