"""What every command shares: the lazily loaded config, the store, messages on stderr, one-line
JSON on stdout, and the run of a crawl from its stats to a summary and an exit code.

Kept light: importing this module loads neither the matcher nor Scrapy (``--help`` is instant).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from repostwatch.errors import CrawlError, Interrupted, UsageError
from repostwatch.terminal import printable

if TYPE_CHECKING:
    from repostwatch.config import Config
    from repostwatch.store import Store

__all__ = ["LOG_FORMATS", "State", "crawl_summary", "err", "fmt_counts", "json_line",
           "json_option", "parse_date", "run_crawl", "show_usage_error", "summary_json"]

LOG_FORMATS = ("text", "json")
"""``--log-format``: how messages and log records are written on stderr."""


class State:
    """The group's options, handed to every command (``@click.pass_obj``)."""

    def __init__(self, config_path: str | None, verbose: bool, debug: bool,
                 log_format: str = "text") -> None:
        self.config_path = config_path
        self.verbose = verbose
        self.debug = debug
        self.log_format = log_format
        _Stderr.json = log_format == "json"
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The config, read on first use with the report formats checked."""
        if self._config is None:
            from reports.formats import NAMES
            from repostwatch.config import load_config

            self._config = load_config(self.config_path, report_formats=NAMES)
        return self._config

    def require_publications(self) -> None:
        """``ConfigError`` (exit 2) when no publication is configured: the one message of every
        command that needs one (``run repostwatch init``), before any file is created."""
        if not self.config.publications:
            self.config.publication(None)  # raises the "no publications" error

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The configured store, open for the block and closed however it ends. Every
        command that opens it needs a configured publication (``require_publications``): a
        folder without a config gets no stray database."""
        from repostwatch.store import Store

        self.require_publications()
        with Store.open(self.config.database_url) as store:
            yield store

    @property
    def log_level(self) -> str:
        return "DEBUG" if self.debug else "INFO" if self.verbose else "WARNING"

    def preflight(self, *, need_watch: bool) -> None:
        """Fail before starting Scrapy when the config or the store cannot work."""
        config = self.config
        self.require_publications()
        if need_watch and not config.watch:
            raise UsageError(f"no [[watch]] sites in {config.describe()}",
                             hint="add one, or pass --site URL")
        with self.store() as store:
            store.ensure_publications(config.rules.values())
            if not store.counts()["originals"]:
                raise UsageError("the store has no originals to compare pages with",
                                 hint="run `repostwatch originals import` first")

    def job_lock(self, job: str, what: str | None = None) -> AbstractContextManager[None]:
        """The lock of one crawl of ``job`` on ``[crawl] job_dir`` (``repostwatch.locks``):
        refused (exit 2, naming the holder's pid) while a ``run`` or another ``job`` runs."""
        from repostwatch.locks import job_lock

        self.require_publications()  # before the job folder is made
        return job_lock(self.config.base_dir / self.config.crawl.job_dir, job, what=what)

    def contact_fetcher(self) -> Callable[[Sequence[str]], dict[str, tuple[str, str]]] | None:
        """What outreach letters read contact pages with (``crawler.polite``, handed to
        ``reports``: reports never fetch); None when ``[report] outreach`` is off."""
        if not self.config.report.outreach:
            return None
        from crawler.polite import PoliteFetcher

        return PoliteFetcher(self.config.crawl).pages

    def preflight_store(self) -> None:
        """The store opens and knows the publications (before any crawl starts); a fleet's
        watch stage needs a shared store (``crawler.distributed``)."""
        if self.config.distributed.redis_url:
            from crawler.distributed import require_shared_store

            require_shared_store(self.config)
        with self.store() as store:
            store.ensure_publications(self.config.rules.values())


class _Stderr:
    json = False  # --log-format json: every message on stderr is a JSON object too


def err(message: str, *, level: str = "INFO") -> None:
    """A message for people, on stderr (stdout carries results); control characters (from
    crawled text or a server's answer) are replaced, so they cannot drive the terminal. With
    ``--log-format json`` one JSON object like the log records' (``JsonLogFormatter``)."""
    message = printable(message)
    if _Stderr.json:
        message = json_line({"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                             "level": level, "logger": "repostwatch", "message": message})
    click.echo(message, err=True)


def show_usage_error(exc: click.ClickException) -> None:
    """Click's message for a usage error (usage, hint and error as click prints them), or
    with ``--log-format json`` its error as one JSON object at level ERROR."""
    if _Stderr.json:
        err(f"error: {exc.format_message()}", level="ERROR")
    else:
        exc.show()


_C1 = re.compile(r"[\x7f-\x9f]")


def json_line(data: dict[str, Any]) -> str:
    """One JSON object on one line; C1 controls (terminal escapes) are \\u-escaped too, so
    that crawled text cannot drive a terminal reading the output."""
    text = json.dumps(data, ensure_ascii=False)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())


def parse_date(value: str | None, option: str = "--since") -> datetime | None:
    """An ISO 8601 date or time (UTC when it names no zone); ``UsageError`` otherwise."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)  # year 1 or 9999 may overflow here
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{option} {value!r} is not a date", hint="use e.g. 2026-11-01") from exc


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Also print a one-line JSON summary of the run on stdout (docs/json.md).")
"""The ``--json`` flag of the commands that run crawls (``run_crawl(as_json=...)``)."""


def run_crawl(state: State, jobs: Sequence[Any], *, what: str,
              summary: Callable[[dict[str, Any]], None] | None = None,
              as_json: bool = False,
              extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
              ) -> dict[str, Any]:
    """Run the crawls ``jobs`` (``crawler.runner.CrawlJob``), print the last one's summary
    (``summary``, default ``print_crawl_summary``) and raise ``CrawlError`` (exit 3) when it
    failed; returns its stats. ``what`` names it in the error ("the crawl", "the recheck").

    ``as_json``: also print ``summary_json`` of the last crawl on stdout (failed, stopped by
    Ctrl-C or SIGTERM, or not), with the command's own figures from ``extra(stats)``; the
    command is named after the click command running (``crawl``, ``recheck``, ``search``,
    ``scan`` ...)."""
    from crawler.runner import crawl_failed, run_crawls

    try:
        results = run_crawls(state.config, list(jobs), log_level=state.log_level,
                             log_format=state.log_format)
    except Interrupted as exc:  # what was done is said, then the interruption
        stats: dict[str, Any] = exc.results[-1].stats if exc.results else {}
        if exc.results:  # none when stopped at once: nothing to sum up but the interruption
            (summary or print_crawl_summary)(stats)
        if as_json:
            command = click.get_current_context().info_name or what
            click.echo(summary_json(command, stats, problem=exc.problem,
                                    known=bool(exc.results),  # at once: unknown, not 0
                                    **(extra(stats) if extra else {})))
        raise
    stats = results[-1].stats if results else {}
    (summary or print_crawl_summary)(stats)
    problem = crawl_failed(results[-1]) if results else f"{what} did not run"
    if as_json:
        command = click.get_current_context().info_name or what
        click.echo(summary_json(command, stats, problem=problem,
                                **(extra(stats) if extra else {})))
    if problem:
        raise CrawlError(problem)
    return stats


def _unknown_figures(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every count (a number or the dict of problems) null."""
    return {k: None if isinstance(v, int | float | dict) and not isinstance(v, bool) else v
            for k, v in data.items()}


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else None


def crawl_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures of one crawl from its Scrapy stats, as in ``summary_json``."""
    from crawler.problems import problem_counts

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    return {
        "finish_reason": str(stats.get("finish_reason") or "") or None,
        "started_at": _iso(stats.get("start_time")),
        "finished_at": _iso(stats.get("finish_time")),
        "requests": n("downloader/request_count"),
        "pages_judged": n("repostwatch/pages_judged"),
        "reposts": n("repostwatch/verdict/repost"),
        "excerpts": n("repostwatch/verdict/excerpt"),
        "credited": n("repostwatch/credit/credited") + n("repostwatch/credit/allowed"),
        "lacking_credit": n("repostwatch/lacking_credit"),
        "problems": problem_counts(stats, robots=True),
    }


def summary_json(command: str, stats: dict[str, Any], *, problem: str | None,
                 known: bool = True, **extra: Any) -> str:
    """One JSON line summing up a run of ``command`` (docs/json.md "Run summaries"):
    ``command``, ``ok``, ``error`` (``problem``: why it failed, else null), the figures of
    ``crawl_summary(stats)`` and the command's own keys (``extra``); not ``known`` (a crawl
    stopped at once gave no stats): every count null."""
    figures = {**crawl_summary(stats), **extra}
    if not known:
        figures = _unknown_figures(figures)
    return json_line({"command": command, "ok": problem is None, "error": problem, **figures})


def print_crawl_summary(stats: dict[str, Any]) -> None:
    """The judging figures of a crawl, and what it skipped, on stderr."""
    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    err(
        f"pages judged: {n('repostwatch/pages_judged')}  reposts: "
        f"{n('repostwatch/verdict/repost')}  excerpts: {n('repostwatch/verdict/excerpt')}  "
        f"credited: {n('repostwatch/credit/credited') + n('repostwatch/credit/allowed')}  "
        f"lacking credit: {n('repostwatch/lacking_credit')}"
    )
    from crawler.problems import problem_counts

    problems = problem_counts(stats)
    if problems:
        err("pages skipped: " + ", ".join(f"{v} {k.replace('_', ' ')}"
                                          for k, v in problems.items()))
