"""repostwatch: find copies of a publisher's articles on the web and check that they credit it.

The application package (../shared/ARCHITECTURE.md): ``config`` and ``errors`` at the bottom,
``store`` above them, the shell (``cli``, ``cycle``, ``schedule``, ``demo``) at the top. This
file holds only the version, so that importing ``repostwatch.config`` loads nothing else.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("repostwatch")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
