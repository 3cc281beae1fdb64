"""Human output of ``check``: one block per target, rendered from the ``Assessment``."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape as escape_markup

from .lookup import Outcome

__all__ = ["print_outcome"]

# C0 and C1 control characters (ESC, CSI...) in crawled text could drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Crawled text made inert for the terminal: no control sequences, no rich markup."""
    return escape_markup(_CONTROL.sub("\ufffd", text))


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
    extent = f" ({r.extent})" if r.extent else ""
    style = _STYLE.get(r.credit.status, "white")
    out.print(f"  verdict: [bold]{r.verdict}[/bold]{extent}, coverage {r.coverage:.0%}")
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
