"""Typed settings, layered: defaults → ``repostwatch.toml`` → environment.

The file is found as: ``--config PATH``, else ``$REPOSTWATCH_CONFIG``, else ``repostwatch.toml``
in the working directory. Relative paths in it (the SQLite file, the report folder, JSON Lines
sources) are relative to the file. Environment overrides: ``REPOSTWATCH_DATABASE_URL``,
``REPOSTWATCH_PROXY``, ``REPOSTWATCH_REDIS_URL``, ``REPOSTWATCH_DASK``. Every key is documented
in docs/config.md; ``repostwatch init`` writes a commented starter file. Read through
``load_config``; nothing is read at import time.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import string
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ConfigError

if TYPE_CHECKING:  # the matcher (numpy) is imported when rules or thresholds are first needed,
    # so that `repostwatch --help` and the CLI's start stay instant
    from matcher import CreditRule, Thresholds

__all__ = [
    "CONFIG_NAME",
    "ENV_OVERRIDES",
    "Config",
    "CrawlConfig",
    "DeliveryConfig",
    "DistributedConfig",
    "Publication",
    "ReportConfig",
    "ReviewConfig",
    "ScanConfig",
    "ScheduleConfig",
    "SearchConfig",
    "WatchSite",
    "WireConfig",
    "check_template",
    "find_config",
    "load_config",
]

ENV_OVERRIDES = ("REPOSTWATCH_CONFIG", "REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY",
                 "REPOSTWATCH_REDIS_URL", "REPOSTWATCH_DASK", "REPOSTWATCH_SMTP_PASSWORD",
                 "REPOSTWATCH_WEBHOOK_TOKEN", "REPOSTWATCH_REVIEW_TOKEN")
"""The environment variables ``load_config`` reads (which file, where the data goes, secrets):
what a run on data of its own (the demo, a benchmark) must not take from its environment."""

CONFIG_NAME = "repostwatch.toml"
"""The configuration file looked for in the working folder."""
DEFAULT_USER_AGENT = "repostwatch/0.1 (+https://github.com/repostwatch/repostwatch)"
"""Every fetch's User-Agent unless ``[crawl] user_agent`` says otherwise (Scrapy's too)."""
DEFAULT_REPOST_RULE = "Reposts are welcomed with the reference to {publication}."
"""``[report] repost_rule``: the publisher's condition, quoted in outreach letters."""
DEFAULT_CREDIT_LINE = "Source: {publication} — {url}"
"""``[report] credit_line``: the line a copy should carry, suggested in outreach letters."""
CREDIT_LINE_FIELDS = ("publication", "title", "url")
"""The placeholders ``credit_line`` and ``repost_rule`` may use: the publication's name, the
original's title and the original's URL."""


@dataclass(frozen=True)
class WireConfig:
    """A wire service of ``[[wires]]``, added to the built-in list (``matcher.WIRES``): its
    ``name``, other spellings (``aliases``, any letter case), short signs matched as written
    (``tags``: "NNA"), its sites (``domains``) and its own closing lines (``signatures``:
    regular expressions matched at the start of a line)."""

    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Publication:
    """A publication whose articles are watched, with its credit rule and original sources.

    ``report_syndicated``: copies of its wire stories that lack credit are reported like
    copies of its own stories (default: kept apart). ``wires``: the config's ``[[wires]]``,
    recognised besides the built-in list."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    credit: str = "any"
    allow: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()  # sitemap / feed URLs or JSON Lines files
    nofollow_ok: bool = True
    report_syndicated: bool = False
    wires: tuple[WireConfig, ...] = ()

    @property
    def rule(self) -> CreditRule:
        from matcher import WIRES, CreditRule, Wire

        extra = tuple(Wire(w.name, aliases=w.aliases, tags=w.tags, domains=w.domains,
                           signatures=w.signatures) for w in self.wires)
        return CreditRule(
            publication=self.name, aliases=self.aliases, domains=self.domains,
            credit=self.credit, allow=self.allow,  # type: ignore[arg-type]
            nofollow_ok=self.nofollow_ok, report_syndicated=self.report_syndicated,
            wires=WIRES + extra,
        )


@dataclass(frozen=True)
class WatchSite:
    """A site to crawl for copies: from ``url`` (same-site links), its sitemap or its feed."""

    url: str
    sitemap: str | None = None
    feed: str | None = None
    max_pages: int = 200
    max_depth: int = 3
    allow_private: bool = False  # its host may be private/local (or named through a proxy)

    @property
    def hosts(self) -> tuple[str, ...]:
        """``host[:port]`` of its url, sitemap and feed (what ``allow_private`` allows)."""
        urls = (self.url, self.sitemap or "", self.feed or "")
        found = (urlsplit(u).netloc.rpartition("@")[2].lower() for u in urls)
        return tuple(dict.fromkeys(h for h in found if h))


@dataclass(frozen=True)
class CrawlConfig:
    """Politeness and limits for every fetch (crawls and lookups)."""

    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    concurrency_per_site: int = 2
    download_delay: float = 0.5  # seconds between requests to one site
    autothrottle: bool = True
    timeout: float = 30.0  # seconds per request
    max_size_mb: float = 10.0  # larger responses are aborted
    max_redirects: int = 5
    retries: int = 2  # retries of a page that timed out or answered 5xx / 429
    max_crawl_delay: float = 30.0  # robots.txt Crawl-delay is honoured up to this (seconds)
    max_retry_after: float = 120.0  # Retry-After on 429/503 is honoured up to this (seconds)
    job_dir: str = "repostwatch-jobs"  # state of interrupted crawls (next to the config file)
    # judge and store pages in worker processes (0: in threads); None ("auto" in the file):
    # see ``judging_processes``
    judge_processes: int | None = None
    proxy: str = ""  # HTTP proxy for every fetch ("" = none); the sandbox web is one
    allow_private: bool = False  # every fetch may reach private / loopback addresses
    # sites (host names with their subdomains, IP addresses or networks, optionally :port)
    # that may be private, or be fetched by name through the proxy; the [[watch]] sites marked
    # allow_private are added here when the config is read (docs/config.md)
    allow_private_sites: tuple[str, ...] = ()

    def judging_processes(self, *, beside_a_crawl: bool) -> int:
        """How many processes judge pages: ``judge_processes``, or when it is "auto" one a
        core, less the one a crawl keeps busy fetching and parsing (on 2 cores a crawl beside
        one judging process fetched and judged 363 pages/s, beside two 272: docs/crawling.md);
        0 = judge in threads (a crawl on one core)."""
        if self.judge_processes is not None:
            return self.judge_processes
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
        return cores - 1 if beside_a_crawl else cores


@dataclass(frozen=True)
class SearchConfig:
    """Discovery by search (docs/config.md ``[search]``): a SearXNG instance's JSON API."""

    url: str = ""  # base URL of the SearXNG instance ("" = search disabled)
    queries_per_original: int = 2  # distinctive sentences searched per original
    budget: int = 100  # queries (HTTP requests to the backend) per run, at most
    max_results: int = 10  # result URLs fetched per query, at most
    min_interval: float = 1.0  # seconds between two queries to the backend
    engines: tuple[str, ...] = ()  # SearXNG engines to ask (empty: the instance's default)
    language: str = ""  # SearXNG language, e.g. "en" ("" = the instance's default)


@dataclass(frozen=True)
class ReportConfig:
    """What reports say beyond the findings (docs/config.md ``[report]``): the outreach
    letters' templates (placeholders ``{publication}``, ``{title}``, ``{url}``)."""

    outreach: bool = True  # credit requests per site in the HTML, Markdown and JSON reports
    repost_rule: str = DEFAULT_REPOST_RULE
    credit_line: str = DEFAULT_CREDIT_LINE  # the line to add under each copy


@dataclass(frozen=True)
class DeliveryConfig:
    """Where a report goes once written (docs/config.md ``[delivery]``); all off by default.

    Secrets come from the environment only: ``REPOSTWATCH_SMTP_PASSWORD`` (with
    ``smtp_user``) and ``REPOSTWATCH_WEBHOOK_TOKEN`` (sent as ``Authorization: Bearer``).
    """

    folder: str = ""  # also write the report here, dated names ("" = off)
    formats: tuple[str, ...] = ("html", "csv")  # formats written into ``folder``
    email_to: tuple[str, ...] = ()  # recipients (empty = no e-mail)
    email_from: str = ""
    smtp_host: str = ""
    smtp_port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for none
    smtp_security: str = "starttls"  # starttls, ssl or none
    smtp_user: str = ""  # log in as this user (password: REPOSTWATCH_SMTP_PASSWORD)
    smtp_password: str = field(default="", repr=False)  # from the environment only
    smtp_timeout: float = 30.0  # seconds one read may wait
    smtp_deadline: float = 120.0  # seconds one attempt may take in all
    smtp_cleartext_login: bool = False  # allow smtp_user's login when smtp_security = "none"
    webhook_url: str = ""  # POST a JSON summary here ("" = off)
    webhook_token: str = field(default="", repr=False)  # from the environment only
    webhook_timeout: float = 30.0  # seconds
    retries: int = 3  # further attempts of a failed delivery
    retry_backoff: float = 5.0  # seconds before the first retry, doubled each time

    @property
    def enabled(self) -> bool:
        return bool(self.folder or self.email_to or self.webhook_url)


@dataclass(frozen=True)
class ReviewConfig:
    """The review web UI (``repostwatch serve``; docs/review.md). ``token``: the shared secret
    that signs in (env ``REPOSTWATCH_REVIEW_TOKEN`` overrides; better than the file); ``users``:
    ``"name:sha256-hex-of-their-token"`` entries, so actions name who did them."""

    host: str = "127.0.0.1"  # any other address needs a token or users
    port: int = 8080
    token: str = ""
    users: tuple[str, ...] = ()
    page_size: int = 50  # findings per page of the list


@dataclass(frozen=True)
class DistributedConfig:
    """A crawl shared by several workers (docs/scaling.md): scrapy-redis on this Redis."""

    redis_url: str = ""  # redis://[user:password@]host:port/db ("" = crawl alone)
    key_prefix: str = "repostwatch"  # every Redis key of the fleet starts with this
    heartbeat_ttl: float = 15.0  # seconds without a heartbeat before a worker counts as dead
    idle_grace: float = 5.0  # seconds the whole fleet must stay idle before the crawl ends


@dataclass(frozen=True)
class ScanConfig:
    """``repostwatch scan``: archive files (WARC / ARC) judged record by record
    (docs/config.md ``[scan]``; docs/scaling.md for Dask)."""

    dask: str = ""  # address of a Dask scheduler, e.g. "tcp://scheduler:8786" ("" = none)
    workers: int = 0  # local worker processes (0: one per core, at most one per file)
    max_record_mb: float = 10.0  # larger records (before or after decoding) are skipped
    base_url: str = "https://data.commoncrawl.org/"  # what relative lines of a path list name


@dataclass(frozen=True)
class ScheduleConfig:
    """``repostwatch schedule``: when to run a cycle (docs/scheduling.md)."""

    cron: tuple[str, ...] = ()  # cron expressions (5 fields), e.g. "0 6 * * 1"
    timezone: str = ""  # an IANA zone such as "Europe/Berlin" ("" = the machine's local time)


@dataclass(frozen=True)
class Config:
    """Everything a command needs. ``path`` is the file it came from (None: defaults only)."""

    path: Path | None
    base_dir: Path
    publications: tuple[Publication, ...] = ()
    database_url: str = ""
    watch: tuple[WatchSite, ...] = ()
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    distributed: DistributedConfig = field(default_factory=DistributedConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    thresholds: Thresholds = field(default_factory=lambda: _matcher().Thresholds())
    report_dir: Path = Path("reports")
    report: ReportConfig = field(default_factory=ReportConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    index_cache: Path | None = None  # where the fingerprint index is cached (None: not cached)

    def job_dir(self, name: str) -> Path:
        """Where a resumable crawl called ``name`` keeps its state (``[crawl] job_dir``)."""
        return self.base_dir / self.crawl.job_dir / name

    @property
    def rules(self) -> dict[str, CreditRule]:
        return {p.name: p.rule for p in self.publications}

    def publication(self, name: str | None) -> Publication:
        """The publication called ``name`` (or the only one when ``name`` is None)."""
        if name is None:
            if len(self.publications) == 1:
                return self.publications[0]
            if not self.publications:
                raise ConfigError(
                    f"no [[publications]] configured in {self.describe()}",
                    hint="run `repostwatch init` or add a [[publications]] table",
                )
            names = ", ".join(p.name for p in self.publications)
            raise ConfigError(
                f"several publications are configured ({names})",
                hint="say which one with --publication NAME",
            )
        for p in self.publications:
            if name.casefold() in (p.name.casefold(), *(a.casefold() for a in p.aliases)):
                return p
        names = ", ".join(p.name for p in self.publications) or "none"
        raise ConfigError(f"unknown publication {name!r} (configured: {names})",
                          hint=f"add it to {self.describe()} or fix the name")

    def describe(self) -> str:
        return str(self.path) if self.path else "the built-in defaults (no config file)"


def find_config(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read, or None when there is none (defaults apply)."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file {path} not found",
                              hint="check the path, or run `repostwatch init` to create one")
        return path
    if env.get("REPOSTWATCH_CONFIG"):
        path = Path(env["REPOSTWATCH_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"config file {path} (from REPOSTWATCH_CONFIG) not found",
                              hint="fix or unset REPOSTWATCH_CONFIG")
        return path
    path = Path.cwd() / CONFIG_NAME
    return path if path.is_file() else None


def _matcher() -> Any:
    """The matcher package, imported on first use (see the ``TYPE_CHECKING`` import above)."""
    import matcher

    return matcher


def load_config(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None,
    *, report_formats: Collection[str] | None = None,
) -> Config:
    """Read and validate the configuration. Raises ``ConfigError`` naming file, line and key.

    ``report_formats``: the report formats that exist (``reports.formats.NAMES``, handed in by
    the shell, which knows the reports package); ``[delivery] formats`` are checked against
    them. None: not checked (the crawler's spiders never deliver a report).
    """
    env = os.environ if env is None else env
    path = find_config(explicit, env)
    data: dict[str, Any] = {}
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}",
                              hint="fix the syntax at that line") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    base = path.resolve().parent if path else Path.cwd()
    return _build(_Reader(path, text), data, base, env, report_formats)


_KIND_NAMES = {int: "a whole number", float: "a number", str: "a string (in quotes)",
               bool: "true or false"}
"""How config errors name the kinds of values (not Python's ``int``: "must be a int")."""


class _Reader:
    """Validates values and names the file, line and key of any problem."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def _line_of(self, key: str) -> int | None:
        """The line of ``key`` ("crawl.timeout", "publications[1].credit"): inside its table."""
        head, _, leaf = key.rpartition(".")
        m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", head) if head else None
        start, end = 0, len(self.lines)
        if m:
            name, index = m.group(1), int(m.group(2) or 0)
            header = rf"\s*\[\[\s*{name}\s*\]\]" if m.group(2) else rf"\s*\[\s*{name}\s*\]"
            starts = [i for i, ln in enumerate(self.lines) if re.match(header, ln)]
            if index < len(starts):
                start = starts[index]
                end = next((i for i in range(start + 1, len(self.lines))
                            if re.match(r"\s*\[", self.lines[i])), len(self.lines))
                if not leaf or "[" in leaf:
                    return start + 1
        leaf = leaf.split("[", maxsplit=1)[0]
        for i in range(start, end):
            if re.match(rf"\s*{re.escape(leaf)}\s*=", self.lines[i]):
                return i + 1
        if not head:  # a section of the top level: its [header] or [[header]]
            for i, ln in enumerate(self.lines):
                if re.match(rf"\s*\[\[?\s*{re.escape(leaf)}\s*\]", ln):
                    return i + 1
        return start + 1 if m else None

    def error(self, key: str, problem: str) -> ConfigError:
        line = self._line_of(key)
        where = f"{self.path}, line {line}" if line else str(self.path or "config")
        return ConfigError(f"{where}: {key}: {problem}",
                           hint="see docs/config.md for the keys and their values")

    def table(self, data: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        self.known(value, key, allowed)
        return value

    def tables(self, data: Mapping[str, Any], key: str,
               allowed: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """The tables of the array ``[[key]]``, each with where it is ("watch[2]"), its keys
        checked against ``allowed``."""
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of tables: [[{key}]]")
        for i, table in enumerate(value):
            where = f"{key}[{i}]"
            if not isinstance(table, dict):
                raise self.error(where, "must be a table")
            self.known(table, where, allowed)
            yield where, table

    def known(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for k in table:
            if k in allowed:
                continue
            if key == _TOP:  # named with its line: "line 4: crawling: unknown section"
                what = "section" if isinstance(table[k], dict | list) else "key"
                raise self.error(k, f"unknown {what} (known: {', '.join(sorted(allowed))})")
            raise self.error(f"{key}.{k}", f"unknown key (known: {', '.join(sorted(allowed))})")

    def get(self, table: Mapping[str, Any], key: str, where: str, kind: type, default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is float and isinstance(value, float) and not math.isfinite(value):
            # TOML has nan and inf: a timeout of nan never expires, a size of inf overflows
            raise self.error(f"{where}.{key}", f"must be a finite number, not {value!r}")
        if kind is tuple:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.error(f"{where}.{key}", "must be a list of strings")
            return tuple(v.strip() for v in value if v.strip())
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{where}.{key}", f"must be {_KIND_NAMES.get(kind, kind.__name__)}, "
                                               f"not {value!r}")
        return value


def _crawl_config(r: _Reader, data: dict[str, Any], env: Mapping[str, str]) -> CrawlConfig:
    table = r.table(data, "crawl", {f.name for f in dataclasses.fields(CrawlConfig)})
    processes = table.get("judge_processes", "auto")
    if processes != "auto" and (not isinstance(processes, int) or isinstance(processes, bool)
                                or processes < 0):
        raise r.error("crawl.judge_processes", f'must be "auto" or 0 or more, not {processes!r}')
    rest = {k: v for k, v in table.items() if k != "judge_processes"}
    crawl: CrawlConfig = _dataclass_from(r, {"crawl": rest}, "crawl", CrawlConfig)
    crawl = dataclasses.replace(crawl, judge_processes=None if processes == "auto" else processes)
    for name in ("concurrency_per_site", "timeout", "max_size_mb"):
        if getattr(crawl, name) <= 0:
            raise r.error(f"crawl.{name}", "must be greater than 0")
    for name in ("download_delay", "max_redirects", "retries", "max_crawl_delay",
                 "max_retry_after"):
        if getattr(crawl, name) < 0:
            raise r.error(f"crawl.{name}", "must be 0 or more")
    if not _proxy_ok(crawl.proxy):
        raise r.error("crawl.proxy", 'must be an http(s) URL such as "http://127.0.0.1:8800", '
                                     'or "" for none')
    if env.get("REPOSTWATCH_PROXY") is not None:
        crawl = dataclasses.replace(crawl, proxy=env["REPOSTWATCH_PROXY"])
        if not _proxy_ok(crawl.proxy):  # it was blamed on every page fetched through it
            raise ConfigError(f"REPOSTWATCH_PROXY {crawl.proxy[:200]!r} is not an http(s) URL",
                              hint='use e.g. http://127.0.0.1:8800, or unset it')
    return crawl


def _proxy_ok(proxy: str) -> bool:
    return not proxy or re.fullmatch(r"https?://[^/\s]+/?", proxy, re.IGNORECASE) is not None


def _build(r: _Reader, data: dict[str, Any], base: Path, env: Mapping[str, str],
           report_formats: Collection[str] | None) -> Config:
    sections = {"publications", "database", "watch", "crawl", "search", "matcher", "report",
                "delivery", "review", "distributed", "schedule", "wires", "scan"}
    r.known(data, _TOP, sections)
    wires = _wires(r, data)
    pubs = []
    pub_keys = {"name", "aliases", "domains", "credit", "allow", "originals", "nofollow_ok",
                "report_syndicated"}
    for where, p in r.tables(data, "publications", pub_keys):
        name = r.get(p, "name", where, str, "").strip()
        if not name:
            raise r.error(f"{where}.name", "is required")
        credit = r.get(p, "credit", where, str, "any")
        if credit not in _matcher().CREDIT_MODES:
            raise r.error(f"{where}.credit", f"must be one of {', '.join(_matcher().CREDIT_MODES)}")
        pubs.append(Publication(
            name=name, aliases=r.get(p, "aliases", where, tuple, ()),
            domains=_hosts(r, p, "domains", where), credit=credit,
            allow=_hosts(r, p, "allow", where),
            originals=r.get(p, "originals", where, tuple, ()),
            nofollow_ok=r.get(p, "nofollow_ok", where, bool, True),
            report_syndicated=r.get(p, "report_syndicated", where, bool, False),
            wires=wires,
        ))
    if len({p.name.casefold() for p in pubs}) != len(pubs):
        raise r.error("publications", "two publications have the same name")

    db = r.table(data, "database", {"url", "index_cache"})
    own_url = r.get(db, "url", "database", str, "")
    if own_url and not _DATABASE_URL.match(own_url):  # else exit 4, as if it were unreachable
        raise r.error("database.url", "must be a database URL such as "
                                      '"sqlite:///repostwatch.db" or "postgresql+psycopg://'
                                      'host/db"')
    db_url = env.get("REPOSTWATCH_DATABASE_URL") or own_url
    if db_url != own_url and not _DATABASE_URL.match(db_url):
        raise ConfigError("REPOSTWATCH_DATABASE_URL is not a database URL (no scheme://; its "
                          "value is not shown: it may hold a password)",
                          hint="use e.g. sqlite:///repostwatch.db or postgresql+psycopg://host/db")
    db_url = _resolve_sqlite(db_url or "sqlite:///repostwatch.db", base)

    watch = []
    for where, w in r.tables(data, "watch", {"url", "sitemap", "feed", "max_pages", "max_depth",
                                             "allow_private"}):
        url = r.get(w, "url", where, str, "")
        if not re.match(r"https?://[^/\s]+", url):
            raise r.error(f"{where}.url", "is required and must be an http(s) URL")
        watch.append(WatchSite(
            url=url, sitemap=r.get(w, "sitemap", where, str, None),
            feed=r.get(w, "feed", where, str, None),
            max_pages=_positive(r, w, "max_pages", where, 200),
            max_depth=_positive(r, w, "max_depth", where, 3, allow_zero=True),
            allow_private=r.get(w, "allow_private", where, bool, False),
        ))

    crawl = _crawl_config(r, data, env)
    named = tuple(h for w in watch if w.allow_private for h in w.hosts)
    if named:
        crawl = dataclasses.replace(
            crawl, allow_private_sites=tuple(dict.fromkeys(crawl.allow_private_sites + named)))
    thresholds = _thresholds(r, data)
    report, report_dir = _report(r, data, base)
    cache = r.get(db, "index_cache", "database", str, "repostwatch-index")
    return Config(
        path=r.path, base_dir=base, publications=tuple(pubs), database_url=db_url,
        watch=tuple(watch), crawl=crawl, search=_search(r, data), review=_review(r, data, env),
        thresholds=thresholds, distributed=_distributed(r, data, env), schedule=_schedule(r, data),
        scan=_scan(r, data, env),
        report_dir=report_dir, report=report,
        delivery=_delivery(r, data, base, env, report_formats),
        index_cache=base / cache if cache else None,
    )


def _thresholds(r: _Reader, data: Mapping[str, Any]) -> Thresholds:
    """``[matcher]``: the verdict thresholds (defaults in ``matcher.Thresholds``), checked."""
    thresholds: Thresholds = _dataclass_from(r, data, "matcher", _matcher().Thresholds)
    for name in ("repost_min_coverage", "full_min_coverage"):
        if not 0 < getattr(thresholds, name) <= 1:
            raise r.error(f"matcher.{name}", "must be a share between 0 (excluded) and 1")
    if thresholds.full_min_coverage < thresholds.repost_min_coverage:
        raise r.error("matcher.full_min_coverage", "must not be below repost_min_coverage")
    for name in ("excerpt_min_words", "excerpt_min_words_across_blocks", "min_passage_words",
                 "max_candidates", "min_original_words", "repost_min_passage_words"):
        if getattr(thresholds, name) < 1:
            raise r.error(f"matcher.{name}", "must be at least 1")
    if thresholds.earlier_tolerance_days < 0:
        raise r.error("matcher.earlier_tolerance_days", "must be 0 or more")
    return thresholds


def _wires(r: _Reader, data: Mapping[str, Any]) -> tuple[WireConfig, ...]:
    """``[[wires]]``: wire services the publications syndicate beyond the built-in list."""
    keys = {f.name for f in dataclasses.fields(WireConfig)}
    wires = []
    for where, w in r.tables(data, "wires", keys):
        name = r.get(w, "name", where, str, "").strip()
        if not name:
            raise r.error(f"{where}.name", "is required")
        wire = WireConfig(name, **{k: r.get(w, k, where, tuple, ()) for k in keys - {"name"}})
        for pattern in wire.signatures:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise r.error(f"{where}.signatures", f"{pattern!r} is not a regular "
                              f"expression: {exc}") from None
        wires.append(wire)
    return tuple(wires)


def _report(r: _Reader, data: Mapping[str, Any], base: Path) -> tuple[ReportConfig, Path]:
    fields = {f.name for f in dataclasses.fields(ReportConfig)}
    table = r.table(data, "report", fields | {"dir"})
    report_dir = base / r.get(table, "dir", "report", str, "reports")
    report: ReportConfig = _dataclass_from(r, {"report": {k: v for k, v in table.items()
                                                          if k != "dir"}}, "report", ReportConfig)
    for name in ("repost_rule", "credit_line"):
        if name in table:
            problem = check_template(getattr(report, name))
            if problem:
                raise r.error(f"report.{name}", problem)
    return report, report_dir


def check_template(template: str) -> str | None:
    """None when ``template`` is usable, else what is wrong with it (for config errors).

    Only plain ``{name}`` fields of ``CREDIT_LINE_FIELDS`` are allowed: no attribute or index
    lookups, no format specs."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"is not a valid template ({exc}); write braces as {{{{ and }}}}"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in CREDIT_LINE_FIELDS or spec or conversion:
            return (f"has an unknown placeholder {{{name}}}: use "
                    + ", ".join(f"{{{n}}}" for n in CREDIT_LINE_FIELDS))
    return None


_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")


def _delivery(r: _Reader, data: Mapping[str, Any], base: Path, env: Mapping[str, str],
              known: Collection[str] | None) -> DeliveryConfig:
    secrets = {"smtp_password", "webhook_token"}
    fields = {f.name for f in dataclasses.fields(DeliveryConfig)} - secrets
    table = r.table(data, "delivery", fields)
    d: DeliveryConfig = _dataclass_from(r, {"delivery": table}, "delivery", DeliveryConfig)
    for fmt in d.formats:
        if known is not None and fmt not in known:
            raise r.error("delivery.formats", f"unknown format {fmt!r}: use {', '.join(known)}")
    if d.smtp_security not in ("starttls", "ssl", "none"):
        raise r.error("delivery.smtp_security", "must be starttls, ssl or none")
    for address in (*d.email_to, *([d.email_from] if d.email_from else [])):
        if not _EMAIL.fullmatch(address):
            raise r.error("delivery.email_to" if address in d.email_to else "delivery.email_from",
                          f"{address!r} is not an e-mail address")
    if d.email_to and not (d.smtp_host and d.email_from):
        raise r.error("delivery.email_to", "needs smtp_host and email_from too")
    if d.smtp_port > 65535:
        raise r.error("delivery.smtp_port", "must be a port number (1-65535, or 0 for the default)")
    if d.webhook_url and not re.match(r"https?://[^/\s]+", d.webhook_url):
        raise r.error("delivery.webhook_url", "must be an http(s) URL (or \"\" for none)")
    for name in ("smtp_timeout", "smtp_deadline", "webhook_timeout"):
        if getattr(d, name) <= 0:
            raise r.error(f"delivery.{name}", "must be greater than 0")
    folder = str(base / d.folder) if d.folder else ""
    return dataclasses.replace(
        d, folder=folder, smtp_password=env.get("REPOSTWATCH_SMTP_PASSWORD", ""),
        webhook_token=env.get("REPOSTWATCH_WEBHOOK_TOKEN", ""))


def _search(r: _Reader, data: Mapping[str, Any]) -> SearchConfig:
    search: SearchConfig = _dataclass_from(r, data, "search", SearchConfig)
    if search.url and not re.match(r"https?://[^/\s]+", search.url):
        raise r.error("search.url", "must be an http(s) URL (or \"\" to disable search)")
    for name in ("queries_per_original", "budget", "max_results"):
        if getattr(search, name) < 1:
            raise r.error(f"search.{name}", "must be at least 1")
    return search


def _review(r: _Reader, data: Mapping[str, Any], env: Mapping[str, str]) -> ReviewConfig:
    review: ReviewConfig = _dataclass_from(r, data, "review", ReviewConfig)
    if not 0 < review.port < 65536:
        raise r.error("review.port", "must be a port number (1-65535)")
    if not 1 <= review.page_size <= 500:
        raise r.error("review.page_size", "must be between 1 and 500")
    for entry in review.users:
        if not re.fullmatch(r"[^:\s]{1,100}:[0-9a-f]{64}", entry):
            raise r.error("review.users", f"{entry[:40]!r} is not \"name:sha256-hex\" (the "
                          "SHA-256 of the user's token, e.g. from `printf %s TOKEN | sha256sum`)")
    if env.get("REPOSTWATCH_REVIEW_TOKEN"):
        review = dataclasses.replace(review, token=env["REPOSTWATCH_REVIEW_TOKEN"])
    return review


def _distributed(r: _Reader, data: Mapping[str, Any],
                 env: Mapping[str, str]) -> DistributedConfig:
    dist: DistributedConfig = _dataclass_from(r, data, "distributed", DistributedConfig)
    if env.get("REPOSTWATCH_REDIS_URL"):
        dist = dataclasses.replace(dist, redis_url=env["REPOSTWATCH_REDIS_URL"])
    if dist.redis_url and not re.match(r"(redis|rediss|unix)://", dist.redis_url):
        raise r.error("distributed.redis_url",
                      "must be a redis://[user:password@]host:port/db URL (or \"\")")
    if not re.fullmatch(r"[\w.-]+", dist.key_prefix):
        raise r.error("distributed.key_prefix", "must be letters, digits, '.', '_' or '-'")
    for name in ("heartbeat_ttl", "idle_grace"):
        if getattr(dist, name) <= 0:
            raise r.error(f"distributed.{name}", "must be greater than 0")
    return dist


def _scan(r: _Reader, data: Mapping[str, Any], env: Mapping[str, str]) -> ScanConfig:
    scan: ScanConfig = _dataclass_from(r, data, "scan", ScanConfig)
    if env.get("REPOSTWATCH_DASK"):
        scan = dataclasses.replace(scan, dask=env["REPOSTWATCH_DASK"])
    if scan.dask and not re.fullmatch(r"(tcp|tls|ucx|ws|wss)://\S+|[\w.-]+:\d+", scan.dask):
        raise r.error("scan.dask", "must be a Dask scheduler address such as "
                      "tcp://scheduler:8786 (or \"\" for none)")
    if scan.max_record_mb <= 0:
        raise r.error("scan.max_record_mb", "must be greater than 0")
    return scan


def _schedule(r: _Reader, data: Mapping[str, Any]) -> ScheduleConfig:
    schedule: ScheduleConfig = _dataclass_from(r, data, "schedule", ScheduleConfig)
    from .cron import CronError, parse_cron, zone

    for expr in schedule.cron:
        try:
            parse_cron(expr)
        except CronError as exc:
            raise r.error("schedule.cron", str(exc)) from None
    try:
        zone(schedule.timezone)
    except CronError as exc:
        raise r.error("schedule.timezone", str(exc)) from None
    return schedule


_HOST = re.compile(r"(?:https?://)?([^\s/:@?#\[\]]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?/?")


def _hosts(r: _Reader, t: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Host names, each with an optional port ("127.0.0.1:9101": that port only; no port:
    every port), lower case. A path, or a port that is not one, is an error: it would match
    nothing, silently."""
    hosts = tuple(h.lower() for h in r.get(t, key, where, tuple, ()))
    for host in hosts:
        m = _HOST.fullmatch(host)
        if not m or (m.group(2) and not 0 < int(m.group(2)) < 65536):
            raise r.error(f"{where}.{key}", f"{host!r} is not a host name (write e.g. "
                          "\"daily-planet.com\", or \"127.0.0.1:8080\" for one port only)")
    return hosts


def _positive(r: _Reader, t: Mapping[str, Any], key: str, where: str, default: int,
              allow_zero: bool = False) -> int:
    value: int = r.get(t, key, where, int, default)
    if value < 0 or (value == 0 and not allow_zero):
        raise r.error(f"{where}.{key}", "must be a positive number")
    return value


def _dataclass_from(r: _Reader, data: Mapping[str, Any], key: str, cls: type[Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    table = r.table(data, key, set(fields))
    defaults = cls()
    values = {}
    for name in table:
        current = getattr(defaults, name)
        value = r.get(table, name, key, type(current), current)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise r.error(f"{key}.{name}", "must not be negative")
        values[name] = value
    return dataclasses.replace(defaults, **values)


_TOP = "(top level)"  # the table of sections, as ``_Reader.known`` names it
_DATABASE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+]*://")  # what SQLAlchemy's make_url reads


def _resolve_sqlite(url: str, base: Path) -> str:
    """Make a relative SQLite path relative to the config file's folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith("file:"):
            return prefix + str((base / rest).resolve())
    return url
