"""The filter run before links are resolved never drops a link that could be credit evidence,
and the fast resolution of plain absolute links is what ``urljoin`` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import CreditRule, Page
from matcher.mentions import may_mention, mentioning
from matcher.page import _absolute
from matcher.signals import SHORTENERS, _needles, _through_redirector
from matcher.urls import host_matches, host_of

from .page_reference import absolute

RULE = CreditRule("The Daily Planet", domains=("daily-planet.test", "Planet-Mirror.TEST"))

_SCHEMES = ["http://", "https://", "HTTP://", "//", "", "https:", "ftp://", " https://"]
_HOSTS = ["daily-planet.test", "www.daily-planet.test", "m.Daily-Planet.TEST",
          "sub.daily-planet.test.", "evil-daily-planet.test", "daily-planet.test.evil",
          "planet-mirror.test", "bit.ly", "www.t.co", "t.co.uk", "nypost.com", "a.test",
          "user:pw@daily-planet.test:8080", "[::1]", "dai\tly-planet.test", "DAİLY-planet.test",
          "daily%2Dplanet.test", "xn--dily-planet.test"]
_PATHS = ["", "/", "/news/a.html", "/a;b", "/%7Eu", "/a b", "/daily-planet.test/x"]
_VALUES = ["https://daily-planet.test/x", "https%3A%2F%2Fdaily-planet.test%2Fx",
           "%64aily-planet.test", "www.daily-planet.test/y", "https://a.test/",
           "http://dai%09ly-planet.test/", "daily+planet.test", "https%253A%252F%252Fdaily-"
           "planet.test", "%E2%84%AA", "https://planet-mirror.test", "%E2%80", "%64%",
           "%2564aily-planet.test"]
_KEYS = ["u", "URL", "to", "x", "%75", "q"]


@st.composite
def _hrefs(draw: st.DrawFn) -> str:
    href = draw(st.sampled_from(_SCHEMES)) + draw(st.sampled_from(_HOSTS))
    href += draw(st.sampled_from(_PATHS))
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from(_VALUES)),
                              min_size=1, max_size=3))
        href += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    if draw(st.booleans()):
        href += draw(st.sampled_from(["#x", "#?u=https://daily-planet.test/", "#"]))
    return href


def _evidence(href: str) -> bool:
    """Whether the credit check would make a signal of a link to ``href`` (if near)."""
    host = host_of(href)
    return (host_matches(host, RULE.domains) or _through_redirector(href, RULE) is not None
            or host in SHORTENERS)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_hrefs(), min_size=1, max_size=8),
       st.sampled_from(["https://copy.test/a/b.html", "http://copy.test/?u=x",
                        "https://daily-planet.test/mirror/", "https://bit.ly/"]))
def test_no_link_that_could_be_evidence_is_skipped(hrefs: list[str], url: str) -> None:
    html = "".join(f"<a href='{h}'>{n}</a>" for n, h in enumerate(hrefs))
    needles = _needles(RULE.domains)
    everything = Page(url, html).links
    picked = Page(url, html).links_mentioning(needles)
    assert picked == tuple(lk for lk in everything if may_mention(lk.href, needles))
    assert {lk.href for lk in everything if _evidence(lk.href)} <= {lk.href for lk in picked}


@settings(max_examples=500)
@given(st.lists(_hrefs(), max_size=12))
def test_one_search_of_all_addresses_finds_what_each_search_finds(hrefs: list[str]) -> None:
    needles = _needles(RULE.domains)
    assert mentioning(hrefs, needles) == [i for i, h in enumerate(hrefs)
                                          if may_mention(h, needles)]


_URL_CHARS = st.text(st.sampled_from("aZ09.-_~!$&'()*+,;=:@%/?#[] \t\néK"), max_size=12)


@settings(max_examples=2000)
@given(st.sampled_from(["http://", "https://", "HTTP://", "//", "", "http:"]),
       _URL_CHARS, st.sampled_from(["https://base.test/d/p.html", "http://base.test", "",
                                     "http://[bad/", "https://base.test/?q#f"]))
def test_plain_absolute_links_resolve_as_urljoin_resolves_them(scheme: str, rest: str,
                                                               base: str) -> None:
    href = scheme + rest
    assert _absolute(base, href) == absolute(base, href)
