"""The sites of the sandbox web: who they are, which pages they hold, and what a crawl should find.

``SITES`` is the one table of watch sites: adding a site (or a page of one) is one entry. Each
copy page names a *treatment* (how it copies an original and how it credits it) and the verdict
and credit status the matcher should reach on it; ``expected_pages`` turns the table into the
answer key of the demo, the tests and the benchmarks. The publisher, The Daily Planet, is
described by ``PUBLISHER``; its articles come from ``content.generate_article``.

Copies pick different articles while there are enough of them: the *n*-th copy in the answer
key copies the publisher's article ``n % articles`` (see ``copy_assignments``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from html import escape
from typing import Literal

from .content import WIRE_NAMESPACE, Article, generate_article, generate_headline
from .searx import SEARX_HOST

__all__ = [
    "PUBLISHER",
    "REPOST_RULE",
    "SITES",
    "WATCH_SITES",
    "WIRE_STORIES",
    "CopyPage",
    "ExpectedPage",
    "Look",
    "Publisher",
    "Site",
    "Treatment",
    "WireStory",
    "archive_size",
    "copy_assignments",
    "copy_slug",
    "demo_config",
    "expected_pages",
    "html_document",
    "html_text",
    "wire_article",
]


@dataclass(frozen=True)
class Publisher:
    """The sandbox publisher: its names, domains, discovery URLs and allow-listed partners."""

    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    home: str
    sitemap: str
    feed: str
    allow: tuple[str, ...]

    @property
    def host(self) -> str:
        return self.domains[0]

    def article_url(self, slug: str) -> str:
        """The address of the article with ``slug``."""
        return f"http://{self.host}/news/{slug}.html"


PUBLISHER = Publisher(
    name="The Daily Planet",
    aliases=("Daily Planet",),
    domains=("daily-planet.test",),
    home="http://daily-planet.test/",
    sitemap="http://daily-planet.test/sitemap.xml",
    feed="http://daily-planet.test/feed.xml",
    allow=("partner-news.test",),
)
REPOST_RULE = f"Reposts are welcomed with the reference to {PUBLISHER.name}."

# How a page copies an original and how it credits it:
#   source-link   the article, then "Source: <a href=ORIGINAL>The Daily Planet</a>"
#   name-line     the article, then "This article first appeared in The Daily Planet." (no link)
#   canonical     the article; the only credit is <link rel="canonical" href=ORIGINAL>
#   ads           the article with ads and "Read also" boxes between paragraphs, no credit
#   partial       the first ~40 % of the paragraphs, no credit
#   edited        a few words swapped per paragraph and one sentence dropped, no credit
#   plain         the article, no credit
#   excerpt       the blog's own text, the first paragraph quoted, "Read more at" link
#   other-source  the article, then "Source: Metro Gazette" (someone else)
#   local         not a copy: the site's own article
#   local-cafe    the site's own article, naming "the Daily Planet café" in passing
#   wire-signed   a wire story the publisher ran (``WIRE_STORIES``), as another licensee of the
#                 wire runs it: the wire's dateline, byline and sign-off kept (credits the wire)
#   wire-bare     the same wire story with the wire's marks stripped and no credit at all
Treatment = Literal["source-link", "name-line", "canonical", "ads", "partial", "edited", "plain",
                    "excerpt", "other-source", "local", "local-cafe", "wire-signed",
                    "wire-bare"]
Verdict = Literal["repost", "excerpt", "none"]
CreditStatus = Literal["credited", "uncredited", "misattributed", "allowed"]
_OWN_TEXT: frozenset[Treatment] = frozenset({"local", "local-cafe"})


@dataclass(frozen=True)
class WireStory:
    """A story of a wire service in the publisher's archive, signed the way the wire signs:
    ``dateline`` opens its first paragraph, ``byline`` replaces the staff byline, ``signoff``
    closes it. Its text is article ``index`` of the ``wire`` namespace (``content``)."""

    index: int
    wire: str
    dateline: str
    byline: str
    signoff: str = ""

    @property
    def slug(self) -> str:
        return "wire-" + generate_headline(self.index, namespace=WIRE_NAMESPACE).slug


# The Daily Planet, a regional paper, also runs wire copy: its archive mixes its own stories
# with these. Other licensees of the same wires run them too (metro-herald, valley-times).
WIRE_STORIES: tuple[WireStory, ...] = (
    WireStory(0, "Associated Press", "WASHINGTON (AP) — ", "By The Associated Press"),
    WireStory(1, "Reuters", "LONDON (Reuters) - ", "By Reuters staff",
              "(Reporting by Mara Quill; Editing by Tom Fenn)"),
)


@dataclass(frozen=True)
class CopyPage:
    """One page of a watch site. ``path`` may hold ``{slug}``: the slug of the copied original
    (or of the site's own article, for ``local`` treatments, where ``own`` numbers it).
    ``expected=False`` keeps a page out of the answer key (robots.txt forbids it)."""

    path: str
    treatment: Treatment
    verdict: Verdict
    credit: CreditStatus | None
    own: int = 0
    expected: bool = True
    wire: int | None = None  # copies the publisher's wire story WIRE_STORIES[wire]

    @property
    def copies(self) -> bool:
        return self.treatment not in _OWN_TEXT


@dataclass(frozen=True)
class Look:
    """A site's own chrome: header and footer markup, where the post sits, its sidebar text.

    ``header`` and ``footer`` are HTML with ``{name}`` and ``{nav}`` (the site's menu);
    ``sidebar`` is plain text of the site's own; ``byline`` may use ``{author}``.
    """

    header: str
    footer: str
    post_tag: str = "article"
    post_class: str = "post"
    sidebar: str = ""
    byline: str = "By {author}"


@dataclass(frozen=True)
class Site:
    """A watch site: host, display name, look, robots.txt ``Disallow`` prefixes, pages."""

    host: str
    name: str
    look: Look
    pages: tuple[CopyPage, ...]
    disallow: tuple[str, ...] = ()

    @property
    def home(self) -> str:
        return f"http://{self.host}/"

    @property
    def namespace(self) -> str:
        """The content namespace of the site's own filler text."""
        return self.host.removesuffix(".test")

    def robots_txt(self) -> str:
        rules = "".join(f"Disallow: {prefix}\n" for prefix in self.disallow) or "Allow: /\n"
        return f"User-agent: *\n{rules}"

    def document(self, title: str, main: str, *, head: str = "") -> str:
        """A full HTML page of this site: its chrome around ``main`` (HTML)."""
        look = self.look
        nav = '<a href="/">Home</a>'
        sidebar = ""
        if look.sidebar:
            popular = "".join(
                f"<li>{html_text(generate_headline(i, namespace=self.namespace).title)}</li>"
                for i in range(3)
            )
            sidebar = (f'<aside class="sidebar"><p>{html_text(look.sidebar)}</p>'
                       f"<h3>Popular now</h3><ul>{popular}</ul></aside>\n")
        body = (look.header.format(name=html_text(self.name), nav=nav)
                + f'\n<div class="layout">\n<main>\n{main}\n</main>\n{sidebar}</div>\n'
                + look.footer.format(name=html_text(self.name), nav=nav))
        head += f'<meta property="og:site_name" content="{escape(self.name)}">\n'
        return html_document(f"{title} - {self.name}", body, head=head)


SITES: tuple[Site, ...] = (
    Site("newsmirror.test", "News Mirror", Look(
        header='<header class="site-header"><a class="brand" href="/">{name}</a>'
               '<nav class="menu">{nav}</nav></header>',
        footer='<footer class="site-footer"><p>{name} gathers the day\'s stories in one '
               "place.</p></footer>",
        sidebar="Mirrored headlines, refreshed every morning.",
    ), (CopyPage("/stories/{slug}.html", "source-link", "repost", "credited"),)),
    Site("quotehub.test", "QuoteHub", Look(
        header='<div id="top"><span class="logo">{name}</span><ul class="nav">{nav}</ul></div>',
        footer='<div id="bottom">{name} · long reads, reprinted with care</div>',
        post_tag="div", post_class="entry",
        byline="Reprinted story by {author}",
    ), (CopyPage("/read/{slug}", "name-line", "repost", "credited"),)),
    Site("syndicate.test", "Syndicate Wire", Look(
        header='<header><h2 class="wire-name">{name}</h2><nav>{nav}</nav></header>',
        footer="<footer><small>{name} distributes partner copy around the clock.</small>"
               "</footer>",
        post_class="wire-story",
    ), (CopyPage("/wire/{slug}.html", "canonical", "repost", "credited"),)),
    Site("scraperdaily.test", "Scraper Daily", Look(
        header='<div class="header"><b>{name}</b> | hot news fast<div class="menu">{nav}'
               "</div></div>",
        footer='<div class="footer">{name} 2025 · all rights reserved · contact the '
               '<a href="mailto:webmaster@scraperdaily.test?subject=Hello">webmaster</a></div>',
        post_tag="div", post_class="content",
        sidebar="Win a free phone! Click the banner to enter today.",
        byline="Posted by admin",
    ), (
        CopyPage("/p/{slug}.html", "ads", "repost", "uncredited"),
        CopyPage("/p/{slug}-short.html", "partial", "repost", "uncredited"),
        CopyPage("/p/{slug}-v2.html", "edited", "repost", "uncredited"),
        CopyPage("/private/copy.html", "plain", "repost", "uncredited", expected=False),
    ), disallow=("/private/",)),
    Site("blogroll.test", "The Blogroll", Look(
        header='<div id="masthead"><h1 class="site-title"><a href="/">{name}</a></h1>'
               '<nav class="main-navigation">{nav}</nav></div>',
        footer='<footer id="colophon">Proudly written by hand on {name}.</footer>',
        post_class="hentry", byline="Posted by Juniper",
        sidebar="About me: I collect good local reporting and share my favourite bits.",
    ), (CopyPage("/2025/{slug}/", "excerpt", "excerpt", "credited"),)),
    Site("wrongsource.test", "Wrong Source Weekly", Look(
        header='<header class="top"><strong>{name}</strong><nav>{nav}</nav></header>',
        footer="<footer>Weekly picks from around the region by {name}.</footer>",
    ), (CopyPage("/articles/{slug}.html", "other-source", "repost", "misattributed"),)),
    Site("partner-news.test", "Partner News", Look(
        header='<header class="partner"><a href="/">{name}</a><nav>{nav}</nav></header>',
        footer="<footer>{name} shares stories with its syndication partners.</footer>",
        post_class="partner-story",
    ), (CopyPage("/partner/{slug}.html", "plain", "repost", "allowed"),)),
    Site("metro-herald.test", "Metro Herald", Look(
        header='<header class="mh"><a class="mh-logo" href="/">{name}</a><nav>{nav}</nav>'
               "</header>",
        footer="<footer>{name} runs wire stories under licence.</footer>",
        post_class="mh-story", byline="{author}",
    ), (CopyPage("/world/{slug}.html", "wire-signed", "repost", "credited", wire=0),
        CopyPage("/world/{slug}.html", "wire-signed", "repost", "credited", wire=1))),
    Site("valley-times.test", "Valley Times", Look(
        header='<div class="vt-head">{name} <span class="vt-nav">{nav}</span></div>',
        footer='<div class="vt-foot">{name} · news from near and far</div>',
        post_tag="div", post_class="vt-body", byline="Valley Times desk",
    ), (CopyPage("/n/{slug}.html", "wire-bare", "repost", "uncredited", wire=0),
        CopyPage("/n/{slug}.html", "wire-bare", "repost", "uncredited", wire=1))),
    Site("localnews.test", "Local News Now", Look(
        header='<header><h2>{name}</h2><nav class="sections">{nav}</nav></header>',
        footer="<footer>{name}: reporting from our own streets since 1998.</footer>",
        post_class="local-story",
    ), (
        CopyPage("/local/{slug}.html", "local", "none", None, own=0),
        CopyPage("/local/{slug}.html", "local-cafe", "none", None, own=1),
    )),
)
WATCH_SITES: tuple[str, ...] = tuple(site.home for site in SITES)


@dataclass(frozen=True)
class ExpectedPage:
    """What the matcher should conclude about one watch-site page.

    ``verdict``: ``repost``, ``excerpt`` or ``none``; ``credit_status``: ``credited``,
    ``uncredited``, ``misattributed``, ``allowed``, or None (verdict ``none``); ``kept_apart``:
    ``syndicated`` for a copy of one of the publisher's wire stories (credited or not, it is not
    chased as lacking credit).
    ``original_url`` is the copied article (None when nothing is copied).
    """

    url: str
    original_url: str | None
    verdict: str
    credit_status: str | None
    kept_apart: str | None = None  # "syndicated": a copy of a wire story, not chased


def html_text(text: str) -> str:
    """``text`` escaped for an HTML text node (quotes stay readable)."""
    return escape(text, quote=False)


def html_document(title: str, body: str, *, head: str = "", lang: str = "en") -> str:
    """An HTML5 document: ``title`` is text, ``body`` and ``head`` (extra tags) are HTML."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text(title)}</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def wire_article(n: int) -> Article:
    """The text of ``WIRE_STORIES[n]`` as the wire sent it and the paper ran it: the dateline
    opening its first paragraph, the wire as author, the sign-off closing it."""
    story = WIRE_STORIES[n]
    a = generate_article(story.index, namespace=WIRE_NAMESPACE)
    paragraphs = [story.dateline + a.paragraphs[0], *a.paragraphs[1:]]
    if story.signoff:
        paragraphs.append(story.signoff)
    return dataclasses.replace(a, slug=story.slug, author=story.byline.removeprefix("By "),
                               paragraphs=tuple(paragraphs))


def archive_size(articles: int = 8) -> int:
    """How many articles the publisher's archive lists: its own ``articles`` and the wire
    stories it ran (``WIRE_STORIES``); what an import of its sitemap stores."""
    return articles + len(WIRE_STORIES)


def copy_assignments(articles: int) -> list[tuple[Site, CopyPage, int]]:
    """Every page of every watch site with the article index it uses, in table order.

    For copies, the index of the copied original: the *n*-th expected copy in table order
    copies article ``n % articles``, then the pages left out of the answer key continue the
    count (so they do not take an article from an expected page). For the site's own
    articles, ``page.own`` (an index in the site's namespace); for copies of a wire story,
    ``page.wire`` (an index of ``WIRE_STORIES``).
    """
    if articles < 1:
        raise ValueError("the sandbox needs at least one article")
    pages = [(site, page) for site in SITES for page in site.pages]
    copies = [i for i, (_, page) in enumerate(pages) if page.copies and page.wire is None]
    copies.sort(key=lambda i: not pages[i][1].expected)  # stable: table order otherwise
    number = {i: n for n, i in enumerate(copies)}
    out = []
    for i, (site, page) in enumerate(pages):
        if page.wire is not None:
            index = page.wire
        elif page.copies:
            index = number[i] % articles
        else:
            index = page.own
        out.append((site, page, index))
    return out


def copy_slug(page: CopyPage, index: int, site: Site) -> str:
    """The slug in the address of ``page`` (which uses article ``index``)."""
    if page.wire is not None:
        return WIRE_STORIES[page.wire].slug
    if page.copies:
        return generate_headline(index).slug
    return generate_headline(index, namespace=site.namespace).slug


def expected_pages(articles: int = 8) -> list[ExpectedPage]:
    """The answer key: every watch-site page that should produce a finding, in table order.

    Includes the local pages (verdict ``none``); leaves out pages robots.txt forbids and home
    pages (which only list titles).
    """
    out = []
    for site, page, index in copy_assignments(articles):
        if not page.expected:
            continue
        slug = copy_slug(page, index, site)
        original = PUBLISHER.article_url(slug) if page.copies else None
        url = f"http://{site.host}{page.path.format(slug=slug)}"
        out.append(ExpectedPage(url, original, page.verdict, page.credit,
                                "syndicated" if page.wire is not None else None))
    return out


def demo_config(proxy_url: str, *, database_url: str | None = None) -> str:
    """The text of a ``repostwatch.toml`` that watches the sandbox web through ``proxy_url``.

    ``database_url``: written to ``[database]`` when given (else the config default applies).
    """
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        "# repostwatch.toml for the sandbox web (python -m crawler.sandbox).",
        "# Every site below is fake and lives on the .test domain, served by one local proxy.",
        "",
        "# The publication whose articles we watch, and its condition for reposts.",
        "[[publications]]",
        f"name = {q(PUBLISHER.name)}",
        f"aliases = [{', '.join(q(a) for a in PUBLISHER.aliases)}]",
        f"domains = [{', '.join(q(d) for d in PUBLISHER.domains)}]",
        'credit = "any"            # a link, rel=canonical or the name counts as credit',
        f"allow = [{', '.join(q(d) for d in PUBLISHER.allow)}]   # partners may repost freely",
        f"originals = [{q(PUBLISHER.sitemap)}]",
        "",
    ]
    if database_url is not None:
        lines += ["[database]", f"url = {q(database_url)}", ""]
    lines.append("# Sites to crawl for copies (same-site links from the home page).")
    for home in WATCH_SITES:
        lines += ["[[watch]]", f"url = {q(home)}", "max_pages = 50", "max_depth = 2", ""]
    lines += [
        "[crawl]",
        f"proxy = {q(proxy_url)}   # every request goes through the sandbox",
        "# The proxy resolves the sandbox's names, out of the address guard's sight: allow them",
        '# by name (every site of the sandbox is under .test). docs/crawling.md "Addresses".',
        'allow_private_sites = ["*.test"]',
        "download_delay = 0      # local sandbox: no need to wait",
        "autothrottle = false",
        "",
        "# `repostwatch search`: the sandbox plays a SearXNG instance too.",
        "[search]",
        f'url = "http://{SEARX_HOST}/"',
        "min_interval = 0",
        "",
    ]
    return "\n".join(lines)
