"""The Markdown report: the HTML report's content as text for a wiki, a ticket or a chat.

Markdown renderers pass raw HTML through and turn ``[text](url)`` into links, so crawled text
is made inert before it is written: ``& < >`` become entities and the characters that make
links, code, emphasis or table cells (``\\ ` * _ [ ] | ~``) are backslash-escaped (text is
never at the start of a line, so block syntax such as ``#`` or ``-`` cannot apply); only
absolute http(s) URLs become links (``<https://...>`` autolinks, which cannot carry a
``javascript:`` scheme); any other URL is shown escaped, as text. No charts: the figures they
draw are in the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from .build import APART_WHY, Report, clip, lacking_by_site, utc
from .labels import verdict_label
from .links import http_url
from .outreach import OutreachLetter, letter_text

__all__ = ["letter_md", "md_text", "render_md"]

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: str | None) -> str:
    """Crawled text made inert for Markdown, on one line."""
    text = " ".join((text or "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _link(url: str | None) -> str:
    safe = http_url(url)
    return f"<{safe}>" if safe else md_text(url)


def _clip(text: str | None) -> str:
    return md_text(clip(text))


def _when(moment: datetime | None) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_md(report: Report) -> str:
    """The report as a Markdown document (CommonMark with GitHub tables)."""
    t, c = report.totals, report.changes
    title = "Copies lacking credit"
    if report.publication:
        title += f" — {md_text(report.publication)}"
    start = _when(report.since) if report.since else "the first finding"
    out = [
        f"# {title} — {utc(report.generated_at):%Y-%m-%d}", "",
        f"{md_text(report.publication) if report.publication else 'All publications'} · "
        f"generated {_when(report.generated_at)} · period: {start} to "
        f"{_when(report.period_end)}", "",
        "## Summary", "",
        *_table(["pages checked", "copies found", "lacking credit", "credit compliance",
                 "new", "still open", "resolved", "gone"],
                [[str(t.get("pages", 0)), str(t.get("findings", 0)),
                  str(t.get("lacking_credit", 0)),
                  f"{report.credited_share:.0%}" if t.get("findings") else "–",
                  str(c.new), str(c.still_open), str(c.resolved), str(c.gone)]]),
        "",
    ]
    if report.compliance:
        out += ["Credit compliance over time:", "",
                *_table(["at", "copies", "credited"],
                        [[_when(p.at), str(p.copies), f"{p.share:.0%}"]
                         for p in report.compliance[-12:]]), ""]
    out += ["## Sites", ""]
    if report.sites:
        out += _table(["site", "copies", "lacking credit", "credited", "first seen",
                       "last seen"],
                      [[md_text(s.site), str(s.copies), str(s.lacking_credit),
                        (f"{s.credited_share:.0%}" if s.copies > s.kept_apart else "–")
                        + (f" ({s.kept_apart} kept apart)" if s.kept_apart else ""),
                        _when(s.first_seen), _when(s.last_seen)]
                       for s in report.sites])
    else:
        out.append("No copies found.")
    out += ["", "## Copies lacking credit", ""]
    if not report.rows:
        out.append("No copies lacking credit.")
    for site, rows in lacking_by_site(report):
        out += [f"### {md_text(site)} ({len(rows)} lacking credit)", ""]
        for f in rows:
            passage = f.longest_passage or {}
            out += [
                f"- **{md_text(f.page_title or f.page_url)}** — {_link(f.page_url)}",
                f"  - original: {md_text(f.original_title)} — {_link(f.original_url)}",
                f"  - {md_text(verdict_label(f.verdict, f.extent))}, "
                f"coverage {f.coverage:.0%}; credit **{md_text(f.credit_status)}**: "
                f"{md_text(f.credit_reason)}",
                f"  - first seen {_when(f.first_seen)} · last checked {_when(f.last_checked)}"
                f" · review {md_text(f.review_state)}"
                f"{' · **new** in this period' if report.is_new(f) else ''}",
            ]
            if passage.get("page_text"):
                out += [f"  - longest copied passage ({f.longest_words} words):",
                        f"    > original: {_clip(passage.get('original_text'))}",
                        "    >",
                        f"    > on the page: {_clip(passage.get('page_text'))}"]
        out.append("")
    if report.apart:
        out += ["## Kept apart (not chased)", "",
                "Not in the figures, lists or credit requests above.", ""]
        for kind, why in APART_WHY.items():
            kept = [f for f in report.apart if f.kept_apart == kind]
            if not kept:
                continue
            out += [f"{len(kept)} {md_text(why)}.", ""]
            for f in kept:
                source = f" · from the wire **{md_text(f.source)}**" if f.source else ""
                dates = (f" · page dated {_when(f.page_published)}, original "
                         f"{_when(f.original_published)}" if kind == "earlier" else "")
                out.append(f"- {_link(f.page_url)} copies {md_text(f.original_title)}"
                           f"{source}{dates} · credit {md_text(f.credit_status)}: "
                           f"{md_text(f.credit_reason)}")
            out.append("")
    if report.letters:
        out += ["## Credit requests", ""]
        for letter in report.letters:
            out += [letter_md(letter, level=3), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def letter_md(letter: OutreachLetter, *, level: int = 1) -> str:
    """An outreach letter in Markdown: a heading, then the letter as an indented code block
    (nothing in a code block is interpreted: no links, no HTML)."""
    head = f"{'#' * level} {md_text(letter.site)} — {md_text(letter.publication)}"
    body = ["    " + line if line else "" for line in letter_text(letter).splitlines()]
    return "\n".join([head, "", *body]) + "\n"
