"""Importing originals from a JSON Lines file (URLs go through the ``originals`` spider).

One JSON object per line: ``url`` (required), ``title``, ``text`` or ``html`` (one required),
``author``, ``published`` (ISO 8601 date), ``publication`` (optional when only one is
configured). The whole file is validated before anything is written, so a bad line leaves the
store untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from matcher import CreditRule, extract_article, tokenize
from repostwatch.config import Config
from repostwatch.errors import ConfigError, UsageError
from repostwatch.store import Store

from .jsonl import read_objects

__all__ = ["OriginalRecord", "import_jsonl", "read_jsonl"]


@dataclass(frozen=True)
class OriginalRecord:
    publication: str
    url: str
    title: str
    text: str
    author: str | None
    published: datetime | None


def _published(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UsageError(f"{where}: `published` must be an ISO 8601 date string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{where}: `published` is not an ISO 8601 date: {value!r}") from exc
    try:  # stored in UTC: 0001-01-01 in a zone east of UTC falls before year 1
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise UsageError(f"{where}: `published` {value!r} is out of range",
                         hint="a date between the years 1 and 9999, in UTC") from None


def read_jsonl(path: Path, config: Config, publication: str | None) -> list[OriginalRecord]:
    """Parse and validate every line; raise ``UsageError`` naming the first bad line."""
    default = config.publication(publication).name if publication or len(
        config.publications) == 1 else None  # else each line must name its publication
    records = []
    for where, obj in read_objects(path):
        url = obj.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UsageError(f"{where}: `url` is required and must be an http(s) URL")
        for key in ("title", "author", "publication"):  # not a list stored as "['a']"
            if obj.get(key) is not None and not isinstance(obj[key], str):
                raise UsageError(f"{where}: `{key}` must be a string, not "
                                 f"{type(obj[key]).__name__}")
        pub_name = obj.get("publication") or default
        if pub_name is None:
            raise UsageError(f"{where}: `publication` is required when several are configured",
                             hint="add it to each line or pass --publication")
        try:
            pub = config.publication(str(pub_name))
        except ConfigError as exc:
            raise UsageError(f"{where}: {exc}") from exc
        title = str(obj.get("title") or "")
        text = obj.get("text")
        html = obj.get("html")
        if isinstance(text, str) and text.strip():
            body = text.strip()
        elif isinstance(html, str) and html.strip():
            article = extract_article(html, url)
            body = article.text
            title = title or article.title
            if not body:
                raise UsageError(f"{where}: no article text found in `html`")
        else:
            raise UsageError(f"{where}: `text` or `html` is required")
        words = len(tokenize(body))
        if words < config.thresholds.min_original_words:
            raise UsageError(f"{where}: only {words} word{'' if words == 1 else 's'} of "
                             "article text",
                             hint=f"an original needs at least "
                                  f"{config.thresholds.min_original_words} ([matcher] "
                                  "min_original_words)")
        author = obj.get("author")
        records.append(OriginalRecord(
            publication=pub.name, url=url, title=title, text=body,
            author=str(author) if author else None,
            published=_published(obj.get("published"), where),
        ))
    if not records:
        raise UsageError(f"{path} holds no originals", hint="one JSON object per line")
    return records


def import_jsonl(store: Store, records: list[OriginalRecord],
                 rules: Mapping[str, CreditRule] | None = None) -> dict[str, int]:
    """Upsert the records; return how many were added, updated and unchanged. ``rules`` (the
    config's, by publication) decide each original's source (its wires, names, domains)."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for r in records:
        _, outcome = store.upsert_original(
            publication=r.publication, url=r.url, title=r.title, text=r.text,
            author=r.author, published=r.published,
            rule=(rules or {}).get(r.publication),
        )
        counts[outcome] += 1
    return counts
