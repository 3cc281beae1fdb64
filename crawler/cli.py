"""The ``repostwatch`` command line. Thin: it parses, calls the library, and renders.

Exit codes (docs/cli.md): 0 success / nothing to chase; 1 ``check`` found a copy lacking
credit; 2 usage or configuration error; 3 a target or crawl failed; 4 database error;
130 interrupted. Results go to stdout (``--json`` for machines), messages to stderr.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from . import CONFIG_NAME, REPORT_FORMATS
from .errors import RepostwatchError, UsageError

if TYPE_CHECKING:
    from .config import Config

__all__ = ["cli", "main"]


class _State:
    def __init__(self, config_path: str | None, verbose: bool, debug: bool) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self.debug = debug
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from .config import load_config  # the matcher's rules: numpy; not for --help

            self._config = load_config(self.config_path)
        return self._config

    def store(self) -> Any:
        from .store import Store

        return Store.open(self.config.database_url)

    @property
    def log_level(self) -> str:
        return "DEBUG" if self.debug else "INFO" if self.verbose else "WARNING"


def _err(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", envvar="REPOSTWATCH_CONFIG",
              help=f"Config file (default: ./{CONFIG_NAME}; env REPOSTWATCH_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Show crawl progress logs on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="repostwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool, debug: bool) -> None:
    """Find copies of your articles on the web and check that they credit you.

    \b
    Quick start:
      repostwatch demo                 # everything, on the bundled sandbox web
      repostwatch init                 # write a starter repostwatch.toml
      repostwatch originals import     # fetch your articles (sitemaps/feeds in the config)
      repostwatch crawl                # crawl the [[watch]] sites, judge, store
      repostwatch recheck              # revisit known copies: credit added? taken down?
      repostwatch search               # ask a search engine for copies, judge, store
      repostwatch report               # HTML report of copies lacking credit
      repostwatch check URL            # judge one page now
      repostwatch serve                # review findings in the browser
    """
    ctx.obj = _State(config_path, verbose, debug)


# -- init -------------------------------------------------------------------------------


@cli.command()
@click.argument("path", default=CONFIG_NAME, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter config file.

    Example: repostwatch init && $EDITOR repostwatch.toml
    """
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it")
    from importlib.resources import files

    path.write_text(files("crawler").joinpath("starter.toml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    _err(f"wrote {path}: edit [[publications]] and [[watch]], then run "
         "`repostwatch originals import`")


# -- originals --------------------------------------------------------------------------


@cli.group()
def originals() -> None:
    """The publication's own articles, which copies are compared with."""


@originals.command("import")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("-p", "--publication", metavar="NAME", help="Whose articles (needed with several).")
@click.pass_obj
def originals_import(state: _State, sources: tuple[str, ...], publication: str | None) -> None:
    """Import originals from sitemaps, feeds, article URLs or JSON Lines files.

    Without SOURCE, the publication's `originals` from the config are used. JSON Lines: one
    object per line with `url` and `text` or `html` (optional: title, author, published,
    publication).

    Example: repostwatch originals import https://dailyplanet.example/sitemap.xml
    """
    from .originals import import_jsonl, read_jsonl

    config = state.config
    pairs = _import_sources(config, sources, publication)
    urls = [(s, p) for s, p in pairs if s.startswith(("http://", "https://"))]
    files = [(Path(s), p) for s, p in pairs if not s.startswith(("http://", "https://"))]
    for f, _ in files:
        if not f.is_file():
            raise UsageError(f"{f}: no such file, and not an http(s) URL")
    records = [r for f, p in files for r in read_jsonl(f, config, p)]
    store = state.store()
    try:
        store.ensure_publications(config.rules.values())
        counts = import_jsonl(store, records) if records else {}
    finally:
        store.close()
    if counts:
        _err(f"{len(records)} originals from files: {_fmt_counts(counts)}")
    if urls:
        from .runner import CrawlJob, crawl_failed, run_crawls
        from .spiders.originals import OriginalsSpider

        jobs = [CrawlJob(OriginalsSpider, {"publication": p, "source": u}) for u, p in urls]
        results = run_crawls(config, jobs, log_level=state.log_level)
        got = {k: sum(r.get(f"repostwatch/originals/{k}") for r in results)
               for k in ("added", "updated", "unchanged", "no_text")}
        _err(f"originals from {len(urls)} URL source(s): {_fmt_counts(got)}")
        problems = [p for p in map(crawl_failed, results) if p]
        for (url, _), r in zip(urls, results, strict=False):
            if not any(r.get(f"repostwatch/originals/{k}") for k in ("added", "updated",
                                                                       "unchanged")):
                statuses = sorted(k.rsplit("/", 1)[-1] for k in r.stats
                                  if k.startswith("downloader/response_status_count/"))
                seen = f" (HTTP {', '.join(statuses)})" if statuses else ""
                problems.append(f"no articles found at {url}{seen}")
        if problems:
            from .errors import CrawlError

            raise CrawlError("; ".join(problems))


def _import_sources(config: Config, sources: tuple[str, ...],
                    publication: str | None) -> list[tuple[str, str | None]]:
    """(source, publication) pairs. A JSON Lines line may name its own publication, so files
    need one only as a default; a URL source needs one (the only one, or --publication)."""
    if sources:
        default = config.publication(publication).name if publication else None
        if default is None and any(s.startswith(("http://", "https://")) for s in sources):
            default = config.publication(None).name  # explains when several are configured
        return [(s, default) for s in sources]
    pubs = [config.publication(publication)] if publication else list(config.publications)
    if not pubs:
        config.publication(None)  # raises: no publications configured
    pairs: list[tuple[str, str | None]] = [(s, p.name) for p in pubs for s in p.originals]
    if not pairs:
        names = ", ".join(p.name for p in pubs)
        raise UsageError(f"no SOURCE given and no `originals` configured for {names}",
                         hint="pass a sitemap, feed or .jsonl file, or set `originals`")
    return pairs


_C1 = re.compile(r"[\x7f-\x9f]")


def _json_line(data: dict[str, Any]) -> str:
    """One JSON object on one line; C1 controls (terminal escapes) are \\u-escaped too, so
    that crawled text cannot drive a terminal reading the output."""
    text = json.dumps(data, ensure_ascii=False)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())


@originals.command("list")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def originals_list(state: _State, publication: str | None, as_json: bool) -> None:
    """List the originals in the store.

    Example: repostwatch originals list --json | jq .url
    """
    name = state.config.publication(publication).name if publication else None
    store = state.store()
    try:
        items = store.originals(name)
    finally:
        store.close()
    for o in items:
        if as_json:
            click.echo(json.dumps({"id": o.id, "publication": o.publication, "url": o.url,
                                   "title": o.title, "words": len(o.tokens)}))
        else:
            click.echo(f"{o.id}\t{o.publication}\t{o.url}\t{o.title}")
    if not as_json:
        _err(f"{len(items)} original(s)")


@originals.command("remove")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.pass_obj
def originals_remove(state: _State, urls: tuple[str, ...]) -> None:
    """Remove originals (and their findings) from the store, e.g. a retracted article.

    Example: repostwatch originals remove https://dailyplanet.example/news/retracted.html
    """
    store = state.store()
    try:
        unknown = [u for u in urls if not store.remove_original(u)]
    finally:
        store.close()
    _err(f"{len(urls) - len(unknown)} original(s) removed")
    if unknown:
        raise UsageError(f"no original with URL {', '.join(unknown)}",
                         hint="`repostwatch originals list` shows the stored URLs")


# -- crawl ------------------------------------------------------------------------------


@cli.command()
@click.option("--site", metavar="URL", help="Crawl only this site instead of [[watch]].")
@click.option("--resume", is_flag=True,
              help="Continue the crawl that was interrupted (Ctrl-C) where it stopped.")
@click.option("--distributed", "redis_url", metavar="REDIS_URL",
              help="Run as one worker of a fleet sharing this Redis "
                   "(redis://[user:password@]host:port/db; default: [distributed] redis_url, "
                   "env REPOSTWATCH_REDIS_URL). Needs a PostgreSQL store.")
@click.pass_obj
def crawl(state: _State, site: str | None, resume: bool, redis_url: str | None) -> None:
    """Crawl the watched sites with Scrapy, judge every page, store the findings.

    An interrupted crawl keeps its queue in [crawl] job_dir; --resume continues it without
    fetching again what it finished. Without --resume a new crawl starts from the beginning.
    With --distributed, start the same command on as many machines as you like: the workers
    share one queue in Redis, and each ends when the whole crawl is done (docs/scaling.md).

    Example: repostwatch crawl --site https://aggregator.example/
    """
    import hashlib
    import shutil

    from matcher import canonical_url

    from .runner import CrawlJob, crawl_failed, run_crawls
    from .spiders.watch import WatchSpider

    config = state.config
    if site is not None and not re.match(r"https?://[^/\s]+", site):
        raise UsageError(f"--site {site!r} is not an http(s) URL",
                         hint="e.g. --site https://aggregator.example/")
    redis_url = redis_url or config.distributed.redis_url
    if redis_url:
        _crawl_distributed(state, site, resume, redis_url)
        return
    _preflight(state, need_watch=site is None)
    # one folder per --site, so resuming one site never replays another's queue
    key = hashlib.sha256(canonical_url(site).encode()).hexdigest()[:16] if site else ""
    jobdir = config.job_dir(f"watch-{key}" if site else "watch")
    if resume and not jobdir.exists():
        _err("nothing to resume: starting a new crawl")
    elif resume and _last_run_unfinished(state, "watch"):
        raise UsageError(
            "the interrupted crawl did not stop cleanly (it was killed, or is still running): "
            "its queue cannot be resumed",
            hint="run `repostwatch crawl` without --resume to start over; what was stored "
                 "stays stored")
    elif not resume and jobdir.exists():
        _err("discarding the interrupted crawl (pass --resume to continue it instead)")
        shutil.rmtree(jobdir)
    kwargs = {"url": site} if site else {}
    results = run_crawls(config, [CrawlJob(WatchSpider, kwargs, jobdir=jobdir)],
                         log_level=state.log_level)
    stats = results[-1].stats if results else {}
    _print_crawl_summary(stats)
    if stats.get("finish_reason") == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)  # done: nothing left to resume
    problem = crawl_failed(results[-1]) if results else "the crawl did not run"
    if problem:
        from .errors import CrawlError

        raise CrawlError(problem)


def _crawl_distributed(state: _State, site: str | None, resume: bool, redis_url: str) -> None:
    """``crawl --distributed``: this process is one worker of the fleet on ``redis_url``."""
    from .distributed import REDIS_URL_SETTING, check_redis, public_url, require_shared_store
    from .runner import CrawlJob, crawl_failed, run_crawls
    from .spiders.watch import WatchSpider

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
    _preflight(state, need_watch=site is None)
    job = CrawlJob(WatchSpider, {"url": site} if site else {},
                   settings={REDIS_URL_SETTING: redis_url})
    results = run_crawls(config, [job], log_level=state.log_level)
    stats = results[-1].stats if results else {}
    _print_crawl_summary(stats)
    n = int(stats.get("downloader/response_count", 0) or 0)
    requeued = int(stats.get("repostwatch/fleet/requeued", 0) or 0)
    _err(f"worker {stats.get('repostwatch/fleet/worker', '?')} of the fleet at "
         f"{public_url(redis_url)} (prefix {config.distributed.key_prefix}): "
         f"{n} responses"
         + (", queued the start pages" if stats.get("repostwatch/fleet/seeder") else "")
         + (f", handed {requeued} request(s) of dead workers back" if requeued else ""))
    problem = crawl_failed(results[-1]) if results else "the crawl did not run"
    if problem:
        from .errors import CrawlError

        raise CrawlError(problem)


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Recheck at most N pages (least recently checked first).")
@click.option("--older-than", metavar="DURATION",
              help="Only findings last checked longer ago than this (e.g. 12h, 7d, 2w).")
@click.pass_obj
def recheck(state: _State, limit: int | None, older_than: str | None) -> None:
    """Fetch the pages of open findings again and judge them again.

    Credit added: the copy is credited now; page 404/410 or copy removed: the finding is gone.
    Every check is appended to the finding's history; changed pages keep every version.

    Example: repostwatch recheck --older-than 7d --limit 500
    """
    from .runner import CrawlJob, crawl_failed, run_crawls
    from .spiders.recheck import RecheckSpider, parse_duration

    if older_than is not None:
        parse_duration(older_than)  # a usage error before Scrapy starts
    _preflight(state, need_watch=False)
    kwargs = {k: v for k, v in (("limit", limit), ("older_than", older_than)) if v is not None}
    results = run_crawls(state.config, [CrawlJob(RecheckSpider, kwargs)],
                         log_level=state.log_level)
    stats = results[-1].stats if results else {}
    if not stats.get("repostwatch/recheck/scheduled"):
        _err("nothing to recheck: no open findings" + (f" checked over {older_than} ago"
                                                       if older_than else ""))
    else:
        _print_crawl_summary(stats)
        _err(f"pages gone: {int(stats.get('repostwatch/pages_gone', 0) or 0)}  "
             f"findings now gone: {int(stats.get('repostwatch/gone', 0) or 0)}")
    problem = crawl_failed(results[-1]) if results else "the recheck did not run"
    if problem:
        from .errors import CrawlError

        raise CrawlError(problem)


@cli.command()
@click.option("--budget", type=click.IntRange(min=1), metavar="N",
              help="At most N queries to the search backend in this run "
                   "(default: [search] budget).")
@click.pass_obj
def search(state: _State, budget: int | None) -> None:
    """Search the web for copies: distinctive sentences of the originals go to the search
    backend ([search] url, a SearXNG instance); every result page is judged and stored.

    Originals never searched go first, newest first; then the least recently searched.

    Example: repostwatch search --budget 20
    """
    from .runner import CrawlJob, crawl_failed, run_crawls
    from .search import SEARCHED_STAT, searched_ids
    from .spiders.search import SearchSpider

    config = state.config
    if not config.search.url:
        raise UsageError(f"search is not configured in {config.describe()}",
                         hint="set [search] url to your SearXNG instance")
    _preflight(state, need_watch=False)
    results = run_crawls(config, [CrawlJob(SearchSpider, {"budget": budget} if budget else {})],
                         log_level=state.log_level)
    stats = results[-1].stats if results else {}

    def n(key: str) -> int:
        return int(stats.get(f"repostwatch/search/{key}", 0) or 0)

    searched = len(searched_ids(stats.get(SEARCHED_STAT)))
    _err(f"queries: {n('queries')} (budget {n('budget')}, failed {n('errors')})  originals "
         f"searched: {searched} of {n('originals_planned')}  result pages: "
         f"{n('pages_requested')}")
    _print_crawl_summary(stats)
    problem = crawl_failed(results[-1]) if results else "the search did not run"
    if problem:
        from .errors import CrawlError

        raise CrawlError(problem)


def _last_run_unfinished(state: _State, kind: str) -> bool:
    """Whether the last run of ``kind`` never recorded its end (killed: SIGKILL, power loss)."""
    store = state.store()
    try:
        runs = store.runs(1, kind=kind)
    finally:
        store.close()
    return bool(runs) and runs[0].status == "running"


def _preflight(state: _State, *, need_watch: bool) -> None:
    """Fail before starting Scrapy when the config or the store cannot work."""
    config = state.config
    if not config.publications:
        state.config.publication(None)  # raises the "no publications" error
    if need_watch and not config.watch:
        raise UsageError(f"no [[watch]] sites in {config.describe()}",
                         hint="add one, or pass --site URL")
    store = state.store()
    try:
        store.ensure_publications(config.rules.values())
        if not store.counts()["originals"]:
            raise UsageError("the store has no originals to compare pages with",
                             hint="run `repostwatch originals import` first")
    finally:
        store.close()


def _print_crawl_summary(stats: dict[str, Any]) -> None:
    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    _err(
        f"pages judged: {n('repostwatch/pages_judged')}  reposts: "
        f"{n('repostwatch/verdict/repost')}  excerpts: {n('repostwatch/verdict/excerpt')}  "
        f"credited: {n('repostwatch/credit/credited') + n('repostwatch/credit/allowed')}  "
        f"lacking credit: {n('repostwatch/lacking_credit')}"
    )
    from .problems import problem_counts

    problems = problem_counts(stats)
    if problems:
        _err("pages skipped: " + ", ".join(f"{v} {k.replace('_', ' ')}"
                                           for k, v in problems.items()))


# -- check ------------------------------------------------------------------------------


@cli.command()
@click.argument("targets", nargs=-1, metavar="TARGET...")
@click.option("--url", "file_url", metavar="URL", help="The address of a saved HTML file.")
@click.option("--pages", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON Lines file of {\"url\": ..., \"html\": ...} pages.")
@click.option("--from", "url_list", type=click.Path(dir_okay=False, path_type=Path),
              help="A file listing URLs to check, one per line (# comments).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target on stdout.")
@click.option("--save", is_flag=True,
              help="Store the results as findings (as a crawl would), so they are reported.")
@click.option("--allow-private", is_flag=True,
              help="Allow fetching private, loopback and link-local addresses.")
@click.pass_obj
def check(state: _State, targets: tuple[str, ...], file_url: str | None, pages: Path | None,
          url_list: Path | None, as_json: bool, save: bool, allow_private: bool) -> None:
    """Judge pages now: is each a copy of one of our originals, and does it credit us?

    TARGET is an http(s) URL or a saved HTML file. URLs are fetched concurrently (at most
    two at a time per site). Exit code: 0 nothing to chase, 1 a copy lacks credit, 2 usage or
    configuration error, 3 a target could not be checked.

    Example: repostwatch check https://aggregator.example/story --json
    """
    from .lookup import exit_code, judge_targets, read_targets, save_outcomes
    from .render import print_outcome

    todo = read_targets(list(targets), file_url=file_url, pages=pages, url_list=url_list)
    config = state.config
    store = state.store()
    try:  # the store stays open: originals' texts are read when a page matches one
        index = store.load_index(cache_dir=config.index_cache)
        if not len(index):
            raise UsageError("the store has no originals to compare pages with",
                             hint="run `repostwatch originals import` first")
        from .store.reviews import allowed_rules

        outcomes = judge_targets(todo, index, config, rules=allowed_rules(store, config.rules),
                                 allow_private=allow_private or config.crawl.allow_private)
        if save:
            saved, copies = save_outcomes(store, outcomes)
            _err(f"saved {saved} judged page(s), {copies} copy(ies), to the store")
    finally:
        store.close()
    for o in outcomes:
        if as_json:
            click.echo(_json_line(o.to_dict()))
        else:
            print_outcome(o)
    sys.exit(exit_code(outcomes))


@cli.command()
@click.argument("original", metavar="ORIGINAL")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: the original and its copies with their history.")
@click.pass_obj
def lookup(state: _State, original: str, as_json: bool) -> None:
    """Every known copy of one of our originals, with its status history, newest first.

    ORIGINAL is the original's URL (any variant of it) or its id from `originals list`. Exit
    code: 0 nothing to chase, 1 a copy lacks credit, 2 no such original.

    Example: repostwatch lookup https://dailyplanet.example/news/pier.html
    """
    from .render import copies_to_dict, print_copies

    store = state.store()
    try:
        found = store.find_original(original)
        if found is None:
            raise UsageError(f"no original {original!r} in the store",
                             hint="`repostwatch originals list` shows ids and URLs")
        copies = store.copies_of(found.id)
    finally:
        store.close()
    if as_json:
        click.echo(_json_line(copies_to_dict(found, copies)))
    else:
        print_copies(found, copies)
    sys.exit(1 if any(c.lacks_credit and c.is_open for c in copies) else 0)


# -- run ------------------------------------------------------------------------------


@cli.command("run")
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="html", show_default=True, help="Format of the cycle's report.")
@click.pass_obj
def run_cycle(state: _State, fmt: str) -> None:
    """One whole cycle: sync originals, crawl the watched sites (and search), recheck, report.

    For cron and timers: never overlaps a run already in progress (exit 2), and exits 3 when
    a stage failed (the later stages still run). docs/scheduling.md shows a cron line and a
    systemd timer.

    Example: repostwatch run
    """
    from .cycle import cycle_jobs, report_stage, run_lock, stage_summary
    from .runner import run_crawls

    config = state.config
    with run_lock(config.base_dir / config.crawl.job_dir):
        _preflight_store(state)
        stages = cycle_jobs(config)
        results = run_crawls(config, [s.job for s in stages], log_level=state.log_level)
        failed = []
        for stage, result in zip(stages, results, strict=False):
            line, problem = stage_summary(stage, result)
            _err(line)
            if problem:
                failed.append(stage.name)
        line, problem = report_stage(config, fmt)
        _err(line)
        if problem:
            failed.append("report")
    if failed:
        from .errors import CrawlError

        raise CrawlError(f"stage(s) failed: {', '.join(failed)}")


@cli.command("schedule")
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="html", show_default=True, help="Format of each cycle's report.")
@click.pass_obj
def schedule_cycles(state: _State, fmt: str) -> None:
    """Run `repostwatch run` cycles at the cron times of [schedule] cron, as a service.

    Prints the next fire time; a fire that comes while a cycle runs is skipped and logged; a
    failed cycle is logged and the service goes on. SIGTERM stops it (exit 0), Ctrl-C too
    (exit 130); a cycle in progress is stopped gracefully first. docs/scheduling.md shows a
    systemd unit.

    Example: repostwatch schedule   # with [schedule] cron = ["0 6 * * 1"]
    """
    import signal
    import threading

    from .schedule import CycleProcess, Schedule, install_stop_handlers, serve, zone

    config = state.config
    if not config.schedule.cron:
        raise UsageError(f"no [schedule] cron in {config.describe()}",
                         hint='add e.g. [schedule] cron = ["0 6 * * 1"] (Mondays 06:00)')
    _preflight_store(state)
    plan = Schedule(config.schedule.cron, zone(config.schedule.timezone))
    flags = ["--debug"] if state.debug else ["--verbose"] if state.verbose else []
    cycle = CycleProcess.for_config(config.path, fmt=fmt, flags=flags)
    stop = threading.Event()
    received = install_stop_handlers(stop, cycle)

    def log(message: str) -> None:
        _err(f"{datetime.now(plan.tz):%Y-%m-%d %H:%M:%S} {message}")

    log(f"schedule: {', '.join(plan.crons)} ({config.schedule.timezone or 'local time'})")
    serve(plan, config.base_dir / config.crawl.job_dir, cycle,
          clock=lambda: datetime.now(UTC), wait=stop.wait, log=log)
    log("schedule stopped")
    if received and received[0] == signal.SIGINT:
        raise KeyboardInterrupt


def _preflight_store(state: _State) -> None:
    """The store opens and knows the publications (before any crawl starts); a fleet's
    watch stage needs a shared store (crawler.distributed)."""
    if state.config.distributed.redis_url:
        from .distributed import require_shared_store

        require_shared_store(state.config)
    store = state.store()
    try:
        store.ensure_publications(state.config.rules.values())
    finally:
        store.close()


# -- report -----------------------------------------------------------------------------


@cli.command()
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="html", show_default=True)
@click.option("-o", "--output", metavar="PATH", help="File to write ('-' = stdout). "
              "Default: a dated file in [report] dir.")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's copies.")
@click.option("--period", type=click.Choice(["day", "week", "month"]),
              help="The last day, week or month (default: since the previous report).")
@click.option("--since", metavar="DATE", help="Period start (ISO 8601 date or time, UTC).")
@click.option("--until", metavar="DATE", help="Period end (default: now).")
@click.option("--no-deliver", is_flag=True, help="Write and record it, but skip [delivery].")
@click.option("--list", "list_runs", is_flag=True, help="List the reports generated so far.")
@click.option("--json", "as_json", is_flag=True, help="With --list: one JSON object per line.")
@click.pass_obj
def report(state: _State, fmt: str, output: str | None, publication: str | None,
           period: str | None, since: str | None, until: str | None, no_deliver: bool,
           list_runs: bool, as_json: bool) -> None:
    """Write the report of the copies that lack credit, record it, and deliver it.

    By default the period runs since the previous report (of the same --publication), so
    every report says what is new, still open, resolved and gone since the last one.
    Delivery (folder, e-mail, webhook) follows [delivery] in the config; a failed delivery
    is retried, then exits 3 (the report file is kept).

    Example: repostwatch report --period week --format md -o week.md
    """
    if list_runs:
        _list_reports(state, as_json)
        return
    from reports import produce_report

    if period and (since or until):
        raise UsageError("--period and --since/--until both given",
                         hint="use --period alone, or --since DATE [--until DATE]")
    start, end = _parse_date(since, "--since"), _parse_date(until, "--until")
    if start and end and start >= end:
        raise UsageError(f"--since {since} is not before --until {until}",
                         hint="give a period that starts before it ends")
    # a recorded period ending in the future would be where every later report starts
    for value, option, raw in ((start, "--since", since), (end, "--until", until)):
        if value is not None and value > datetime.now(UTC):
            raise UsageError(f"{option} {raw} is in the future",
                             hint="leave --until out for a period ending now")
    name = state.config.publication(publication).name if publication else None
    path = Path(output) if output and output != "-" else None
    if path is not None and path.is_dir():
        raise UsageError(f"-o {path} is a folder", hint="give a file name, or '-' for stdout")
    store = state.store()
    try:
        done = produce_report(store, state.config, fmt=fmt, publication=name, period=period,
                              since=start, until=end, output=path, to_stdout=output == "-",
                              send=not no_deliver)
    finally:
        store.close()
    if done.text is not None:
        click.echo(done.text, nl=False)
        return
    sent = f"; delivered ({', '.join(done.delivery)})" if done.delivery else ""
    _err(f"{len(done.report.rows)} copies lacking credit; report {done.run_id} written to "
         f"{done.paths[0]}{sent}")


def _list_reports(state: _State, as_json: bool) -> None:
    from crawler.store.reporting import report_runs
    from reports.build import iso

    store = state.store()
    try:
        runs = report_runs(store, limit=None)
    finally:
        store.close()
    for run in runs:
        delivery = ", ".join(f"{k} {'ok' if v.get('ok') else 'FAILED'}"
                             for k, v in run.delivery.items()) or "not delivered"
        if as_json:
            click.echo(_json_line({
                "id": run.id, "generated_at": iso(run.generated_at),
                "period_start": iso(run.period_start), "period_end": iso(run.period_end),
                "publication": run.publication, "formats": list(run.formats),
                "paths": list(run.paths), "summary": run.summary, "delivery": run.delivery}))
            continue
        totals = run.summary.get("totals", {})
        start = iso(run.period_start) or "the beginning"
        click.echo(f"{run.id}  {iso(run.generated_at)}  {run.publication or 'all'}  "
                   f"{start} → {iso(run.period_end)}  lacking credit "
                   f"{totals.get('lacking_credit', 0)}  {delivery}  "
                   f"{' '.join(run.paths) or '(stdout)'}")
    if not runs and not as_json:
        _err("no reports yet: `repostwatch report` writes the first one")


def _parse_date(value: str | None, option: str = "--since") -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)  # year 1 or 9999 may overflow here
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{option} {value!r} is not a date", hint="use e.g. 2026-11-01") from exc


# -- outreach -----------------------------------------------------------------------------


@cli.command()
@click.argument("site")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's copies.")
@click.option("-f", "--format", "fmt", type=click.Choice(["txt", "md", "json"]), default="txt",
              show_default=True)
@click.pass_obj
def outreach(state: _State, site: str, publication: str | None, fmt: str) -> None:
    """Print a polite credit request to SITE: its copies lacking credit, the line to add,
    and the contacts found on its saved pages.

    SITE is a host name (or any URL on it). Exit 2 when the site has no open copy lacking
    credit.

    Example: repostwatch outreach scraperdaily.test --format md
    """
    from reports import outreach_letters
    from reports.md_report import letter_md
    from reports.outreach import letter_dict, letter_text

    host = (urlsplit(site).hostname or "") if "://" in site else site.strip().lower()
    host = host.rstrip(".")
    name = state.config.publication(publication).name if publication else None
    rc = state.config.report
    store = state.store()
    try:
        rows = store.findings(publication=name, lacking_credit=True)
        mine = [f for f in rows if f.site in (host, host.removeprefix("www."), f"www.{host}")]
        letters = outreach_letters(store, mine, repost_rule=rc.repost_rule,
                                   credit_line=rc.credit_line)
    finally:
        store.close()
    if not letters:
        others = sorted({f.site for f in rows if f.is_open})
        raise UsageError(f"no open copy lacking credit on {host!r}",
                         hint=f"sites with some: {', '.join(others[:10])}" if others
                         else "no site has one: nothing to ask")
    for letter in letters:
        if fmt == "json":
            click.echo(_json_line(letter_dict(letter)))
        elif fmt == "md":
            click.echo(letter_md(letter))
        else:
            click.echo(letter_text(letter))


# -- serve ------------------------------------------------------------------------------


@cli.command()
@click.option("--host", metavar="ADDRESS", help="Address to listen on (default: [review] host, "
              "127.0.0.1). Any other than loopback needs a token.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: [review] port, 8080).")
@click.option("--token", envvar="REPOSTWATCH_REVIEW_TOKEN", metavar="TOKEN",
              help="Sign-in token (env REPOSTWATCH_REVIEW_TOKEN; prefer it: options show in ps).")
@click.pass_obj
def serve(state: _State, host: str | None, port: int | None, token: str | None) -> None:
    """Serve the review web UI: triage findings in the browser (docs/review.md).

    Binds 127.0.0.1 by default; any other address refuses to start (exit 2) without a token
    or [review] users.

    Example: REPOSTWATCH_REVIEW_TOKEN=$(openssl rand -hex 16) repostwatch serve --host 0.0.0.0
    """
    from reports.web import serve as serve_ui

    review = state.config.review
    serve_ui(state.config, host=host or review.host, port=port or review.port, token=token or "")


# -- demo and sandbox ---------------------------------------------------------------------


@cli.command()
@click.option("--dir", "folder", default="demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo writes its config, database and report.")
@click.pass_obj
def demo(state: _State, folder: Path) -> None:
    """Run everything on the bundled sandbox web: import, crawl, judge, store, report.

    Example: repostwatch demo --dir /tmp/rw-demo
    """
    from .demo import run_demo

    run_demo(folder, log_level=state.log_level)


@cli.command()
@click.option("--port", default=0, show_default=True, help="Port (0 = any free port).")
@click.option("--articles", default=8, show_default=True, help="Articles of the publisher.")
def sandbox(port: int, articles: int) -> None:
    """Serve the sandbox web (a local HTTP proxy playing several sites) until Ctrl-C.

    Example: repostwatch sandbox --port 8800
    """
    import asyncio
    import contextlib

    from .sandbox import serve

    def ready(proxy_url: str) -> None:
        click.echo(f"sandbox web: proxy {proxy_url} (Ctrl-C to stop); "
                   f"set [crawl] proxy = \"{proxy_url}\"")

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(port=port, articles=articles, on_ready=ready))


# -- entry point --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one-line messages and documented exit codes."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="repostwatch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        _err("interrupted: what was stored so far is kept (`repostwatch crawl --resume` "
             "continues an interrupted crawl)")
        return 130
    except RepostwatchError as exc:
        if debug:
            raise
        _err(f"error: {exc}")
        return exc.exit_code
    except OSError as exc:  # a file or folder given on the command line: say which and why
        if debug:
            raise
        name = f" {exc.filename}" if exc.filename else ""
        _err(f"error: cannot use{name}: {exc.strerror or exc}")
        return 2
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return 0
