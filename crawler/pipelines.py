"""The pipeline: fetched pages → ``matcher.assess`` → the store; article pages → originals.

Database work and judging run in worker threads (``asyncio.to_thread``) so the crawl's event
loop keeps downloading meanwhile; writes are serialised by a lock (one writer is what SQLite
wants, and it keeps PostgreSQL transactions short). Counts go to the crawl stats under
``repostwatch/``; the CLI derives its exit code and summary from them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from matcher import FingerprintIndex, Page, assess, extract_article, tokenize

from .config import Config, load_config
from .items import GONE_STATUSES, ArticlePage, FetchedPage
from .store import Store, Validators

__all__ = ["StorePipeline"]

logger = logging.getLogger(__name__)


class StorePipeline:
    """Judge and store every page a spider yields."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config: Config | None = None
        self.store: Store | None = None
        self.index: FingerprintIndex | None = None
        self.run_id: int | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        # The run is finished on spider_closed, which (unlike close_spider) says why it closed.
        crawler.signals.connect(pipeline._finish_run, signal=signals.spider_closed)
        return pipeline

    @property
    def _stats(self) -> Any:
        return self.crawler.stats

    async def open_spider(self) -> None:
        self.config = load_config(self.crawler.settings.get("REPOSTWATCH_CONFIG"))
        self.store = await asyncio.to_thread(Store.open, self.config.database_url)
        await asyncio.to_thread(self.store.ensure_publications, self.config.rules.values())
        spider = self.crawler.spider
        name = spider.name if spider is not None else "crawl"
        if name != "originals":
            self.index = await asyncio.to_thread(
                self.store.load_index, cache_dir=self.config.index_cache)
            self._stats.set_value("repostwatch/originals_indexed", len(self.index))
        self.run_id = await asyncio.to_thread(self.store.start_run, name)

    async def _finish_run(self, spider: Any, reason: str) -> None:
        """Record the run's end: ``interrupted`` (Ctrl-C: resumable), ``failed`` (closed for
        another reason, or errors of our own logged) or ``finished``; keep its stats."""
        if self.store is None:
            return
        stats = {k: v for k, v in self._stats.get_stats().items()
                 if isinstance(v, int | float | str)}
        stats["finish_reason"] = reason
        if reason == "shutdown":
            status = "interrupted"
        elif reason != "finished" or int(stats.get("log_count/ERROR", 0)) > 0:
            status = "failed"
        else:
            status = "finished"
        if self.run_id is not None:
            await asyncio.to_thread(self.store.finish_run, self.run_id, status, stats)
        self.store.close()
        self.store = None

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage):
            await self._judge(item)
        elif isinstance(item, ArticlePage):
            await self._save_original(item)
        return item

    async def _judge(self, item: FetchedPage) -> None:
        """Judge a page and store it with its evidence; a page answering 404 / 410 is not
        judged: it is gone, and so are the copies it held."""
        assert self.config is not None and self.store is not None and self.index is not None
        page = Page(item.url, item.html, final_url=item.final_url, fetched_at=item.fetched_at)
        result = None
        if item.status not in GONE_STATUSES:
            result = await asyncio.to_thread(
                assess, page, self.index, self.config.rules, thresholds=self.config.thresholds
            )
        async with self._lock:
            outcome = await asyncio.to_thread(
                self.store.record_page, result, page, status=item.status, run_id=self.run_id,
                headers=item.headers, body=item.body, encoding=item.encoding,
            )
        if outcome.gone:
            self._stats.inc_value("repostwatch/gone", outcome.gone)
        if outcome.version_id is not None:
            self._stats.inc_value("repostwatch/evidence_kept")
        if result is None:
            self._stats.inc_value("repostwatch/pages_gone")
            return
        self._stats.inc_value("repostwatch/pages_judged")
        if result.is_copy and result.credit is not None:
            self._stats.inc_value(f"repostwatch/verdict/{result.verdict}")
            self._stats.inc_value(f"repostwatch/credit/{result.credit.status}")
            if result.lacks_credit:
                self._stats.inc_value("repostwatch/lacking_credit")

    async def _save_original(self, item: ArticlePage) -> None:
        assert self.store is not None
        article = await asyncio.to_thread(extract_article, item.html, item.final_url)
        assert self.config is not None
        words = len(tokenize(article.text))
        if words < self.config.thresholds.min_original_words:
            self._stats.inc_value("repostwatch/originals/no_text")
            raise DropItem(f"no article found on {item.url} ({words} words of text)")
        async with self._lock:
            _, outcome = await asyncio.to_thread(
                self.store.upsert_original,
                publication=item.publication, url=item.url, title=article.title,
                text=article.text, author=article.author, published=article.published,
            )
            await asyncio.to_thread(  # what the next import sends for a conditional GET
                self.store.set_original_validators, item.url,
                Validators(item.etag, item.last_modified, item.lastmod),
            )
        self._stats.inc_value(f"repostwatch/originals/{outcome}")
