"""Another revision's code, for the benchmarks that time "before" against this tree."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

__all__ = ["ROOT", "extract", "is_revision", "refused"]

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
