"""The JSON report: the whole report for machines. Keys are stable; new keys may be added.

    {
      "generated_at": "2026-11-28T09:30:00Z",      ISO 8601 UTC
      "publication":  "The Daily Planet" | null,   the filter, null = all publications
      "since":        "2026-11-01T00:00:00Z" | null,  the period's start (null: the beginning)
      "totals": {                                  counts (integers)
        "pages", "originals",                      store-wide: pages checked, originals known
        "findings", "reposts", "excerpts",         copies found (in the filter)
        "lacking_credit", "credited",              credited = credited or allowed
        "kept_apart",                              not chased, whatever their credit (below)
        "syndicated", "kept_syndicated", "kept_earlier",
        "credit_credited", "credit_allowed", "credit_partial",
        "credit_uncredited", "credit_misattributed"
      },                                           findings = credited + lacking_credit + kept_apart
      "credited_share": 0.5,                       credited / (credited + lacking_credit), 0..1
      "sites": [                                   most copies lacking credit first
        {"site", "copies", "lacking_credit", "kept_apart", "credited_share" (0..1),
         "first_seen", "last_seen" (ISO 8601 UTC)}
      ],
      "findings": [                                copies lacking credit, most severe first
        {"id": finding id in the store,
         the CSV columns (see ``reports.csv_report``): "page_url", "site", "original_url",
           "original_title", "publication", "verdict", "extent" (null for an excerpt),
           "coverage" (number 0..1), "credit_status", "credit_reason", "review_state",
           "first_seen", "last_checked" (ISO 8601 UTC), "longest_passage" (text or null),
           "source" (the wire, or null), "kept_apart" (null here), "page_published",
           "original_published" (ISO 8601 UTC or null),
         "evidence": [{"kind", "value", "where", "in_article", "nofollow", "hidden"}]}
      ],
      "until": "2026-11-28T09:30:00Z",             the period's end (ISO 8601 UTC)
      "changes": {"new", "still_open", "resolved", "gone"},   in the period (integers)
      "compliance": [{"at", "copies", "credited", "share" (0..1)}],  over time, oldest first
      "outreach": [                                one credit request per site and publication
        {"site", "publication", "subject", "repost_rule",
         "contacts": [{"kind": "email" | "page", "value", "found_on", "where"}],
         "copies": [{"page_url", "original_title", "original_url", "verdict", "extent",
                     "coverage", "credit_status", "credit_reason", "credit_line"}],
         "text": the letter as plain text}
      ],
      "kept_apart": [                              open copies not chased (wire stories, earlier)
        {the same keys as "findings"; "kept_apart": "syndicated" | "earlier"}
      ],
      "kept_apart_why": {"syndicated": "...", "earlier": "..."},   why, in plain words
    }

Text is not escaped for any other medium: a consumer that puts it in HTML must escape it.
"""

from __future__ import annotations

import json
from typing import Any

from .build import APART_WHY, Report, SiteSummary, finding_fields, iso
from .outreach import letter_dict

__all__ = ["render_json", "report_dict"]


def _site(s: SiteSummary) -> dict[str, Any]:
    return {
        "site": s.site,
        "copies": s.copies,
        "lacking_credit": s.lacking_credit,
        "kept_apart": s.kept_apart,
        "credited_share": round(s.credited_share, 4),
        "first_seen": iso(s.first_seen),
        "last_seen": iso(s.last_seen),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (the structure in the module docstring)."""
    return {
        "generated_at": iso(report.generated_at),
        "publication": report.publication,
        "since": iso(report.since),
        "totals": dict(report.totals),
        "credited_share": round(report.credited_share, 4),
        "sites": [_site(s) for s in report.sites],
        "findings": [
            {"id": f.id, **finding_fields(f), "evidence": [dict(e) for e in f.evidence]}
            for f in report.rows
        ],
        "until": iso(report.period_end),
        "changes": {"new": report.changes.new, "still_open": report.changes.still_open,
                    "resolved": report.changes.resolved, "gone": report.changes.gone},
        "compliance": [{"at": iso(p.at), "copies": p.copies, "credited": p.credited,
                        "share": round(p.share, 4)} for p in report.compliance],
        "outreach": [letter_dict(letter) for letter in report.letters],
        "kept_apart": [
            {"id": f.id, **finding_fields(f), "evidence": [dict(e) for e in f.evidence]}
            for f in report.apart
        ],
        "kept_apart_why": dict(APART_WHY),
    }


def render_json(report: Report) -> str:
    """The report as indented UTF-8 JSON text ending with a newline."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
