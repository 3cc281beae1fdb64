"""The pipeline: fetched pages → ``matcher.assess`` → the store; article pages → originals.

Database work and judging run in worker threads (``asyncio.to_thread``) so the crawl's event
loop keeps downloading meanwhile; writes are serialised by a lock (one writer is what SQLite
wants, and it keeps PostgreSQL transactions short). Threads share one core (the GIL): with
the setting ``REPOSTWATCH_JUDGE_PROCESSES`` = N > 0, pages of the ``watch``/``recheck``/
``search`` spiders are judged *and* recorded in N worker processes instead (each with its own
store connection and the index, memory-mapped from the index cache), which lets the crawl use
a second core (``benchmarks/crawl.py`` measures both). Either way pages are recorded in
batches, one transaction each (``batches.Batcher``: a page's item is done once its batch is
written, so a graceful stop loses none). Counts go to the crawl stats under
``repostwatch/``; the CLI derives its exit code and summary from them.

When the store fails (the database is gone, the disk full, the server down), the pipeline logs
one error and closes the crawl (finish reason ``STORE_FAILED``): downloading on would fetch
pages that cannot be recorded. Items still in flight are let go without a word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from matcher import CreditRule, FingerprintIndex, extract_article, tokenize
from repostwatch.config import Config, load_config
from repostwatch.errors import StoreError
from repostwatch.store import PageRecord, Store, Validators
from repostwatch.store.reviews import allowed_rules

from .batches import BATCH_DELAY_S, BATCH_PAGES, Batcher
from .items import ArticlePage, FetchedPage
from .judges import JUDGE_PROCESSES_SETTING, Judges, judging_processes
from .judging import Outcome, judge, outcome_of, page_of
from .runner import STORE_FAILED

__all__ = ["JUDGE_PROCESSES_SETTING", "StorePipeline"]

logger = logging.getLogger(__name__)

# Sent to judging processes, a batch is also the unit of work: smaller than a batch recorded
# in threads (BATCH_PAGES), so that every process has one while the next fills.
PROCESS_BATCH_PAGES = 16


class StorePipeline:
    """Judge and store every page a spider yields."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config: Config | None = None
        self.store: Store | None = None
        self.index: FingerprintIndex | None = None
        self.rules: dict[str, CreditRule] = {}  # the config's, with the store's allow-list
        self.run_id: int | None = None
        self._lock = asyncio.Lock()
        self._processes = 0  # judging processes (``judging_processes``), set on opening
        self._judges: Judges | None = None
        self._store_failed: StoreError | None = None
        self._closing: asyncio.Future[None] | None = None
        self._judged: Batcher[FetchedPage, Outcome] | None = None  # judging processes
        self._recorded = Batcher(self._record, size=BATCH_PAGES, delay=BATCH_DELAY_S)

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
        self.rules = await asyncio.to_thread(allowed_rules, self.store, self.config.rules)
        spider = self.crawler.spider
        name = spider.name if spider is not None else "crawl"
        self._processes = judging_processes(name, self.crawler.settings)
        if name != "originals":
            self.index = await asyncio.to_thread(
                self.store.load_index, cache_dir=self.config.index_cache)
            self._stats.set_value("repostwatch/originals_indexed", len(self.index))
            if self._processes > 0:  # after load_index: the processes read its cache
                # Spawned ahead by the runner (``run_crawls``), they have imported what they
                # need while Scrapy started; else spawned now, while the crawl reads robots.txt
                # and its first pages (each takes ~0.6 s to start).
                self._judges = Judges.for_crawl(self.config, self._processes)
                self._stats.set_value("repostwatch/judges_spawned_ahead", int(self._judges.ahead))
                await self._judges.start()
                # Two batches a process under way: one judged, one waiting in its pipe, so
                # that a process never waits for the crawl to send the next.
                self._judged = Batcher(self._judge_in_processes, size=PROCESS_BATCH_PAGES,
                                       delay=BATCH_DELAY_S, eager=2 * self._processes)
        self.run_id = await asyncio.to_thread(self.store.start_run, name)

    async def close_spider(self) -> None:
        """Every page in hand is recorded before the run ends (a graceful stop included)."""
        if self._judged is not None:
            await self._judged.drain()
        await self._recorded.drain()

    async def _finish_run(self, spider: Any, reason: str) -> None:
        """Record the run's end: ``interrupted`` (Ctrl-C: resumable), ``failed`` (closed for
        another reason, or errors of our own logged) or ``finished``; keep its stats."""
        if self._judges is not None:  # every item is processed by now
            await self._judges.close()
            self._judges = None
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
            try:
                await asyncio.to_thread(self.store.finish_run, self.run_id, status, stats)
            except StoreError as exc:  # the run stays "running": the next crawl marks it
                if self._store_failed is None:
                    logger.error("could not record the end of the crawl: %s", exc)
        self.store.close()
        self.store = None

    async def process_item(self, item: Any) -> Any:
        if self._store_failed is not None:
            return item  # the crawl is closing: nothing can be recorded
        try:
            if isinstance(item, FetchedPage):
                await self._judge(item)
            elif isinstance(item, ArticlePage):
                await self._save_original(item)
        except StoreError as exc:
            self._stop(exc)
        except BrokenProcessPool as exc:  # a judging process died, or could not open the store
            self._stop(StoreError(f"a judging process failed ({exc}); its error is above"))
        return item

    def _stop(self, exc: StoreError) -> None:
        """The store failed: say so once, and close the crawl."""
        if self._store_failed is not None:
            return
        self._store_failed = exc
        logger.error("the store failed, so the crawl stops (what was stored is kept): %s", exc)
        engine = self.crawler.engine
        if engine is not None:  # not awaited: closing waits for this very item to be done
            self._closing = asyncio.ensure_future(engine.close_spider_async(reason=STORE_FAILED))

    async def _judge(self, item: FetchedPage) -> None:
        """Judge a page and store it with its evidence (in a batch); a page answering 404 /
        410 is not judged: it is gone, and so are the copies it held."""
        assert self.config is not None and self.index is not None
        if self._judged is not None:
            outcome = await self._judged.submit(item)
        else:
            page = page_of(item)  # one parse serves the judgement and the record
            result = await asyncio.to_thread(judge, page, item.status, self.index, self.rules,
                                             self.config)
            outcome = await self._recorded.submit(PageRecord(
                result, page, status=item.status, run_id=self.run_id,
                headers=item.headers, body=item.body, encoding=item.encoding))
        self._count(outcome)

    async def _record(self, records: Sequence[PageRecord]) -> list[Outcome]:
        """Record a batch of judged pages in one transaction (in a thread, one at a time)."""
        assert self.store is not None
        async with self._lock:
            recorded = await asyncio.to_thread(self.store.record_pages, records)
        return [outcome_of(r.result, done) for r, done in zip(records, recorded, strict=True)]

    async def _judge_in_processes(self, items: Sequence[FetchedPage]) -> list[Outcome]:
        """Judge and record a batch of pages in one of the judging processes."""
        assert self._judges is not None
        return await self._judges.judge(items, self.run_id)

    def _count(self, outcome: Outcome) -> None:
        if outcome.gone:
            self._stats.inc_value("repostwatch/gone", outcome.gone)
        if outcome.evidence_kept:
            self._stats.inc_value("repostwatch/evidence_kept")
        if not outcome.judged:
            self._stats.inc_value("repostwatch/pages_gone")
            return
        self._stats.inc_value("repostwatch/pages_judged")
        if outcome.credit_status is not None:
            self._stats.inc_value(f"repostwatch/verdict/{outcome.verdict}")
            self._stats.inc_value(f"repostwatch/credit/{outcome.credit_status}")
            if outcome.lacks_credit:
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
                rule=self.rules.get(item.publication),
            )
            await asyncio.to_thread(  # what the next import sends for a conditional GET
                self.store.set_original_validators, item.url,
                Validators(item.etag, item.last_modified, item.lastmod),
            )
        self._stats.inc_value(f"repostwatch/originals/{outcome}")
