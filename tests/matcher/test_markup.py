"""Hostile markup cannot make the parser work without end (issue 20, item 3).

The work is counted, not timed: how deep the tree the parser builds is, and how many elements
it holds. Before the limits, 20,000 nested ``<div>`` made a tree 20,000 deep (and a parse
quadratic in that), and 1,000 unclosed ``<b id=…>`` followed by 1,000 paragraphs made the
parser clone a million elements.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from matcher import CreditRule, FingerprintIndex, Original, Page, assess
from matcher.markup import MAX_DEPTH, MAX_FORMATTING, MAX_TAGS, _Model, bounded

from .texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

ARTICLE = paragraphs_html(ORIGINAL_PARAGRAPHS)
URL = "https://daily-planet.test/news/harbour-pier.html"
RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))


def _tree(page: Page) -> LexborHTMLParser:
    tree = page._doc._tree
    assert tree is not None
    return tree


def depth(tree: LexborHTMLParser) -> int:
    """The most elements nested in one another (an explicit stack: no recursion limit)."""
    deepest = 0
    stack: list[tuple[LexborNode, int]] = [(tree.root, 1)] if tree.root is not None else []
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        child = node.child
        while child is not None:
            if child.is_element_node:
                stack.append((child, d + 1))
            child = child.next
    return deepest


def elements(tree: LexborHTMLParser) -> int:
    return sum(1 for _ in tree.root.traverse()) if tree.root is not None else 0


def _copies_found(html: str) -> bool:
    index = FingerprintIndex()
    index.add(Original(1, RULE.publication, URL, "Old grain pier to close", ORIGINAL_TEXT))
    result = assess(Page("https://hostile.test/", html), index, {RULE.publication: RULE})
    return result.verdict == "repost"


@pytest.mark.parametrize("nest", [
    "<div>x" * 20_000,  # the red team's page: every <div> looks for a <p> to close
    "<span>" * 20_000 + "</div>" * 20_000,  # every unmatched end tag walks the whole stack
    "<dl><dd>x" * 10_000,  # a <dd> does not close a <dd> across a <dl>
    "<li><ul></li>" * 10_000,  # </li> is ignored under an open <ul>
    "<div><table></div></table>" * 10_000,  # </div> is ignored under an open <table>
])
def test_nesting_is_capped_and_the_copy_after_it_is_still_found(nest: str) -> None:
    html = "<html><body>" + nest + ARTICLE
    page = Page("https://hostile.test/", html)
    assert depth(_tree(page)) <= MAX_DEPTH + 4  # + the tbody/tr a table opens by itself
    assert ORIGINAL_PARAGRAPHS[-1] in page.text
    assert _copies_found(html)


def test_formatting_elements_are_not_cloned_without_end() -> None:
    rounds = 1_000
    html = ("<html><body><p>" + "".join(f"<b id={i}>" for i in range(1_000)) + "</p>"
            + "<p>x</p>" * rounds + ARTICLE)
    tree = _tree(Page("https://hostile.test/", html))
    # Each paragraph re-opens the active formatting elements: at most MAX_FORMATTING of them.
    assert elements(tree) <= (MAX_FORMATTING + 2) * rounds + 100


@pytest.mark.parametrize("raw", [
    "<script>" * 20_000,  # no end tag: each would read on to the end of the page
    "<title>" + "<script>x" * 20_000 + "</title>",  # each would count the "<" to </title>
])
def test_raw_text_is_looked_through_once(raw: str) -> None:
    html = ("<html><body>" + "<div>" * 20 + raw + ARTICLE).encode()
    model = _Model(html)
    model.run()
    assert model.searches <= 3  # one search per raw text name, not per start tag


def test_past_the_tag_limit_the_rest_is_read_as_text() -> None:
    html = ("<html><body>" + "<i>x</i>" * (MAX_TAGS // 2) + "<div><svg><g>"
            + '<a href="https://daily-planet.test/">link</a>' + ARTICLE)
    page = Page("https://hostile.test/", html)
    assert elements(_tree(page)) <= MAX_TAGS // 2 + 10
    assert "link" in page.text and ORIGINAL_PARAGRAPHS[0] in page.text  # not hidden in <svg>
    assert _copies_found(html)


def test_pages_within_the_limits_are_not_changed() -> None:
    normal = page_html(ARTICLE).encode()
    assert bounded(normal) is normal
    # Big enough to be checked tag by tag (over 8,192 tags), but shallow.
    rows = "".join(f"<tr><td><b class='n'>{i}</b><td><a href='/{i}'>row</a>" for i in range(2_500))
    big = page_html("<table>" + rows + "</table>" + ARTICLE).encode()
    assert bounded(big) is big
    sloppy = page_html("<ul>" + "<li><p>item <font color=red>x" * 3_000 + "</ul>").encode()
    assert bounded(sloppy) is sloppy


# Tag soups: the model must never believe the stack shallower than Lexbor builds it (else a
# page could nest past the limit unseen), give or take the elements the parser adds itself.
_SOUP = st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "<b>", "</b>", "<i class=x>",
    "</i>", "<a href=/>", "</a>", "<li>", "</li>", "<ul>", "</ul>", "<dl>", "<dd>", "<dt>",
    "</dd>", "<table>", "</table>", "<tr>", "<td>", "</td>", "</tr>", "<caption>",
    "<select>", "<option>", "</select>", "<svg>", "</svg>", "<g>", "<path/>", "<math>",
    "<mi>", "</math>", "<title>", "</title>", "<textarea>", "</textarea>", "<script>",
    "</script>", "<template>", "</template>", "<object>", "</object>", "<button>",
    "</button>", "<h1>", "</h2>", "<br>", "</br>", "<img>", "<font>", "</font>", "<nobr>",
    "<x-y>", "</x-y>", "</body>", "<body>", "</html>", "<!-- c -->", "x", " ",
]), max_size=150)


@settings(max_examples=300, deadline=None)
@given(_SOUP)
def test_the_model_never_sees_the_stack_much_shallower_than_the_parser(soup: list[str]) -> None:
    html = ("<html><body>" + "".join(soup)).encode()
    model = _Model(html)
    assert model.run() == html  # within the limits: nothing left out
    real = depth(LexborHTMLParser(html))
    assert real <= 2 * model.deepest + MAX_FORMATTING // 4 + 4
