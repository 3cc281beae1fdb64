"""``repostwatch run``: one whole cycle, for cron and timers.

Stages, in order, in one process (a Twisted reactor runs once per process, so every crawl
of the cycle is one ``run_crawls`` call): sync the originals (the publications' configured
sitemaps and feeds), discover (the ``[[watch]]`` sites, and search when ``[search] url`` is
set), recheck the open findings, then write the report. A stage that fails does not stop the
later ones (a broken feed must not hide this week's copies); the cycle's exit code says that
one failed.

Runs never overlap, nor a run and a crawl: the cycle holds ``repostwatch.locks.run_lock`` on
``[crawl] job_dir`` for its whole length (a ``flock`` the kernel releases when the process
ends, however it ends, so a crashed or killed run never leaves a stale lock behind).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import Config
from .locks import run_lock

__all__ = ["Stage", "cycle_jobs", "report_stage", "run_lock", "stage_summary"]


@dataclass(frozen=True)
class Stage:
    """One crawl of the cycle: its name for the summary, its job, and for an originals stage
    the source it reads."""

    name: str
    job: Any  # crawler.runner.CrawlJob
    source: str | None = None


def cycle_jobs(config: Config) -> list[Stage]:
    """The crawls of one cycle, in order (see the module docstring)."""
    from crawler.runner import CrawlJob
    from crawler.spiders.originals import OriginalsSpider
    from crawler.spiders.recheck import RecheckSpider
    from crawler.spiders.search import SearchSpider
    from crawler.spiders.watch import WatchSpider

    stages = [Stage(f"originals {url}", CrawlJob(OriginalsSpider,
                                                   {"publication": p.name, "source": url}),
                    source=url)
              for p in config.publications for url in p.originals]
    if config.watch:
        stages.append(Stage("watch", CrawlJob(WatchSpider, {})))
    if config.search.url:
        stages.append(Stage("search", CrawlJob(SearchSpider, {})))
    stages.append(Stage("recheck", CrawlJob(RecheckSpider, {})))
    return stages


def stage_summary(stage: Stage, result: Any) -> tuple[str, str | None]:
    """One line about a finished stage, and its problem (None when it went well)."""
    from crawler.runner import crawl_failed
    from crawler.spiders.originals import import_counts, import_problem

    problem = crawl_failed(result)
    if stage.source is not None:  # an import: what it found, not what it judged
        problem = problem or import_problem(result.stats, stage.source)
        found = ", ".join(f"{n} {k.replace('_', ' ')}"
                          for k, n in import_counts(result.stats).items() if n)
        return f"{stage.name}: {problem or 'ok'} ({found or 'no articles'})", problem
    copies = result.get("repostwatch/verdict/repost") + result.get("repostwatch/verdict/excerpt")
    line = (f"{stage.name}: {problem or 'ok'} (pages judged "
            f"{result.get('repostwatch/pages_judged')}, copies {copies})")
    return line, problem


def report_stage(config: Config, fmt: str) -> tuple[str, str | None]:
    """The cycle's report (since the previous one), through ``reports.produce_report`` like
    ``repostwatch report``: one line about it, and its problem (None when it went well)."""
    from crawler.polite import PoliteFetcher
    from reports import DeliveryError, produce_report

    from .store import Store

    fetch = PoliteFetcher(config.crawl).pages if config.report.outreach else None
    try:
        with Store.open(config.database_url) as store:
            done = produce_report(store, config, fmt=fmt, fetch=fetch)
    except DeliveryError as exc:
        return f"report: {exc}", "report delivery failed"
    sent = f", delivered ({', '.join(done.delivery)})" if done.delivery else ""
    return (f"report: {len(done.report.rows)} copies lacking credit, written to "
            f"{done.paths[0]}{sent}"), None
