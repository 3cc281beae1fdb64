"""A digest of what ``assess`` concludes on every page of the dev corpus and of the sandbox web.

    python benchmarks/outcomes.py          # compare with the committed digests (exit 1: a change)
    python benchmarks/outcomes.py --write  # regenerate them (after a deliberate change)

A speed-up must not change a single outcome: ``tests/matcher/test_outcomes.py`` compares the
digests made now with the committed ones, page by page. A change that is *meant* to alter
outcomes (a new credit rule, a better text extraction) regenerates them with ``--write`` and
says in its commit which pages changed and why (``python benchmarks/outcomes.py`` lists them).

Per page: the verdict, extent, original, coverage (4 decimals), the passages, the credit
status under each credit mode with its reason, every piece of evidence (kind, where, flags),
and fingerprints of the parsed page (visible text, links, ``<head>`` signals). Texts appear
only as short hashes: the corpus pages are not ours to republish. Keys: the corpus's
``case_id``; the sandbox page's URL (the sandbox is ours).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import (
    CREDIT_LINE_KINDS,
    corpus_index,
    corpus_path,
    credit_line_rule,
    load_cases,
)
from matcher import (
    CREDIT_MODES,
    Assessment,
    CreditRule,
    FingerprintIndex,
    Original,
    Page,
    assess,
    extract_article,
)
from matcher.signals import collect_signals

HERE = Path(__file__).resolve().parent
CORPUS_DIGEST = HERE / "outcomes_corpus.json"
SANDBOX_DIGEST = HERE / "outcomes_sandbox.json"
SANDBOX_ARTICLES = 8


def _h(value: object) -> str:
    """A short, stable hash of ``value`` (its JSON form)."""
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]


def _signal(s: Any) -> str:
    return (f"{s.kind}|{s.where}|{'in' if s.in_article else 'far'}"
            f"{'|nofollow' if s.nofollow else ''}{'|hidden' if s.hidden else ''}"
            f"|{_h([s.value, s.note])}")


def _page(page: Page) -> dict[str, str]:
    return {
        "text": _h(page.text),
        "links": _h([astuple(link) for link in page.links]),
        "head": _h([page.title, page.lang, page.canonical, page.og_url, page.og_site_name,
                    list(page.json_ld)]),
    }


def _outcome(results: Mapping[str, Assessment], page: Page) -> dict[str, Any]:
    main = results["any"]
    credit = main.credit
    return {
        "verdict": main.verdict,
        "extent": main.extent,
        "original": main.original.id if main.original else None,
        "coverage": round(main.coverage, 4),
        "passages": len(main.passages),
        "passages_hash": _h([(p.page_start, p.page_end, p.original_start, p.original_end,
                              p.words, round(p.similarity, 4)) for p in main.passages]),
        "credit": {mode: (f"{r.credit.status}|{_h(r.credit.reason)}" if r.credit else None)
                   for mode, r in results.items()},
        "evidence": [_signal(s) for s in credit.evidence] if credit else [],
        "note": _h(main.note),
        "page": _page(page),
    }


def _judge(page_args: tuple[str, str], index: FingerprintIndex,
           rules: Mapping[str, Mapping[str, CreditRule]]) -> dict[str, Any]:
    results = {mode: assess(Page(*page_args), index, rules[mode])  # nothing cached across
               for mode in CREDIT_MODES}                              # modes: fresh pages
    return _outcome(results, Page(*page_args))


def _rules_by_mode(rules: Mapping[str, CreditRule]) -> dict[str, dict[str, CreditRule]]:
    return {mode: {name: replace(rule, credit=mode) for name, rule in rules.items()}
            for mode in CREDIT_MODES}


def corpus_outcomes(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The digest of every corpus case: judged pages and credit-line cases, judged as the
    accuracy gate judges them (``benchmarks.corpus``)."""
    index, rules = corpus_index(cases)
    by_mode = _rules_by_mode(rules)
    out: dict[str, Any] = {}
    for case in cases:
        cand = case["candidate"]
        if case.get("original") is not None:
            out[case["case_id"]] = _judge((cand["url"], cand["html"]), index, by_mode)
        elif case["kind"] in CREDIT_LINE_KINDS:
            page = Page(cand["url"], cand["html"])
            target, rule = credit_line_rule(case)
            probe = Original(0, target, "https://unknown.invalid/", "", "")
            out[case["case_id"]] = {"signals": [_signal(s) for s in
                                                collect_signals(page, probe, rule)],
                                    "page": _page(page)}
    return out


def _sandbox_pages() -> Iterator[tuple[str, str]]:
    from crawler.sandbox.app import _Pages  # every page the sandbox serves, without a server

    pages = _Pages(SANDBOX_ARTICLES)
    for host, table in sorted(pages.routes().items()):
        for path, (kind, produce) in sorted(table.items()):
            if kind == "html":
                yield f"http://{host}{path}", produce()


def sandbox_outcomes() -> dict[str, Any]:
    """The digest of every HTML page of the sandbox web, judged as the demo judges it: the
    publisher's articles (extracted from its own pages) in the index, its rule with its
    partners allowed."""
    from crawler.sandbox import PUBLISHER

    pages = list(_sandbox_pages())
    index = FingerprintIndex()
    prefix = f"http://{PUBLISHER.host}/news/"
    for n, (url, html) in enumerate(p for p in pages if p[0].startswith(prefix)):
        article = extract_article(html, url)
        index.add(Original(n + 1, PUBLISHER.name, url, article.title, article.text))
    rule = CreditRule(PUBLISHER.name, aliases=PUBLISHER.aliases, domains=PUBLISHER.domains,
                      allow=PUBLISHER.allow)
    by_mode = _rules_by_mode({PUBLISHER.name: rule})
    return {url: _judge((url, html), index, by_mode) for url, html in pages}


def differences(expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """One line per page whose digest differs (or that is missing on either side)."""
    lines = []
    for key in sorted(set(expected) | set(got)):
        if key not in got:
            lines.append(f"{key}: missing now")
        elif key not in expected:
            lines.append(f"{key}: new page")
        elif expected[key] != got[key]:
            fields = sorted(f for f in set(expected[key]) | set(got[key])
                            if expected[key].get(f) != got[key].get(f))
            changes = "; ".join(f"{f}: {expected[key].get(f)!r} -> {got[key].get(f)!r}"
                                for f in fields)
            lines.append(f"{key}: {changes}")
    return lines


def _write(path: Path, digest: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(digest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="regenerate the digests")
    args = parser.parse_args()
    runs = [("sandbox", SANDBOX_DIGEST, sandbox_outcomes)]
    path = corpus_path()
    if path.exists():
        runs.append(("corpus", CORPUS_DIGEST, lambda: corpus_outcomes(load_cases(path))))
    else:
        print(f"corpus not found at {path}: its digest is neither checked nor written")
    failed = False
    for name, target, make in runs:
        digest = make()
        if args.write:
            _write(target, digest)
            print(f"{name}: wrote {len(digest)} pages to {target.name}")
            continue
        diff = differences(json.loads(target.read_text(encoding="utf-8")), digest)
        print(f"{name}: {len(digest)} pages, {len(diff)} differ from {target.name}")
        for line in diff:
            print(f"  {line}")
        failed |= bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
