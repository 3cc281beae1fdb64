"""How the benchmarks run the commands they time: as an installed Python runs them."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["installed_env"]


def installed_env(pycache: Path) -> dict[str, str]:
    """This process's environment with bytecode cached. A machine with
    PYTHONDONTWRITEBYTECODE=1 (this sandbox) would have every process compile the project's
    ~140 modules from source (~60-80 ms of a cold ``check``, more in each crawl and judging
    process); the cache goes to ``pycache`` (PYTHONPYCACHEPREFIX), not into the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env
