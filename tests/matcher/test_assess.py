"""``assess`` end to end on hand-written pages: verdicts, credit statuses, own-site rule."""

from __future__ import annotations

import pytest

from matcher import CreditRule, FingerprintIndex, Original, Page, Thresholds, assess

from .texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, OTHER_TEXT, page_html, paragraphs_html

ORIGINAL_URL = "https://daily-planet.test/news/harbour-pier.html"
RULE = CreditRule("The Daily Planet", aliases=("Daily Planet",), domains=("daily-planet.test",),
                  allow=("partner.test",))


@pytest.fixture
def index() -> FingerprintIndex:
    idx = FingerprintIndex()
    idx.add(Original(1, "The Daily Planet", ORIGINAL_URL, "Old grain pier to close", ORIGINAL_TEXT))
    idx.add(Original(2, "The Daily Planet", "https://daily-planet.test/news/birch.html",
                     "Birch saplings planted", OTHER_TEXT))
    return idx


def judge(index: FingerprintIndex, html: str, url: str = "https://copycat.test/story",
          rule: CreditRule = RULE):
    return assess(Page(url, html), index, {rule.publication: rule})


FULL = paragraphs_html(ORIGINAL_PARAGRAPHS)


def test_full_uncredited_repost(index: FingerprintIndex) -> None:
    r = judge(index, page_html(FULL))
    assert (r.verdict, r.extent) == ("repost", "full")
    assert r.original is not None and r.original.id == 1
    assert r.coverage == 1.0
    assert r.credit is not None and r.credit.status == "uncredited"
    assert r.lacks_credit


def test_link_to_article_credits(index: FingerprintIndex) -> None:
    body = FULL + f'<p>Source: <a href="{ORIGINAL_URL}?utm_source=x">The Daily Planet</a></p>'
    r = judge(index, page_html(body))
    assert r.credit is not None and r.credit.status == "credited"
    kinds = {s.kind for s in r.credit.evidence}
    assert "article-link" in kinds and "source-line" in kinds


def test_name_only_credits_under_any_but_not_under_link(index: FingerprintIndex) -> None:
    body = FULL + "<p>This article first appeared in the Daily Planet.</p>"
    assert judge(index, page_html(body)).credit.status == "credited"  # type: ignore[union-attr]
    strict = CreditRule("The Daily Planet", domains=("daily-planet.test",), credit="link")
    r = judge(index, page_html(body), rule=strict)
    assert r.credit is not None and r.credit.status == "partial"
    assert "link" in r.credit.reason


def test_site_link_is_partial_under_article_link(index: FingerprintIndex) -> None:
    body = FULL + '<p>Via <a href="https://www.daily-planet.test/">Daily Planet</a></p>'
    rule = CreditRule("The Daily Planet", domains=("daily-planet.test",), credit="article-link")
    r = judge(index, page_html(body), rule=rule)
    assert r.credit is not None and r.credit.status == "partial"
    assert "not to the article" in r.credit.reason


def test_canonical_only_credits(index: FingerprintIndex) -> None:
    head = f'<link rel="canonical" href="{ORIGINAL_URL}">'
    r = judge(index, page_html(FULL, head=head))
    assert r.credit is not None and r.credit.status == "credited"
    assert r.credit.evidence[0].kind == "canonical"


def test_wrong_source_is_misattributed(index: FingerprintIndex) -> None:
    r = judge(index, page_html(FULL + "<p>Source: Metro Gazette</p>"))
    assert r.credit is not None and r.credit.status == "misattributed"
    assert "Metro Gazette" in r.credit.reason


def test_hidden_link_is_not_credit(index: FingerprintIndex) -> None:
    body = FULL + f'<div style="display:none"><a href="{ORIGINAL_URL}">x</a></div>'
    r = judge(index, page_html(body))
    assert r.credit is not None and r.credit.status == "partial"
    assert any(s.hidden for s in r.credit.evidence)


def test_name_inside_copied_text_is_not_credit(index: FingerprintIndex) -> None:
    idx = FingerprintIndex()
    text = ORIGINAL_TEXT + "\nReposts are welcomed with the reference to The Daily Planet."
    idx.add(Original(1, "The Daily Planet", ORIGINAL_URL, "t", text))
    rule_line = "Reposts are welcomed with the reference to The Daily Planet."
    html = page_html(paragraphs_html([*ORIGINAL_PARAGRAPHS, rule_line]))
    r = judge(idx, html)
    assert r.credit is not None and r.credit.status == "uncredited"


def test_partner_is_allowed(index: FingerprintIndex) -> None:
    r = judge(index, page_html(FULL), url="https://www.partner.test/a")
    assert r.credit is not None and r.credit.status == "allowed"
    assert not r.lacks_credit


def test_own_site_is_never_reported(index: FingerprintIndex) -> None:
    r = judge(index, page_html(FULL), url="https://amp.daily-planet.test/news/x?utm_medium=rss")
    assert r.verdict == "none"
    assert "own site" in r.note


def test_partial_and_excerpt_and_quote(index: FingerprintIndex) -> None:
    partial = judge(index, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS[:3])))
    assert (partial.verdict, partial.extent) == ("repost", "partial")
    # Two of six paragraphs: a third of the article. Below a 50 % repost threshold that is an
    # excerpt, because the longest passage is over excerpt_min_words.
    two = page_html(paragraphs_html(["Our own intro.", ORIGINAL_PARAGRAPHS[1],
                                     ORIGINAL_PARAGRAPHS[2]]))
    excerpt = assess(Page("https://copycat.test/e", two), index, {RULE.publication: RULE},
                     thresholds=Thresholds(repost_min_coverage=0.5))
    assert excerpt.verdict == "excerpt" and excerpt.extent is None
    assert excerpt.lacks_credit
    quote = judge(index, page_html(paragraphs_html([
        "Elsewhere in the news, officials said: " + ORIGINAL_PARAGRAPHS[1][:90]])))
    assert quote.verdict == "none"


def test_unrelated_page_is_none(index: FingerprintIndex) -> None:
    r = judge(index, page_html("<p>Nothing to see here but a recipe for soup and bread.</p>"))
    assert r.verdict == "none" and r.original is None and r.credit is None


def test_thresholds_are_respected(index: FingerprintIndex) -> None:
    html = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS[:3]))
    strict = Thresholds(repost_min_coverage=0.9, excerpt_min_words=500,
                        excerpt_min_words_across_blocks=500)
    r = assess(Page("https://copycat.test/x", html), index, {RULE.publication: RULE},
               thresholds=strict)
    assert r.verdict == "none"


def test_json_contract_keys(index: FingerprintIndex) -> None:
    data = judge(index, page_html(FULL)).to_dict()
    for key in ("url", "verdict", "original_url", "publication", "coverage", "credit_status",
                "evidence", "error"):
        assert key in data
    assert data["original_url"] == ORIGINAL_URL
    assert data["longest_passage"]["original_text"].startswith("The harbour authority")


def test_a_quote_split_by_the_page_layout_is_not_an_excerpt(index: FingerprintIndex) -> None:
    # 30 words of one paragraph, broken across two blocks by the copying page's layout: the
    # original has no paragraph break there, so this is a quotation, not copied structure.
    words = ORIGINAL_PARAGRAPHS[1].split()
    quote = paragraphs_html([" ".join(words[:12]), " ".join(words[12:30])])
    r = judge(index, page_html("<p>Officials said:</p>" + quote))
    assert r.verdict == "none"
    # Two real paragraphs of the original, 25+ words across their break: an excerpt.
    tail = ORIGINAL_PARAGRAPHS[1].split()[-14:]
    head = ORIGINAL_PARAGRAPHS[2].split()[:14]
    r = judge(index, page_html(paragraphs_html([" ".join(tail), " ".join(head)])))
    assert r.verdict == "excerpt"


def test_a_copy_on_another_port_of_the_publishers_host_is_reported(
        index: FingerprintIndex) -> None:
    """``domains = ["127.0.0.1:9101"]``: a page on port 9102 is someone else's site."""
    rule = CreditRule("The Daily Planet", domains=("127.0.0.1:9101",))
    r = judge(index, page_html(FULL), url="http://127.0.0.1:9102/story", rule=rule)
    assert (r.verdict, r.note) == ("repost", "")
    assert judge(index, page_html(FULL), url="http://127.0.0.1:9101/story",
                 rule=rule).verdict == "none"
    linked = judge(index, page_html(FULL + '<p>Source: <a href="http://127.0.0.1:9101/news/'
                                    'harbour-pier.html">The Daily Planet</a></p>'),
                   url="http://127.0.0.1:9102/story", rule=rule)
    assert linked.credit is not None and linked.credit.status == "credited"
    elsewhere = judge(index, page_html(FULL + '<p><a href="http://127.0.0.1:9103/x">more</a>'
                                       '</p>'), url="http://127.0.0.1:9102/story", rule=rule)
    assert elsewhere.credit is not None and elsewhere.credit.status == "uncredited"
