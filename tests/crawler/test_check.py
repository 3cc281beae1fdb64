"""``check`` over HTTP (batches, failures, the SSRF guard), ``--from``, ``--save`` and ``lookup``.

The sites are one local aiohttp server (127.0.0.1, ephemeral port); the CLI runs in-process.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.localserver import Server
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, OTHER_TEXT, page_html, paragraphs_html
from tests.repostwatch.clihome import URL, imported, run, save

COPY = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
CREDITED = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                     + f'<p>Source: <a href="{URL}">The Daily Planet</a></p>')
UNRELATED = page_html(f"<p>{OTHER_TEXT}</p>")
ANSI = re.compile(r"\x1b\[")


def _app(hits: list[str]) -> web.Application:
    pages = {"/copy": COPY, "/credited": CREDITED, "/unrelated": UNRELATED}

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.path], content_type="text/html")

    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=404, text="<p>not here</p>", content_type="text/html")

    async def pdf(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7\n", content_type="application/pdf")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/copy")

    async def hex_charset(request: web.Request) -> web.Response:  # a codec, not a charset
        return web.Response(body=COPY.encode(), headers={"Content-Type": "text/html; charset=hex"})

    async def rot13_meta(request: web.Request) -> web.Response:
        body = COPY.replace("<head>", '<head><meta charset="rot13">', 1)
        assert body != COPY
        return web.Response(text=body, content_type="text/html")

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        hits.append(request.path)
        resp: web.StreamResponse = await handler(request)
        return resp

    app = web.Application(middlewares=[record])
    for path in pages:
        app.router.add_get(path, page)
    app.router.add_get("/gone", gone)
    app.router.add_get("/report.pdf", pdf)
    app.router.add_get("/moved", moved)
    app.router.add_get("/hex", hex_charset)
    app.router.add_get("/rot13", rot13_meta)
    return app


@pytest.fixture(scope="module")
def web_site() -> Iterator[tuple[Server, list[str]]]:
    hits: list[str] = []
    with Server(_app(hits)) as server:
        yield server, hits


@pytest.fixture
def site(web_site: tuple[Server, list[str]]) -> Server:
    web_site[1].clear()
    return web_site[0]


@pytest.fixture
def hits(web_site: tuple[Server, list[str]]) -> list[str]:
    return web_site[1]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_batch_of_urls_keeps_going_past_failures(
    home: Path, site: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    urls = [site.url("/copy"), site.url("/gone"), site.url("/credited"),
            site.url("/report.pdf"), f"http://127.0.0.1:{_closed_port()}/x",
            site.url("/moved"), site.url("/unrelated")]
    capsys.readouterr()
    assert run("check", "--json", "--allow-private", *urls) == 3
    rows = _json_lines(capsys.readouterr().out)
    assert [r["target"] for r in rows] == urls  # one line per target, in the order given
    assert {tuple(r) for r in rows} == {tuple(rows[0])}  # the same keys for every line
    copy, gone, credited, pdf, closed, moved, unrelated = rows
    assert (copy["verdict"], copy["credit_status"], copy["error"]) == (
        "repost", "uncredited", None)
    assert "404" in gone["error"] and gone["verdict"] is None
    assert credited["credit_status"] == "credited"
    assert "not HTML" in pdf["error"] or "not an HTML" in pdf["error"]
    assert closed["error"] and closed["verdict"] is None
    assert moved["final_url"] == site.url("/copy") and moved["verdict"] == "repost"
    assert unrelated["verdict"] == "none" and unrelated["error"] is None


def test_a_charset_naming_no_text_encoding_does_not_stop_a_batch(
    home: Path, site: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    # charset=hex (header) or <meta charset=rot13> used to raise LookupError: a traceback,
    # exit 1 ("copy lacks credit") and the rest of the batch never checked
    imported(home)
    urls = [site.url("/hex"), site.url("/rot13"), site.url("/copy")]
    capsys.readouterr()
    assert run("check", "--json", "--allow-private", *urls) == 1
    captured = capsys.readouterr()
    rows = _json_lines(captured.out)
    assert [(r["target"], r["verdict"], r["error"]) for r in rows] == [
        (url, "repost", None) for url in urls]
    assert "Traceback" not in captured.err


def test_exit_codes_over_http(home: Path, site: Server,
                              capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    assert run("check", "--allow-private", site.url("/credited"), site.url("/unrelated")) == 0
    assert run("check", "--allow-private", site.url("/copy"), site.url("/credited")) == 1
    assert run("check", "--allow-private", site.url("/copy"), site.url("/gone")) == 3
    # a scheme is any case (it was "only http and https URLs can be checked", exit 2)
    upper = site.url("/copy").replace("http://", "HTTP://")
    capsys.readouterr()
    assert run("check", "--json", "--allow-private", upper) == 1
    assert _json_lines(capsys.readouterr().out)[0]["verdict"] == "repost"


def test_human_output_is_plain_when_not_a_terminal(
    home: Path, site: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    capsys.readouterr()
    assert run("check", "--allow-private", site.url("/copy"), site.url("/gone")) == 3
    out = capsys.readouterr().out
    assert not ANSI.search(out)
    assert "verdict: repost (whole article), coverage 100%" in out
    assert f"original: Old grain pier to close <{URL}>" in out
    assert "credit: uncredited — No link to The Daily Planet" in out
    assert "longest copied passage (172 words)" in out
    assert "could not check: " in out and "404" in out


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "127.1:{port}",
                                  "2130706433:{port}", "[::ffff:127.0.0.1]:{port}",
                                  "0x7f.0.0.1:{port}", "169.254.169.254", "10.0.0.1",
                                  "[fd00::1]"])
def test_private_addresses_are_refused_without_allow_private(
    home: Path, site: Server, hits: list[str], host: str,
    capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    url = f"http://{host.format(port=site.port)}/copy"
    capsys.readouterr()
    assert run("check", "--json", url) == 3
    row = json.loads(capsys.readouterr().out)
    assert row["error"].startswith(f"refusing to fetch {url}")
    assert "--allow-private" in row["error"]
    assert hits == []  # refused before any request


def test_from_file_lists_urls(home: Path, site: Server,
                              capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    listing = home / "urls.txt"
    listing.write_text(f"# copies to look at\n{site.url('/copy')}\n\n  {site.url('/credited')}  \n")
    capsys.readouterr()
    assert run("check", "--json", "--allow-private", "--from", str(listing)) == 1
    rows = _json_lines(capsys.readouterr().out)
    assert [r["credit_status"] for r in rows] == ["uncredited", "credited"]

    listing.write_text(f"{site.url('/copy')}\nftp://elsewhere.test/file\n")
    assert run("check", "--from", str(listing)) == 2
    assert "urls.txt, line 2: not an http(s) URL" in capsys.readouterr().err
    assert run("check", "--from", str(home / "missing.txt")) == 2


def test_save_stores_findings_and_lookup_shows_their_history(
    home: Path, site: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    assert run("check", "--allow-private", site.url("/copy")) == 1
    assert run("lookup", URL) == 0  # without --save nothing was stored
    assert "no copies found so far" in capsys.readouterr().out

    for _ in range(2):
        assert run("check", "--save", "--allow-private", site.url("/copy"),
                   site.url("/credited"), site.url("/unrelated"), site.url("/gone")) == 3
    assert "saved 3 judged pages, 2 copies, to the store" in capsys.readouterr().err

    assert run("lookup", "--json", URL + "?utm_source=feed") == 1  # any variant of the URL
    data = json.loads(capsys.readouterr().out)
    assert data["original"]["url"] == URL and data["original"]["title"] == "Old grain pier to close"
    by_page = {c["page_url"]: c for c in data["copies"]}
    assert set(by_page) == {site.url("/copy"), site.url("/credited")}  # one finding each
    copy = by_page[site.url("/copy")]
    assert (copy["verdict"], copy["credit_status"], copy["lacks_credit"]) == (
        "repost", "uncredited", True)
    assert len(copy["history"]) == 2
    stamps = [h["checked_at"] for h in copy["history"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert by_page[site.url("/credited")]["credit_status"] == "credited"

    assert run("lookup", str(data["original"]["id"])) == 1
    out = capsys.readouterr().out
    assert "2 known copies, 1 lacking credit" in out
    assert out.index(site.url("/copy")) >= 0 and "repost   100%  uncredited" in out

    # the saved findings are in the report like crawled ones
    assert run("report", "-f", "json", "-o", "-") == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["page_url"] for f in report["findings"]] == [site.url("/copy")]


def test_save_with_a_saved_file_uses_its_given_address(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    page = save(home, "copy.html", COPY)
    assert run("check", "--save", str(page), "--url", "https://copycat.test/story") == 1
    assert run("lookup", "--json", URL) == 1
    copies = json.loads(capsys.readouterr().out.splitlines()[-1])["copies"]
    assert [c["page_url"] for c in copies] == ["https://copycat.test/story"]


@pytest.mark.parametrize("address", ["notaurl", "javascript:alert(1)", "http://a..b/x",
                                     "https://copy cat.test/a"])
def test_a_saved_file_needs_a_web_address(
    home: Path, capsys: pytest.CaptureFixture[str], address: str
) -> None:
    """A page saved under an address that is no http(s) URL with a host was reported on site
    "" and stopped every later recheck: ``--url`` must be one (with or without ``--save``),
    and a file saved without ``--url`` (its file:// address) is refused; exit 2, nothing
    printed or saved."""
    imported(home)
    page = save(home, "copy.html", COPY)
    for args in (("--url", address), ("--url", address, "--save"), ("--save",)):
        capsys.readouterr()
        assert run("check", str(page), *args) == 2, args
        out = capsys.readouterr()
        assert out.out == ""
        assert ("is not an http(s) URL" in out.err if "--url" in args
                else "is not an http(s) address, and --save stores" in out.err), out.err
    assert run("lookup", URL) == 0
    assert "no copies found so far" in capsys.readouterr().out


def test_a_pages_line_saved_needs_a_web_address(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Judged alone, a ``--pages`` line may name its page as it likes; saved, its ``url`` must
    be an http(s) address: the line is named, exit 2, before anything is saved."""
    imported(home)
    pages = home / "pages.jsonl"
    pages.write_text("\n".join(json.dumps({"url": url, "html": COPY}) for url in (
        "https://copycat.test/1", "page-2")) + "\n", encoding="utf-8")
    assert run("check", "--pages", str(pages), "--json") == 1
    assert [json.loads(line)["verdict"] for line in capsys.readouterr().out.splitlines()] == [
        "repost", "repost"]
    assert run("check", "--pages", str(pages), "--save") == 2
    out = capsys.readouterr()
    assert out.out == "" and "pages.jsonl, line 2: 'page-2' is not an http(s) address" in out.err
    assert run("lookup", URL) == 0
    assert "no copies found so far" in capsys.readouterr().out


def test_a_saved_file_is_read_up_to_the_size_limit(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file is read as a fetched page is: up to ``[crawl] max_size_mb``, then refused
    (``/dev/zero`` grew to 22 GB before; a file of gigabytes was read whole)."""
    imported(home)
    config = home / "repostwatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[crawl]\nmax_size_mb = 0.01\n",
                      encoding="utf-8")
    small = save(home, "copy.html", COPY)
    big = save(home, "big.html", COPY.replace("</body>", "<p>" + "x " * 6000 + "</p></body>"))
    assert small.stat().st_size < 10_240 < big.stat().st_size
    assert run("check", "--json", str(small), str(big), "/dev/zero") == 3
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert results[0]["verdict"] == "repost"
    assert [r["error"] for r in results[1:]] == ["file larger than 0.01 MiB ([crawl] "
                                                 "max_size_mb)"] * 2


def test_lookup_of_an_unknown_original(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(home)
    assert run("lookup", "https://daily-planet.test/news/nothing.html") == 2
    assert "no original" in capsys.readouterr().err
    assert run("lookup", "999") == 2
    # past the largest id SQLite keeps (OverflowError, a traceback), and a digit that is not
    # ASCII (int() refuses "²")
    for ref in ("99999999999999999999", "\u00b2", "1" * 5_000):
        capsys.readouterr()
        assert run("lookup", ref) == 2
        assert "no original" in capsys.readouterr().err
        assert run("originals", "source", ref, "--own") == 2


def test_a_partial_copy_with_partial_credit_reads_unambiguously(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"partial" is a credit status; the part of an article a repost copies is said in other
    words, so "repost (partial) … credit: partial" no longer reads as one thing twice."""
    from tests.matcher.texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html
    from tests.repostwatch.clihome import save

    imported(home)
    page = save(home, "part.html", page_html(
        paragraphs_html(ORIGINAL_PARAGRAPHS[:3]) + "<p>More in the Daily Planet</p>",
        head='<link rel="canonical" href="https://elsewhere.test/x">'))
    capsys.readouterr()
    run("check", str(page), "--url", "https://copycat.test/part")
    out = capsys.readouterr().out
    assert "verdict: repost (part of the article), coverage" in out
    assert "(partial)" not in out


def test_many_pages_are_judged_in_processes_with_the_same_results(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """From PROCESSES_FROM pages on, ``check`` judges in ``[crawl] judge_processes``
    processes: the same outcomes, in the same order, as judging them here."""
    import crawler.judging
    from crawler.lookup import PROCESSES_FROM

    imported(home)
    kinds = [COPY, CREDITED, UNRELATED]
    pages = home / "pages.jsonl"
    pages.write_text("".join(json.dumps({"url": f"https://copycat.test/{n}",
                                         "html": kinds[n % 3]}) + "\n"
                             for n in range(PROCESSES_FROM)), encoding="utf-8")
    calls: list[int] = []
    real = crawler.judging.assess_in_processes

    def counted(todo: Any, config: Any, processes: int) -> Any:
        calls.append(processes)
        return real(todo, config, processes)

    monkeypatch.setattr(crawler.judging, "assess_in_processes", counted)
    config = home / "repostwatch.toml"
    base = config.read_text(encoding="utf-8")
    outputs = []
    for processes in (0, 2):
        config.write_text(base + f"[crawl]\njudge_processes = {processes}\n", encoding="utf-8")
        assert run("check", "--pages", str(pages), "--json", "--save") == 1
        outputs.append(capsys.readouterr())
    assert calls == [2]  # only the second run judged in processes
    lines = [o.out.splitlines() for o in outputs]
    assert len(lines[0]) == PROCESSES_FROM and lines[0] == lines[1]
    verdicts = [json.loads(line)["verdict"] for line in lines[1][:3]]
    assert verdicts == ["repost", "repost", "none"]
    assert all(f"saved {PROCESSES_FROM} judged pages" in o.err for o in outputs)


def test_judging_processes_of_check_read_the_store_without_sqlalchemy(home: Path) -> None:
    """``check``'s judging processes record nothing: with the index cache current they read a
    SQLite store through ``sqlite3`` (~0.3 s less to start each); a crawl's record pages, so
    they open ``Store``."""
    from crawler.judging import judging_pool
    from repostwatch.config import load_config

    imported(home)
    assert run("check", str(save(home, "copy.html", COPY))) == 1  # builds the index cache
    probe = "'sqlalchemy' in __import__('sys').modules"
    config = load_config(None)
    for recording, imports in ((False, False), (True, True)):
        pool = judging_pool(config, 1, recording=recording)
        try:
            assert pool.submit(eval, probe).result(timeout=120) is imports
        finally:
            pool.shutdown()


def _pages_file(home: Path, count: int, *, bad_line: int | None = None) -> Path:
    kinds = [COPY, CREDITED, UNRELATED]
    lines = [json.dumps({"url": f"https://copycat.test/{n}", "html": kinds[n % 3]})
             for n in range(count)]
    if bad_line is not None:
        lines[bad_line - 1] = json.dumps({"url": "https://copycat.test/bad", "html": 7})
    path = home / "pages.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("processes", [0, 2])
def test_a_bad_page_line_is_named_wherever_it_is_decoded(
    home: Path, capsys: pytest.CaptureFixture[str], processes: int
) -> None:
    """Judging processes decode the lines of --pages themselves (the main process only
    reads them): a bad line late in the file is still named, exit 2, nothing printed or
    saved, as when every line is decoded here."""
    from crawler.lookup import PROCESSES_FROM

    imported(home)
    pages = _pages_file(home, PROCESSES_FROM + 20, bad_line=PROCESSES_FROM + 7)
    config = home / "repostwatch.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"[crawl]\njudge_processes = {processes}\n", encoding="utf-8")
    capsys.readouterr()
    assert run("check", "--pages", str(pages), "--json") == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert (f"pages.jsonl, line {PROCESSES_FROM + 7}: expected an object with `url` and "
            "`html` strings") in out.err
    assert run("check", "--pages", str(pages), "--save") == 2
    capsys.readouterr()
    assert run("lookup", URL) == 0
    assert "no copies found so far" in capsys.readouterr().out


def test_pages_lines_are_split_at_newlines_only(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON may hold U+2028 and U+0085 unescaped in a string (json.dumps with
    ensure_ascii=False writes them so): they do not end a JSON Lines record."""
    imported(home)
    html = COPY.replace("</body>", "<p>line\u2028separator and next\u0085line</p></body>")
    pages = home / "pages.jsonl"
    pages.write_text(json.dumps({"url": "https://copycat.test/u", "html": html},
                                ensure_ascii=False) + "\r\n\n", encoding="utf-8")
    assert "\u2028" in pages.read_text(encoding="utf-8")
    capsys.readouterr()
    assert run("check", "--pages", str(pages), "--json") == 1
    (data,) = _json_lines(capsys.readouterr().out)
    assert (data["url"], data["verdict"], data["target"]) == (
        "https://copycat.test/u", "repost", f"{pages}:1")


def test_a_pages_line_not_in_utf8_is_named(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(home)
    pages = home / "pages.jsonl"
    pages.write_bytes(json.dumps({"url": "https://copycat.test/1", "html": COPY}).encode()
                      + b"\n" + '{"url": "https://copycat.test/2", "html": "caf\xe9"}\n'
                      .encode("latin-1"))
    capsys.readouterr()
    assert run("check", "--pages", str(pages)) == 2
    err = capsys.readouterr().err
    assert "pages.jsonl, line 2: not UTF-8 (invalid continuation byte at byte" in err
    assert "save the file as UTF-8" in err
