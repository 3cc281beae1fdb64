"""The HTML report: one self-contained page for an editor (inline CSS, no script, no fetches).

Crawled pages are hostile, and every title, URL, passage and reason in a report comes from
one. So: the template is autoescaped (Jinja2 does not autoescape unless told), nothing from a
page is marked safe (the charts' SVG is ours, from autoescaped templates too), only
``http``/``https`` URLs become links (``javascript:`` or ``data:`` URLs are shown as text;
e-mail contacts become ``mailto:`` links only after validation), and a
Content-Security-Policy forbids scripts and every external resource should anything slip
through. Links carry ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from matcher import CREDIT_STATUSES

from .build import APART_WHY, PASSAGE_CHARS, Report, clip, lacking_by_site, utc
from .charts import compliance_chart, sites_chart
from .labels import verdict_label
from .links import http_url
from .outreach import OutreachLetter, letter_text

__all__ = ["PASSAGE_CHARS", "http_url", "render_html"]

_BADGES = frozenset(CREDIT_STATUSES)


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _mailto(address: str) -> str:
    """A ``mailto:`` URL for an address already validated by ``reports.outreach``."""
    return "mailto:" + quote(address, safe="@.+-_")


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
    env.filters.update(clip=clip, percent=_percent, when=_when, badge=_badge)
    env.globals.update(verdict_label=verdict_label)
    env.globals.update(http_url=http_url, mailto=_mailto, letter_text=letter_text)
    return env


def render_html(report: Report) -> str:
    """The report as a complete HTML document."""
    template = _environment().get_template("report.html.j2")
    title = "Copies lacking credit"
    if report.publication:
        title += f" — {report.publication}"
    title += f" — {utc(report.generated_at):%Y-%m-%d}"
    letters_by_site: dict[str, list[OutreachLetter]] = {}
    for letter in report.letters:
        letters_by_site.setdefault(letter.site, []).append(letter)
    # The charts are SVG rendered from our numbers by autoescaped templates (reports.charts),
    # so every label (site names are crawled text) is already escaped: the one piece of markup
    # not escaped again here.
    charts = {"compliance": Markup(compliance_chart(report.compliance)),  # noqa: S704
              "sites": Markup(sites_chart(report.sites))}  # noqa: S704
    return template.render(
        title=title,
        report=report,
        totals=report.totals,
        groups=lacking_by_site(report),
        charts=charts,
        letters_by_site=letters_by_site,
        apart_why=APART_WHY,
    )
