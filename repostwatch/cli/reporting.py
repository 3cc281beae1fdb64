"""``repostwatch report | outreach``: the period's report, and a credit request to one site."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from reports.formats import NAMES as REPORT_FORMATS
from repostwatch.errors import UsageError
from repostwatch.terminal import one_line, printable

from .state import State, err, json_line, parse_date

__all__ = ["outreach", "report"]


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    """``-f html,md,csv``: the formats, each checked against the registry."""
    names = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in REPORT_FORMATS]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or repr(value)}: use one or more of "
                                 f"{', '.join(REPORT_FORMATS)}, separated by commas")
    return names


@click.command()
@click.option("-f", "--format", "fmt", default="html", show_default=True, callback=_formats,
              metavar="FORMAT[,FORMAT...]",
              help=f"{', '.join(REPORT_FORMATS)}; several with commas: one report (one "
                   "period) written in each.")
@click.option("-o", "--output", metavar="PATH", help="File to write ('-' = stdout, one "
              "format). With several formats, PATH with each format's extension. Default: "
              "dated files in [report] dir.")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's copies.")
@click.option("--period", type=click.Choice(["day", "week", "month"]),
              help="The last day, week or month (default: since the previous report).")
@click.option("--since", metavar="DATE", help="Period start (ISO 8601 date or time, UTC).")
@click.option("--until", metavar="DATE", help="Period end (default: now).")
@click.option("--no-deliver", is_flag=True, help="Write and record it, but skip [delivery].")
@click.option("--list", "list_runs", is_flag=True, help="List the reports generated so far.")
@click.option("--json", "as_json", is_flag=True, help="With --list: one JSON object per line.")
@click.pass_obj
def report(state: State, fmt: tuple[str, ...], output: str | None, publication: str | None,
           period: str | None, since: str | None, until: str | None, no_deliver: bool,
           list_runs: bool, as_json: bool) -> None:
    """Write the report of the copies that lack credit, record it, and deliver it.

    By default the period runs since the previous report (of the same --publication), so
    every report says what is new, still open, resolved and gone since the last one.
    Delivery (folder, e-mail, webhook) follows [delivery] in the config; a failed delivery
    is retried, then exits 3 (the report file is kept).

    Example: repostwatch report --period week -f html,md -o week.html
    """
    if list_runs:
        given = _given(("fmt", "-f"), ("output", "-o"), ("publication", "-p"),
                       ("period", "--period"), ("since", "--since"), ("until", "--until"),
                       ("no_deliver", "--no-deliver"))
        if given:
            raise UsageError(f"--list lists the reports made so far: {', '.join(given)} "
                             "would change nothing", hint="use --list alone, or with --json")
        _list_reports(state, as_json)
        return
    if as_json:  # it would write, record and deliver a report, with no JSON on stdout
        raise UsageError("--json goes with --list (one JSON object per report made)",
                         hint="for the report itself as JSON: -f json -o -")
    from reports import produce_report

    if period and (since or until):
        raise UsageError("--period and --since/--until both given",
                         hint="use --period alone, or --since DATE [--until DATE]")
    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    if start and end and start >= end:
        raise UsageError(f"--since {since} is not before --until {until}",
                         hint="give a period that starts before it ends")
    # a recorded period ending in the future would be where every later report starts
    for value, option, raw in ((start, "--since", since), (end, "--until", until)):
        if value is not None and value > datetime.now(UTC):
            raise UsageError(f"{option} {raw} is in the future",
                             hint="leave --until out for a period ending now")
    if output == "-" and len(fmt) > 1:
        raise UsageError(f"-o - writes one format, not {len(fmt)} ({', '.join(fmt)})",
                         hint="give one -f, or -o PATH for files")
    name = state.config.publication(publication).name if publication else None
    path = Path(output) if output and output != "-" else None
    if path is not None and path.is_dir():
        raise UsageError(f"-o {path} is a folder", hint="give a file name, or '-' for stdout")
    with state.store() as store:
        done = produce_report(store, state.config, fmt=fmt, publication=name, period=period,
                              since=start, until=end, output=path, to_stdout=output == "-",
                              send=not no_deliver, fetch=state.contact_fetcher())
    if done.text is not None:  # crawled text in it must not drive the terminal
        click.echo(printable(done.text), nl=False)
        return
    sent = f"; delivered ({', '.join(done.delivery)})" if done.delivery else ""
    err(f"{len(done.report.rows)} copies lacking credit; report {done.run_id} written to "
        f"{', '.join(map(str, done.paths))}{sent}")


def _given(*options: tuple[str, str]) -> list[str]:
    """The names of ``options`` (parameter, flag) given on the command line."""
    context = click.get_current_context()
    return [flag for name, flag in options
            if context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE]


def _list_reports(state: State, as_json: bool) -> None:
    from reports.build import iso
    from repostwatch.store.reporting import report_runs

    with state.store() as store:
        runs = report_runs(store, limit=None)
    for run in runs:
        delivery = ", ".join(f"{k} {'ok' if v.get('ok') else 'FAILED'}"
                             for k, v in run.delivery.items()) or "not delivered"
        if as_json:
            click.echo(json_line({
                "id": run.id, "generated_at": iso(run.generated_at),
                "period_start": iso(run.period_start), "period_end": iso(run.period_end),
                "publication": run.publication, "formats": list(run.formats),
                "paths": list(run.paths), "summary": run.summary, "delivery": run.delivery}))
            continue
        totals = run.summary.get("totals", {})
        start = iso(run.period_start) or "the beginning"
        click.echo(one_line(
            f"{run.id}  {iso(run.generated_at)}  {run.publication or 'all'}  "
            f"{start} → {iso(run.period_end)}  lacking credit "
            f"{totals.get('lacking_credit', 0)}  {delivery}  "
            f"{' '.join(run.paths) or '(stdout)'}"))
    if not runs and not as_json:
        err("no reports yet: `repostwatch report` writes the first one")


@click.command()
@click.argument("site")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's copies.")
@click.option("-f", "--format", "fmt", type=click.Choice(["txt", "md", "json"]), default="txt",
              show_default=True)
@click.pass_obj
def outreach(state: State, site: str, publication: str | None, fmt: str) -> None:
    """Print a polite credit request to SITE: its copies lacking credit, the line to add,
    and its contacts (on its saved pages, and its contact pages fetched now).

    SITE is a host name (or any URL on it). Exit 2 when the site has no open copy lacking
    credit.

    Example: repostwatch outreach scraperdaily.test --format md
    """
    from crawler.polite import PoliteFetcher
    from matcher import site_of
    from reports import outreach_letters
    from reports.md_report import letter_md
    from reports.outreach import letter_dict, letter_text

    # the site as findings name it: a port other than 80/443 is part of it (127.0.0.1:9102)
    host = site_of(site.strip() if "://" in site else f"http://{site.strip()}")
    name = state.config.publication(publication).name if publication else None
    rc = state.config.report
    with state.store() as store:
        rows = store.findings(publication=name, lacking_credit=True)
        mine = [f for f in rows if f.site in (host, host.removeprefix("www."), f"www.{host}")]
        letters = outreach_letters(store, mine, repost_rule=rc.repost_rule,
                                   credit_line=rc.credit_line,
                                   fetch=PoliteFetcher(state.config.crawl).pages)
    if not letters:
        others = sorted({f.site for f in rows if f.is_open})
        raise UsageError(f"no open copy lacking credit on {host!r}",
                         hint=f"sites with some: {', '.join(others[:10])}" if others
                         else "no site has one: nothing to ask")
    for letter in letters:
        if fmt == "json":
            click.echo(json_line(letter_dict(letter)))
        elif fmt == "md":
            click.echo(printable(letter_md(letter)))
        else:
            click.echo(printable(letter_text(letter)))
