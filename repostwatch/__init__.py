"""repostwatch: find copies of a publisher's articles on the web and check that they credit it.

The application package (../shared/ARCHITECTURE.md): ``config`` and ``errors`` at the bottom,
``store`` above them, the shell (``cli``, ``cycle``, ``schedule``, ``demo``) at the top. This
file holds only the version, so that importing ``repostwatch.config`` loads nothing else; the
version is read from the installed metadata when asked for (reading it costs ~20 ms, which
every command and every judging process would otherwise pay at start).
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("repostwatch")
    except PackageNotFoundError:  # a checkout that was never installed
        return "0+unknown"
