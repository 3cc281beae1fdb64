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
    from matcher.urls import http_scheme

    config = state.config
    pairs = _import_sources(config, sources, publication)
    urls = [(s, p) for s, p in pairs if http_scheme(s)]
    files = [(s, p) for s, p in pairs if not http_scheme(s)]
    for name, _ in files:  # named as given ("ftp://x" as a Path is "ftp:/x")
        if "://" in name:
            raise UsageError(f"{name}: only http(s) URLs and JSON Lines files can be imported")
        if Path(name).is_dir():
            raise UsageError(f"{name} is a folder", hint="give a JSON Lines file of originals")
        if not Path(name).is_file():
            raise UsageError(f"{name}: no such file, and not an http(s) URL")
    records = [r for name, p in files for r in read_jsonl(Path(name), config, p)]
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
    """List the originals in the store: id, publication, URL, title, and source (``own``, or
    the wire a syndicated story comes from; "set by a person" after `originals source`).

    Example: repostwatch originals list --json | jq 'select(.source != null) | .url'
    """
    from repostwatch.store.sources import original_sources

    name = state.config.publication(publication).name if publication else None
    with state.store() as store:
        items = store.originals(name)
        sources = original_sources(store, [o.id for o in items])
    for o in items:
        info = sources[o.id]
        if as_json:
            click.echo(json.dumps({
                "id": o.id, "publication": o.publication, "url": o.url, "title": o.title,
                "words": len(o.tokens), "source": info.source, "syndicated": info.syndicated,
                "source_set_by": info.set_by, "source_reason": info.reason,
                "source_evidence": list(info.evidence)}))
        else:
            source = info.source or "own"
            if info.set_by == "person":
                source += " (set by a person)"
            click.echo("\t".join(map(one_line, (str(o.id), o.publication, o.url, o.title,
                                                 source))))
    if not as_json:
        wire = sum(sources[o.id].syndicated for o in items)
        err(f"{len(items)} original{'' if len(items) == 1 else 's'}, {wire} of them wire "
            f"stor{'y' if wire == 1 else 'ies'}")


@originals.command("source")
@click.argument("refs", nargs=-1, metavar="[ORIGINAL]...")
@click.option("--own", "choice", flag_value="own", help="The publisher's own story.")
@click.option("--wire", metavar="NAME", help="A story syndicated from this wire (AP, Reuters…).")
@click.option("--auto", "choice", flag_value="auto",
              help="Follow what the original's own marks say again (undo --own / --wire).")
@click.option("--redetect", is_flag=True,
              help="Decide every original's source again from its text (after a change of "
                   "[[wires]]); a person's choice is kept.")
@click.pass_obj
def originals_source(state: State, refs: tuple[str, ...], choice: str | None, wire: str | None,
                     redetect: bool) -> None:
    """Say where an original comes from: the publisher's own story, or a wire's.

    Copies of a wire story are kept apart from "lacking credit" (they are usually other
    licensees of the same wire) unless the publication sets report_syndicated. ORIGINAL is a
    URL or an id from `originals list`. The copies' credit follows at their next check.

    Example: repostwatch originals source https://dailyplanet.example/news/storm.html --wire AP
    """
    from repostwatch.store.sources import original_sources, override_source, redetect_sources

    if redetect:
        if refs or choice or wire:
            raise UsageError("--redetect takes no ORIGINAL and no --own/--wire/--auto",
                             hint="it decides every original again")
        with state.store() as store:
            changed = redetect_sources(store, state.config.rules)
        err(f"sources decided again from the originals' text: {changed} changed")
        return
    if bool(choice) == bool(wire) or not refs:
        raise UsageError("give ORIGINAL... and one of --own, --wire NAME, --auto",
                         hint="e.g. repostwatch originals source 12 --wire AP")
    with state.store() as store:
        found = [(ref, store.find_original(ref)) for ref in refs]
        unknown = [ref for ref, o in found if o is None]
        if unknown:
            raise UsageError(f"no original {', '.join(map(repr, unknown))} in the store",
                             hint="`repostwatch originals list` shows ids and URLs")
        for _, o in found:
            assert o is not None
            source = _wire_name(state, o.publication, wire) if wire else None
            changed = override_source(store, o.id, source, person=choice != "auto")
            now = original_sources(store, [o.id])[o.id]
            err(f"{o.id} {one_line(o.url)}: {now.source or 'own'}"
                + (" (set by a person)" if now.set_by == "person" else " (from its marks)")
                + ("" if changed else ", unchanged"))


def _wire_name(state: State, publication: str, name: str) -> str:
    """The known wire ``name`` spells (its canonical name), or ``name`` as given."""
    from matcher import WIRES, find_wire

    rule = state.config.rules.get(publication)
    return find_wire(name, rule.wires if rule is not None else WIRES).name


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
