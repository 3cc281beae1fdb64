"""The matcher: HTML in, judgements out. Pure: no network, database, files, Scrapy or aiohttp.

    page = Page(url, html)
    index = FingerprintIndex(); index.add(Original(...))
    result = assess(page, index, {"Daily Planet": CreditRule("Daily Planet", domains=("dp.test",))})
"""

from __future__ import annotations

from .align import Alignment, Passage, align
from .article import Article, extract_article
from .assess import Assessment, Verdict, assess
from .credit import (
    CREDIT_MET,
    CREDIT_STATUSES,
    Credit,
    CreditStatus,
    Signal,
    allowed_credit,
    check_credit,
    decide,
    lacks_credit,
)
from .index import Candidate, FingerprintIndex
from .original import Original
from .page import Link, Page
from .rules import CREDIT_MODES, CreditMode, CreditRule, Thresholds
from .text import Tokens, tokenize
from .urls import canonical_url, host_matches, host_of, site_of

__all__ = [
    "CREDIT_MET",
    "CREDIT_MODES",
    "CREDIT_STATUSES",
    "Alignment",
    "Article",
    "Assessment",
    "Candidate",
    "Credit",
    "CreditMode",
    "CreditRule",
    "CreditStatus",
    "FingerprintIndex",
    "Link",
    "Original",
    "Page",
    "Passage",
    "Signal",
    "Thresholds",
    "Tokens",
    "Verdict",
    "align",
    "allowed_credit",
    "assess",
    "canonical_url",
    "check_credit",
    "decide",
    "extract_article",
    "host_matches",
    "host_of",
    "lacks_credit",
    "site_of",
    "tokenize",
]
