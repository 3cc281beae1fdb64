"""The review UI in a real headless Chromium (Debian's ``/usr/bin/chromium`` driven by
playwright with ``executable_path``; no browser download): open the list, filter it, open a
finding, mark it a false positive, and see the list change. Screenshots are saved in
``test-artifacts/`` (override with ``REPOSTWATCH_ARTIFACTS``).

Without Chromium (or playwright) the test skips with the reason; with
``REPOSTWATCH_REQUIRE_SERVICES=1`` (CI) it fails instead.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

from reports.web import Auth, create_app
from repostwatch.cli.serving import recheck_with
from tests.browser import ARTIFACTS, launch_chromium, need_chromium
from tests.localserver import Server
from tests.reports.reviewhome import make_home


def _drive(base: str, hostile_id: int) -> dict[str, Any]:
    """The editor's path through the UI; returns what the test checks."""
    seen: dict[str, Any] = {"console": [], "dialogs": []}
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: seen["console"].append((m.type, m.text)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(f"{base}/findings")
        seen["rows_all"] = page.locator("tr[data-id]").count()
        # filter: open findings only, by clicking the review-state count
        page.click('a[data-facet="review_state"][data-value="new"]')
        page.wait_for_url("**review_state=new**")
        seen["rows_new"] = page.locator("tr[data-id]").count()
        filtered_url = page.url
        page.click(f'tr[data-id="{hostile_id}"] a.open')
        page.wait_for_url(f"**/findings/{hostile_id}")
        page.fill('form.review input[name="note"]', "a licensed reprint, checked by phone")
        page.click('form.review button[value="false_positive"]')
        page.wait_for_load_state()
        seen["state_after"] = page.locator("#review-state").inner_text()
        seen["trail"] = page.locator("#events tbody tr").first.inner_text()
        seen["title"] = page.title()
        frame = page.frame_locator("iframe[sandbox]")
        seen["saved_heading"] = frame.locator("h1").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "review-finding.png"), full_page=True)
        page.goto(filtered_url)
        seen["rows_new_after"] = page.locator("tr[data-id]").count()
        seen["ids_new_after"] = [int(x) for x in page.locator("tr[data-id]").evaluate_all(
            "rows => rows.map(r => r.dataset.id)")]
        seen["total_after"] = page.locator("#total").inner_text()
        page.screenshot(path=str(ARTIFACTS / "review-list.png"), full_page=True)
    return seen


def test_editor_marks_a_false_positive_in_chromium(tmp_path: Path) -> None:
    need_chromium()
    home = make_home(tmp_path)
    hostile = home.ids["hostile"]
    try:
        # playwright's sync API runs its own loop: not in this thread (Twisted's loop)
        with Server(create_app(home.store, home.config, auth=Auth(),
                                   recheck=recheck_with(home.config)(home.store))) as server, \
                concurrent.futures.ThreadPoolExecutor(1) as pool:
            seen = pool.submit(_drive, server.url(""), hostile).result(120)
    finally:
        home.store.close()
    assert seen["rows_all"] == 3 and seen["rows_new"] == 3
    assert seen["state_after"] == "false positive"
    assert "new → false_positive" in seen["trail"] and "a licensed reprint" in seen["trail"]
    assert seen["rows_new_after"] == 2 and hostile not in seen["ids_new_after"]
    assert seen["total_after"] == "2"
    # the hostile page's script ran nowhere: no dialog, no title change, blocked in the frame
    assert seen["dialogs"] == [] and "pwned" not in seen["title"]
    assert seen["saved_heading"] == "Pier news"
    errors = [text for kind, text in seen["console"] if kind == "error"]
    assert errors and all("sandboxed" in e and "allow-scripts" in e for e in errors), errors
    assert (ARTIFACTS / "review-list.png").stat().st_size > 10_000
