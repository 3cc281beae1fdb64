"""Human output of ``check`` (one block per target, from the ``Assessment``) and of ``lookup``
(an original and every known copy with its history), and the JSON of ``lookup``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape as escape_markup

from crawler.lookup import Outcome
from reports.labels import verdict_label

from .terminal import printable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matcher import Original

    from .store import FindingRecord
    from .store.archive import CaptureRecord

__all__ = ["copies_to_dict", "print_copies", "print_outcome"]

def escape(text: str) -> str:
    """Crawled text made inert for the terminal: no control sequences, no rich markup."""
    return escape_markup(printable(text))


_STYLE = {"credited": "green", "allowed": "green", "partial": "yellow",
          "uncredited": "red", "misattributed": "red"}


def _console() -> Console:
    # soft_wrap: long URLs and passages stay copyable; highlight off: crawled text is not markup.
    return Console(soft_wrap=True, highlight=False)


def print_outcome(outcome: Outcome) -> None:
    """Print one target's result. Everything from the page is escaped (it is not markup)."""
    out = _console()
    out.print(f"[bold]{escape(outcome.target.label)}[/bold]")
    if outcome.error is not None:
        out.print(f"  [red]could not check:[/red] {escape(outcome.error)}")
        return
    r = outcome.result
    assert r is not None
    if r.original is None or r.credit is None:
        note = f" ({escape(r.note)})" if r.note else ""
        out.print(f"  verdict: none — no copy of our originals found{note}")
        return
    style = _STYLE.get(r.credit.status, "white")
    out.print(f"  verdict: [bold]{verdict_label(r.verdict, r.extent)}[/bold], coverage "
              f"{r.coverage:.0%}")
    out.print(f"  original: {escape(r.original.title)} <{escape(r.original.url)}> "
              f"({escape(r.original.publication)})")
    out.print(f"  credit: [{style}]{r.credit.status}[/{style}] — {escape(r.credit.reason)}")
    for sig in r.credit.evidence[:5]:
        flags = [f for f, on in (("nofollow", sig.nofollow), ("hidden", sig.hidden),
                                 ("away from the article", not sig.in_article)) if on]
        extra = f" [{', '.join(flags)}]" if flags else ""
        out.print(f"    - {sig.kind} in {sig.where}: {escape(sig.value[:120])}{escape(extra)}")
    longest = r.longest_passage
    if longest is not None:
        text = longest.text if len(longest.text) <= 300 else longest.text[:300] + "…"
        out.print(f"  longest copied passage ({longest.words} words): “{escape(text)}”")


def copies_to_dict(original: Original, copies: list[FindingRecord],
                   captures: Mapping[int, list[CaptureRecord]] | None = None) -> dict[str, Any]:
    """``lookup --json``: the original and its copies, each with the report's finding fields,
    its evidence, its history newest first and, for copies found in web archives, the
    archive records they were judged from (``captures``: finding id → records; docs/json.md)."""
    from reports.build import finding_fields, iso  # the report's columns, one definition

    captures = captures or {}

    return {
        "original": {"id": original.id, "publication": original.publication,
                     "url": original.url, "title": original.title,
                     "published": iso(original.published), "source": original.source},
        "copies": [
            {"id": c.id, **finding_fields(c), "lacks_credit": c.lacks_credit,
             "evidence": [dict(e) for e in c.evidence],
             "history": [{"checked_at": iso(h.checked_at), "verdict": h.verdict,
                          "coverage": round(h.coverage, 4), "credit_status": h.credit_status}
                         for h in c.history],
             "archive": [{"warc": a.location, "offset": a.offset, "record_id": a.record_id,
                          "captured_at": iso(a.captured_at)}
                         for a in captures.get(c.id, [])]}
            for c in copies
        ],
    }


def print_copies(original: Original, copies: list[FindingRecord],
                 captures: Mapping[int, list[CaptureRecord]] | None = None) -> None:
    """Print an original and every known copy of it, most recently checked first, with the
    archive records of copies found in web archives (``captures``)."""
    captures = captures or {}
    out = _console()
    out.print(f"[bold]{escape(original.title)}[/bold] <{escape(original.url)}> "
              f"({escape(original.publication)}, id {original.id})")
    if not copies:
        out.print("  no copies found so far")
        return
    lacking = sum(c.lacks_credit and c.is_open for c in copies)
    apart = sum(c.kept_apart is not None and c.is_open for c in copies)
    out.print(f"  {len(copies)} known cop{'y' if len(copies) == 1 else 'ies'}, {lacking} "
              "lacking credit"
              + (f", {apart} kept apart" if apart else "")
              + (f" — a wire story ({escape(original.source)}): its copies are kept apart"
                 if original.source else ""))
    for c in copies:
        style = _STYLE.get(c.credit_status, "white")
        out.print(f"\n  [bold]{escape(c.page_url)}[/bold]")
        out.print(f"    {verdict_label(c.verdict, c.extent)}, coverage {c.coverage:.0%}, credit "
                  f"[{style}]{c.credit_status}[/{style}] — {escape(c.credit_reason)}")
        out.print(f"    review: {c.review_state}; first seen {_day(c.first_seen)}, "
                  f"last checked {_day(c.last_checked)}")
        for h in c.history[:10]:
            out.print(f"    {_day(h.checked_at)}  {h.verdict:8} {h.coverage:4.0%}  "
                      f"{h.credit_status}")
        if len(c.history) > 10:
            earlier = len(c.history) - 10
            out.print(f"    … {earlier} earlier check{'' if earlier == 1 else 's'} (--json has "
                      "them all)")
        for a in captures.get(c.id, [])[:5]:
            out.print(f"    archived {_day(a.captured_at)} in {escape(a.location)} at offset "
                      f"{a.offset}")


def _day(moment: Any) -> str:
    from reports.build import iso

    text = iso(moment)
    return text.replace("T", " ").replace("Z", " UTC") if text else "-"
