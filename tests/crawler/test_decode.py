"""Decoding pages: declared encodings win; undeclared ones are guessed from the non-ASCII."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.sniff import decode_html, html_body, looks_like_html, utf8_of
from tests.matcher.texts import ORIGINAL_TEXT

ENGLISH = "".join(f"<p>{line}</p>" for line in ORIGINAL_TEXT.splitlines())  # mostly ASCII


def _page(title: str, local: str, head: str = "") -> str:
    return (f"<!doctype html><html><head><title>{title}</title>{head}</head><body>"
            f"{ENGLISH}<p>{local}</p></body></html>")


@pytest.mark.parametrize(("codec", "title", "local"), [
    ("windows-1251", "Новости дня", "Все права защищены. Подписывайтесь на рассылку."),
    ("gb18030", "今日新闻", "欢迎订阅我们的新闻通讯。"),
    ("utf-8", "Nouvelles du jour", "Tous droits réservés — abonnez-vous."),
])
def test_undeclared_encodings_are_guessed_from_the_non_ascii(codec: str, title: str,
                                                             local: str) -> None:
    encoding, text = decode_html("text/html", _page(title, local).encode(codec))
    assert f"<title>{title}</title>" in text and local in text, encoding


def test_a_declared_encoding_wins() -> None:
    body = _page("Новости", "Текст", head='<meta charset="windows-1251">').encode("cp1251")
    assert decode_html(None, body)[0] == "cp1251"
    header = "text/html; charset=koi8-r"  # a header beats the meta (and here it is wrong)
    assert decode_html(header, body)[0] == "koi8-r"


def test_bad_bytes_do_not_raise() -> None:
    encoding, text = decode_html("text/html; charset=utf-8", b"<p>ok \xff\xfe broken</p>")
    assert encoding == "utf-8" and "ok" in text and "\ufffd" in text


_NOT_CHARSETS = ["hex", "base64", "rot13", "zlib", "bz2", "quopri", "uu", "idna", "punycode",
                 "undefined", "utf-7", "x-no-such-thing"]


@pytest.mark.parametrize("name", _NOT_CHARSETS)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_charset_that_names_no_text_encoding_is_ignored(name: str, where: str) -> None:
    # These names used to raise LookupError/UnicodeError: one meta tag hid a page from the crawl
    head = f'<meta charset="{name}">' if where == "meta" else ""
    header = f"text/html; charset={name}" if where == "header" else "text/html"
    body = _page("Café du jour", "Tous droits réservés.", head=head).encode("utf-8")
    encoding, text = decode_html(header, body)
    assert encoding == "utf-8"  # sniffed, as if nothing were declared
    assert "<title>Café du jour</title>" in text


def test_an_ignored_header_charset_leaves_the_meta_to_decide() -> None:
    body = _page("Новости", "Текст", head='<meta charset="windows-1251">').encode("cp1251")
    encoding, text = decode_html("text/html; charset=hex", body)
    assert encoding == "cp1251" and "<title>Новости</title>" in text


@pytest.mark.parametrize("wide", ["utf-16", "utf-16le", "utf-32"])
def test_a_meta_declaring_utf16_on_ascii_bytes_means_utf8(wide: str) -> None:
    # The Encoding Standard: bytes that spell "<meta charset=utf-16>" in ASCII are not UTF-16
    body = _page("Café", "Fin.", head=f'<meta charset="{wide}">').encode("utf-8")
    encoding, text = decode_html(None, body)
    assert encoding == "utf-8" and "<title>Café</title>" in text


def test_a_bom_still_wins() -> None:
    body = "\ufeff" + _page("Café", "Fin.", head='<meta charset="hex">')
    encoding, text = decode_html("text/html; charset=rot13", body.encode("utf-16-le"))
    assert encoding == "utf-16-le" and "<title>Café</title>" in text


@pytest.mark.parametrize("order", ["le", "be"])
def test_utf16_without_a_bom_is_html_and_the_label_means_little_endian(order: str) -> None:
    """A browser shows a page sent as ``charset=utf-16`` with no BOM as UTF-16LE (the Encoding
    Standard): it was decoded as big-endian (mojibake: a copy served so was not found), and
    no page in UTF-16 without a BOM passed the "looks like HTML" test (a crawl skipped it)."""
    page = _page("Café", "Fin.")
    body = page.encode(f"utf-16-{order}")
    assert looks_like_html(body) and looks_like_html(b"\n\x00 \x00" + body[:100]) is (
        order == "le")
    encoding, text = decode_html(f"text/html; charset=utf-16{order}", body)
    assert (encoding, text) == (f"utf-16-{order}", page)
    if order == "le":
        assert decode_html("text/html; charset=utf-16", body) == ("utf-16-le", page)
    # undeclared (a saved file, a record with no charset): read as it starts
    assert decode_html(None, body) == decode_html("text/html", body) == (f"utf-16-{order}", page)
    assert not looks_like_html("Just some text, no markup.".encode(f"utf-16-{order}"))
    assert not looks_like_html(b"\x00" * 200) and not looks_like_html(b"%PDF-1.7\n")


_PIECES = [b"<p>", "café — ’".encode(), b"\xef\xbb\xbf", b"\xff\xfe", b"\xff", b"\xed\xa0\x80",
           b"\xc0\xaf", "\ufffd".encode(), b"\x00", "Новости".encode("cp1251"), b"plain ",
           b'<meta charset="windows-1251">', b'<meta charset="utf-8">', b"\xe2\x80"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES), max_size=12),
       st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=UTF8",
                        "text/html; charset=latin-1", "text/html; charset=utf-16"]))
def test_the_body_stands_for_the_page_as_utf8_only_when_it_is_exactly_that(
        pieces: list[bytes], content_type: str | None) -> None:
    """What the matcher parses instead of encoding the page again is the page's UTF-8."""
    body = b"".join(pieces)
    encoding, html = decode_html(content_type, body)
    utf8 = utf8_of(encoding, body, html)
    assert utf8 is None or utf8 == html.encode("utf-8")


def test_most_pages_are_parsed_from_their_body() -> None:
    body = _page("Nouvelles", "Tous droits réservés — abonnez-vous.").encode()
    for content_type in ("text/html; charset=utf-8", None):
        encoding, html = decode_html(content_type, body)
        assert utf8_of(encoding, body, html) is body
    bom = codecs.BOM_UTF8 + body
    assert utf8_of(*_decoded(None, bom)) == body  # after its BOM
    cp1251 = _page("Новости", "Текст", head='<meta charset="windows-1251">').encode("cp1251")
    assert utf8_of(*_decoded(None, cp1251)) is None  # another encoding: encoded again
    assert utf8_of(*_decoded(None, b"<p>\xff</p>")) is None  # a byte that was no UTF-8


def _decoded(content_type: str | None, body: bytes) -> tuple[str, bytes, str]:
    encoding, html = decode_html(content_type, body)
    return encoding, body, html


def test_declared_html_is_html_when_it_starts_with_a_tag() -> None:
    for body in (b"", b"  \n", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n....", b"GIF89a..",
                 b"\xff\xd8\xff\xe0..", b"PK\x03\x04..", b"\x1f\x8b\x08..", b"RIFF....WEBP",
                 b'{"error": "rate limited"}', b"plain words", b"\x00" * 64, b"<x\x00y>",
                 b"<svg xmlns='http://www.w3.org/2000/svg'>", b"<rss version='2.0'>"):
        # judged, a JSON error or a file sent as text/html would read as a copy taken down
        assert not html_body("text/html; charset=utf-8", body), body
    for body in (b"<?xml version='1.0'?><html>", b"<center>x", b"<br />\n<b>Warning</b>: x",
                 b"\xef\xbb\xbf <p>x"):
        assert html_body("text/html", body) and html_body("application/xhtml+xml", body)
        # with no type (or another), the bytes must start like HTML
        assert html_body(None, body) is html_body("text/plain", body) is looks_like_html(body)
