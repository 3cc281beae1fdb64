"""Copies of syndicated originals: credit to the wire, kept apart from "lacking credit", the
JSON keys; and a kept dateline naming the publication itself."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher import (
    SCHEMA_VERSION,
    CreditRule,
    FingerprintIndex,
    Original,
    Page,
    assess,
    detect_source,
    lacks_credit,
)

from .texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html

URL = "https://daily-planet.test/news/harbour-pier.html"
RULE = CreditRule("The Daily Planet", aliases=("Daily Planet",), domains=("daily-planet.test",))
DATELINE = "PORT ELMSWORTH (AP) — "
WIRE_TEXT = "\n".join([DATELINE + ORIGINAL_PARAGRAPHS[0], *ORIGINAL_PARAGRAPHS[1:]])
BODY = paragraphs_html(ORIGINAL_PARAGRAPHS)  # the copy without the dateline
KEPT = paragraphs_html([DATELINE + ORIGINAL_PARAGRAPHS[0], *ORIGINAL_PARAGRAPHS[1:]])
COPY_URL = "https://licensee.test/story/1"


def index_of(original: Original, rule: CreditRule = RULE) -> FingerprintIndex:
    index = FingerprintIndex()
    index.add(replace(original, source=detect_source(original, rule).source))
    return index


@pytest.fixture
def wire_index() -> FingerprintIndex:
    return index_of(Original(1, "The Daily Planet", URL, "Old grain pier to close", WIRE_TEXT))


def judge(index: FingerprintIndex, body: str, rule: CreditRule = RULE):
    return assess(Page(COPY_URL, page_html(body)), index, {rule.publication: rule})


def test_the_original_is_syndicated(wire_index: FingerprintIndex) -> None:
    r = judge(wire_index, BODY)
    assert r.source == "Associated Press" and r.syndicated


@pytest.mark.parametrize("body", [
    KEPT,  # the dateline kept in the copy
    BODY + "<p>Source: Associated Press</p>",
    BODY + "<p>(AP)</p>",
    BODY + '<p><a href="https://apnews.com/article/1">Read more</a></p>',
    BODY + "<p>© 2026 The Associated Press</p>",
    "<p>By The Associated Press</p>" + BODY,
], ids=["dateline", "source-line", "tag", "link", "copyright", "byline"])
def test_crediting_the_wire_is_credit(wire_index: FingerprintIndex, body: str) -> None:
    r = judge(wire_index, body)
    assert r.credit is not None and r.credit.status == "credited"
    assert r.credit.reason.startswith("Credits the wire service Associated Press, the source "
                                      "of this syndicated story")
    wire = [s for s in r.credit.evidence if "credits the wire Associated Press" in s.note]
    assert wire and all(s.in_article for s in wire)
    assert not r.lacks_credit


def test_kept_dateline_is_named_in_the_reason(wire_index: FingerprintIndex) -> None:
    r = judge(wire_index, KEPT)
    assert r.credit is not None and "dateline “PORT ELMSWORTH (AP) —”" in r.credit.reason


def test_crediting_the_publisher_still_credits(wire_index: FingerprintIndex) -> None:
    r = judge(wire_index, BODY + f'<p>Source: <a href="{URL}">The Daily Planet</a></p>')
    assert r.credit is not None and r.credit.status == "credited"
    assert "Daily Planet" in r.credit.reason


def test_crediting_nobody_is_kept_apart(wire_index: FingerprintIndex) -> None:
    r = judge(wire_index, BODY)
    assert r.verdict == "repost" and r.credit is not None
    assert r.credit.status == "uncredited"
    assert "syndicated from Associated Press, which the copy does not credit either" in (
        r.credit.reason)
    assert not r.lacks_credit  # kept apart by default
    reported = judge(wire_index, BODY, replace(RULE, report_syndicated=True))
    assert reported.lacks_credit and reported.report_syndicated


@pytest.mark.parametrize("body", [
    BODY + "<p>Photo: a pier at low tide, ap shown</p>",  # "ap" is a word, not the tag
    BODY + "<p>Source: Reuters</p>",  # another wire: misattributed
    BODY + "<div>" + "<p>Unrelated chrome text here.</p>" * 30 + "</div>"
    + "<footer class='site-footer'><p>Associated Press</p></footer>",  # far from the copy
], ids=["lower-case", "other-wire", "far"])
def test_what_is_not_credit_to_the_wire(wire_index: FingerprintIndex, body: str) -> None:
    r = judge(wire_index, body)
    assert r.credit is not None and r.credit.status != "credited"
    assert r.syndicated and not r.lacks_credit


def test_a_mention_inside_the_copied_text_is_not_credit() -> None:
    mentioning = [ORIGINAL_PARAGRAPHS[0] + " The Associated Press first reported the vote.",
                  *ORIGINAL_PARAGRAPHS[1:]]
    index = index_of(Original(1, "The Daily Planet", URL, "t", "\n".join(mentioning)))
    r = judge(index, paragraphs_html(mentioning))
    assert r.source is None and not r.syndicated
    assert r.credit is not None and r.credit.status == "uncredited" and r.lacks_credit


def test_own_story_copies_crediting_a_wire_are_not_credited() -> None:
    own = [*ORIGINAL_PARAGRAPHS, "The Associated Press contributed to this report."]
    index = index_of(Original(1, "The Daily Planet", URL, "t", "\n".join(own)))
    kept = judge(index, paragraphs_html(own))  # the contribution line copied too
    assert kept.source is None
    assert kept.credit is not None and kept.credit.status == "uncredited" and kept.lacks_credit
    named = judge(index, paragraphs_html(own) + "<p>Source: Associated Press</p>")
    assert named.credit is not None and named.credit.status == "misattributed"
    assert named.lacks_credit


def test_json_keeps_every_key_and_adds_the_source(wire_index: FingerprintIndex) -> None:
    data = judge(wire_index, BODY).to_dict()
    for key in ("url", "verdict", "extent", "original_id", "original_url", "original_title",
                "publication", "coverage", "credit_status", "credit_reason", "evidence",
                "longest_passage", "passages", "note", "error"):
        assert key in data
    assert data["schema_version"] == SCHEMA_VERSION
    assert (data["source"], data["syndicated"], data["lacks_credit"]) == (
        "Associated Press", True, False)
    none = assess(Page(COPY_URL, page_html("<p>Nothing copied here.</p>")), wire_index,
                  {RULE.publication: RULE}).to_dict()
    assert (none["source"], none["syndicated"], none["lacks_credit"]) == (None, False, False)


def test_lacks_credit_keeps_syndicated_copies_apart() -> None:
    assert lacks_credit("uncredited")
    assert not lacks_credit("uncredited", syndicated=True)
    assert lacks_credit("uncredited", syndicated=True, report_syndicated=True)
    assert not lacks_credit("credited", syndicated=True, report_syndicated=True)


# The wire as publisher: a copy keeping its dateline names it (credit), in any language.
@pytest.mark.parametrize(("publication", "aliases", "dateline"), [
    ("Reuters", (), "LONDON (Reuters) - "),
    ("Associated Press", ("AP",), "PORT ELMSWORTH (AP) — "),
    ("dpa", (), "Berlin (dpa) - "),
    ("AFP", (), "PARIS (AFP) - "),
    ("EFE", (), "Madrid, 5 dic (EFE).- "),
    ("РИА Новости", (), "МОСКВА, 5 дек — РИА Новости. "),
    ("ТАСС", (), "МОСКВА, 5 декабря. /ТАСС/. "),
])
def test_a_kept_dateline_naming_the_publication_is_credit(
        publication: str, aliases: tuple[str, ...], dateline: str) -> None:
    rule = CreditRule(publication, aliases=aliases, domains=("wire.test",))
    text = "\n".join([dateline + ORIGINAL_PARAGRAPHS[0], *ORIGINAL_PARAGRAPHS[1:]])
    index = index_of(Original(1, publication, "https://wire.test/1", "t", text), rule)
    kept = judge(index, paragraphs_html(text.split("\n")), rule)
    assert kept.source is None  # its own story
    assert kept.credit is not None and kept.credit.status == "credited"
    assert [s.note for s in kept.credit.evidence if s.kind == "source-line"] == ["dateline"]
    dropped = judge(index, BODY, rule)
    assert dropped.credit is not None and dropped.credit.status == "uncredited"
    assert dropped.lacks_credit


def test_a_dateline_far_from_the_copy_is_another_story() -> None:
    rule = CreditRule("Reuters", domains=("reuters.test",))
    text = "\n".join(ORIGINAL_PARAGRAPHS)
    index = index_of(Original(1, "Reuters", "https://reuters.test/1", "t", text), rule)
    other = "<p>LONDON (Reuters) - Markets were calm on Friday as traders waited.</p>"
    far = BODY + "<div>" + "<p>Unrelated chrome text here.</p>" * 30 + "</div>" + other
    r = judge(index, far, rule)
    assert r.credit is not None and r.credit.status == "partial"  # named, far from the copy
