"""Words of the domain as people read them, where the stored value would mislead.

A repost's ``extent`` is ``full`` or ``partial`` in the store, in JSON and in CSV (stable
contracts). Shown as "partial" next to a credit status, it read as the credit status
``partial`` (some credit, short of the publication's rule): people see "part of the article".
"""

from __future__ import annotations

__all__ = ["EXTENT_LABELS", "verdict_label"]

EXTENT_LABELS = {"full": "whole article", "partial": "part of the article"}
"""A repost's ``extent`` → the words shown to people."""


def verdict_label(verdict: str, extent: str | None) -> str:
    """A verdict as people read it: "repost (part of the article)", "excerpt"."""
    return f"{verdict} ({EXTENT_LABELS.get(extent, extent)})" if extent else verdict
