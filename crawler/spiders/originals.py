"""The ``originals`` spider: a publication's sitemaps and feeds → its article pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from matcher import canonical_url

from ..items import ArticlePage
from . import RepostwatchSpider
from .listing import read_listing

__all__ = ["IMPORT_COUNTS", "OriginalsSpider", "import_counts", "import_problem"]

IMPORT_COUNTS = ("added", "updated", "unchanged", "no_text")
"""What an originals crawl counts (stats ``repostwatch/originals/<name>``): articles stored new,
stored again changed, found unchanged, and pages whose article text could not be extracted."""


def import_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The ``IMPORT_COUNTS`` of one originals crawl's stats."""
    return {k: int(stats.get(f"repostwatch/originals/{k}", 0) or 0) for k in IMPORT_COUNTS}


def import_problem(stats: Mapping[str, Any], source: str) -> str | None:
    """"no articles found at SOURCE (it answered HTTP 404)" when an originals crawl of
    ``source`` found no article at all (a wrong sitemap URL, a feed that moved); None when it
    found some. The answers named are the source's and its pages', not robots.txt's."""
    counts = import_counts(stats)
    if counts["added"] or counts["updated"] or counts["unchanged"]:
        return None
    answers = {}
    for key, count in stats.items():
        if key.startswith("downloader/response_status_count/"):
            status = key.rsplit("/", 1)[-1]
            n = int(count or 0) - int(stats.get(f"robotstxt/response_status_count/{status}", 0)
                                      or 0)
            if n > 0:
                answers[status] = n
    if not answers:
        return f"no articles found at {source}"
    if sum(answers.values()) == 1:
        return f"no articles found at {source} (it answered HTTP {next(iter(answers))})"
    listed = ", ".join(f"{n} × HTTP {s}" for s, n in sorted(answers.items()))
    return f"no articles found at {source} (answers: {listed})"


class OriginalsSpider(RepostwatchSpider):
    """Fetch every article listed by the sources of one publication.

    Arguments (``-a`` with ``scrapy crawl``): ``publication`` (name; optional with one
    configured), ``source`` (one sitemap or feed URL; default: the publication's ``originals``).
    Sitemap indexes are followed; gzipped sitemaps are unpacked; RSS and Atom feeds are read.

    Articles already stored are fetched only when they may have changed: a sitemap entry whose
    ``<lastmod>`` is not newer than at the last fetch is skipped, and the others are asked for
    with If-None-Match / If-Modified-Since. Both count as ``repostwatch/originals/unchanged``
    (and ``.../lastmod_unchanged`` or ``.../not_modified``); nothing of them is re-extracted.
    """

    name = "originals"

    def __init__(self, publication: str | None = None, source: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.publication = publication
        self.source = source
        self.validators: dict[str, Any] = {}  # url_key → repostwatch.store.Validators

    async def start(self) -> AsyncIterator[Any]:
        config = self.repostwatch_config()
        pub = config.publication(self.publication)
        self.validators = await asyncio.to_thread(_load_validators, config.database_url,
                                                  pub.name)
        sources = [self.source] if self.source else list(pub.originals)
        if not sources:
            self.logger.error("publication %r has no `originals` sources configured", pub.name)
        for url in sources:
            yield Request(url, callback=self.parse_source, cb_kwargs={"publication": pub.name})

    def parse_source(self, response: Response, publication: str) -> Iterator[Request | ArticlePage]:
        kwargs = {"publication": publication}
        listing = read_listing(response, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        if listing is None:
            if isinstance(response, TextResponse):
                yield from self.parse_article(response, publication)  # a single article URL
            else:
                self.logger.error("%s is neither a sitemap, a feed nor an HTML page",
                                  response.url)
        elif listing.kind == "index":
            for url in listing.urls:
                yield Request(url, callback=self.parse_source, cb_kwargs=kwargs)
        else:
            # the import's total, for its progress line (crawler.progress)
            self.crawler.stats.inc_value("repostwatch/originals/listed", len(listing.urls))
            for url in listing.urls:
                request = self._article_request(url, publication, listing.lastmod.get(url))
                if request is not None:
                    yield request

    def _article_request(self, url: str, publication: str,
                         lastmod: datetime | None) -> Request | None:
        """The request for an article, conditional when it is stored; None when the sitemap
        says it has not changed since it was fetched."""
        known = self.validators.get(canonical_url(url))
        kwargs = {"publication": publication, "lastmod": lastmod}
        if known is None:
            return Request(url, callback=self.parse_article, cb_kwargs=kwargs)
        if lastmod is not None and known.lastmod is not None and lastmod <= known.lastmod:
            self._count("lastmod_unchanged")
            return None
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return Request(url, callback=self.parse_article, cb_kwargs=kwargs, headers=headers,
                       meta={"handle_httpstatus_list": [304]})

    def _count(self, how: str) -> None:
        stats = self.crawler.stats
        stats.inc_value("repostwatch/originals/unchanged")
        stats.inc_value(f"repostwatch/originals/{how}")

    def parse_article(self, response: Response, publication: str,
                      lastmod: datetime | None = None) -> Iterator[ArticlePage]:
        if response.status == 304:
            self._count("not_modified")
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("skipping %s: not a text page", response.url)
            return
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        yield ArticlePage(
            publication=publication,
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            html=response.text,
            fetched_at=datetime.now(UTC),
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None,
            lastmod=lastmod,
        )


def _load_validators(database_url: str, publication: str) -> dict[str, Any]:
    from repostwatch.store import Store

    with Store.open(database_url) as store:
        return dict(store.original_validators(publication))
