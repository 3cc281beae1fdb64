"""When a page says it was published (``matcher.dates``, ``Page.published``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matcher import Page
from matcher.dates import parse_date, published_date

from .texts import page_html

WHEN = datetime(2026, 3, 5, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "2026-03-05T08:30:00Z", "2026-03-05T08:30:00+00:00", "2026-03-05T09:30:00+01:00",
    "2026-03-05T03:30:00.000-05:00", "2026-03-05 08:30:00", "Thu, 05 Mar 2026 08:30:00 GMT",
    "Thu, 05 Mar 2026 09:30:00 +0100",
])
def test_parse_date_reads_iso_and_rfc_2822_as_utc(value: str) -> None:
    assert parse_date(value) == WHEN


def test_parse_date_refuses_what_it_cannot_read() -> None:
    assert parse_date("2026-03-05") == datetime(2026, 3, 5, tzinfo=UTC)
    for value in ("", "yesterday", "5 March", "2026-13-45", None, 20260305):
        assert parse_date(value) is None


def head(tags: str) -> Page:
    return Page("https://copycat.test/a", page_html("<p>Some text.</p>", head=tags))


@pytest.mark.parametrize("tags", [
    '<script type="application/ld+json">{"@type": "NewsArticle", '
    '"dateModified": "2027-01-01", "datePublished": "2026-03-05T08:30:00Z"}</script>',
    '<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "datePublished": '
    '"2001-01-01"}, {"@type": "Article", "datePublished": "2026-03-05T08:30:00Z"}]}</script>',
    '<meta property="article:published_time" content="2026-03-05T08:30:00Z">',
    '<meta property="article:modified_time" content="2027-01-01T00:00:00Z">'
    '<meta content="2026-03-05T09:30:00+01:00" name="pubdate">',
    '<meta itemprop="datePublished" content="2026-03-05T08:30:00Z">',
    '<meta name="sailthru.date" content="Thu, 05 Mar 2026 08:30:00 GMT">',
])
def test_published_from_json_ld_and_meta(tags: str) -> None:
    assert head(tags).published == WHEN


def test_meta_ranks_above_a_generic_date() -> None:
    page = head('<meta name="date" content="2020-01-01">'
                '<meta property="article:published_time" content="2026-03-05T08:30:00Z">')
    assert page.published == WHEN


def test_time_of_the_article_not_of_a_sidebar_or_a_comment() -> None:
    body = ('<aside class="related"><time datetime="2019-01-01">old</time></aside>'
            '<p class="byline"><time datetime="2026-03-05T08:30:00Z">5 March</time></p>'
            '<p>The article.</p><div class="comments"><time datetime="2027-01-01">c</time></div>')
    assert Page("https://copycat.test/a", page_html(body)).published == WHEN
    sidebar_only = '<div id="sidebar"><time datetime="2019-01-01">old</time></div><p>x</p>'
    assert Page("https://copycat.test/a", page_html(sidebar_only)).published is None


def test_an_article_in_a_layout_wrapper_named_after_its_sidebar() -> None:
    body = ('<div class="post-wrap has-sidebar-right"><article><time datetime='
            '"2026-03-05T08:30:00Z">5 March</time><p>Text.</p></article></div>')
    assert Page("https://copycat.test/a", page_html(body)).published == WHEN


def test_no_date_is_none() -> None:
    assert head("").published is None
    assert Page.from_text("https://copycat.test/a", "Only text.").published is None
    assert published_date("") is None


def test_json_ld_that_is_not_valid_json_still_gives_its_date() -> None:
    broken = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A", '
              '"datePublished": "2026-03-05T08:30:00Z", }</script>')
    assert head(broken).published == WHEN


def test_meta_tags_in_the_body_of_a_broken_page_count() -> None:
    body = '<meta property="article:published_time" content="2026-03-05T08:30:00Z"><p>x</p>'
    assert Page("https://copycat.test/a", page_html(body)).published == WHEN


META = '<meta property="article:published_time" content="2026-03-05T08:30:00Z">'
LD = ('<script type="application/ld+json">{"@type": "NewsArticle", '
      '"datePublished": "2026-03-05T08:30:00Z",}</script>')  # a trailing comma: not JSON
TIME = '<time datetime="2026-03-05T08:30:00Z">5 March</time>'


@pytest.mark.parametrize(("dated", "hostile"), [
    # tags that never end: each was scanned to the page's end by a regular expression, from
    # each of them (16-38 s for these; minutes for a few times more)
    (META, "<meta " * 20_000),
    (LD, "<script ld+json " * 2_000),
    (LD, '<script type="ld+json">' * 20_000),  # scripts that never close
    (TIME, "<time " * 20_000),
    (META.replace("<meta ", "<meta data-" + "x" * 100_000 + " "), ""),  # a name of 100,000
    # the microdata search went back to the start of the text for each mention
    ('<span itemprop="datePublished" content="2026-03-05T08:30:00Z"></span>',
     "<p>" + "datePublished " * 50_000 + "</p>"),
])
def test_hostile_markup_around_a_date_still_gives_it(dated: str, hostile: str) -> None:
    """The date is read past markup that made the search for it quadratic or worse (the
    speed: ``benchmarks/assess_html.py``'s hostile pages)."""
    html = page_html(f"<p>Some text.</p>{dated}{hostile}")
    assert published_date(html) == WHEN
    assert Page("https://copycat.test/a", html).published == WHEN


def test_time_is_read_from_the_pages_own_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Page.published`` hands its tree, parsed within ``matcher.markup``'s limits, not the
    page to parse again (unbounded: 100,000 nested <div> after a <time> took 23 s)."""
    import matcher.dates

    html = page_html(f"<p>Text.</p>{TIME}" + "<div>" * 100_000)
    page = Page("https://copycat.test/a", html)
    _ = page.text  # the page is parsed as judging parses it
    monkeypatch.setattr(matcher.dates, "LexborHTMLParser", None)  # no second parse
    assert page.published == WHEN
    monkeypatch.undo()
    assert published_date(html) == WHEN  # alone: parsed here, within the same limits


def test_microdata_after_a_mention_in_text_is_read() -> None:
    """A "datePublished" in the text does not hide the tag that follows it."""
    html = ('<div>Fields: datePublished <span itemprop="datePublished" '
            'content="2026-03-05T08:30:00Z"></span></div>')
    assert published_date(html) == WHEN
