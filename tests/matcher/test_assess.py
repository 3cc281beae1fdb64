"""``assess`` end to end on hand-written pages: verdicts, credit statuses, own-site rule."""

from __future__ import annotations

from datetime import UTC, datetime

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
    for key in ("url", "verdict", "extent", "original_id", "original_url", "original_title",
                "publication", "coverage", "credit_status", "credit_reason", "evidence",
                "longest_passage", "passages", "note", "error", "coverage_with_quotes",
                "page_published", "original_published", "earlier"):
        assert key in data
    assert {"own_words", "words"} <= set(data["passages"][0])
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


# -- list-like originals, shared statements, dates ------------------------------------------

MEAL_LINES = ["Two weeks of cheap, simple meals from the harbour canteen."]
for _day in range(1, 15):
    MEAL_LINES += [f"Day {_day}",
                   ("Breakfast: porridge with sliced banana and a spoon of honey",
                    "Breakfast: two boiled eggs on wholemeal toast with spinach")[_day % 2],
                   "Lunch: lentil soup with a slice of rye bread and a green salad",
                   ("Dinner: baked salmon with new potatoes and steamed broccoli",
                    "Dinner: vegetable curry with brown rice and natural yoghurt")[_day % 3 // 2]]
MEAL_PLAN = "\n".join(MEAL_LINES)


def test_a_list_like_original_copied_whole_and_in_part(index: FingerprintIndex) -> None:
    index.add(Original(3, "The Daily Planet", "https://daily-planet.test/meals.html",
                       "Meal plan", MEAL_PLAN))
    whole = judge(index, page_html(paragraphs_html(MEAL_LINES)))
    assert (whole.verdict, whole.extent, whole.coverage) == ("repost", "full", 1.0)
    block = MEAL_LINES[25:37]  # three days: each meal line recurs all through the plan
    lifted = judge(index, page_html(paragraphs_html(["Our own story about the harbour.",
                                                     *block, "Our own ending."])))
    assert lifted.verdict == "excerpt" and lifted.original is not None
    assert lifted.original.id == 3


SCHEDULE_ITEMS = ["9:00 morning exercises on the sports ground by the lake",
                  "10:30 swimming lessons in the indoor pool with the coaches",
                  "13:00 lunch in the canteen on the ground floor of the main house",
                  "19:00 concert in the assembly hall, entry free for all families"]


def test_scattered_stock_lines_are_not_a_repost(index: FingerprintIndex) -> None:
    schedule = []
    for day in ("Monday", "Tuesday", "Wednesday"):
        schedule += [day, *SCHEDULE_ITEMS]
    index.add(Original(4, "The Daily Planet", "https://daily-planet.test/camp.html",
                       "Camp week", "\n".join(schedule)))
    # Another camp's page with the same stock lines, in another order and between lines of its
    # own: a third of the schedule's words, in passages of ten words.
    mixed = []
    for n, line in enumerate(reversed(SCHEDULE_ITEMS)):
        mixed += [f"Day {n + 1} of the week at our own camp in the hills", line]
    html = page_html(paragraphs_html(mixed))
    assert judge(index, html).verdict == "none"
    loose = assess(Page("https://copycat.test/camp", html), index, {RULE.publication: RULE},
                   thresholds=Thresholds(repost_min_passage_words=1))
    assert loose.verdict == "repost" and loose.coverage > 0.25


STATEMENT = ["The harbour will remain closed to all vessels until divers have inspected every "
             "pile and the insurers have approved a plan for the repairs.",
             "Fishing crews will be offered berths at the northern marina free of charge, and "
             "the authority will publish a timetable for the works before the end of the month."]


def quoting(lead: str) -> list[str]:
    """The statement quoted over two paragraphs, after ``lead``."""
    return [f"{lead} “{STATEMENT[0]}", f"“{STATEMENT[1]}”"]


def test_reports_sharing_a_statement_are_not_copies() -> None:
    idx = FingerprintIndex()
    paragraphs = [*ORIGINAL_PARAGRAPHS[:2], *quoting("The port authority said in a statement:"),
                  *ORIGINAL_PARAGRAPHS[2:4]]
    text = "\n".join(paragraphs)
    idx.add(Original(5, "The Daily Planet", ORIGINAL_URL, "Harbour closed", text))
    # Another outlet's report of the same day: 50 words of the statement, across a paragraph
    # break, a third of the original's words.
    other = ["The port of Elmsworth shut its gates on Wednesday after a night of storms.",
             *quoting("A spokesman for the port told our reporter on the quay:"),
             "Ferry passengers were sent to the bus station, where coaches waited."]
    r = judge(idx, page_html(paragraphs_html(other)))
    assert r.verdict == "none"
    # The same article with its prose around the statement is a copy, its coverage intact.
    copy = judge(idx, page_html(paragraphs_html(paragraphs)))
    assert (copy.verdict, copy.extent) == ("repost", "full")
    assert copy.coverage == copy.coverage_with_quotes == 1.0
    passage = copy.longest_passage
    assert passage is not None and passage.own_words == passage.words


def dated(when: str) -> str:
    return (f'<script type="application/ld+json">{{"@type": "NewsArticle", '
            f'"datePublished": "{when}"}}</script>')


def test_a_page_published_before_the_original_is_marked_earlier() -> None:
    idx = FingerprintIndex()
    published = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    idx.add(Original(1, "The Daily Planet", ORIGINAL_URL, "Pier", ORIGINAL_TEXT,
                     published=published))
    before = judge(idx, page_html(FULL, head=dated("2026-02-20T10:00:00Z")))
    assert before.verdict == "repost" and before.earlier
    assert not before.lacks_credit
    assert before.credit is not None and before.credit.status == "uncredited"
    assert before.page_published == datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
    assert "2026-02-20" in before.note and "2026-03-05" in before.note
    data = before.to_dict()
    assert data["earlier"] is True
    assert data["page_published"] == "2026-02-20T10:00:00+00:00"
    assert data["original_published"] == "2026-03-05T08:00:00+00:00"
    # Within the tolerance (time zones, late metadata), or after: a copy lacking credit.
    for when in ("2026-03-04T12:00:00Z", "2026-03-04", "2026-03-09T10:00:00+02:00"):
        r = judge(idx, page_html(FULL, head=dated(when)))
        assert not r.earlier and r.lacks_credit, when
    strict = assess(Page("https://copycat.test/s", page_html(FULL, head=dated(
        "2026-03-04T12:00:00Z"))), idx, {RULE.publication: RULE},
        thresholds=Thresholds(earlier_tolerance_days=0.5))
    assert strict.earlier


def test_without_the_original_date_nothing_is_compared(index: FingerprintIndex) -> None:
    r = judge(index, page_html(FULL, head=dated("2001-01-01")))
    assert not r.earlier and r.page_published is None and r.lacks_credit
    assert r.to_dict()["original_published"] is None
