"""What ``check`` judges: a URL to fetch, a saved page, or a line of a JSON Lines file of pages
(decoded where it is judged: here, or in a judging process, ``crawler.judging``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from repostwatch.errors import UsageError

from .jsonl import decode_object

__all__ = ["Target", "decoded"]


@dataclass(frozen=True)
class Target:
    """Something to check: a URL to fetch, a page in hand (a file), or a line of a JSON Lines
    file of pages, kept as read (``record``: its url and html are decoded where it is judged,
    ``decoded``; ``where`` names it in messages)."""

    label: str
    url: str
    html: str | None = None
    error: str | None = None
    final_url: str | None = None
    status: int | None = None  # HTTP status of a fetched page
    record: bytes | None = None
    where: str = ""
    utf8: bytes | None = field(default=None, repr=False)  # html as UTF-8: ``matcher.Page.utf8``

    @property
    def url_to_fetch(self) -> bool:
        return self.html is None and self.record is None and self.error is None

    @property
    def judgeable(self) -> bool:
        return self.error is None and (self.html is not None or self.record is not None)


def decoded(target: Target) -> Target:
    """``target`` with the url and html of its JSON Lines record; ``UsageError`` naming the
    line if it is not an object with ``url`` and ``html`` strings."""
    if target.record is None:
        return target
    obj = decode_object(target.where, target.record)
    if not isinstance(obj.get("url"), str) or not isinstance(obj.get("html"), str):
        raise UsageError(f"{target.where}: expected an object with `url` and `html` strings")
    return replace(target, url=obj["url"], html=obj["html"], record=None)
