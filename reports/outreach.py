"""Outreach: a polite credit request per site and publication, ready for an editor to send.

A letter names the pages that carry the publication's articles without the credit it asks for,
what is missing on each (the matcher's plain reason), the exact line to add (``[report]
credit_line``, a template), and whom to write to: ``mailto:`` links and e-mail addresses in
the visible text of the site's pages, and its contact, about or imprint pages.

Reports never fetch. The pages read are the saved evidence of the site's copies
(``page_versions``: the bodies as fetched) and, when the shell hands in ``fetch`` (a polite
fetcher, ``crawler.polite``), the site's home page and the contact, about and imprint pages
linked from these pages, fetched now: a contact page is named only when it answered 200 (a
link on a copy may lead to a 404). Without ``fetch`` no contact page is named, only addresses.
A site whose pages name no contact gets a letter saying so.

Everything in a letter that comes from a page (titles, addresses, reasons) is crawled text:
the renderers escape it for their medium (``reports.html_report``, ``reports.md_report``);
``letter_text`` is plain text for a terminal or an e-mail body, with control characters
replaced so a page cannot drive a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from matcher import Page, canonical_url, host_of
from repostwatch.config import DEFAULT_CREDIT_LINE, DEFAULT_REPOST_RULE
from repostwatch.store import FindingRecord, Store
from repostwatch.store.reporting import newest_bodies

from .labels import verdict_label
from .links import http_url

__all__ = [
    "Contact",
    "FetchPages",
    "OutreachLetter",
    "find_contacts",
    "letter_dict",
    "letter_text",
    "outreach_letters",
]


PAGES_PER_SITE = 3  # saved pages of a site searched for contacts (its worst copies first)
CONTACT_PAGES_PER_SITE = 5  # contact, about or imprint pages fetched per site, at most
MAX_CONTACTS = 6

FetchPages = Callable[[Sequence[str]], Mapping[str, tuple[str, str]]]
"""Fetches URLs politely and returns those that answered 200: URL asked → (final URL, HTML).
Handed in by the shell (``crawler.polite``): reports never fetch."""
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_CONTACT_WORDS = re.compile(
    r"contact|kontakt|contacto|contatti|impressum|imprint|about|redaktion|write to us|"
    r"get in touch|feedback|editorial|контакт|о нас|联系", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Contact:
    """A way to reach a site: ``kind`` ``email`` (an address) or ``page`` (an http(s) URL of a
    contact page), found on ``found_on`` (``where``: ``mailto`` link, page ``text`` or
    ``link``)."""

    kind: str
    value: str
    found_on: str
    where: str


@dataclass(frozen=True)
class OutreachLetter:
    """The credit request to ``site`` about ``publication``'s articles (``copies``: open
    copies lacking credit, most severe first)."""

    site: str
    publication: str
    copies: tuple[FindingRecord, ...]
    contacts: tuple[Contact, ...]
    repost_rule: str
    credit_line_template: str

    def credit_line(self, f: FindingRecord) -> str:
        """The exact line to add under the copy ``f``."""
        return _fill(self.credit_line_template, f)

    @property
    def subject(self) -> str:
        return f"Credit for {self.publication} articles on {self.site}"

    @property
    def anchor(self) -> str:
        """The id of this letter's section in the HTML report (``#outreach-...``)."""
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.site} {self.publication}".lower()).strip("-")
        return f"outreach-{slug}"


def _fill(template: str, f: FindingRecord) -> str:
    return template.format(publication=f.publication, title=f.original_title,
                           url=f.original_url)


def _email(address: str) -> str | None:
    address = unquote(address).strip()
    m = _EMAIL.fullmatch(address)
    return address.lower() if m else None


def find_contacts(html: str, url: str) -> list[Contact]:
    """Contacts on one saved page: ``mailto:`` links, addresses in the visible text, and
    visible links to a contact / about / imprint page (absolute http(s) URLs only)."""
    from selectolax.lexbor import LexborHTMLParser

    found: list[Contact] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, where: str) -> None:
        if (kind, value) not in seen and len(found) < MAX_CONTACTS:
            seen.add((kind, value))
            found.append(Contact(kind, value, url, where))

    tree = LexborHTMLParser(html)
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if href[:7].lower() == "mailto:":
            for part in href[7:].split("?", 1)[0].split(","):
                address = _email(part)
                if address:
                    add("email", address, "mailto")
    page = Page(url, html)
    for m in _EMAIL.finditer(page.text):
        address = _email(m.group(0))
        if address:
            add("email", address, "text")
    host = host_of(page.address)  # the site's pages only (its port too; www. or not)
    for link in page.links:
        if link.hidden or not _CONTACT_WORDS.search(f"{link.text} {urlsplit(link.href).path}"):
            continue
        target = http_url(urljoin(page.address, link.href))
        if target and (host_of(target) == host or host_of(target).endswith(f".{host}")):
            add("page", target, "link")
    return found


def outreach_letters(
    store: Store,
    rows: Iterable[FindingRecord],
    *,
    repost_rule: str = DEFAULT_REPOST_RULE,
    credit_line: str = DEFAULT_CREDIT_LINE,
    sites: Sequence[str] | None = None,
    fetch: FetchPages | None = None,
) -> list[OutreachLetter]:
    """One letter per (site, publication) with open copies lacking credit among ``rows``
    (kept in their order: most severe first), optionally only for ``sites``. Contacts come
    from the newest saved version of up to ``PAGES_PER_SITE`` of the site's pages (its
    footer usually names the same contact on every page) and, with ``fetch``, from the pages
    it fetches (see the module docstring)."""
    groups: dict[tuple[str, str], list[FindingRecord]] = {}
    for f in rows:
        if f.lacks_credit and f.is_open and (sites is None or f.site in sites):
            groups.setdefault((f.site, f.publication), []).append(f)
    pages = {site: list(dict.fromkeys(f.page_url for f in copies))[:PAGES_PER_SITE]
             for (site, _), copies in groups.items()}
    bodies = newest_bodies(store, [url for urls in pages.values() for url in urls])
    saved = {site: [bodies[u] for u in urls if u in bodies] for site, urls in pages.items()}
    fetched = _fetch_contact_pages(saved, pages, fetch) if fetch is not None else {}
    contacts = {site: _site_contacts(saved[site], fetched.get(site, ()))
                for site in pages}
    letters = []
    for (site, publication), copies in groups.items():
        rule = repost_rule.format(publication=publication, title="", url="")
        letters.append(OutreachLetter(site, publication, tuple(copies), contacts[site], rule,
                                      credit_line))
    return letters


def _fetch_contact_pages(
    saved: Mapping[str, list[tuple[str, str]]], pages: Mapping[str, list[str]],
    fetch: FetchPages,
) -> dict[str, list[tuple[str, str, str]]]:
    """Per site, the pages ``fetch`` got with 200: (link found on, final URL, HTML). First
    round: the site's home page and the contact pages linked from its saved pages; second:
    contact pages linked from the home page. At most ``CONTACT_PAGES_PER_SITE`` contact pages
    per site."""
    homes = {site: _home(urls[0]) for site, urls in pages.items() if urls}
    wanted: dict[str, dict[str, str]] = {}  # site → contact page URL → the page linking to it
    for site, site_pages in saved.items():
        links = wanted.setdefault(site, {})
        for final_url, html in site_pages:
            for c in find_contacts(html, final_url):
                if c.kind == "page" and len(links) < CONTACT_PAGES_PER_SITE:
                    links.setdefault(c.value, c.found_on)
    first = [*homes.values(), *(u for links in wanted.values() for u in links)]
    got = dict(fetch(first)) if first else {}
    second = []
    for site, home in homes.items():
        if home not in got:
            continue
        links = wanted.setdefault(site, {})
        for c in find_contacts(got[home][1], got[home][0]):
            if c.kind == "page" and c.value not in links and len(links) < CONTACT_PAGES_PER_SITE:
                links[c.value] = home
                second.append(c.value)
    if second:
        got.update(fetch(second))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for site, home in homes.items():
        found = out.setdefault(site, [])
        if home in got:  # its addresses count, but a home page is no contact page
            found.append(("", got[home][0], got[home][1]))
        landing = canonical_url(got[home][0] if home in got else home)
        for url, linked_from in wanted.get(site, {}).items():
            # a "contact" link that lands on the home page names no contact page
            if url in got and canonical_url(got[url][0]) != landing:
                found.append((linked_from, *got[url]))
    return out


def _home(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _site_contacts(saved: Sequence[tuple[str, str]],
                   fetched: Sequence[tuple[str, str, str]]) -> tuple[Contact, ...]:
    """Addresses on the saved and the fetched pages; the fetched contact pages (answered 200:
    ``linked_from`` is the page whose link led there, "" for the home page)."""
    found: dict[tuple[str, str], Contact] = {}
    for final_url, html in saved:
        for c in find_contacts(html, final_url):
            if c.kind == "email":
                found.setdefault((c.kind, c.value), c)
    for linked_from, final_url, html in fetched:
        if linked_from and http_url(final_url):
            found.setdefault(("page", final_url), Contact("page", final_url, linked_from, "link"))
        for c in find_contacts(html, final_url):
            if c.kind == "email":
                found.setdefault((c.kind, c.value), c)
    ordered = sorted(found.values(), key=lambda c: (c.kind != "email", c.where != "mailto"))
    return tuple(ordered[:MAX_CONTACTS])


def _plain(text: str) -> str:
    return _CONTROL.sub("\ufffd", " ".join(text.split()))


def letter_text(letter: OutreachLetter) -> str:
    """The letter as plain text (e-mail body or terminal): headers, then the request."""
    emails = [c.value for c in letter.contacts if c.kind == "email"]
    pages = [c.value for c in letter.contacts if c.kind == "page"]
    lines = []
    if emails:
        lines.append(f"To: {', '.join(emails)}")
    if pages:
        lines.append(f"Contact page: {' '.join(pages)}")
    if not letter.contacts:
        lines.append(f"To: (no contact found on the pages of {letter.site} that were read: "
                     "look for a contact or imprint page on the site)")
    lines += [f"Subject: {_plain(letter.subject)}", "", "Hello,", "",
              f"We are the editors of {_plain(letter.publication)}. We are glad our reporting "
              f"is read on {_plain(letter.site)}. {_plain(letter.repost_rule)}", "",
              "These pages carry our articles without that credit:", ""]
    for n, f in enumerate(letter.copies, 1):
        kind = verdict_label(f.verdict, f.extent)
        lines += [
            f"{n}. {_plain(f.page_url)}",
            f"   copies \"{_plain(f.original_title)}\" ({_plain(f.original_url)}): {kind}, "
            f"{f.coverage:.0%} of the article",
            f"   credit: {f.credit_status} — {_plain(f.credit_reason)}",
            f"   please add: {_plain(letter.credit_line(f))}",
            "",
        ]
    lines += ["Adding the line under each article is all we ask. Thank you,", "",
              _plain(letter.publication)]
    return "\n".join(lines) + "\n"


def letter_dict(letter: OutreachLetter) -> dict[str, Any]:
    """The letter as JSON-ready data (text verbatim: escape it for any other medium)."""
    return {
        "site": letter.site,
        "publication": letter.publication,
        "subject": letter.subject,
        "repost_rule": letter.repost_rule,
        "contacts": [{"kind": c.kind, "value": c.value, "found_on": c.found_on,
                      "where": c.where} for c in letter.contacts],
        "copies": [{"page_url": f.page_url, "original_title": f.original_title,
                    "original_url": f.original_url, "verdict": f.verdict, "extent": f.extent,
                    "coverage": round(f.coverage, 4), "credit_status": f.credit_status,
                    "credit_reason": f.credit_reason, "credit_line": letter.credit_line(f)}
                   for f in letter.copies],
        "text": letter_text(letter),
    }
