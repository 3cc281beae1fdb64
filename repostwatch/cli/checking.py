"""``repostwatch check | lookup``: one page judged now; every known copy of one original."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from repostwatch.errors import UsageError

from .state import State, err, json_line

if TYPE_CHECKING:
    from matcher import CreditRule, FingerprintIndex
    from repostwatch.store import Store

__all__ = ["check", "lookup"]


@click.command()
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
def check(state: State, targets: tuple[str, ...], file_url: str | None, pages: Path | None,
          url_list: Path | None, as_json: bool, save: bool, allow_private: bool) -> None:
    """Judge pages now: is each a copy of one of our originals, and does it credit us?

    TARGET is an http(s) URL or a saved HTML file. URLs are fetched concurrently (at most
    two at a time per site). Exit code: 0 nothing to chase, 1 a copy lacks credit, 2 usage or
    configuration error, 3 a target could not be checked.

    Example: repostwatch check https://aggregator.example/story --json
    """
    from crawler.lookup import exit_code, judge_targets, read_targets, save_outcomes
    from repostwatch.render import print_outcome

    config = state.config
    todo = read_targets(list(targets), file_url=file_url, pages=pages, url_list=url_list,
                        max_size_mb=config.crawl.max_size_mb)
    with _judging_with(state, save=save) as (store, index, rules):
        outcomes = judge_targets(todo, index, config, rules=rules,
                                 allow_private=allow_private or config.crawl.allow_private,
                                 processes=config.crawl.judging_processes(beside_a_crawl=False),
                                 keep_pages=save)
        if store is not None:
            saved, copies = save_outcomes(store, outcomes)
            err(f"saved {saved} judged page{'' if saved == 1 else 's'}, {copies} "
                f"cop{'y' if copies == 1 else 'ies'}, to the store")
    for o in outcomes:
        if as_json:
            click.echo(json_line(o.to_dict()))
        else:
            print_outcome(o)
    sys.exit(exit_code(outcomes))


@contextmanager
def _judging_with(state: State, *, save: bool
                  ) -> Iterator[tuple[Store | None, FingerprintIndex, dict[str, CreditRule]]]:
    """The index and credit rules to judge with, open for the block (originals' texts are read
    on a match), and the store when ``--save`` writes to it. A SQLite store whose index cache
    is current is read without SQLAlchemy (``ReadOnlySQLite``: ~0.3 s less of a cold check);
    anything else opens ``Store``, which migrates the schema and rebuilds the cache."""
    config = state.config
    state.require_publications()
    if not save:
        from repostwatch.store.readonly import open_for_judging

        quick = open_for_judging(config.database_url, config.index_cache, config.rules)
        if quick is not None:
            with quick.reader:
                yield None, _some(quick.index), quick.rules
            return
    from repostwatch.store.reviews import allowed_rules

    with state.store() as store:
        index = store.load_index(cache_dir=config.index_cache)
        yield (store if save else None), _some(index), allowed_rules(store, config.rules)


def _some(index: FingerprintIndex) -> FingerprintIndex:
    if not len(index):
        raise UsageError("the store has no originals to compare pages with",
                         hint="run `repostwatch originals import` first")
    return index


@click.command()
@click.argument("original", metavar="ORIGINAL")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: the original and its copies with their history.")
@click.pass_obj
def lookup(state: State, original: str, as_json: bool) -> None:
    """Every known copy of one of our originals, with its status history, newest first.

    ORIGINAL is the original's URL (any variant of it) or its id from `originals list`. Exit
    code: 0 nothing to chase, 1 a copy lacks credit, 2 no such original.

    Example: repostwatch lookup https://dailyplanet.example/news/pier.html
    """
    from repostwatch.render import copies_to_dict, print_copies
    from repostwatch.store.archive import captures_of

    with state.store() as store:
        found = store.find_original(original)
        if found is None:
            raise UsageError(f"no original {original!r} in the store",
                             hint="`repostwatch originals list` shows ids and URLs")
        copies = store.copies_of(found.id)
        captures = captures_of(store, [c.id for c in copies])
    if as_json:
        click.echo(json_line(copies_to_dict(found, copies, captures)))
    else:
        print_copies(found, copies, captures)
    sys.exit(1 if any(c.lacks_credit and c.is_open for c in copies) else 0)
