"""Another revision's code, for the benchmarks that time "before" against this tree."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

__all__ = ["ROOT", "extract", "is_revision", "merge_base", "refused", "short"]

ROOT = Path(__file__).resolve().parent.parent


def is_revision(rev: str) -> bool:
    """Whether ``rev`` names a commit of this repository (a hash, tag, branch, ``HEAD~2``)."""
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          cwd=ROOT, capture_output=True, check=False).returncode == 0


def refused(rev: str | None) -> str | None:
    """Why ``--before rev`` cannot be measured (a message for the user), or None."""
    if rev is None or is_revision(rev):
        return None
    return f"--before {rev}: not a revision of this repository (give a commit, tag or branch)"


def extract(rev: str, paths: tuple[str, ...], folder: Path) -> None:
    """The files under ``paths`` as they were at ``rev``, written into ``folder``."""
    data = subprocess.run(["git", "archive", rev, *paths], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")


def merge_base() -> str:
    """The merge base with main (or origin/main); HEAD when neither is known (a CI checkout).
    On main itself that is HEAD: "before" is then the last commit, and the uncommitted changes
    are what is measured (none: the same code twice, and the ratio shows the noise)."""
    for branch in ("main", "origin/main"):
        done = subprocess.run(["git", "merge-base", "HEAD", branch], cwd=ROOT, check=False,
                              capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.strip()
    return "HEAD"


def short(rev: str) -> str:
    """``rev``'s commit, abbreviated (a label: branch names can be long or change)."""
    done = subprocess.run(["git", "rev-parse", "--short=12", f"{rev}^{{commit}}"], cwd=ROOT,
                          check=False, capture_output=True, text=True)
    return done.stdout.strip() or rev
