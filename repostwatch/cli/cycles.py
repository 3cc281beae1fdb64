"""``repostwatch run | schedule``: the whole cycle once (cron, timers), or as a service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from reports.formats import NAMES as REPORT_FORMATS
from repostwatch.errors import CrawlError, Interrupted, UsageError

from .state import State, crawl_summary, err, json_line, json_option

__all__ = ["run_cycle", "schedule_cycles"]


@click.command("run")
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="html", show_default=True, help="Format of the cycle's report.")
@json_option
@click.pass_obj
def run_cycle(state: State, fmt: str, as_json: bool) -> None:
    """One whole cycle: sync originals, crawl the watched sites (and search), recheck, report.

    For cron and timers: never overlaps a run already in progress (exit 2), and exits 3 when
    a stage failed (the later stages still run). docs/scheduling.md shows a cron line and a
    systemd timer.

    Example: repostwatch run
    """
    from crawler.runner import run_crawls
    from crawler.spiders.originals import import_counts
    from repostwatch.cycle import cycle_jobs, report_stage, stage_summary
    from repostwatch.locks import run_lock

    config = state.config
    state.require_publications()  # before the job folder is made
    with run_lock(config.base_dir / config.crawl.job_dir):
        state.preflight_store()
        stages = cycle_jobs(config)
        interrupted: Interrupted | None = None
        try:
            results = run_crawls(config, [s.job for s in stages], log_level=state.log_level,
                                 log_format=state.log_format)
        except Interrupted as exc:  # the stages that ran are summed up, then it ends (130)
            results, interrupted = exc.results, exc
        failed = []
        done: list[dict[str, Any]] = []
        for stage, result in zip(stages, results, strict=False):
            line, problem = stage_summary(stage, result)
            err(line)
            if problem:
                failed.append(stage.name)
            done.append({"stage": stage.name, "ok": problem is None, "error": problem,
                         **crawl_summary(result.stats),
                         **({"articles": import_counts(result.stats)} if stage.source else {})})
        if interrupted is None:
            line, problem = report_stage(config, fmt)
            err(line)
            if problem:
                failed.append("report")
            done.append({"stage": "report", "ok": problem is None, "error": problem,
                         "summary": line})
    error = (f"{'a stage' if len(failed) == 1 else f'{len(failed)} stages'} failed: "
             f"{', '.join(failed)}" if failed else None)
    if interrupted is not None:  # no report: the cycle did not run to its end
        error = interrupted.problem + (f"; {error}" if error else "")
    if as_json:
        click.echo(json_line({"command": "run", "ok": error is None, "error": error,
                              "stages": done}))
    if interrupted is not None:
        raise interrupted
    if error:
        raise CrawlError(error)


@click.command("schedule")
@click.option("-f", "--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="html", show_default=True, help="Format of each cycle's report.")
@click.pass_obj
def schedule_cycles(state: State, fmt: str) -> None:
    """Run `repostwatch run` cycles at the cron times of [schedule] cron, as a service.

    Prints the next fire time; a fire that comes while a cycle runs is skipped and logged; a
    failed cycle is logged and the service goes on. SIGTERM stops it (exit 0), Ctrl-C too
    (exit 130); a cycle in progress is stopped gracefully first. docs/scheduling.md shows a
    systemd unit.

    Example: repostwatch schedule   # with [schedule] cron = ["0 6 * * 1"]
    """
    import signal
    import threading

    from repostwatch.cron import zone
    from repostwatch.schedule import CycleProcess, Schedule, install_stop_handlers, serve

    config = state.config
    state.require_publications()
    if not config.schedule.cron:
        raise UsageError(f"no [schedule] cron in {config.describe()}",
                         hint='add e.g. [schedule] cron = ["0 6 * * 1"] (Mondays 06:00)')
    state.preflight_store()
    plan = Schedule(config.schedule.cron, zone(config.schedule.timezone))
    flags = ["--debug"] if state.debug else ["--verbose"] if state.verbose else []
    if state.log_format != "text":
        flags += ["--log-format", state.log_format]
    cycle = CycleProcess.for_config(config.path, fmt=fmt, flags=flags)
    stop = threading.Event()
    received = install_stop_handlers(stop, cycle)

    def log(message: str) -> None:
        err(f"{datetime.now(plan.tz):%Y-%m-%d %H:%M:%S %Z} {message}")

    log(f"schedule: {', '.join(plan.crons)} ({config.schedule.timezone or 'local time'})")
    serve(plan, config.base_dir / config.crawl.job_dir, cycle,
          clock=lambda: datetime.now(UTC), wait=stop.wait, log=log)
    log("schedule stopped")
    if received and received[0] == signal.SIGINT:
        raise KeyboardInterrupt
