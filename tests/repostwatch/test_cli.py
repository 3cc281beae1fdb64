"""The CLI in-process (commands that do not start a reactor) and as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from repostwatch.cli import cli
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html
from tests.repostwatch.clihome import CONFIG, URL, imported, run, save


def test_init_writes_a_valid_starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init") == 0
    assert (tmp_path / "repostwatch.toml").read_text().startswith("# repostwatch.toml")
    assert run("init") == 2
    assert "already exists" in capsys.readouterr().err
    assert run("init", "--force") == 0


def test_import_list_and_reimport(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = imported(home)
    assert "1 added" in capsys.readouterr().err
    assert run("originals", "import", str(path)) == 0
    assert "1 unchanged" in capsys.readouterr().err
    assert run("originals", "list", "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["url"] for r in rows] == [URL]


LONG = " ".join(f"word{i}" for i in range(40))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"url": "https://x.test/a"}, "`text` or `html` is required"),
        ({"title": "no url", "text": LONG}, "`url` is required"),
        ("not json", "not valid JSON"),
        ({"url": "https://x.test/a", "text": LONG, "publication": "Bugle"}, "unknown publication"),
        ({"url": "https://x.test/a", "text": LONG, "published": "soon"}, "ISO 8601"),
        ({"url": "https://x.test/a", "text": "Menu Home About"}, "only 3 words"),
        ({"url": "https://x.test/a", "text": "Menu"}, "only 1 word of article text"),
        ({"url": "https://x.test/a", "html": "<nav>Menu</nav>"}, "no article text"),
        # stored as Python's repr ("['a']") before
        ({"url": "https://x.test/a", "text": LONG, "title": ["a"]},
         "`title` must be a string, not list"),
        ({"url": "https://x.test/a", "text": LONG, "author": {"x": 1}},
         "`author` must be a string, not dict"),
        ({"url": "https://x.test/a", "text": LONG, "publication": 7},
         "`publication` must be a string, not int"),
    ],
)
def test_bad_jsonl_writes_nothing(home: Path, capsys: pytest.CaptureFixture[str],
                                  line: str | dict[str, str], message: str) -> None:
    path = home / "bad.jsonl"
    good = json.dumps({"url": URL, "text": ORIGINAL_TEXT})
    bad = line if isinstance(line, str) else json.dumps(line)
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    assert run("originals", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert message in err and "line 2" in err and "Traceback" not in err
    assert run("originals", "list") == 0
    assert "0 originals" in capsys.readouterr().err


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("line", "message"), [
    ({"url": URL + "?2", "title": "Pier \x00 closes", "text": ORIGINAL_TEXT},
     "`title` contains a NUL character"),
    ({"url": URL + "?2", "text": ORIGINAL_TEXT + "\x00"}, "`text` contains a NUL character"),
    ({"url": URL + "\x00", "text": ORIGINAL_TEXT}, "`url` contains a NUL character"),
    ({"url": URL + "?2", "text": ORIGINAL_TEXT, "published": "0001-01-01T00:00:00+05:00"},
     "out of range"),
    ({"url": URL + "?2", "text": ORIGINAL_TEXT, "published": "9999-12-31T23:59:59-05:00"},
     "out of range"),
    (DEEP, "nested too deeply"),
    ('{"url": ' + DEEP + "}", "nested too deeply"),
])
def test_input_that_a_database_cannot_hold_is_a_usage_error_on_both(
        home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], line: str | dict[str, str], message: str) -> None:
    # NUL: fine on SQLite, exit 4 on PostgreSQL; dates past year 1 or 9999 in UTC: exit 4;
    # deep JSON: a RecursionError traceback. Each is now one line and exit 2, on both.
    monkeypatch.setenv("REPOSTWATCH_DATABASE_URL", db_url)
    path = home / "bad.jsonl"
    bad = line if isinstance(line, str) else json.dumps(line)
    path.write_text(json.dumps({"url": URL, "text": ORIGINAL_TEXT}) + "\n" + bad + "\n",
                    encoding="utf-8")
    capsys.readouterr()
    assert run("originals", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert message in err and "line 2" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert run("originals", "list") == 0
    assert "0 originals" in capsys.readouterr().err


def test_a_duration_beyond_any_date_is_a_usage_error(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("recheck", "--older-than", "99999999999d") == 2  # was an OverflowError
    assert "too long a duration" in capsys.readouterr().err


def test_check_files_exit_codes_and_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    copy = save(home, "copy.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    credited = save(home, "credited.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                     + f'<p>Source: <a href="{URL}">The Daily Planet</a></p>'))
    other = save(home, "other.html", page_html("<p>Soup recipes.</p>"))
    capsys.readouterr()
    assert run("check", str(credited), str(other)) == 0
    out = capsys.readouterr().out
    assert "credited" in out and "verdict: none" in out
    assert run("check", "--json", str(copy), "--url", "https://copycat.test/x") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["url"] == "https://copycat.test/x"
    assert (data["verdict"], data["credit_status"], data["original_url"]) == (
        "repost", "uncredited", URL)
    assert data["coverage"] == 1.0 and data["error"] is None


def test_check_not_html_and_pages_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    pdf = home / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    pages = home / "pages.jsonl"
    pages.write_text(json.dumps({"url": "https://c.test/1",
                                 "html": page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))}) + "\n")
    capsys.readouterr()
    assert run("check", "--json", str(pdf), "--pages", str(pages)) == 3
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert first["error"] == "not an HTML file" and first["verdict"] is None
    assert set(first) == set(second)  # one contract for results and errors
    assert second["verdict"] == "repost"


def test_check_usage_errors(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", "missing.html") == 2
    assert "no such file" in capsys.readouterr().err
    assert run("check", "ftp://x.test/a") == 2
    assert run("check") == 2
    copy = save(home, "copy.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    assert run("check", str(copy)) == 2  # no originals yet
    assert "originals import" in capsys.readouterr().err


def test_report_formats(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    copy = save(home, "copy.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    # A finding is stored by a crawl; here through the library, as the pipeline does.
    from matcher import Page, assess
    from repostwatch.config import load_config
    from repostwatch.store import Store

    cfg = load_config()
    store = Store.open(cfg.database_url)
    page = Page("https://copycat.test/x", copy.read_text())
    store.save_assessment(assess(page, store.load_index(), cfg.rules), page)
    store.close()
    assert run("report", "-f", "csv", "-o", "-") == 0
    assert "https://copycat.test/x" in capsys.readouterr().out
    assert run("report") == 0
    written = list((home / "reports").glob("*.html"))
    assert len(written) == 1 and "copycat.test" in written[0].read_text()
    assert run("report", "--since", "yesterday") == 2


def test_bad_config_and_database(home: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "repostwatch.toml").write_text("[[publications]]\nname = 'X'\ncredit = 'maybe'\n")
    assert run("originals", "list") == 2
    err = capsys.readouterr().err
    assert "repostwatch.toml, line 3" in err and "Traceback" not in err
    (home / "repostwatch.toml").write_text(CONFIG)
    monkeypatch.setenv("REPOSTWATCH_DATABASE_URL", f"sqlite:///{home / 'no' / 'x.db'}")
    assert run("originals", "list") == 4
    assert "does not exist" in capsys.readouterr().err


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_is_documented(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no help"
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"{name} help has no example"
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    if not isinstance(command, click.Group):
        assert f"### `repostwatch {name}" in docs, f"{name} has no section in docs/cli.md"


def test_subprocess_help_and_private_address_refused(tmp_path: Path) -> None:
    (tmp_path / "repostwatch.toml").write_text(CONFIG)
    env_cmd = [sys.executable, "-m", "repostwatch"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPOSTWATCH_")}
    done = subprocess.run([*env_cmd, "--help"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60, check=False, env=env)
    assert done.returncode == 0 and "repostwatch" in done.stdout
    (tmp_path / "o.jsonl").write_text(json.dumps({"url": URL, "text": ORIGINAL_TEXT}) + "\n")
    subprocess.run([*env_cmd, "originals", "import", "o.jsonl"], cwd=tmp_path, timeout=60,
                   check=True, capture_output=True, env=env)
    done = subprocess.run([*env_cmd, "check", "--json", "http://127.0.0.1:9/x"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
                          env=env)
    assert done.returncode == 3
    assert "private" in json.loads(done.stdout)["error"]


def test_each_line_may_name_its_publication(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "repostwatch.toml").write_text(CONFIG + '[[publications]]\nname = "Evening Star"\n')
    path = home / "mixed.jsonl"
    path.write_text("\n".join(json.dumps({"url": f"https://x.test/{i}", "text": ORIGINAL_TEXT,
                                          "publication": pub})
                              for i, pub in enumerate(["Daily Planet", "Evening Star"])))
    assert run("originals", "import", str(path)) == 0
    assert run("originals", "list", "--json") == 0
    pubs = {json.loads(x)["publication"] for x in capsys.readouterr().out.splitlines()}
    assert pubs == {"The Daily Planet", "Evening Star"}


def test_crawled_text_cannot_drive_the_terminal(home: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    hostile = "\x1b[2J\x1b]0;pwned\x07 \x9b31m [bold]x[/bold]"
    copy = save(home, "copy.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                                              + f"<p>Source: Metro {hostile}</p>"))
    capsys.readouterr()
    assert run("check", str(copy)) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "[bold]x[/bold]" in out  # shown literally, not as markup
    assert run("check", "--json", str(copy)) == 1
    line = capsys.readouterr().out
    assert "\x9b" not in line and "\x1b" not in line
    assert "\x9b" in json.loads(line)["credit_reason"]  # the data itself is kept, escaped


def test_reports_and_lists_to_a_terminal_carry_no_control_characters(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The report's CSV and Markdown on stdout, `originals list` and `report --list` printed
    # crawled titles and text with their escapes (`check` already replaced them)
    hostile = "\x1b[2J\x1b]0;pwned\x07\x9b31m\rfake"
    path = home / "originals.jsonl"
    path.write_text(json.dumps({"url": URL, "title": f"Pier {hostile}", "text": ORIGINAL_TEXT,
                                "published": "2026-11-01"}) + "\n", encoding="utf-8")
    assert run("originals", "import", str(path)) == 0
    copy = save(home, "copy.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                                              + f"<p>Source: Metro {hostile}</p>",
                                              title=f"Copy {hostile}"))
    assert run("check", "--save", str(copy), "--url", "https://copycat.test/x") == 1
    capsys.readouterr()
    outputs = []
    for args in (("originals", "list"), ("report", "-f", "csv", "-o", "-"),
                 ("report", "-f", "md", "-o", "-"), ("report", "--list")):
        assert run(*args) == 0, args
        outputs.append(capsys.readouterr())
    for args, captured in zip(("list", "csv", "md", "runs"), outputs, strict=True):
        for stream in (captured.out, captured.err):
            assert not any(c in stream for c in "\x1b\x9b\x07"), args
        assert "[2J" in captured.out or args == "runs", args  # shown, made inert
    listed = outputs[0].out.splitlines()
    assert [len(line.split("\t")) for line in listed] == [5]  # the title kept its column
    assert outputs[1].out.count("\r\n") == 2  # the CSV's own line ends stay


def test_file_errors_are_one_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("init", "no/such/folder/x.toml") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use no/such/folder/x.toml") and "Traceback" not in err
    imported(home)
    (home / "out").mkdir()
    assert run("report", "-o", "out") == 2
    assert "is a folder" in capsys.readouterr().err


def test_originals_remove(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    assert run("originals", "remove", URL, "https://daily-planet.test/nope") == 2
    err = capsys.readouterr().err
    assert "1 original removed" in err and "nope" in err
    assert run("originals", "list") == 0
    assert "0 originals" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ("report",), ("report", "--list"), ("outreach", "copycat.test"), ("originals", "list"),
    ("originals", "import"), ("originals", "remove", URL), ("check", "page.html"),
    ("lookup", "1"), ("serve",), ("run",), ("schedule",), ("crawl",), ("recheck",),
    ("search",),
])
def test_commands_need_a_configured_publication(
        args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """In a folder without a config, every command that needs a publication exits 2 with
    crawl's message, and leaves no database, report or job folder behind."""
    monkeypatch.chdir(tmp_path)
    for var in ("REPOSTWATCH_CONFIG", "REPOSTWATCH_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    save(tmp_path, "page.html", page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))
    assert run(*args) == 2
    assert ("error: no [[publications]] configured in the built-in defaults (no config file) "
            "(run `repostwatch init` or add a [[publications]] table)") in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--config", "missing.toml", "originals", "list"), 2, "error: config file"),
    (("lookup",), 2, "error: Missing argument 'ORIGINAL'"),
    (("lookup", "https://daily-planet.test/none"), 2, "error: no original"),
])
def test_errors_in_json_logs_are_errors(home: Path, capsys: pytest.CaptureFixture[str],
                                        args: tuple[str, ...], code: int, message: str) -> None:
    """With ``--log-format json`` a fatal error is one JSON object at level ERROR (a collector
    filtering on it saw none: they were INFO, and click's usage errors plain text)."""
    assert run("--log-format", "json", *args) == code
    [record] = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert record["level"] == "ERROR" and record["message"].startswith(message), record


@pytest.mark.parametrize(("source", "message"), [
    ("ftp://x.test/sitemap.xml", "ftp://x.test/sitemap.xml: only http(s) URLs and JSON Lines"),
    (".", ". is a folder"),
    ("missing.jsonl", "missing.jsonl: no such file, and not an http(s) URL"),
])
def test_an_import_source_that_is_not_one_is_named_as_given(
        home: Path, capsys: pytest.CaptureFixture[str], source: str, message: str) -> None:
    """As given: "ftp://x" read as a path was "ftp:/x: no such file", a folder too."""
    assert run("originals", "import", source) == 2
    assert message in capsys.readouterr().err
