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


def test_scrapy_list_in_a_folder_made_by_init(tmp_path: Path) -> None:
    """After `pip install` there is no checkout and no scrapy.cfg of ours: `repostwatch init`
    writes one beside the config, and `scrapy list` works in that folder."""
    def scrapy_list() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=90, check=False)

    assert scrapy_list().returncode != 0  # no project here yet
    done = subprocess.run([sys.executable, "-m", "repostwatch", "init"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    assert "scrapy.cfg" in done.stderr
    done = scrapy_list()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["originals", "recheck", "search", "watch"]
    (tmp_path / "scrapy.cfg").write_text("# mine\n[settings]\ndefault = crawler.settings\n")
    subprocess.run([sys.executable, "-m", "repostwatch", "init", "--force"], cwd=tmp_path,
                   capture_output=True, timeout=90, check=True)
    assert (tmp_path / "scrapy.cfg").read_text().startswith("# mine")  # never overwritten
