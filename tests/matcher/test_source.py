"""``detect_source`` on small hand-written texts in five languages: marks make a wire story,
mentions and contributions do not, a wire publishing its own story is not syndicated."""

from __future__ import annotations

import pytest

from matcher import WIRES, CreditRule, Original, Wire, detect_source, find_wire

from .texts import ORIGINAL_PARAGRAPHS

BODY = ORIGINAL_PARAGRAPHS[1:4]  # invented prose without any wire in it
RULE = CreditRule("The Daily Planet", domains=("daily-planet.test",))


def text(*lines: str) -> str:
    return "\n".join(lines)


def first(prefix: str) -> str:
    """The body with ``prefix`` opening its first paragraph."""
    return text(prefix + BODY[0], *BODY[1:])


def last(*closing: str) -> str:
    return text(*BODY, *closing)


def source(body: str, *, author: str | None = None, rule: CreditRule = RULE,
           url: str = "https://daily-planet.test/news/1") -> str | None:
    original = Original(1, rule.publication, url, "A title", body, author=author)
    return detect_source(original, rule).source


SYNDICATED = [
    # English
    (first("LOS ANGELES (AP) — "), "Associated Press"),
    (first("SANTA FE, N.M. (AP) — "), "Associated Press"),
    (first("WASHINGTON, Dec 5 (Reuters) - "), "Reuters"),
    (first("(Reuters) — "), "Reuters"),
    (first("BEIJING, Dec. 5 (Xinhua) -- "), "Xinhua"),
    (first("(Bloomberg) -- "), "Bloomberg"),
    (text("By The Associated Press", *BODY), "Associated Press"),
    (text("By Mara Lindqvist, Associated Press", *BODY), "Associated Press"),
    (text("Tomas Okafor, AP Business Writer", *BODY), "Associated Press"),
    (text("Greg Beacham, Ap Sports Writer", *BODY), "Associated Press"),
    (text("By ZEKE MILLER and JILL COLVIN Associated Press", *BODY), "Associated Press"),
    (last("(Reporting by Mara Lindqvist; Editing by Tomas Okafor)"), "Reuters"),
    (last("© 2026 The Associated Press. All rights reserved. This material may not be "
          "published, broadcast, rewritten or redistributed."), "Associated Press"),
    (last("©2026 Bloomberg L.P."), "Bloomberg"),
    (last("— with AFP"), "AFP"),
    (last("Source: Reuters"), "Reuters"),
    (text(*BODY[:-1], BODY[-1] + " PTI"), "PTI"),
    (text("Title of the story", "https://example.test/a/1", "Updated 1:33 am CST",
          "LONDON (Reuters) - " + BODY[0], *BODY[1:]), "Reuters"),
    # German
    (first("Berlin (dpa) - "), "dpa"),
    (first("Frankfurt/Main (dpa/lhe) - "), "dpa"),
    (last("(dpa)"), "dpa"),
    (last("Quelle: dpa"), "dpa"),
    (last("dpa/lnw"), "dpa"),
    (last("kev/dpa/Reuters"), "dpa"),
    # French
    (first("PARIS (AFP) - "), "AFP"),
    (text("Le Monde avec AFP", *BODY), "AFP"),
    (text("Par AFP", *BODY), "AFP"),
    (last("(avec AFP)"), "AFP"),
    (text("Par Le Figaro avec AFP", *BODY), "AFP"),
    (last("Source : AFP"), "AFP"),
    # Spanish
    (first("Madrid, 5 dic (EFE).- "), "EFE"),
    (last("Fuente: EFE"), "EFE"),
    (last("Agencia EFE"), "EFE"),
    (first("(ANSA) - ROMA, 5 DIC - "), "ANSA"),
    # Russian
    (first("МОСКВА, 5 декабря. /ТАСС/. "), "TASS"),
    (first("МОСКВА, 5 дек — РИА Новости. "), "RIA Novosti"),
    (first("Москва. 5 декабря. INTERFAX.RU - "), "Interfax"),
    (last("Источник: ТАСС"), "TASS"),
    (last("По материалам РИА Новости"), "RIA Novosti"),
]


@pytest.mark.parametrize(("body", "wire"), SYNDICATED, ids=[w for _, w in SYNDICATED])
def test_marks_make_a_wire_story(body: str, wire: str) -> None:
    assert source(body) == wire


OWN = [
    # mentions, at the start, in the middle and at the end
    first("Reuters reported on Monday that officials were still reviewing it. "),
    first("According to AP, the details were confirmed on Tuesday. "),
    first("WASHINGTON — The Associated Press reported the news on Monday. "),
    first("LONDON, Dec. 5 — Reuters reported that the deal was close. "),
    first("In an interview with Bloomberg News, the chief executive said little. "),
    text(*BODY[:2], BODY[2] + " A spokesperson told Reuters the company would appeal."),
    text(*BODY[:-1], BODY[-1] + " The company declined to comment to AFP."),
    last("An interview with Reuters"),
    last("Reuters poll: 44 percent support removal"),
    first("Wie die Deutsche Presse-Agentur berichtete, "),
    text(*BODY, "Die Zahlen meldete zuerst die dpa am Montag."),
    first("Selon l'AFP, les négociations se sont poursuivies. "),
    first("Según informó EFE, el acuerdo está cerca. "),
    first("Как сообщает РИА Новости, решение было принято в понедельник. "),
    text(*BODY[:-1], BODY[-1] + " Об этом сообщил ТАСС."),
    # a lower-case "ap" or "pa" is a word, not a tag
    last("ap"),
    # contributions: the publisher wrote it
    last("The Associated Press contributed to this report."),
    last("Additional reporting by Reuters."),
    last("With files from The Canadian Press"),
    last("Mit Material von dpa"),
    last("avec des informations de l'AFP"),
    last("con información de EFE"),
    last("With Post wires"),
    # a mark in the middle of the story is a quotation of another dispatch, not a signature
    text(*BODY, *BODY, "LONDON (Reuters) - " + BODY[2], *BODY, *BODY),
]


@pytest.mark.parametrize("body", OWN)
def test_mentions_and_contributions_stay_own(body: str) -> None:
    assert source(body) is None


def test_contribution_is_kept_as_evidence() -> None:
    got = detect_source(Original(1, "P", "https://p.test/1", "t",
                                 last("The Associated Press contributed to this report.")), RULE)
    assert got.source is None and "contributed" in got.reason
    assert [(e.wire, e.rule, e.where) for e in got.evidence] == [
        ("Associated Press", "contribution", "end")]


def test_evidence_says_which_rule_and_text() -> None:
    body = text("By The Associated Press", "LOS ANGELES (AP) — " + BODY[0], *BODY[1:],
                "© 2026 The Associated Press")
    got = detect_source(Original(1, "P", "https://p.test/1", "t", body), RULE)
    assert got.syndicated and got.source == "Associated Press"
    assert got.evidence[0].rule == "dateline" and got.evidence[0].text == "LOS ANGELES (AP) —"
    assert {e.rule for e in got.evidence} == {"dateline", "byline", "copyright"}
    assert "LOS ANGELES (AP)" in got.reason


def test_several_wires_the_first_named_wins() -> None:
    assert source(first("Berlin (dpa/AFP) - ")) == "dpa"
    # a dateline outranks a closing line of another wire
    assert source(text("PARIS (AFP) - " + BODY[0], *BODY[1:], "Source: Reuters")) == "AFP"


def test_author_field_is_a_byline() -> None:
    assert source(text(*BODY), author="Associated Press") == "Associated Press"
    assert source(text(*BODY), author="Greg Beacham, Ap Sports Writer") == "Associated Press"
    assert source(text(*BODY), author="REUTERS") == "Reuters"
    assert source(text(*BODY), author="Mara Lindqvist") is None


def test_the_wire_publishing_its_own_story_is_not_syndicated() -> None:
    reuters = CreditRule("Reuters", domains=("reuters.com",))
    body = first("LONDON (Reuters) - ")
    assert source(body, rule=reuters, url="https://www.reuters.com/world/1") is None
    got = detect_source(Original(1, "Reuters", "https://www.reuters.com/world/1", "t", body),
                        reuters)
    assert "itself" in got.reason and got.evidence[0].wire == "Reuters"
    # By domain alone: the publication is named otherwise in the config.
    agency = CreditRule("Thomson Reuters Agency", domains=("reuters.com",))
    assert source(body, rule=agency, url="https://www.reuters.com/world/1") is None
    # Another wire's story on the wire's site is still syndicated.
    assert source(first("PARIS (AFP) - "), rule=reuters,
                  url="https://www.reuters.com/world/2") == "AFP"


def test_config_wires_extend_the_list() -> None:
    nna = Wire("Nordic News Agency", aliases=("Nordisk Nyhetsbyrå",), tags=("NNA",),
               domains=("nna.test",))
    body = first("OSLO (NNA) - ")
    assert source(body) is None  # unknown to the built-in list
    rule = CreditRule("The Daily Planet", domains=("daily-planet.test",), wires=(*WIRES, nna))
    assert source(body, rule=rule) == "Nordic News Agency"
    assert source(last("Source: Nordisk Nyhetsbyrå"), rule=rule) == "Nordic News Agency"


def test_find_wire_by_any_spelling_and_unknown_names() -> None:
    assert find_wire("The Associated Press", WIRES).name == "Associated Press"
    assert find_wire("AP", WIRES).name == "Associated Press"
    assert find_wire("РИА Новости", WIRES).name == "RIA Novosti"
    assert find_wire("ap", WIRES).name == "ap"  # a tag only as written
    partner = find_wire("Partner Syndicate", WIRES)
    assert partner == Wire("Partner Syndicate")
