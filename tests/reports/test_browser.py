"""The HTML report opened in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded): no console errors, no request but the file itself, the
charts drawn, and a screenshot kept in ``test-artifacts/report.png`` for a person to look at.

Skips when Chromium or Playwright is missing, but fails under REPOSTWATCH_REQUIRE_SERVICES=1
(CI installs chromium in .ci/run)."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

from reports import build_report, default_filename, write_report
from repostwatch.store import Store
from tests.browser import ARTIFACTS, launch_chromium, need_chromium


def _open(path: Path, screenshot: Path) -> dict[str, Any]:
    """Open ``path`` in Chromium; what the page logged, requested and showed."""
    seen: dict[str, Any] = {"console": [], "errors": [], "requests": []}
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900},
                                java_script_enabled=False)
        page.on("console", lambda m: seen["console"].append((m.type, m.text)))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        seen["title"] = page.title()
        seen["svg_widths"] = [b["width"] for b in
                              (s.bounding_box() for s in page.locator("figure svg").all())
                              if b]
        seen["rows"] = page.locator("table.findings:not(.apart) tr.finding").count()
        seen["apart"] = page.locator("table.apart tr.finding").count()
        seen["pending"] = page.locator("figure.pending").count()
        seen["letters"] = page.locator("section.letter").count()
        page.screenshot(path=str(screenshot), full_page=True)
    return seen


def test_report_opens_cleanly_in_chromium(sandbox_store: Store, tmp_path: Path) -> None:
    need_chromium()
    report = build_report(sandbox_store, outreach=True)
    path = write_report(report, "html", tmp_path / default_filename(report, "html"))
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    # Playwright's sync API refuses a thread whose event loop runs (the reactor's): a worker
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        seen = pool.submit(_open, path, screenshot).result(timeout=90)
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["errors"] == []
    assert seen["requests"] == [path.as_uri()]  # self-contained: nothing else is fetched
    assert seen["title"].startswith("Copies lacking credit — ")
    # copies by site drawn; compliance has one day of checks: a sentence, no line yet
    assert len(seen["svg_widths"]) == 1 and min(seen["svg_widths"]) > 300
    assert seen["pending"] == 1
    assert (seen["rows"], seen["apart"], seen["letters"]) == (4, 4, 2)  # the wire copies apart
    assert screenshot.stat().st_size > 20_000  # a real full-page picture
