"""The ``repostwatch`` command line. Thin: it parses, calls the library, and renders.

One module per command group (as Scrapy keeps one module per command): ``starting`` (init,
demo, sandbox), ``originals``, ``crawling`` (crawl, recheck, search), ``scanning`` (scan),
``checking`` (check, lookup), ``cycles`` (run, schedule), ``reporting`` (report, outreach),
``serving`` (serve); ``state`` holds what they share. Commands import the library inside
their bodies, so that ``repostwatch --help`` loads neither the matcher nor Scrapy.

Exit codes (docs/cli.md): 0 success / nothing to chase; 1 ``check`` found a copy lacking
credit; 2 usage or configuration error; 3 a target or crawl failed; 4 database error;
130 interrupted. Results go to stdout (``--json`` for machines), messages to stderr.
"""

from __future__ import annotations

import sys

import click

from repostwatch.config import CONFIG_NAME
from repostwatch.errors import RepostwatchError

from .checking import check, lookup
from .crawling import crawl, recheck, search
from .cycles import run_cycle, schedule_cycles
from .originals import originals
from .reporting import outreach, report
from .scanning import scan
from .serving import serve
from .starting import demo, init, sandbox
from .state import LOG_FORMATS, State, err, show_usage_error

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", envvar="REPOSTWATCH_CONFIG",
              help=f"Config file (default: ./{CONFIG_NAME}; env REPOSTWATCH_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Show crawl progress logs on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default="text",
              envvar="REPOSTWATCH_LOG_FORMAT", show_default=True,
              help="Messages and logs on stderr as text, or one JSON object per line "
                   "(env REPOSTWATCH_LOG_FORMAT).")
@click.version_option(package_name="repostwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool, debug: bool,
        log_format: str) -> None:
    """Find copies of your articles on the web and check that they credit you.

    \b
    Quick start:
      repostwatch demo                 # everything, on the bundled sandbox web
      repostwatch init                 # write a starter repostwatch.toml
      repostwatch originals import     # fetch your articles (sitemaps/feeds in the config)
      repostwatch crawl                # crawl the [[watch]] sites, judge, store
      repostwatch recheck              # revisit known copies: credit added? taken down?
      repostwatch search               # ask a search engine for copies, judge, store
      repostwatch scan FILE.warc.gz    # judge every page of web archives (CC-NEWS...)
      repostwatch report               # HTML report of copies lacking credit
      repostwatch check URL            # judge one page now
      repostwatch serve                # review findings in the browser
    """
    ctx.obj = State(config_path, verbose, debug, log_format)


for command in (init, originals, crawl, recheck, search, scan, check, lookup, run_cycle,
                schedule_cycles, report, outreach, serve, demo, sandbox):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one-line messages and documented exit codes."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="repostwatch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        show_usage_error(exc)
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:  # click: Ctrl-C is Abort
        # a crawl's Interrupted says whether it can be resumed (click wraps it in Abort)
        advice = getattr(exc.__cause__ or exc, "advice", "")
        err("interrupted: what was stored so far is kept" + (f"; {advice}" if advice else ""),
            level="WARNING")
        return 130
    except RepostwatchError as exc:
        if debug:
            raise
        err(f"error: {exc}", level="ERROR")
        return exc.exit_code
    except OSError as exc:  # a file or folder given on the command line: say which and why
        if debug:
            raise
        name = f" {exc.filename}" if exc.filename else ""
        err(f"error: cannot use{name}: {exc.strerror or exc}", level="ERROR")
        return 2
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return 0
