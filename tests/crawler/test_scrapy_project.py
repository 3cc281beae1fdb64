"""The Scrapy project face: ``scrapy list`` from the project root (``scrapy.cfg``) names every
spider, so ``scrapy crawl watch`` and Scrapyd find them where the layout put them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scrapy_list_from_the_project_root() -> None:
    done = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["originals", "recheck", "search", "watch"]
