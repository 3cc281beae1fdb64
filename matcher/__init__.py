"""The matcher: HTML in, judgements out. Pure: no network, database, files, Scrapy or aiohttp.

    page = Page(url, html)
    index = FingerprintIndex(); index.add(Original(...))
    result = assess(page, index, {"Daily Planet": CreditRule("Daily Planet", domains=("dp.test",))})
"""

from __future__ import annotations

from .align import Alignment, Passage, align
from .article import Article, extract_article
from .assess import SCHEMA_VERSION, Assessment, Verdict, assess
from .credit import (
    CREDIT_MET,
    CREDIT_STATUSES,
    KEPT_APART,
    Credit,
    CreditStatus,
    KeptApart,
    Signal,
    allowed_credit,
    check_credit,
    decide,
    kept_apart,
    lacks_credit,
)
from .index import MAX_POSTINGS, Candidate, FingerprintIndex
from .original import Original
from .page import Link, Page
from .rules import CREDIT_MODES, CreditMode, CreditRule, Thresholds
from .source import SourceDecision, SourceMark, detect_source
from .text import Tokens, tokenize
from .urls import canonical_url, host_matches, host_of, site_of, web_address
from .wires import WIRES, Wire, find_wire

__all__ = [
    "CREDIT_MET",
    "CREDIT_MODES",
    "CREDIT_STATUSES",
    "KEPT_APART",
    "MAX_POSTINGS",
    "SCHEMA_VERSION",
    "WIRES",
    "Alignment",
    "Article",
    "Assessment",
    "Candidate",
    "Credit",
    "CreditMode",
    "CreditRule",
    "CreditStatus",
    "FingerprintIndex",
    "KeptApart",
    "Link",
    "Original",
    "Page",
    "Passage",
    "Signal",
    "SourceDecision",
    "SourceMark",
    "Thresholds",
    "Tokens",
    "Verdict",
    "Wire",
    "align",
    "allowed_credit",
    "assess",
    "canonical_url",
    "check_credit",
    "decide",
    "detect_source",
    "extract_article",
    "find_wire",
    "host_matches",
    "host_of",
    "kept_apart",
    "lacks_credit",
    "site_of",
    "tokenize",
    "web_address",
]
