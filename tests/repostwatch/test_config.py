from __future__ import annotations

import re
from pathlib import Path

import pytest

from repostwatch.config import ENV_OVERRIDES, load_config
from repostwatch.errors import ConfigError

GOOD = """
[[publications]]
name = "The Daily Planet"
aliases = ["Daily Planet"]
domains = ["Daily-Planet.test"]
credit = "article-link"
allow = ["partner.test"]

[[publications]]
name = "Evening Star"
domains = ["star.test"]

[database]
url = "sqlite:///data/rw.db"

[[watch]]
url = "https://copycat.test/"
max_pages = 10

[crawl]
download_delay = 2
proxy = "http://127.0.0.1:9"

[search]
url = "http://127.0.0.1:8888/"
engines = ["bing", "duckduckgo"]
budget = 20

[matcher]
repost_min_coverage = 0.4

[report]
dir = "out"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "repostwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env={})
    assert [p.name for p in cfg.publications] == ["The Daily Planet", "Evening Star"]
    dp = cfg.publication("daily planet")  # aliases and case work
    assert dp.domains == ("daily-planet.test",)
    assert dp.rule.credit == "article-link" and dp.rule.allow == ("partner.test",)
    assert cfg.database_url == f"sqlite:///{tmp_path / 'data' / 'rw.db'}"
    assert cfg.watch[0].max_pages == 10 and cfg.watch[0].max_depth == 3
    assert cfg.crawl.download_delay == 2.0 and cfg.crawl.proxy == "http://127.0.0.1:9"
    assert cfg.thresholds.repost_min_coverage == 0.4
    assert cfg.thresholds.excerpt_min_words == 40  # untouched default
    assert cfg.report_dir == tmp_path / "out"
    assert cfg.search.url == "http://127.0.0.1:8888/" and cfg.search.budget == 20
    assert cfg.search.engines == ("bing", "duckduckgo") and cfg.search.queries_per_original == 2


def test_environment_overrides(tmp_path: Path) -> None:
    env = {"REPOSTWATCH_DATABASE_URL": "postgresql+psycopg://db/rw", "REPOSTWATCH_PROXY": ""}
    cfg = load_config(write(tmp_path, GOOD), env=env)
    assert cfg.database_url == "postgresql+psycopg://db/rw"
    assert cfg.crawl.proxy == ""


def test_env_overrides_names_every_variable_load_config_reads() -> None:
    """The demo and the benchmarks take ``ENV_OVERRIDES`` out of their environment so that a
    setting for real work (a database, a proxy) cannot reach them: a variable read but not
    listed would."""
    import repostwatch.config

    source = Path(repostwatch.config.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.get\(|\[)"(REPOSTWATCH_[A-Z_]+)"', source))
    assert "REPOSTWATCH_DATABASE_URL" in read
    assert read == set(ENV_OVERRIDES)


def test_found_through_env_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    assert load_config(env={"REPOSTWATCH_CONFIG": str(path)}).path == path
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).path == tmp_path / "repostwatch.toml"


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load_config(env={})
    assert cfg.path is None and cfg.publications == ()
    assert cfg.database_url == f"sqlite:///{tmp_path / 'repostwatch.db'}"
    with pytest.raises(ConfigError, match="no \\[\\[publications\\]\\]"):
        cfg.publication(None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[publications]]\nname = 'X'\ncredit = 'sometimes'\n",
         r"line 3: publications\[0\].credit"),
        ("[[publications]]\nname = 'X'\ncolour = 'red'\n", r"line 3: .*colour: unknown key"),
        ("[[publications]]\naliases = ['x']\n", r"publications\[0\].name: is required"),
        ("[crawl]\ntimeout = 'soon'\n", r"line 2: crawl.timeout: must be a number, not 'soon'"),
        ("[crawl]\ntimeout = -1\n", r"crawl.timeout: must not be negative"),
        ("[[watch]]\nurl = 'ftp://x'\n", r"watch\[0\].url"),
        ("[[watch]]\nurl = 'http://x.test/'\nmax_pages = 0\n", r"max_pages: must be a positive"),
        ("[database\nurl = 1\n", r"invalid TOML.*line 1"),
        ("[matcher]\nrepost_min_coverage = true\n", r"must be a number"),
        ("[search]\nurl = 'searx.local'\n", r"line 2: search.url: must be an http\(s\) URL"),
        ("[search]\nbudget = '10'\n", r"line 2: search.budget: must be a whole number"),
        ("[[watch]]\nurl = 3\n", r"watch\[0\].url: must be a string \(in quotes\), not 3"),
        ("[crawl]\nobey_robots = 'no'\n", r"crawl.obey_robots: must be true or false"),
        ("[search]\nengine = 'bing'\n", r"line 2: search.engine: unknown key"),
        ("[crawl]\nproxy = 'not a proxy'\n", r"line 2: crawl.proxy: must be an http\(s\) URL"),
        # a section or a key that is not one: named with its line (it had none)
        ("[[publications]]\nname = 'X'\n\n[crawling]\ntimeout = 3\n",
         r"line 4: crawling: unknown section \(known: crawl, "),
        ("timeout = 3\n", r"line 1: timeout: unknown key \(known: crawl, "),
        # it was exit 4, "cannot open the database", as if a server were down
        ("[database]\nurl = 'notaurl'\n", r"line 2: database.url: must be a database URL"),
    ],
)
def test_bad_config_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(path, env={})
    assert str(path) in str(err.value)


def test_a_proxy_from_the_environment_that_is_no_url_is_named(tmp_path: Path) -> None:
    """It was blamed on every page fetched through it ("invalid URL http://site/: ...")."""
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="REPOSTWATCH_PROXY 'not a proxy' is not an http"):
        load_config(path, env={"REPOSTWATCH_PROXY": "not a proxy"})
    for proxy in ("", "http://127.0.0.1:8800", "HTTP://user:pw@proxy.test:3128/"):
        assert load_config(path, env={"REPOSTWATCH_PROXY": proxy}).crawl.proxy == proxy


def test_a_database_url_from_the_environment_that_is_no_url_is_named_not_shown(
        tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="REPOSTWATCH_DATABASE_URL is not a database URL") as e:
        load_config(path, env={"REPOSTWATCH_DATABASE_URL": "user:secret@db.test/rw"})
    assert "secret" not in str(e.value)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_unknown_publication(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env={})
    with pytest.raises(ConfigError, match="unknown publication 'Daily Bugle'"):
        cfg.publication("Daily Bugle")
    with pytest.raises(ConfigError, match="several publications"):
        cfg.publication(None)


def test_starter_file_is_valid(tmp_path: Path) -> None:
    from importlib.resources import files

    text = files("repostwatch").joinpath("starter.toml").read_text(encoding="utf-8")
    cfg = load_config(write(tmp_path, text), env={})
    assert cfg.publications[0].name == "The Daily Planet"
    assert cfg.watch and cfg.crawl.obey_robots


def test_error_line_is_inside_the_right_table(tmp_path: Path) -> None:
    text = GOOD.replace('domains = ["star.test"]', 'domains = ["star.test"]\ncredit = "never"')
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    line = text.splitlines().index('credit = "never"') + 1
    assert f"line {line}: publications[1].credit" in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        "[crawl]\nconcurrency_per_site = 0\n",
        "[crawl]\ntimeout = 0\n",
        "[crawl]\nmax_size_mb = 0\n",
        "[crawl]\nretries = -1\n",
        "[crawl]\ndownload_delay = -0.5\n",
        "[crawl]\nmax_crawl_delay = -1\n",
        "[crawl]\nmax_retry_after = -1\n",
        "[crawl]\njudge_processes = -1\n",
        "[matcher]\nrepost_min_coverage = 5\n",
        "[matcher]\nrepost_min_coverage = 0.5\nfull_min_coverage = 0.4\n",
        "[matcher]\nexcerpt_min_words = 0\n",
        "[search]\nurl = 'http://searx.test/'\nbudget = 0\n",
        "[search]\nqueries_per_original = 0\n",
        "[search]\nmin_interval = -1\n",
    ],
)
def test_values_that_cannot_work_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env={})
    last_line = len(text.splitlines())  # the offending key is the last one in each case
    assert f"line {last_line}:" in str(err.value)


@pytest.mark.parametrize("text", [
    "[crawl]\ntimeout = nan\n", "[crawl]\nmax_size_mb = inf\n", "[crawl]\ndownload_delay = nan\n",
    "[search]\nmin_interval = +inf\n", "[matcher]\nrepost_min_coverage = nan\n",
    "[delivery]\nsmtp_deadline = nan\n", "[delivery]\nretry_backoff = inf\n",
    "[distributed]\nheartbeat_ttl = nan\n",
])
def test_nan_and_inf_are_refused(tmp_path: Path, text: str) -> None:
    # TOML has nan and inf; they passed every "greater than 0" check (nan compares false)
    with pytest.raises(ConfigError, match=r"line 2: .*must be a finite number"):
        load_config(write(tmp_path, text), env={})


def test_review_section(tmp_path: Path) -> None:
    path = tmp_path / "repostwatch.toml"
    digest = "a" * 64
    path.write_text(f'[review]\nhost = "0.0.0.0"\nport = 9000\nusers = ["ann:{digest}"]\n',
                    encoding="utf-8")
    config = load_config(path, env={"REPOSTWATCH_REVIEW_TOKEN": "s3cret"})
    assert (config.review.host, config.review.port, config.review.token) == ("0.0.0.0", 9000,
                                                                              "s3cret")
    assert config.review.users == (f"ann:{digest}",)
    path.write_text('[review]\nusers = ["ann:plaintext-password"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2: review.users: .*sha256"):
        load_config(path, env={})
    path.write_text("[review]\nport = 70000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"review\.port"):
        load_config(path, env={})


def test_domains_may_name_a_port_and_must_be_hosts(tmp_path: Path) -> None:
    text = ("[[publications]]\nname = 'X'\ndomains = ['127.0.0.1:9101', 'X.test', "
            "'https://x.test/']\nallow = ['[::1]:8080']\n")
    pub = load_config(write(tmp_path, text), env={}).publications[0]
    assert pub.domains == ("127.0.0.1:9101", "x.test", "https://x.test/")
    assert pub.allow == ("[::1]:8080",)
    for bad in ("x.test/news", "x.test:99999", "x.test:port", "two words.test"):
        with pytest.raises(ConfigError, match=rf"line 3: publications\[0\].domains: "
                                              rf"'{re.escape(bad)}' is not a host name"):
            load_config(write(tmp_path, f"[[publications]]\nname = 'X'\ndomains = ['{bad}']\n"),
                        env={})


def _accepted(tmp_path: Path, table: str, *, array: bool = False) -> set[str]:
    """The keys the loader accepts in ``table`` (``array``: a ``[[table]]``), as its own
    "unknown key" error lists them."""
    head = "" if table == "(top level)" else f"[[{table}]]\n" if array else f"[{table}]\n"
    with pytest.raises(ConfigError, match="unknown key") as err:
        load_config(write(tmp_path, f"{head}zz_not_a_key = 1\n"), env={})
    known = re.search(r"unknown key \(known: ([^)]*)\)", str(err.value))
    assert known is not None, str(err.value)
    return set(known.group(1).split(", "))


def test_every_key_the_loader_accepts_is_documented(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text()
    headings = list(re.finditer(r"^## `(\[\[?)(\w+)\]?\]`", docs, re.MULTILINE))
    sections = {m.group(2): m.start() for m in headings}
    arrays = {m.group(2) for m in headings if m.group(1) == "[["}
    tables = _accepted(tmp_path, "(top level)")
    assert tables == set(sections), "a [section] of the loader has no heading in docs/config.md"
    starts = [*sorted(sections.values()), len(docs)]
    for table, start in sections.items():
        body = docs[start:starts[starts.index(start) + 1]]
        documented = set(re.findall(r"^\| `(\w+)` \|", body, re.MULTILINE))
        missing = _accepted(tmp_path, table, array=table in arrays) - documented
        assert not missing, f"[{table}] keys missing from docs/config.md: {sorted(missing)}"


@pytest.mark.parametrize(("text", "crawl", "check"), [
    ("", 3, 4),  # "auto" by default: a core each, less the one a crawl keeps busy
    ('[crawl]\njudge_processes = "auto"\n', 3, 4),
    ("[crawl]\njudge_processes = 0\n", 0, 0),
    ("[crawl]\njudge_processes = 2\n", 2, 2),
])
def test_judge_processes_auto_counts_the_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               text: str, crawl: int, check: int) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    config = load_config(write(tmp_path, text), env={}).crawl
    assert config.judging_processes(beside_a_crawl=True) == crawl
    assert config.judging_processes(beside_a_crawl=False) == check


@pytest.mark.parametrize("value", ['"many"', "true", "1.5", "-2", '"AUTO"'])
def test_judge_processes_is_auto_or_a_count(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, f"[crawl]\njudge_processes = {value}\n"), env={})
    assert 'line 2: crawl.judge_processes: must be "auto" or 0 or more' in str(err.value)
