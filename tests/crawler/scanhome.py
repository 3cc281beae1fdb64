"""Archives for the scan tests: the sandbox web as WARC files, hostile records, the answer key,
and a working folder whose store holds the sandbox publisher's originals."""

from __future__ import annotations

import gzip
from html import escape
from pathlib import Path
from typing import Any

import pytest

from crawler.sandbox import PUBLISHER, demo_config, expected_pages, hidden_pages
from crawler.sandbox.content import generate_article
from crawler.sandbox.sites import WIRE_STORIES, wire_article
from crawler.sandbox.warcs import (
    WarcFile,
    http_response,
    request_record,
    response_record,
    sandbox_records,
    warc_record,
    warcinfo_record,
)

ARTICLES = 8
PRIVATE_COPY = "http://scraperdaily.test/private/copy.html"  # robots.txt keeps crawls out; an
# archive made by a crawler that ignored it holds it all the same


def answer_key() -> dict[str, tuple[str, str | None]]:
    """URL → (verdict, credit status) of every copy in the sandbox archive."""
    key = {e.url: (e.verdict, e.credit_status)
           for e in [*expected_pages(ARTICLES), *hidden_pages(ARTICLES)] if e.verdict != "none"}
    key[PRIVATE_COPY] = ("repost", "uncredited")
    return key


def kept_apart() -> set[str]:
    """URLs of the archive's copies that are kept apart (copies of the paper's wire stories)."""
    return {e.url for e in expected_pages(ARTICLES) if e.kept_apart is not None}


def make_home(folder: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    """A working folder: the sandbox config on ``database_url``, the store filled with the
    publisher's originals (as ``originals import`` would store them)."""
    from repostwatch.config import load_config
    from repostwatch.store import Store

    monkeypatch.chdir(folder)
    for var in ("REPOSTWATCH_CONFIG", "REPOSTWATCH_DATABASE_URL", "REPOSTWATCH_PROXY",
                "REPOSTWATCH_DASK"):
        monkeypatch.delenv(var, raising=False)
    text = demo_config("http://127.0.0.1:1", database_url=database_url)
    # archives are read directly, not through the sandbox's proxy
    text = "\n".join(line for line in text.splitlines() if not line.startswith("proxy ="))
    (folder / "repostwatch.toml").write_text(text, encoding="utf-8")
    config = load_config(folder / "repostwatch.toml")
    with Store.open(config.database_url) as store:
        store.ensure_publications(config.rules.values())
        rule = config.rules[PUBLISHER.name]
        archive = [generate_article(n) for n in range(ARTICLES)]  # and the wire stories it ran
        archive += [wire_article(n) for n in range(len(WIRE_STORIES))]
        for a in archive:
            store.upsert_original(publication=PUBLISHER.name, url=PUBLISHER.article_url(a.slug),
                                  title=a.title, text="\n".join(a.paragraphs), author=a.author,
                                  published=a.published, rule=rule)
    return folder


def unrelated_page(n: int) -> bytes:
    """An article page of some other site: no shared run of 8 words with any original."""
    a = generate_article(50_000 + n)
    body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return (f"<!DOCTYPE html><html><head><title>{escape(a.title)}</title></head><body>"
            f"<article><h1>{escape(a.title)}</h1>{body}</article></body></html>").encode()


def hostile_records() -> list[tuple[str, bytes]]:
    """(name, record) of records a scan must skip, count and name, and one it must decode
    against its declared charset."""
    bomb = gzip.compress(b" " * (30 * 1024 * 1024), compresslevel=9)  # 30 MiB once inflated
    cp1251 = ("<html><body><p>Новости дня: в городе открыли новый мост через реку."
              "</p></body></html>").encode("cp1251")
    return [
        ("gzip_bomb", response_record("http://bomb.test/page.html", bomb,
                                      headers=[("Content-Encoding", "gzip")])),
        ("huge", response_record("http://huge.test/page.html",
                                 b"<html><body>" + b"a" * (12 * 1024 * 1024) + b"</body></html>")),
        ("broken_http", response_record("http://broken.test/page.html", b"", http=(
            b"this is no status line\r\n\x00\xff: ??\r\n\r\n<html><p>x</p></html>"))),
        ("wrong_charset", response_record("http://cyrillic.test/news.html", cp1251,
                                          content_type="text/html; charset=utf-8")),
        ("not_html", response_record("http://images.test/logo.png", b"\x89PNG\r\n\x1a\n....",
                                     content_type="image/png")),
        ("gone", response_record("http://gone.test/old.html", b"<html><p>gone</p></html>",
                                 status=404)),
    ]


def write_sandbox_warc(path: Path, *, hostile: bool = True, unrelated: int = 0,
                       pages: slice | None = None) -> list[int]:
    """The sandbox web as one WARC file (``pages``: a slice of its records' pairs), with the
    hostile records spread through it and ``unrelated`` other pages at the end. Returns the
    offsets of the records."""
    pairs = list(_pairs(sandbox_records(ARTICLES)))[pages or slice(None)]
    extra = [r for _, r in hostile_records()] if hostile else []
    with WarcFile(path) as warc:
        warc.add(warcinfo_record(path.name))
        for i, (request, response) in enumerate(pairs):
            warc.add(request)
            warc.add(response)
            if extra and i % 4 == 3:
                warc.add(extra.pop())
        for record in extra:
            warc.add(record)
        for n in range(unrelated):
            url = f"http://elsewhere-{n % 7}.test/story/{n}.html"
            warc.add(request_record(url))
            warc.add(response_record(url, unrelated_page(n)))
        return warc.offsets


def _pairs(records: Any) -> Any:
    it = iter(records)
    return zip(it, it, strict=True)


__all__ = ["ARTICLES", "PRIVATE_COPY", "answer_key", "hostile_records", "http_response",
           "make_home", "unrelated_page", "warc_record", "write_sandbox_warc"]
