"""The HTML report: one self-contained page for an editor (inline CSS, no script, no fetches).

Crawled pages are hostile, and every title, URL, passage and reason in a report comes from
one. So: the template is autoescaped (Jinja2 does not autoescape unless told), nothing from a
page is marked safe, only ``http``/``https`` URLs become links (``javascript:`` or ``data:``
URLs are shown as text), and a Content-Security-Policy forbids scripts and every external
resource should anything slip through. Links carry ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

import jinja2

from crawler.store import FindingRecord
from matcher import CREDIT_STATUSES

from .build import Report, utc

__all__ = ["PASSAGE_CHARS", "http_url", "render_html"]

PASSAGE_CHARS = 600
"""Longest copied passage shown, in characters; longer ones are cut at a word with an ellipsis."""

_BADGES = frozenset(CREDIT_STATUSES)
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


def _clip(text: str | None, limit: int = PASSAGE_CHARS) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + " …"


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _badge(status: str) -> str:
    return status if status in _BADGES else "other"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(clip=_clip, percent=_percent, when=_when, badge=_badge)
    env.globals["http_url"] = http_url
    return env


def _groups(report: Report) -> list[tuple[str, list[FindingRecord]]]:
    """The rows lacking credit grouped by site, in the order of ``report.sites``."""
    by_site: dict[str, list[FindingRecord]] = {}
    for record in report.rows:
        by_site.setdefault(record.site, []).append(record)
    order = [s.site for s in report.sites if s.site in by_site]
    order += [site for site in by_site if site not in order]
    return [(site, by_site[site]) for site in order]


def render_html(report: Report) -> str:
    """The report as a complete HTML document."""
    template = _environment().get_template("report.html.j2")
    title = "Copies lacking credit"
    if report.publication:
        title += f" — {report.publication}"
    title += f" — {utc(report.generated_at):%Y-%m-%d}"
    return template.render(
        title=title,
        report=report,
        totals=report.totals,
        groups=_groups(report),
    )
