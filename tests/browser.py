"""Headless Chromium for the browser tests: Debian's ``/usr/bin/chromium`` (override:
``REPOSTWATCH_CHROMIUM``) driven by Playwright's ``executable_path`` — never
``playwright install``, nothing is downloaded. Screenshots go to ``test-artifacts/``
(override: ``REPOSTWATCH_ARTIFACTS``; git-ignored).

``launch_chromium()`` skips the test with the reason when Chromium or Playwright is missing,
and fails it instead under ``REPOSTWATCH_REQUIRE_SERVICES=1`` (CI, whose ``.ci/run`` installs
chromium when missing).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES

__all__ = ["ARTIFACTS", "CHROMIUM", "launch_chromium", "need_chromium"]

CHROMIUM = os.environ.get("REPOSTWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("REPOSTWATCH_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / "test-artifacts"))


def need_chromium() -> None:
    """Skip (or, on CI, fail) unless Chromium and Playwright are both here."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        reason = f"playwright is not installed ({exc}; pip install playwright, no browser download)"
    if reason is None and not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if reason is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"the browser test is required (REPOSTWATCH_REQUIRE_SERVICES=1): {reason}")
        pytest.skip(reason)


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's sync API); closed on the way out.

    Call it outside any running asyncio loop (Playwright's sync API starts its own): tests on
    the asyncio reactor run it in a worker thread.
    """
    need_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
