"""A store and config for the review UI's tests: one original, copies judged by the matcher
(hostile markup included), and helpers to run the app under aiohttp's test client."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from matcher import Page, assess
from reports.web import Auth, create_app
from repostwatch.cli.serving import recheck_with
from repostwatch.config import Config, load_config
from repostwatch.store import Store
from tests.conftest import run_async
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, ORIGINAL_TEXT, page_html, paragraphs_html

__all__ = ["HOSTILE_TITLE", "ORIGINAL_URL", "Home", "client_run", "csrf_token", "make_home"]

ORIGINAL_URL = "https://daily-planet.test/news/pier.html"
HOSTILE_TITLE = "Pier <script>alert('title')</script> \"><img src=x onerror=alert(1)>"
# A copy whose markup tries every trick: script, a javascript: link, an attribute breaking out.
HOSTILE_BODY = (
    "<h1>Pier news</h1>" + paragraphs_html(ORIGINAL_PARAGRAPHS)
    + "<script>document.title='pwned'</script>"
    + "<p><a href=\"javascript:alert('link')\">read more</a> "
    + "<a href='https://evil.test/\"><script>alert(3)</script>'>x</a></p>"
)
CONFIG = """
[[publications]]
name = "The Daily Planet"
domains = ["daily-planet.test"]
credit = "link"

[database]
url = "sqlite:///review.db"
index_cache = ""

[crawl]
allow_private = {allow_private}
timeout = 5
"""


class Home:
    """The config and open store of one test, with the ids of its findings by name."""

    def __init__(self, config: Config, store: Store, ids: dict[str, int]) -> None:
        self.config = config
        self.store = store
        self.ids = ids


def _save(store: Store, config: Config, url: str, html: str) -> int:
    index = store.load_index()
    page = Page(url, html)
    result = assess(page, index, config.rules, thresholds=config.thresholds)
    finding_id = store.save_assessment(result, page, status=200)
    assert finding_id is not None, f"{url} was not judged a copy"
    return finding_id


def make_home(tmp_path: Path, *, allow_private: bool = False,
              extra: dict[str, str] | None = None) -> Home:
    """A store with three copies: ``hostile`` (uncredited, hostile markup), ``credited``
    and ``partial`` (named, not linked: the rule asks for a link); ``extra`` adds url → html
    copies."""
    (tmp_path / "repostwatch.toml").write_text(
        CONFIG.format(allow_private=str(allow_private).lower()), encoding="utf-8")
    config = load_config(tmp_path / "repostwatch.toml", env={})
    store = Store.open(config.database_url)
    store.ensure_publications(config.rules.values())
    store.upsert_original(publication="The Daily Planet", url=ORIGINAL_URL,
                          title="Old grain pier to close", text=ORIGINAL_TEXT)
    pages = {
        "hostile": ("https://hostile.test/pier", page_html(HOSTILE_BODY, title=HOSTILE_TITLE)),
        "credited": ("https://credited.test/pier", page_html(
            paragraphs_html(ORIGINAL_PARAGRAPHS)
            + f"<p>Source: <a href='{ORIGINAL_URL}'>The Daily Planet</a></p>",
            title="Pier closes (credited)")),
        "partial": ("https://partial.test/pier", page_html(
            paragraphs_html(ORIGINAL_PARAGRAPHS[:4]), title="Pier closes (partial)")
            .replace("© 2026 Elsewhere Media", "Stories from The Daily Planet")),
    }
    for name, (url, html) in (extra or {}).items():
        pages[name] = (url, html)
    ids = {name: _save(store, config, url, html) for name, (url, html) in pages.items()}
    return Home(config, store, ids)


def client_run(home: Home, test: Callable[[TestClient[Any, Any]], Awaitable[None]], *,
               auth: Auth | None = None, recheck: bool = True) -> None:
    """Run ``test`` with a client of the review app (in a thread with its own event loop:
    the main thread's loop belongs to Twisted), "re-check now" wired as ``serve`` wires it
    (``recheck=False``: not handed in)."""
    async def go() -> None:
        app = create_app(home.store, home.config, auth=auth or Auth(),
                         recheck=recheck_with(home.config)(home.store) if recheck else None)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await test(client)

    run_async(go())


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html`` (a test fails when there is none)."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)
