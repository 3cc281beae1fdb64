"""A store of many findings, built fast with bulk inserts, for the review UI's benchmark.

    build_review_store("sqlite:///big.db", findings=100_000)

The rows look like a real store's: a few publications with originals, pages spread over sites
(a long tail: a few sites hold many copies), findings with every verdict, credit status and
review state, a year of ``first_seen``/``last_checked``, credit evidence and passages. Texts
and fingerprints are stubs: the list pages never read them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from matcher import CREDIT_STATUSES
from repostwatch.store import Store
from repostwatch.store.models import FindingRow, OriginalRow, PageRow, PublicationRow

__all__ = ["PUBLICATIONS", "build_review_store"]

PUBLICATIONS = ("The Daily Planet", "Gotham Gazette", "Metropolis Herald")
_STATES = ("new",) * 6 + ("confirmed", "contacted", "resolved", "false_positive", "gone")
_BATCH = 10_000
# Real findings carry their evidence (~200 bytes of signals) and passages (~5 KB: the longest
# passage on both sides, and the spans): a list that reads whole rows would pay for it.
_PASSAGE = ("The harbour authority said on Tuesday that the old grain pier would close to the "
            "public at the end of the month, after engineers found the pilings had rotted. ") * 14


def build_review_store(url: str, *, findings: int = 100_000, originals: int = 2_000,
                       sites: int = 800, seed: int = 8) -> Store:
    """Open (and migrate) the store at ``url`` and fill it; returns the open store."""
    rng = random.Random(seed)
    store = Store.open(url)
    now = datetime(2026, 11, 28, tzinfo=UTC)
    with store.session() as s:
        s.execute(insert(PublicationRow), [{"name": n, "created_at": now} for n in PUBLICATIONS])
        s.execute(insert(OriginalRow), [{
            "publication_id": 1 + i % len(PUBLICATIONS),
            "url": f"https://pub{i % len(PUBLICATIONS)}.example/news/{i}.html",
            "url_key": f"pub{i % len(PUBLICATIONS)}.example/news/{i}.html",
            "title": f"Article number {i} about the harbour", "text": "stub", "text_hash": "0",
            "fingerprints": b"", "added_at": now, "updated_at": now,
        } for i in range(originals)])
    # a long tail: site k holds about 1/(k+1) of the copies (Zipf-like)
    weights = [1 / (k + 1) for k in range(sites)]
    site_of = rng.choices(range(sites), weights=weights, k=findings)
    for start in range(0, findings, _BATCH):
        stop = min(findings, start + _BATCH)
        pages, rows = [], []
        for i in range(start, stop):
            site = f"site{site_of[i]}.example"
            seen = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            checked = seen + timedelta(minutes=rng.randrange(int((now - seen).total_seconds()
                                                                 // 60) + 1))
            pages.append({
                "url": f"https://{site}/story/{i}", "url_key": f"{site}/story/{i}",
                "final_url": f"https://{site}/story/{i}", "site": site,
                "title": f"Story {i} on {site}", "status": 200, "html_hash": "0",
                "fetched_at": checked,
            })
            credit = rng.choice(CREDIT_STATUSES)
            repost = rng.random() < 0.7
            rows.append({
                "original_id": 1 + rng.randrange(originals), "page_id": i + 1, "site": site,
                "verdict": "repost" if repost else "excerpt",
                "extent": ("full" if rng.random() < 0.5 else "partial") if repost else None,
                "coverage": round(rng.uniform(0.25, 1.0) if repost else rng.uniform(0.02, 0.25),
                                  4),
                "longest_words": rng.randrange(40, 900), "credit_status": credit,
                "credit_reason": f"Stub reason for {credit}.",
                "evidence": {"signals": [{"kind": "name", "value": "Daily Planet",
                                          "where": "footer", "in_article": False,
                                          "nofollow": False, "hidden": False}]},
                "passages": {"longest": {"words": 380, "similarity": 1.0,
                                         "page_text": _PASSAGE, "original_text": _PASSAGE},
                             "spans": [{"original_start": 0, "original_end": 2400,
                                        "page_start": 512, "page_end": 2912, "words": 380,
                                        "similarity": 1.0}]},
                "review_state": rng.choice(_STATES), "first_seen": seen, "last_checked": checked,
            })
        with store.session() as s:
            s.execute(insert(PageRow), pages)
            s.execute(insert(FindingRow), rows)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # planner statistics, as a long-lived database has
    return store
