"""``repostwatch init | demo | sandbox``: getting started."""

from __future__ import annotations

from pathlib import Path

import click

from repostwatch.config import CONFIG_NAME
from repostwatch.errors import UsageError

from .state import State, err

__all__ = ["SCRAPY_CFG", "demo", "init", "sandbox"]


@click.command()
@click.argument("path", default=CONFIG_NAME, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter config file, and a scrapy.cfg beside it (so that `scrapy
    list` and `scrapy crawl watch` work in that folder too; kept if one exists).

    Example: repostwatch init && $EDITOR repostwatch.toml
    """
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it")
    from importlib.resources import files

    path.write_text(files("repostwatch").joinpath("starter.toml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    err(f"wrote {path}: edit [[publications]] and [[watch]], then run "
        "`repostwatch originals import`")
    scrapy_cfg = path.parent / "scrapy.cfg"
    if not scrapy_cfg.exists():
        scrapy_cfg.write_text(SCRAPY_CFG, encoding="utf-8")
        err(f"wrote {scrapy_cfg}: `scrapy list` and `scrapy crawl watch` work here too")


SCRAPY_CFG = """\
# Written by `repostwatch init`: makes this folder a Scrapy project, so that `scrapy list` and
# `scrapy crawl watch` work here like `repostwatch crawl` (the spiders read repostwatch.toml
# from this folder, or the file REPOSTWATCH_CONFIG names). repostwatch itself does not need it.
[settings]
default = crawler.settings
"""


@click.command()
@click.option("--dir", "folder", default="demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo writes its config, database and report.")
@click.pass_obj
def demo(state: State, folder: Path) -> None:
    """Run everything on the bundled sandbox web: import, crawl, judge, store, report.

    Example: repostwatch demo --dir /tmp/rw-demo
    """
    from repostwatch.demo import run_demo

    run_demo(folder, log_level=state.log_level)


@click.command()
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 = any free port).")
@click.option("--articles", default=8, show_default=True, help="Articles of the publisher.")
def sandbox(port: int, articles: int) -> None:
    """Serve the sandbox web (a local HTTP proxy playing several sites) until Ctrl-C.

    Example: repostwatch sandbox --port 8800
    """
    import asyncio
    import contextlib

    from crawler.sandbox import SandboxError, serve
    from crawler.sandbox.content import MAX_ARTICLES

    if not 1 <= articles <= MAX_ARTICLES:
        raise UsageError(f"--articles {articles}: the sandbox serves 1 to {MAX_ARTICLES:,}")

    def ready(proxy_url: str) -> None:
        click.echo(f"sandbox web: proxy {proxy_url} (Ctrl-C to stop); set [crawl] "
                   f"proxy = \"{proxy_url}\" and allow_private_sites = [\"*.test\"]")

    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(port=port, articles=articles, on_ready=ready))
        except SandboxError as exc:  # the port is taken, most often
            raise UsageError(str(exc), hint="choose another --port, or 0 for any free "
                                            "one") from None
