"""``repostwatch check``: judge given URLs, saved HTML files or JSON Lines of pages.

URLs are fetched with aiohttp (``crawler.fetch``: limits, SSRF guard), not Scrapy, so a lookup
answers in about a second. Judging is the same ``assess`` the crawl uses. One target failing
never stops the others: it becomes an outcome with an ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher import Assessment, CreditRule, FingerprintIndex, Page, assess, web_address
from matcher.urls import http_scheme
from repostwatch.config import Config
from repostwatch.errors import FetchError, UsageError

from .items import GONE_STATUSES
from .jsonl import read_lines, read_records, where_of
from .sniff import decode_html, looks_like_html, utf8_of
from .targets import Target, decoded

if TYPE_CHECKING:
    from repostwatch.store import Store

__all__ = ["Outcome", "Target", "exit_code", "judge_targets", "read_targets", "recheck_page",
           "save_outcomes"]

_EMPTY: dict[str, Any] = Assessment(url="", verdict="none").to_dict()
# Judging processes start in ~0.2 s each on a SQLite store with a current index cache, ~0.5 s
# otherwise: worth it from here (150 corpus pages: 1.09 s judged here, 1.19 s in 2 processes).
PROCESSES_FROM = 200


@dataclass(frozen=True)
class Outcome:
    target: Target
    result: Assessment | None
    error: str | None = None
    page: Page | None = None  # the parsed page that was judged (kept for ``--save``)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON object (docs/json.md): the same keys for results and errors."""
        if self.result is not None:
            data = self.result.to_dict()
        else:
            data = {**_EMPTY, "verdict": None, "url": self.target.url, "error": self.error}
        data["target"] = self.target.label
        data["final_url"] = self.target.final_url
        return data


def _file_target(path: Path, url: str | None, max_size_mb: float | None) -> Target:
    """A saved page, read up to ``max_size_mb`` (as a fetched page is: ``/dev/zero`` or a
    file of gigabytes is refused after that much, not read whole)."""
    label = str(path)
    address = url or path.resolve().as_uri()
    limit = int(max_size_mb * 1024 * 1024) if max_size_mb is not None else -1
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1 if limit >= 0 else -1)
    except OSError as exc:
        return Target(label, address, error=f"cannot read file: {exc.strerror or exc}")
    if 0 <= limit < len(raw):
        return Target(label, address,
                      error=f"file larger than {max_size_mb:g} MiB ([crawl] max_size_mb)")
    if not looks_like_html(raw):
        return Target(label, address, error="not an HTML file")
    encoding, text = decode_html(None, raw)
    return Target(label, address, html=text, utf8=utf8_of(encoding, raw, text))


def read_targets(args: list[str], *, file_url: str | None, pages: Path | None,
                 url_list: Path | None = None, max_size_mb: float | None = None
                 ) -> list[Target]:
    """Targets from the command line: URLs, HTML files (each read up to ``max_size_mb``:
    ``[crawl] max_size_mb``, as pages fetched), a JSON Lines file of pages and a file listing
    URLs."""
    files = [a for a in args if not http_scheme(a)]
    if file_url and len(files) != 1:
        raise UsageError("--url gives one saved file its address: pass exactly one file")
    if file_url is not None and not web_address(file_url):
        raise UsageError(f"--url {file_url[:200]!r} is not an http(s) URL",
                         hint="give the address the file was saved from, such as "
                              "https://site.example/story")
    targets = []
    for arg in args:
        if http_scheme(arg):
            targets.append(Target(arg, arg))
        elif Path(arg).exists():
            targets.append(_file_target(Path(arg), file_url, max_size_mb))
        elif "://" in arg:
            raise UsageError(f"{arg}: only http and https URLs can be checked")
        else:
            raise UsageError(f"{arg}: no such file, and not an http(s) URL")
    if pages is not None:
        targets.extend(_read_pages(pages))
    if url_list is not None:
        targets.extend(_read_url_list(url_list))
    if not targets:
        raise UsageError("nothing to check",
                         hint="give URLs, HTML files, --pages FILE or --from FILE")
    return targets


def _read_pages(path: Path) -> list[Target]:
    """A target per line, decoded later (``decoded``): reading 2,000 pages is ~0.2 s this way
    and decoding them ~1 s, which judging processes share out."""
    return [Target(f"{path}:{n}", "", record=line, where=where_of(path, n))
            for n, line in read_records(path)]


def _read_url_list(path: Path) -> list[Target]:
    """One http(s) URL per line; blank lines and lines starting with # are skipped."""
    out = []
    for n, line in enumerate(read_lines(path), 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not http_scheme(url) or any(c.isspace() for c in url):
            raise UsageError(f"{path}, line {n}: not an http(s) URL: {url[:100]!r}",
                             hint="one URL per line; # starts a comment")
        out.append(Target(url, url))
    return out


def _fetch_all(targets: list[Target], config: Config, allow_private: bool) -> list[Target]:
    todo = [i for i, t in enumerate(targets) if t.url_to_fetch]
    if not todo:
        return targets
    import asyncio  # asyncio and aiohttp are only imported when there is something to fetch

    from .fetch import fetch_many

    fetched = asyncio.run(
        fetch_many([targets[i].url for i in todo], config.crawl, allow_private=allow_private)
    )
    out = list(targets)
    for i, got in zip(todo, fetched, strict=True):
        t = targets[i]
        if isinstance(got, FetchError):
            out[i] = Target(t.label, t.url, error=str(got), status=got.status)
        else:
            out[i] = Target(t.label, t.url, html=got.html, final_url=got.final_url,
                            status=got.status, utf8=got.utf8)
    return out


def judge_targets(
    targets: list[Target], index: FingerprintIndex, config: Config, *, allow_private: bool,
    rules: Mapping[str, CreditRule] | None = None, processes: int = 0,
    keep_pages: bool = False,
) -> list[Outcome]:
    """Fetch what needs fetching, then ``assess`` every page with ``rules`` (default: the
    config's; pass ``repostwatch.store.reviews.allowed_rules`` to count the store's allow-list).
    ``keep_pages``: each outcome keeps its page, to be saved (``save_outcomes``): every page
    in hand must then have a web address (``UsageError`` naming the first that has none, before
    anything is fetched).

    ``processes`` > 1: with at least ``PROCESSES_FROM`` pages to judge, judge them in that
    many processes (``crawler.judging``: they load the index from its cache and count the
    store's allow-list, as ``allowed_rules`` does; they decode JSON Lines records too)."""
    rules = config.rules if rules is None else rules
    in_processes = processes > 1 and sum(t.error is None for t in targets) >= PROCESSES_FROM
    if keep_pages or not in_processes:  # a bad line is named before anything is fetched
        targets = [decoded(t) for t in targets]
    if keep_pages:
        _require_web_addresses(targets)
    fetched = _fetch_all(targets, config, allow_private)
    todo = [t for t in fetched if t.judgeable]
    # Pages are parsed where they are judged: here, or in a process (then the one here is
    # parsed only if --save needs it); a record decoded in a process stays there.
    pages = [None if t.record is not None else
             Page(t.url, t.html or "", final_url=t.final_url, utf8=t.utf8) for t in todo]
    if in_processes:
        from .judging import assess_in_processes

        judged = iter(assess_in_processes(todo, config, processes))
    else:
        judged = (assess(p, index, rules, thresholds=config.thresholds) for p in pages
                  if p is not None)
    outcomes, in_order = [], iter(pages)
    for t in fetched:
        if not t.judgeable:
            outcomes.append(Outcome(t, None, t.error or "no content"))
            continue
        result, page = next(judged), next(in_order)
        target = t if t.record is None else replace(t, url=result.url, record=None)
        outcomes.append(Outcome(target, result, page=page))
    return outcomes


def _require_web_addresses(targets: list[Target]) -> None:
    """``UsageError`` naming the first page in hand (a file, a line of ``--pages``) without an
    http(s) address: a saved page is reported by its site and fetched again by ``recheck``,
    and an address such as ``notaurl`` or ``file:///...`` stopped every later recheck."""
    for t in targets:
        if t.html is not None and not web_address(t.url):
            raise UsageError(
                f"{t.where or t.label}: {t.url[:200]!r} is not an http(s) address, and --save "
                "stores each page under the address it was found at",
                hint="give a saved file's address with --url URL, or a page's in its `url`")


def save_outcomes(store: Store, outcomes: list[Outcome]) -> tuple[int, int]:
    """Store every judged page as a crawl would (same upserts, same history), recorded as a
    run of kind ``check``. Returns (pages saved, copies among them)."""
    from repostwatch.store import PageRecord

    from .batches import BATCH_PAGES

    run_id = store.start_run("check")
    judged = [o for o in outcomes if o.result is not None and o.page is not None]
    for start in range(0, len(judged), BATCH_PAGES):  # a transaction a batch, as a crawl's
        store.record_pages([PageRecord(o.result, o.page, status=o.target.status, run_id=run_id)
                            for o in judged[start:start + BATCH_PAGES] if o.page is not None])
    saved = len(judged)
    copies = sum(o.result is not None and o.result.is_copy for o in judged)
    failed = sum(o.error is not None for o in outcomes)
    store.finish_run(run_id, "failed" if failed else "finished", {
        "repostwatch/pages_judged": saved, "repostwatch/copies": copies,
        "repostwatch/lacking_credit": sum(o.result is not None and o.result.lacks_credit
                                          for o in outcomes),
        "repostwatch/check_errors": failed,
    })
    return saved, copies


def recheck_page(store: Store, config: Config, url: str) -> Outcome:
    """Fetch ``url`` now, judge it with the store's allow-list counted, and record the outcome
    as ``check --save`` does; a page answering 404 / 410 is recorded as gone (its findings
    too), as ``repostwatch recheck`` does. A fetch that fails otherwise records nothing. The
    review UI's "re-check now" (handed in by the shell). Runs its own event loop."""
    from repostwatch.store.reviews import allowed_rules

    index = store.load_index(cache_dir=config.index_cache)
    outcome = judge_targets([Target(url, url)], index, config,
                            allow_private=config.crawl.allow_private,
                            rules=allowed_rules(store, config.rules))[0]
    if outcome.result is None and outcome.target.status in GONE_STATUSES:
        store.record_page(None, Page(url, ""), status=outcome.target.status)
    elif outcome.result is not None:
        save_outcomes(store, [outcome])
    return outcome


def exit_code(outcomes: list[Outcome]) -> int:
    """3 if a target could not be checked, else 1 if a copy lacks credit, else 0."""
    if any(o.error for o in outcomes):
        return 3
    if any(o.result is not None and o.result.lacks_credit for o in outcomes):
        return 1
    return 0
