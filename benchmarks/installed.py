"""How the benchmarks run the commands they time: as an installed Python runs them, on data of
their own."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["installed_env", "isolate"]


def isolate() -> None:
    """Take repostwatch's environment overrides (``ENV_OVERRIDES``: the config file, the
    database, the proxy, Redis, Dask, secrets) out of this process's environment, and so out of
    every process it starts: a benchmark works on a store, a web and services of its own, and a
    ``REPOSTWATCH_DATABASE_URL`` set for real work would have its crawls record into that
    database (a crawl's pipeline and spider read the config again, with the environment)."""
    # Imported here, not above: judging.py's passes import this module before they put
    # another revision's packages on the path.
    from repostwatch.config import ENV_OVERRIDES

    for name in ENV_OVERRIDES:
        os.environ.pop(name, None)


def installed_env(pycache: Path) -> dict[str, str]:
    """This process's environment with bytecode cached, without repostwatch's overrides
    (``isolate``). A machine with PYTHONDONTWRITEBYTECODE=1 (this sandbox) would have every
    process compile the project's ~140 modules from source (~60-80 ms of a cold ``check``, more
    in each crawl and judging process); the cache goes to ``pycache`` (PYTHONPYCACHEPREFIX),
    not into the source tree."""
    from repostwatch.config import ENV_OVERRIDES

    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONDONTWRITEBYTECODE" and k not in ENV_OVERRIDES}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env
