"""``repostwatch demo``: the whole product, end to end, on the bundled sandbox web.

Starts the sandbox web (a local HTTP proxy playing a publisher and the sites that copy it),
writes a config into the demo folder, imports the publisher's articles from its sitemap,
crawls the other sites with Scrapy, judges and stores every page in a SQLite file there, and
writes an HTML report (recorded: ``report --list`` shows it). Running it again updates the
same database (upserts, no duplicates).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import click

from crawler.polite import PoliteFetcher
from crawler.runner import CrawlJob, crawl_failed, run_crawls
from crawler.sandbox import SandboxServer, demo_config
from crawler.spiders.originals import OriginalsSpider
from crawler.spiders.watch import WatchSpider

from .config import ENV_OVERRIDES, load_config
from .errors import CrawlError
from .store import Store

__all__ = ["run_demo"]


def run_demo(folder: Path, *, log_level: str = "WARNING") -> None:
    """Run the demo in ``folder`` (created if missing) and print a summary on stdout."""
    # The demo must never record into a database or a Redis queue, nor fetch through a proxy,
    # that the environment names for real work.
    for var in ENV_OVERRIDES:
        os.environ.pop(var, None)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "repostwatch.toml"
    with SandboxServer() as web:
        config_path.write_text(demo_config(web.proxy_url), encoding="utf-8")
        config = load_config(config_path)
        click.echo(f"sandbox web: proxy {web.proxy_url}; config {config_path}", err=True)
        with Store.open(config.database_url) as store:
            store.ensure_publications(config.rules.values())
        click.echo("importing originals, then crawling the watched sites…", err=True)
        results = run_crawls(config, [CrawlJob(OriginalsSpider), CrawlJob(WatchSpider)],
                             log_level=log_level)
        from reports import produce_report

        # recorded like any report (`report --list`); the letters' contact pages are read
        # through the sandbox while it runs (its config lets the guard pass *.test)
        fetch = PoliteFetcher(config.crawl).pages
        with Store.open(config.database_url) as store:
            done = produce_report(store, config, fmt="html", send=False, fetch=fetch)
    rep, path = done.report, done.paths[0]
    originals_stats, watch_stats = results[0], results[-1]
    imported = sum(originals_stats.get(f"repostwatch/originals/{k}")
                   for k in ("added", "updated", "unchanged"))
    t = rep.totals  # the same figures the report shows
    lacking = Counter(f.credit_status for f in rep.rows)
    lines = [
        f"originals imported:  {imported}",
        f"pages judged:        {watch_stats.get('repostwatch/pages_judged')}",
        f"copies found:        {t['findings']} (reposts {t['reposts']}, "
        f"excerpts {t['excerpts']})",
        f"credited:            {t['credit_credited']} "
        f"(+ {t['credit_allowed']} allowed partner)",
        f"lacking credit:      {t['lacking_credit']} (uncredited {lacking['uncredited']}, "
        f"misattributed {lacking['misattributed']}, partial {lacking['partial']})",
        f"kept apart:          {t['kept_apart']} (copies of the wire stories it ran, not "
        "chased: other licensees of the wire)",
        f"database:            {config.database_url}",
        f"report:              {path}",
    ]
    click.echo("\n".join(lines))
    problems = [p for p in map(crawl_failed, results) if p]
    if problems:
        raise CrawlError("; ".join(problems))
