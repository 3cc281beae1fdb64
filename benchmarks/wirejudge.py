"""Judge the generated syndication cases (``benchmarks.wirecases``) and score them.

Each group (syndicated originals, own stories mentioning a wire, the wire as publisher) gets
its own index: the group's originals plus every corpus original it did not rewrite, each with
the source ``detect_source`` decides for it, as the store would at import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from benchmarks.wirecases import CopyCase, SourceCase, build, corpus_originals
from matcher import (
    CREDIT_MET,
    Assessment,
    FingerprintIndex,
    Page,
    SourceDecision,
    assess,
    detect_source,
)


@dataclass
class WireOutcome:
    case: CopyCase
    result: Assessment

    @property
    def status(self) -> str | None:
        return self.result.credit.status if self.result.credit else None

    @property
    def found(self) -> bool:
        """Found as a repost of the right original."""
        o = self.result.original
        return self.result.verdict == "repost" and o is not None and o.id == self.case.original.id

    @property
    def credit_right(self) -> bool:
        """The expected status, and a credited reason that names the wire when it should."""
        reason = self.result.credit.reason if self.result.credit else ""
        return self.status == self.case.status and (
            self.case.wire is None or f"wire service {self.case.wire}" in reason)

    @property
    def kept_apart_right(self) -> bool:
        """Syndicated flag as expected; a syndicated copy never lacks credit by default, and
        lacks it under ``report_syndicated`` exactly when its status falls short."""
        r = self.result
        short = self.status not in CREDIT_MET
        if self.case.syndicated:
            return r.syndicated and not r.lacks_credit and (
                replace(r, report_syndicated=True).lacks_credit == short)
        return not r.syndicated and r.lacks_credit == short


@dataclass
class WireRun:
    outcomes: list[WireOutcome] = field(default_factory=list)
    sources: list[tuple[SourceCase, SourceDecision]] = field(default_factory=list)
    detect_seconds: float = 0.0

    def figures(self) -> dict[str, float]:
        """Headline figures, each 0..1 (``wire_false_credited`` a count)."""
        outs = self.outcomes
        synd = [o for o in outs if o.case.syndicated]

        def share(items: list[Any], ok: Any) -> float:
            return sum(map(ok, items)) / len(items) if items else 1.0

        return {
            "source_detected_correct": share(self.sources, lambda s: s[1].source == s[0].source),
            "wire_copies_found": share(outs, lambda o: o.found),
            "wire_credit_correct": share(outs, lambda o: o.credit_right),
            "syndicated_copies_kept_apart": share(synd, lambda o: o.kept_apart_right),
            "own_wire_copies_reported": share([o for o in outs if not o.case.syndicated],
                                              lambda o: o.kept_apart_right),
            "wire_false_credited": float(sum(o.status == "credited" and o.case.status !=
                                             "credited" for o in outs)),
        }


def run_wires(cases: list[dict[str, Any]]) -> WireRun:
    """Build the syndication cases from the corpus ``cases`` and judge every copy."""
    ws = build(cases)
    out = WireRun()
    start = time.perf_counter()
    out.sources = [(sc, detect_source(sc.original, sc.rule)) for sc in ws.sources]
    out.detect_seconds = time.perf_counter() - start
    corpus = corpus_originals(cases)
    for group, originals in ws.groups.items():
        index = FingerprintIndex()
        rules = dict(ws.rules)
        members = [(o, ws.rules[o.publication]) for o in originals]
        members += [(o, r) for o, r in corpus if o.url not in ws.used[group]]
        for original, rule in members:
            rules.setdefault(original.publication, rule)
            index.add(replace(original, source=detect_source(original, rule).source))
        for case in ws.copies:
            if case.group == group:
                result = assess(Page(case.url, case.html), index, rules)
                out.outcomes.append(WireOutcome(case, result))
    return out
