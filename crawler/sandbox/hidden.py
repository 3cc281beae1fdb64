"""Sites of the sandbox web that only a search finds: no ``[[watch]]`` names them and no page
links to them. They copy the publisher's newest and oldest articles, so that a search run
with a small budget finds the first (newest originals are searched first) and a later run,
rotating, finds the other. ``hidden_pages()`` is their answer key.
"""

from __future__ import annotations

from .content import generate_headline
from .sites import PUBLISHER, CopyPage, ExpectedPage, Look, Site

__all__ = ["HIDDEN_SITES", "hidden_assignments", "hidden_pages"]

HIDDEN_SITES: tuple[Site, ...] = (
    Site("copycat.test", "Copycat Corner", Look(
        header='<header class="cc"><a href="/">{name}</a> {nav}</header>',
        footer="<footer>{name}: the news you missed.</footer>",
        post_class="cc-post", byline="Shared by the editors",
    ), (CopyPage("/c/{slug}.html", "plain", "repost", "uncredited"),)),
    Site("reprintfarm.test", "Reprint Farm", Look(
        header='<div class="farm-top">{name} {nav}</div>',
        footer='<div class="farm-bottom">{name} · fresh reprints daily</div>',
        post_tag="div", post_class="farm-body", byline="Posted by bot",
    ), (CopyPage("/r/{slug}.html", "ads", "repost", "uncredited"),)),
)


def hidden_assignments(articles: int) -> list[tuple[Site, CopyPage, int]]:
    """Every hidden page with the index of the article it copies: the newest article for the
    first site, the oldest for the second."""
    copycat, farm = HIDDEN_SITES
    return [(copycat, copycat.pages[0], articles - 1), (farm, farm.pages[0], 0)]


def hidden_pages(articles: int = 8) -> list[ExpectedPage]:
    """The answer key of the hidden sites (what a search run should find on them)."""
    out = []
    for site, page, index in hidden_assignments(articles):
        slug = generate_headline(index).slug
        out.append(ExpectedPage(f"http://{site.host}{page.path.format(slug=slug)}",
                                PUBLISHER.article_url(slug), page.verdict, page.credit))
    return out
