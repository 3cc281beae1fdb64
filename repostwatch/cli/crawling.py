"""``repostwatch crawl | recheck | search``: discovery runs on Scrapy, judged and stored.

Each runs its spider through ``state.run_crawl``: one summary of the stats, exit 3 when the
run failed (docs/cli.md).
"""

from __future__ import annotations

import re
from typing import Any

import click

from repostwatch.errors import Interrupted, UsageError

from .state import State, err, json_option, print_crawl_summary, run_crawl

__all__ = ["crawl", "recheck", "search"]


@click.command()
@click.option("--site", metavar="URL", help="Crawl only this site instead of [[watch]].")
@click.option("--resume", is_flag=True,
              help="Continue the crawl that was interrupted (Ctrl-C) where it stopped.")
@click.option("--distributed", "redis_url", metavar="REDIS_URL",
              help="Run as one worker of a fleet sharing this Redis "
                   "(redis://[user:password@]host:port/db; default: [distributed] redis_url, "
                   "env REPOSTWATCH_REDIS_URL). Needs a PostgreSQL store.")
@json_option
@click.pass_obj
def crawl(state: State, site: str | None, resume: bool, redis_url: str | None,
          as_json: bool) -> None:
    """Crawl the watched sites with Scrapy, judge every page, store the findings.

    An interrupted crawl keeps its queue in [crawl] job_dir; --resume continues it without
    fetching again what it finished. Without --resume a new crawl starts from the beginning.
    With --distributed, start the same command on as many machines as you like: the workers
    share one queue in Redis, and each ends when the whole crawl is done (docs/scaling.md).

    Example: repostwatch crawl --site https://aggregator.example/
    """
    config = state.config
    state.require_publications()
    if site is not None and not re.match(r"https?://[^/\s]+", site):
        raise UsageError(f"--site {site!r} is not an http(s) URL",
                         hint="e.g. --site https://aggregator.example/")
    redis_url = redis_url or config.distributed.redis_url
    if redis_url:
        _crawl_distributed(state, site, resume, redis_url, as_json)
        return
    # one watch crawl at a time (with or without --site: a whole crawl covers the sites)
    with state.job_lock("crawl"):
        _crawl_alone(state, site, resume, as_json)


def _crawl_alone(state: State, site: str | None, resume: bool, as_json: bool) -> None:
    """``crawl`` on this machine alone: its queue in ``[crawl] job_dir``, resumable."""
    import hashlib
    import shutil

    from crawler.runner import CrawlJob
    from crawler.spiders.watch import WatchSpider
    from matcher import canonical_url

    config = state.config
    state.preflight(need_watch=site is None)
    # one folder per --site, so resuming one site never replays another's queue
    key = hashlib.sha256(canonical_url(site).encode()).hexdigest()[:16] if site else ""
    jobdir = config.job_dir(f"watch-{key}" if site else "watch")
    if resume and not jobdir.exists():
        err("nothing to resume: starting a new crawl")
    elif resume and _last_run_unfinished(state, "watch"):
        raise UsageError(
            "the interrupted crawl did not stop cleanly (it was killed, or stopped at once by "
            "a second Ctrl-C): its queue cannot be resumed",
            hint="run `repostwatch crawl` without --resume to start over; what was stored "
                 "stays stored")
    elif not resume and jobdir.exists():
        err("discarding the interrupted crawl (pass --resume to continue it instead)")
        shutil.rmtree(jobdir)

    def summary(stats: dict[str, Any]) -> None:
        print_crawl_summary(stats)
        if stats.get("finish_reason") == "finished":
            shutil.rmtree(jobdir, ignore_errors=True)  # done: nothing left to resume

    again = f"repostwatch crawl{f' --site {site}' if site else ''}"
    try:
        run_crawl(state, [CrawlJob(WatchSpider, {"url": site} if site else {}, jobdir=jobdir)],
                  what="the crawl", summary=summary, as_json=as_json,
                  extra=lambda _: {"site": site, "resumed": resume})
    except Interrupted as exc:  # say what is true: only a graceful stop saved the queue
        exc.advice = (f"the crawl stopped at once (a second Ctrl-C) without saving its queue, "
                      f"so it cannot be resumed: `{again}` starts it over" if exc.at_once
                      else f"`{again} --resume` continues the crawl where it stopped")
        raise


def _crawl_distributed(state: State, site: str | None, resume: bool, redis_url: str,
                       as_json: bool) -> None:
    """``crawl --distributed``: this process is one worker of the fleet on ``redis_url``."""
    from crawler.distributed import (
        REDIS_URL_SETTING,
        check_redis,
        public_url,
        require_shared_store,
    )
    from crawler.runner import CrawlJob
    from crawler.spiders.watch import WatchSpider

    config = state.config
    if resume:
        raise UsageError("--resume does not apply to a distributed crawl",
                         hint="start the worker again: a fleet's crawl in Redis is resumed "
                              "by any worker that joins it")
    if not re.match(r"(redis|rediss|unix)://", redis_url):
        raise UsageError(f"--distributed {redis_url!r} is not a Redis URL",
                         hint="use redis://[user:password@]host:port/db")
    require_shared_store(config)
    check_redis(redis_url)
    state.preflight(need_watch=site is None)

    def summary(stats: dict[str, Any]) -> None:
        print_crawl_summary(stats)
        n = int(stats.get("downloader/response_count", 0) or 0)
        requeued = int(stats.get("repostwatch/fleet/requeued", 0) or 0)
        err(f"worker {stats.get('repostwatch/fleet/worker', '?')} of the fleet at "
            f"{public_url(redis_url)} (prefix {config.distributed.key_prefix}): "
            f"{n} responses"
            + (", queued the start pages" if stats.get("repostwatch/fleet/seeder") else "")
            + (f", handed {requeued} request{'' if requeued == 1 else 's'} of dead workers back"
               if requeued else ""))

    job = CrawlJob(WatchSpider, {"url": site} if site else {},
                   settings={REDIS_URL_SETTING: redis_url})
    run_crawl(state, [job], what="the crawl", summary=summary, as_json=as_json,
              extra=lambda stats: {"site": site, "worker": stats.get("repostwatch/fleet/worker"),
                                   "fleet": public_url(redis_url)})


def _last_run_unfinished(state: State, kind: str) -> bool:
    """Whether the last run of ``kind`` never recorded its end (killed: SIGKILL, power loss;
    ``abandoned`` once a later crawl found its process gone)."""
    with state.store() as store:
        runs = store.runs(1, kind=kind)
    return bool(runs) and runs[0].status in ("running", "abandoned")


@click.command()
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Recheck at most N pages (least recently checked first).")
@click.option("--older-than", metavar="DURATION",
              help="Only findings last checked longer ago than this (e.g. 12h, 7d, 2w).")
@json_option
@click.pass_obj
def recheck(state: State, limit: int | None, older_than: str | None, as_json: bool) -> None:
    """Fetch the pages of open findings again and judge them again.

    Credit added: the copy is credited now; page 404/410 or copy removed: the finding is gone.
    Every check is appended to the finding's history; changed pages keep every version.

    Example: repostwatch recheck --older-than 7d --limit 500
    """
    from crawler.runner import CrawlJob
    from crawler.spiders.recheck import RecheckSpider, parse_duration

    if older_than is not None:
        parse_duration(older_than)  # a usage error before Scrapy starts

    def summary(stats: dict[str, Any]) -> None:
        if not stats.get("repostwatch/recheck/scheduled"):
            err("nothing to recheck: no open findings"
                + (f" checked over {older_than} ago" if older_than else ""))
            return
        print_crawl_summary(stats)
        err(f"pages gone: {int(stats.get('repostwatch/pages_gone', 0) or 0)}  "
            f"findings now gone: {int(stats.get('repostwatch/gone', 0) or 0)}")

    kwargs = {k: v for k, v in (("limit", limit), ("older_than", older_than)) if v is not None}
    with state.job_lock("recheck"):
        state.preflight(need_watch=False)
        run_crawl(state, [CrawlJob(RecheckSpider, kwargs)], what="the recheck",
                  summary=summary, as_json=as_json, extra=lambda stats: {
                      "scheduled": int(stats.get("repostwatch/recheck/scheduled", 0) or 0),
                      "pages_gone": int(stats.get("repostwatch/pages_gone", 0) or 0),
                      "findings_gone": int(stats.get("repostwatch/gone", 0) or 0)})


@click.command()
@click.option("--budget", type=click.IntRange(min=1), metavar="N",
              help="At most N queries to the search backend in this run "
                   "(default: [search] budget).")
@json_option
@click.pass_obj
def search(state: State, budget: int | None, as_json: bool) -> None:
    """Search the web for copies: distinctive sentences of the originals go to the search
    backend ([search] url, a SearXNG instance); every result page is judged and stored.

    Originals never searched go first, newest first; then the least recently searched.

    Example: repostwatch search --budget 20
    """
    from crawler.runner import CrawlJob
    from crawler.search import SEARCHED_STAT, searched_ids
    from crawler.spiders.search import SearchSpider

    config = state.config
    state.require_publications()
    if not config.search.url:
        raise UsageError(f"search is not configured in {config.describe()}",
                         hint="set [search] url to your SearXNG instance")

    def figures(stats: dict[str, Any]) -> dict[str, int]:
        def n(key: str) -> int:
            return int(stats.get(f"repostwatch/search/{key}", 0) or 0)

        return {"queries": n("queries"), "budget": n("budget"), "failed_queries": n("errors"),
                "originals_searched": len(searched_ids(stats.get(SEARCHED_STAT))),
                "originals_planned": n("originals_planned"),
                "result_pages": n("pages_requested")}

    def summary(stats: dict[str, Any]) -> None:
        f = figures(stats)
        err(f"queries: {f['queries']} (budget {f['budget']}, failed {f['failed_queries']})  "
            f"originals searched: {f['originals_searched']} of {f['originals_planned']}  "
            f"result pages: {f['result_pages']}")
        print_crawl_summary(stats)

    with state.job_lock("search"):
        state.preflight(need_watch=False)
        run_crawl(state, [CrawlJob(SearchSpider, {"budget": budget} if budget else {})],
                  what="the search", summary=summary, as_json=as_json, extra=figures)
