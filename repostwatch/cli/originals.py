"""``repostwatch originals import | list | remove``: the publication's own articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from repostwatch.errors import CrawlError, UsageError
from repostwatch.terminal import one_line

from .state import State, err, fmt_counts

if TYPE_CHECKING:
    from repostwatch.config import Config

__all__ = ["originals"]


@click.group()
def originals() -> None:
    """The publication's own articles, which copies are compared with."""


@originals.command("import")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("-p", "--publication", metavar="NAME", help="Whose articles (needed with several).")
@click.pass_obj
def originals_import(state: State, sources: tuple[str, ...], publication: str | None) -> None:
    """Import originals from sitemaps, feeds, article URLs or JSON Lines files.

    Without SOURCE, the publication's `originals` from the config are used. JSON Lines: one
    object per line with `url` and `text` or `html` (optional: title, author, published,
    publication).

    Example: repostwatch originals import https://dailyplanet.example/sitemap.xml
    """
    from crawler.originals import import_jsonl, read_jsonl

    config = state.config
    pairs = _import_sources(config, sources, publication)
    urls = [(s, p) for s, p in pairs if s.startswith(("http://", "https://"))]
    files = [(Path(s), p) for s, p in pairs if not s.startswith(("http://", "https://"))]
    for f, _ in files:
        if not f.is_file():
            raise UsageError(f"{f}: no such file, and not an http(s) URL")
    records = [r for f, p in files for r in read_jsonl(f, config, p)]
    with state.store() as store:
        store.ensure_publications(config.rules.values())
        counts = import_jsonl(store, records, config.rules) if records else {}
    if counts:
        err(f"{len(records)} originals from files: {fmt_counts(counts)}")
    if urls:
        from crawler.runner import CrawlJob, crawl_failed, run_crawls
        from crawler.spiders.originals import OriginalsSpider, import_counts, import_problem

        jobs = [CrawlJob(OriginalsSpider, {"publication": p, "source": u}) for u, p in urls]
        with state.job_lock("originals", "originals import"):
            results = run_crawls(config, jobs, log_level=state.log_level)
        got = {k: sum(import_counts(r.stats)[k] for r in results)
               for k in ("added", "updated", "unchanged", "no_text")}
        err(f"originals from {len(urls)} URL source{'' if len(urls) == 1 else 's'}: "
            f"{fmt_counts(got)}")
        problems = [p for p in map(crawl_failed, results) if p]
        problems += [p for (url, _), r in zip(urls, results, strict=False)
                     if (p := import_problem(r.stats, url))]
        if problems:
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


@originals.command("list")
@click.option("-p", "--publication", metavar="NAME", help="Only this publication's articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def originals_list(state: State, publication: str | None, as_json: bool) -> None:
    """List the originals in the store.

    Example: repostwatch originals list --json | jq .url
    """
    name = state.config.publication(publication).name if publication else None
    with state.store() as store:
        items = store.originals(name)
    for o in items:
        if as_json:
            click.echo(json.dumps({"id": o.id, "publication": o.publication, "url": o.url,
                                   "title": o.title, "words": len(o.tokens)}))
        else:
            click.echo("\t".join(map(one_line, (str(o.id), o.publication, o.url, o.title))))
    if not as_json:
        err(f"{len(items)} original{'' if len(items) == 1 else 's'}")


@originals.command("remove")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.pass_obj
def originals_remove(state: State, urls: tuple[str, ...]) -> None:
    """Remove originals (and their findings) from the store, e.g. a retracted article.

    Example: repostwatch originals remove https://dailyplanet.example/news/retracted.html
    """
    with state.store() as store:
        unknown = [u for u in urls if not store.remove_original(u)]
    removed = len(urls) - len(unknown)
    err(f"{removed} original{'' if removed == 1 else 's'} removed")
    if unknown:
        raise UsageError(f"no original with URL {', '.join(unknown)}",
                         hint="`repostwatch originals list` shows the stored URLs")
