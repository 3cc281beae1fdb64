"""Credit signals on small hand-written pages, and the policy × signal grid."""

from __future__ import annotations

import pytest

from matcher import CreditRule, Original, Page, check_credit
from matcher.signals import collect_signals

from .texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

URL = "https://www.daily-planet.test/news/harbour-pier.html"
ORIGINAL = Original(1, "The Daily Planet", URL, "Old grain pier to close", ORIGINAL_TEXT)
COPY = paragraphs_html(ORIGINAL_PARAGRAPHS)
PAGE_URL = "https://copycat.test/story/1"


def rule(credit: str = "any", **kw: object) -> CreditRule:
    return CreditRule("The Daily Planet", aliases=("Daily Planet", "Ежедневная Планета"),
                      domains=("daily-planet.test",), credit=credit, **kw)  # type: ignore[arg-type]


def _spans(page: Page) -> list[tuple[int, int]]:
    """The copied text's span in the page, as assess() would hand it over."""
    start = page.text.index(ORIGINAL_PARAGRAPHS[0][:40])
    end = page.text.index(ORIGINAL_PARAGRAPHS[-1][-40:]) + 40
    return [(start, end)]


def judge(html: str, r: CreditRule | None = None, url: str = PAGE_URL):
    page = Page(url, html)
    return check_credit(page, ORIGINAL, r or rule(), copied=_spans(page))


def signals(html: str, r: CreditRule | None = None):
    page = Page(PAGE_URL, html)
    return collect_signals(page, ORIGINAL, r or rule(), copied=_spans(page))


def test_relative_link_resolves_to_the_article() -> None:
    html = page_html(COPY + '<p><a href="/news/harbour-pier.html">Original</a></p>')
    page_on_planet = "https://daily-planet.test/mirror/1"  # a relative link on a mirror
    got = check_credit(Page(page_on_planet, html), ORIGINAL, rule(),
                       copied=_spans(Page(page_on_planet, html)))
    article = [s for s in got.evidence if s.kind == "article-link"]
    assert [s.value for s in article] == [URL.replace("www.", "")]


def test_link_hygiene_amp_tracking_scheme_www() -> None:
    href = "http://daily-planet.test/news/harbour-pier.html/amp?utm_source=tw&fbclid=1"
    sig = signals(page_html(COPY + f'<p><a href="{href}">Daily Planet</a></p>'))
    assert [s.kind for s in sig if s.kind.endswith("link")] == ["article-link"]


def test_nofollow_is_flagged_and_can_be_refused() -> None:
    html = page_html(COPY + f'<p><a rel="nofollow" href="{URL}">The Daily Planet</a></p>')
    assert judge(html).status == "credited"
    link = next(s for s in judge(html).evidence if s.kind == "article-link")
    assert link.nofollow
    strict = judge(html, rule("link", nofollow_ok=False))
    assert strict.status == "partial" and "nofollow" in strict.reason


def test_hidden_link_is_flagged_and_not_credit() -> None:
    html = page_html(COPY + f'<p hidden><a href="{URL}">x</a></p>')
    got = judge(html)
    assert got.status == "partial" and "hidden" in got.reason


@pytest.mark.parametrize(
    "line",
    [
        "Источник: Ежедневная Планета",
        "Quelle: The Daily Planet",
        "Source : The Daily Planet",
        "Fuente: The Daily Planet",
        "Originally published on The Daily Planet.",
        "Reprinted with permission from the Daily Planet",
        "© The Daily Planet",
        "via Daily Planet",
    ],
)
def test_credit_lines_in_several_languages(line: str) -> None:
    got = judge(page_html(COPY + f"<p>{line}</p>"))
    assert got.status == "credited"
    assert any(s.kind == "source-line" for s in got.evidence)


def test_canonical_og_url_and_json_ld() -> None:
    head = f'<meta property="og:url" content="{URL}">'
    assert judge(page_html(COPY, head=head)).evidence[0].kind == "og:url"
    based = ('<script type="application/ld+json">{"@type": "NewsArticle", "isBasedOn": '
             f'"{URL}"}}</script>')
    assert judge(page_html(COPY, head=based)).status == "credited"
    publisher = ('<script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
                 '{"@type": "Organization", "name": "The Daily Planet"}}</script>')
    got = judge(page_html(COPY, head=publisher))
    assert got.status == "credited" and got.evidence[0].value.startswith("publisher")


def test_name_with_a_typo_and_domain_as_text() -> None:
    typo = judge(page_html(COPY + "<p>Thanks to the Daily Plantet for this story.</p>"))
    assert typo.status == "credited"
    assert any(s.note == "one typo" for s in typo.evidence)
    domain = judge(page_html(COPY + "<p>From daily-planet.test</p>"))
    assert domain.status == "credited"


def test_redirector_and_shortener_links() -> None:
    redirect = f"https://l.facebook.test/l.php?u={URL.replace(':', '%3A').replace('/', '%2F')}"
    got = judge(page_html(COPY + f'<p><a href="{redirect}">original</a></p>'))
    assert got.status == "credited"
    assert got.evidence[0].note.startswith("through a redirector")
    short = judge(page_html(COPY + '<p><a href="https://bit.ly/3xyz">original</a></p>'))
    assert short.status == "partial" and "shortener" in short.reason


def test_boilerplate_is_not_credit() -> None:
    legal = ("<footer><p>Editorial items appearing here that were originally published on "
             "other editions of The Daily Planet are the copyright property of Planet Media "
             "Inc. All rights reserved.</p></footer>")
    assert judge(page_html(COPY + legal)).status == "uncredited"
    widget = "".join("<p>Daily Planet may receive a commission</p>" for _ in range(3))
    assert judge(page_html(widget + COPY)).status == "uncredited"


def test_a_mention_that_is_not_credit_is_named_in_the_reason() -> None:
    """The reason used to say "no link and no mention of it" of a page whose footer named the
    publication in a legal line (and "partial" once the line lost its "Terms of use.")."""
    footer = ("<footer><p>Some content courtesy of The Daily Planet and partners. All other "
              "material is ours. Terms of use.</p></footer>")
    got = judge(page_html(COPY + footer))
    assert got.status == "uncredited"
    assert "no mention" not in got.reason
    assert got.reason.startswith("Names The Daily Planet only in a site-wide legal line (“Some "
                                 "content courtesy of The Daily Planet and partners.")
    (rejected,) = [s for s in got.evidence if s.kind == "not-credit"]
    assert rejected.note == "named in a site-wide legal line: not credit"
    assert not rejected.in_article
    widget = "".join("<p>Daily Planet may receive a commission</p>" for _ in range(3))
    got = judge(page_html(widget + COPY))
    assert (got.status, "a line repeated across the page" in got.reason) == ("uncredited", True)
    # without the legal words the same line is a plain mention, judged as any other
    plain = footer.replace(" Terms of use.", "")
    assert "not-credit" not in [s.kind for s in judge(page_html(COPY + plain)).evidence]
    # a name that does count is never reported as not counting
    assert not [s for s in signals(page_html(COPY + "<p>Source: The Daily Planet</p>"))
                if s.kind == "not-credit"]


def test_name_in_a_copied_title_is_not_credit() -> None:
    titled = Original(1, "The Daily Planet", URL, "Daily Planet guide to the harbour works",
                      ORIGINAL_TEXT)
    html = page_html("<h1>Daily Planet guide to the harbour works</h1>" + COPY)
    page = Page(PAGE_URL, html)
    got = check_credit(page, titled, rule(), copied=_spans(page))
    assert got.status == "uncredited"


def test_wire_dateline_credits_the_wire() -> None:
    wire = CreditRule("Associated Press", aliases=("AP",))
    html = page_html("<p>LOS ANGELES (AP) — " + ORIGINAL_PARAGRAPHS[0] + "</p>" + COPY)
    page = Page(PAGE_URL, html)
    got = check_credit(page, ORIGINAL, wire, copied=_spans(page))
    assert got.status == "credited"
    assert any(s.note == "dateline" for s in got.evidence)


def test_allow_listed_partner() -> None:
    got = judge(page_html(COPY), rule(allow=("partner.test",)), url="https://news.partner.test/")
    assert got.status == "allowed"


FOOTER = '<footer class="site-footer"><p>Partners: <a href="https://daily-planet.test/">' \
         "The Daily Planet</a></p></footer>"
EVIDENCE = {
    "article-link": COPY + f'<p>Source: <a href="{URL}">link</a></p>',
    "site-link": COPY + '<p><a href="https://daily-planet.test/">link</a></p>',
    "canonical": COPY,  # with the <link rel=canonical> head below
    "name": COPY + "<p>Story by the Daily Planet team.</p>",
    "source-line": COPY + "<p>Source: The Daily Planet</p>",
    "far-away": COPY + "<div>" + "<p>Unrelated chrome text here.</p>" * 30 + "</div>" + FOOTER,
    "hidden-link": COPY + f'<div style="display:none"><a href="{URL}">x</a></div>',
    "short-link": COPY + '<p><a href="https://bit.ly/abc">original</a></p>',
    "other-source": COPY + "<p>Source: Metro Gazette</p>",
    "nothing": COPY,
}
GRID = {  # evidence: (any, link, article-link)
    "article-link": ("credited", "credited", "credited"),
    "site-link": ("credited", "credited", "partial"),
    "canonical": ("credited", "partial", "partial"),
    "name": ("credited", "partial", "partial"),
    "source-line": ("credited", "partial", "partial"),
    "far-away": ("partial", "partial", "partial"),
    "hidden-link": ("partial", "partial", "partial"),
    "short-link": ("partial", "partial", "partial"),
    "other-source": ("misattributed", "misattributed", "misattributed"),
    "nothing": ("uncredited", "uncredited", "uncredited"),
}


@pytest.mark.parametrize("evidence", sorted(GRID))
@pytest.mark.parametrize("mode", ["any", "link", "article-link"])
def test_policy_grid(evidence: str, mode: str) -> None:
    head = f'<link rel="canonical" href="{URL}">' if evidence == "canonical" else ""
    got = judge(page_html(EVIDENCE[evidence], head=head), rule(mode))
    expected = GRID[evidence][["any", "link", "article-link"].index(mode)]
    assert got.status == expected, got.reason
    assert got.reason.endswith(".")


@pytest.mark.parametrize(("href", "kinds"), [
    # a browser goes to evil.test: the backslash is a "/" in an http(s) address, so what
    # urlsplit read as user info before a host of ours is a path (it counted as credit)
    ("https://evil.test\\@daily-planet.test/news/harbour-pier.html", []),
    ("https://evil.test\\.daily-planet.test/news/harbour-pier.html", []),
    # and "\\host/path" is scheme-relative: a link to the original (urljoin read a path)
    ("\\\\daily-planet.test/news/harbour-pier.html", ["article-link"]),
    ("https://daily-\nplanet.test/news/harbour-pier.html", ["article-link"]),  # \n is dropped
])
def test_links_are_read_as_a_browser_reads_them(href: str, kinds: list[str]) -> None:
    html = page_html(COPY + f'<p><a href="{href}">Original story</a></p>')
    assert [s.kind for s in signals(html) if s.kind.endswith("link")] == kinds
    assert judge(html).status == ("credited" if kinds else "uncredited")


def test_json_ld_based_on_an_address_elsewhere_is_no_credit() -> None:
    based = ('<script type="application/ld+json">{"@type": "NewsArticle", "isBasedOn": '
             '"https://evil.test\\\\@daily-planet.test/news/harbour-pier.html"}</script>')
    assert not [s for s in signals(page_html(COPY, head=based)) if s.kind == "json-ld"]
    ours = based.replace("evil.test\\\\@", "")
    assert [s.kind for s in signals(page_html(COPY, head=ours)) if s.kind == "json-ld"] == [
        "json-ld"]
