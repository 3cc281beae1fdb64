"""What spiders hand to pipelines: fetched pages, nothing judged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ArticlePage", "FetchedPage"]


@dataclass(frozen=True)
class FetchedPage:
    """A page of a watched site (or a search result) to be judged by ``assess``."""

    url: str
    final_url: str
    status: int
    html: str
    fetched_at: datetime


@dataclass(frozen=True)
class ArticlePage:
    """An article page of a publication, to be stored as an original."""

    publication: str
    url: str
    final_url: str
    html: str
    fetched_at: datetime
