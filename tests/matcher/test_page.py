from __future__ import annotations

from matcher import Page
from matcher.urls import canonical_url, host_matches, host_of, web_address

HTML = """<!doctype html><html lang="de"><head><title> Titel  </title>
<base href="https://example.test/news/">
<link rel="canonical" href="/news/a.html">
<meta property="og:url" content="https://example.test/news/a.html">
<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
 "isBasedOn": "https://orig.test/x"}]}</script>
<script type="application/ld+json">{broken</script>
<style>.x{}</style></head><body>
<header><a href="/">Home</a></header>
<article><h1>Head</h1><p>First para<b>graph</b> text.</p>Tail text<p>Second</p>
<a href="other.html" rel="nofollow ugc">rel link</a>
<a href="javascript:alert(1)">js</a></article>
<div style="display: none"><a href="https://hidden.test/">h</a></div>
<div class="site-footer"><a href="https://orig.test/">Orig</a></div>
<script>var notText = 1;</script></body></html>"""


def test_visible_text_keeps_blocks_and_inline_words() -> None:
    page = Page("https://example.test/news/a.html", HTML)
    assert "First paragraph text." in page.text.splitlines()
    assert "Tail text" in page.text.splitlines()
    assert "notText" not in page.text and ".x{}" not in page.text
    assert page.title == "Titel"
    assert page.lang == "de"


def test_head_signals() -> None:
    page = Page("https://example.test/news/a.html", HTML)
    assert page.canonical == "https://example.test/news/a.html"
    assert page.og_url == "https://example.test/news/a.html"
    assert any(item.get("isBasedOn") == "https://orig.test/x" for item in page.json_ld)


def test_links_are_resolved_with_region_rel_and_offset() -> None:
    page = Page("https://example.test/news/a.html", HTML)
    by_text = {link.text: link for link in page.links}
    assert "js" not in by_text  # only http(s) links
    rel = by_text["rel link"]
    assert rel.href == "https://example.test/news/other.html"
    assert rel.nofollow and rel.region == "article"
    assert page.text[rel.offset : rel.offset + len("rel link")] == "rel link"
    assert by_text["h"].hidden
    assert by_text["Orig"].region == "footer"
    assert by_text["Home"].region == "header"


def test_a_page_parsed_from_its_utf8_is_the_page_parsed_from_its_text() -> None:
    """A crawl hands the response's body along (``Page.utf8``): what is parsed from it is what
    encoding the text gives, released and parsed again too."""
    html = HTML.replace("Tail text", "Tail — café’s text")
    url = "https://example.test/news/a.html"
    mine, theirs = Page(url, html, utf8=html.encode()), Page(url, html)
    assert mine == theirs  # the bytes are not part of what a page is
    assert (mine.text, mine.title, mine.links, mine.canonical, mine.json_ld) == (
        theirs.text, theirs.title, theirs.links, theirs.canonical, theirs.json_ld)
    mine.release()
    assert mine.links == theirs.links  # parsed again from the same bytes
    wrong = Page(url, html, utf8=b"<p>other</p>")  # proof that the bytes are what is parsed
    assert wrong.text == "other"


def test_broken_html_does_not_raise() -> None:
    page = Page("http://x.test/", "<html><body><p>unclosed <div><a href='http://[bad'>x</a>")
    assert "unclosed" in page.text
    assert page.links == ()


def test_url_normalisation() -> None:
    a = canonical_url("https://www.Example.test/news/a/?utm_source=tw&id=3#top")
    assert a == canonical_url("http://example.test/news/a?id=3")
    assert canonical_url("https://example.test/news/a/amp") == canonical_url(
        "https://example.test/news/a")
    assert canonical_url("https://example.test:8443/a") != canonical_url("https://example.test/a")
    assert host_of("https://m.example.test/x") == "example.test"
    assert host_matches("news.example.test", ("example.test",))
    assert not host_matches("badexample.test", ("example.test",))


def test_a_port_is_part_of_the_host() -> None:
    """Sites told apart by their port (everyone testing on 127.0.0.1 meets this first): a
    domain with a port names that port only; a domain without one names every port."""
    assert host_of("http://127.0.0.1:9102/a") == "127.0.0.1:9102"
    assert host_of("https://www.example.test:443/a") == "example.test"  # a default port
    assert host_of("http://[::1]:8080/") == "[::1]:8080"
    assert Page("http://127.0.0.1:9102/copy", "<p>x</p>").host == "127.0.0.1:9102"
    assert host_matches("127.0.0.1:9101", ("127.0.0.1:9101",))
    assert not host_matches("127.0.0.1:9102", ("127.0.0.1:9101",))
    assert not host_matches("127.0.0.1", ("127.0.0.1:9101",))
    assert host_matches("http://news.example.test:8080/x", ("example.test",))
    assert host_matches("news.example.test:8080", ("http://example.test:8080/",))
    assert not host_matches("example.test:8081", ("example.test:8080",))
    # the store's keys keep their spelling
    assert canonical_url("http://127.0.0.1:9102/a/") == "127.0.0.1:9102/a"
    assert canonical_url("http://[::1]:8080/a") == "::1:8080/a"


def test_web_address_is_an_http_url_with_a_host_that_can_be_looked_up() -> None:
    # what Scrapy and aiohttp fetch: a space or an invisible character in the path is escaped
    for url in ("https://a.example/x?y=1", "HTTP://A.example", "http://127.0.0.1:8080/",
                "http://[::1]/", "http://a.example./", "https://b\u00fccher.example/\u00e9",
                "https://a.example/a b", "https://a.example/\n", "https://a.example/\u200b"):
        assert web_address(url), url
    for url in ("notaurl", "javascript:alert(1)", "file:///tmp/x", "ftp://a.example/",
                "http://", "http:///path", "http://a..b/", "http://.a.example/",
                "http://" + "x" * 64 + ".example/", "http://a b/", "http://a\u200b.example/",
                "http://[::1/", "http://a.example:99999/", "http://a.example:80a/"):
        assert not web_address(url), url


def test_json_ld_nested_past_the_parsers_stack_is_skipped() -> None:
    """``json.loads`` raises ``RecursionError`` (not ``ValueError``) on 1,100 nested arrays:
    it ended ``check`` with a traceback (exit 1, the other pages' results lost)."""
    deep = "[" * 1_100 + "]" * 1_100
    page = Page("https://copycat.test/a", '<html><head><script type="application/ld+json">'
                f'{deep}</script><script type="application/ld+json">{{"@type": "Article"}}'
                "</script></head><body><p>Text.</p></body></html>")
    assert page.json_ld == ({"@type": "Article"},)
