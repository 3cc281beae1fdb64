"""Which URLs from crawled pages may become links: absolute http(s) only, one rule for every
format (HTML, Markdown, outreach letters)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["http_url"]

# The whole string must be a plain absolute http(s) URL: browsers drop tabs, newlines and
# leading control characters, so "java\tscript:" or " javascript:" would run as a scheme.
_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>`\\]+", re.IGNORECASE)


def http_url(url: str | None) -> str | None:
    """``url`` if it is safe to put in an ``href`` (absolute http or https), else None."""
    if not url or not _HTTP_URL.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
