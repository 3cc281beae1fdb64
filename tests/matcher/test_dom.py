"""The one walk over a page (``matcher.dom``) and the lazy ``Page`` give what the plain parse
gave (``page_reference``): the same text, links (region, hidden flag, offset), title and
``<head>`` signals, character for character, on generated tag soup."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import FingerprintIndex, Page, assess
from matcher.dom import clean_text, offset_map
from matcher.mentions import may_mention

from .page_reference import clean_lines, parse

_HREFS = ["http://a.test/x", "https://B.test/y?q=1#f", "/rel", "rel2", "//c.test/z",
          "javascript:x", "", " http://d.test/ ", "HTTP://E.test/", "http://[bad",
          "https://f.test/a;b", "?q", "#h", "http://g.test/a b", "mailto:x@y",
          "https://daily-planet.test/news/a.html", "http://h.test/?", "http:///i",
          "https://j.test:8080/k?l=%20m", "http://x.test/%7Ey", "http://k.test/\tz"]
_PIECES = [
    "<p>", "</p>", "<div class='x'>", "</div>", "<span>", "</span>", "<b>", "</b>", "<br>",
    "<li>", "<ul>", "</ul>", "<table>", "<td>", "</table>", "<footer>", "</footer>",
    "<nav>", "</nav>", "<div class='sidebar'>", "<div id='comments'>", "<div hidden>",
    "<span style='display: none'>", "<section aria-hidden='true'>", "</section>",
    "<article>", "</article>", "<main>", "<aside>", "<header class='menu'>", "<h2>", "</h2>",
    "<script>var a = '<p>x</p>';</script>", "<style>.x{}</style>",
    "<svg><title>icon</title><g>t</g></svg>", "<noscript><a href='/n'>ns</a></noscript>",
    "<template><p>t</p></template>", "<iframe>if</iframe>", "<object>o</object>",
    "<canvas>c</canvas>", "<title> T  </title>", "<link rel='Canonical' href='/c'>",
    "<link rel='canonical x' href='/d'>", "<meta property='og:url' content='/o'>",
    "<meta name='og:url' content=' https://o.test/ '>", "<meta name='og:site_name' content=' S '>",
    "<meta property='OG:URL' content='/no'>", "<base href='/b/'>", "<base target='_top'>",
    "<script type='Application/LD+JSON'>{\"@type\": \"X\", \"@graph\": [{\"a\": 1}]}</script>",
    "<script type='application/ld+json'>[{\"b\": 2}, broken</script>",
    "<html lang='DE'>", "<!-- c -->", "</a>", "</li>", "</td>",
    *[f"<a href='{h}'>" for h in _HREFS], "<a href='/r' rel='NoFollow ugc'>", "<a>",
    "word", " ", "  ", "\n", "\t", "\xa0", "\u2009", "x y", "é", "İ", "\u2028", "\x1c", "Ω",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60),
       st.sampled_from(["https://example.test/dir/page.html", "http://example.test",
                        "https://example.test/a?b=c", "not a url"]))
def test_page_is_what_the_plain_parse_gives(pieces: list[str], url: str) -> None:
    html = "".join(pieces)
    page, ref = Page(url, html), parse(html, url)
    assert page.text == ref["text"]
    assert [(lk.href, lk.text, lk.rel, lk.region, lk.hidden, lk.offset)
            for lk in page.links] == ref["links"]
    assert (page.title, page.lang, page.canonical, page.og_url, page.og_site_name) == (
        ref["title"], ref["lang"], ref["canonical"], ref["og_url"], ref["og_site_name"])
    assert page.meta("og:site_name") == ref["og_site_name"]
    assert list(page.json_ld) == ref["json_ld"]


_LINES = st.lists(st.sampled_from([" ", "  ", "\t", "\xa0", "\u3000", "\x1c", "\r", "a",
                                   "b c", "\n", "\n\n", "é"]), max_size=40)


@settings(max_examples=500)
@given(_LINES, st.lists(st.integers(min_value=0, max_value=60), max_size=10))
def test_clean_text_and_offsets_match_the_line_by_line_clean_up(pieces: list[str],
                                                                 offsets: list[int]) -> None:
    raw = "".join(pieces)
    text, mapping = clean_lines(raw)
    assert clean_text(raw) == text
    fast = offset_map(raw, text)
    assert [fast(o) for o in offsets] == [mapping(o) for o in offsets]


def test_links_mentioning_is_links_filtered() -> None:
    html = "".join(f"<p><a href='{h}'>{n}</a></p>" for n, h in enumerate(_HREFS))
    base = Page("https://example.test/dir/page.html", html)
    needles = ("daily-planet.test", "c.test", "t.co")
    picked = Page(base.url, html).links_mentioning(needles)  # worked out without the others
    assert picked == tuple(lk for lk in base.links if may_mention(lk.href, needles))
    # a tab is dropped, as a browser drops it: http://k.test/z names none of the needles
    assert [lk.href for lk in picked] == ["https://c.test/z", "https://daily-planet.test/news/a.html"]


def test_a_page_pickles_without_its_parse() -> None:
    page = Page("https://example.test/", "<p>Hello <a href='/x'>there</a></p>")
    assert page.links and page.text == "Hello there"
    copy = pickle.loads(pickle.dumps(page))
    assert copy == page and copy.text == page.text and copy.links == page.links
    known = Page.from_text("https://example.test/t", "Just text", title="T")
    again = pickle.loads(pickle.dumps(known))
    assert again.text == "Just text" and again.title == "T" and again.links == ()


def test_a_judged_page_lets_its_tree_go_and_parses_again_if_asked() -> None:
    html = ("<html><head><title>T</title><link rel=canonical href='/c'></head><body>"
            "<p>Some words <a href='https://a.test/'>here</a></p></body></html>")
    page = Page("https://example.test/", html)
    assess(page, FingerprintIndex(), {})
    assert "_tree" not in page._doc.__dict__  # a crawl holds many judged pages at once
    assert page.title == "T" and page.text == "Some words here"
    fresh = Page("https://example.test/", html)
    assert page.links == fresh.links and page.canonical == fresh.canonical
