"""Outreach letters: contacts from saved and fetched pages, the letter's content, `repostwatch
outreach`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import outreach_letters
from reports.outreach import find_contacts, letter_text
from repostwatch.config import check_template
from repostwatch.store import Store
from tests.repostwatch.clihome import run

PAGE = """<!DOCTYPE html><html><head><title>Copy</title></head><body>
<header><a href="/">Home</a> <a href="/about-us">About us</a></header>
<main><p>Some copied text. Write to news@copycat.test for corrections.</p></main>
<footer>
 <a href="mailto:Editor@CopyCat.test?subject=Hi">Editor</a>
 <a href="mailto:not-an-address">broken</a>
 <a href="javascript:alert(1)">Contact</a>
 <a href="https://elsewhere.test/contact">Contact our partner</a>
 <a href="/contact" style="display:none">Contact (hidden)</a>
 <a href="/kontakt">Kontakt</a>
</footer></body></html>"""


def test_find_contacts_keeps_addresses_and_same_site_contact_pages() -> None:
    found = find_contacts(PAGE, "https://www.copycat.test/2026/copy.html")
    assert [(c.kind, c.value, c.where) for c in found] == [
        ("email", "editor@copycat.test", "mailto"),
        ("email", "news@copycat.test", "text"),
        ("page", "https://www.copycat.test/about-us", "link"),
        ("page", "https://www.copycat.test/kontakt", "link"),
    ]
    assert all(c.found_on == "https://www.copycat.test/2026/copy.html" for c in found)


def test_check_template_allows_only_the_documented_fields() -> None:
    assert check_template("Source: {publication} — {url} ({title})") is None
    assert "unknown placeholder {author}" in (check_template("by {author}") or "")
    assert "unknown placeholder" in (check_template("{publication.__class__}") or "")
    assert "not a valid template" in (check_template("oops {") or "")


def test_letters_from_the_sandbox_store(sandbox_store: Store) -> None:
    rows = sandbox_store.findings(lacking_credit=True)
    letters = outreach_letters(sandbox_store, rows, credit_line="Via {publication}: {title}")
    assert sorted(letter.site for letter in letters) == ["scraperdaily.test", "wrongsource.test"]
    (letter,) = [x for x in letters if x.site == "scraperdaily.test"]
    assert [c.value for c in letter.contacts] == ["webmaster@scraperdaily.test"]
    text = letter_text(letter)
    assert text.startswith("To: webmaster@scraperdaily.test\nSubject: Credit for The Daily "
                           "Planet articles on scraperdaily.test\n")
    assert "Reposts are welcomed with the reference to The Daily Planet." in text
    assert text.count("   please add: Via The Daily Planet: ") == 3
    for f in letter.copies:
        assert f.page_url in text and f.original_url in text
        assert f"credit: uncredited — {f.credit_reason}" in text


def test_cli_outreach_prints_the_letter(sandbox_home: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run("outreach", "http://scraperdaily.test/anything") == 0
    out = capsys.readouterr().out
    assert out.startswith("To: webmaster@scraperdaily.test\n")
    assert run("outreach", "wrongsource.test", "--format", "json") == 0
    letter = json.loads(capsys.readouterr().out)
    assert letter["site"] == "wrongsource.test" and letter["contacts"] == []
    assert letter["copies"][0]["credit_status"] == "misattributed"
    assert letter["text"].startswith("To: (no contact found on the pages of wrongsource.test "
                                     "that were read")
    assert run("outreach", "scraperdaily.test", "-f", "md") == 0
    assert capsys.readouterr().out.startswith("# scraperdaily.test — The Daily Planet\n\n    To: ")


def test_cli_outreach_for_a_site_without_copies_lacking_credit(
        sandbox_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("outreach", "newsmirror.test") == 2
    err = capsys.readouterr().err
    assert ("error: no open copy lacking credit on 'newsmirror.test' (sites with some: "
            "scraperdaily.test, wrongsource.test)") in err


def test_contacts_are_pages_that_answer_and_the_addresses_on_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The copy links to /contact (404) and /about (200, a mailto:); the home page links to
    an imprint (200, an address in its text): the letter names what answered, and only that.
    Pages are fetched politely, robots.txt first, and what robots.txt forbids never."""
    from aiohttp import web

    from tests.localserver import Server
    from tests.matcher.texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html
    from tests.repostwatch.clihome import imported, make_home

    served: list[str] = []
    copy = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS) + '<p><a href="/contact">Contact'
                     '</a> <a href="/about">About us</a> <a href="/private/contact">Write '
                     'to us</a> <a href="/contact-us">Get in touch</a></p>')
    pages = {"/copy": copy,
             "/": page_html('<a href="/copy">pier</a> <a href="/impressum">Impressum</a>'),
             "/about": page_html('<p><a href="mailto:desk@copies.test">the desk</a></p>'),
             "/impressum": page_html("<p>Redaktion: redaktion@copies.test</p>"),
             "/private/contact": page_html("<p>secret@copies.test</p>")}

    async def handle(request: web.Request) -> web.Response:
        served.append(request.path)
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private/\n")
        if request.path == "/contact-us":  # lands on the home page: no contact page
            raise web.HTTPFound("/")
        if request.path in pages:
            return web.Response(text=pages[request.path], content_type="text/html")
        return web.Response(status=404, text="<p>Not found</p>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    home = make_home(tmp_path, monkeypatch)
    with (home / "repostwatch.toml").open("a", encoding="utf-8") as fh:
        fh.write("[crawl]\nallow_private = true\ndownload_delay = 0\n")
    imported(home)
    with Server(app) as site:
        assert run("check", "--save", site.url("/copy")) == 1
        capsys.readouterr()
        served.clear()
        assert run("outreach", f"127.0.0.1:{site.port}", "-f", "json") == 0
    letter = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c["value"]) for c in letter["contacts"]] == [
        ("email", "desk@copies.test"), ("email", "redaktion@copies.test"),
        ("page", site.url("/about")), ("page", site.url("/impressum"))]
    assert "/private/contact" not in served and served[0] == "/robots.txt"
    assert sorted(served) == sorted(["/robots.txt", "/", "/contact", "/about", "/contact-us",
                                     "/", "/impressum"])
