"""Decoding pages: declared encodings win; undeclared ones are guessed from the non-ASCII."""

from __future__ import annotations

import pytest

from crawler.sniff import decode_html
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
