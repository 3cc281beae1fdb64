"""Errors of the application shell, each with the exit code the CLI returns for it.

    RepostwatchError          base: a message naming the problem and a hint naming the fix
    ├── UsageError            2  bad arguments or input files
    ├── ConfigError           2  missing, unreadable or invalid configuration
    ├── FetchError            3  a page could not be fetched (carries the URL)
    ├── CrawlError            3  a crawl ended with errors
    └── StoreError            4  the database cannot be opened, migrated or written

Exit code 1 is not an error: ``check`` returns it when a copy lacks credit. 130 = interrupted
(Ctrl-C: ``KeyboardInterrupt``, or ``Interrupted`` when a crawl says how it stopped).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigError",
    "CrawlError",
    "FetchError",
    "Interrupted",
    "RepostwatchError",
    "StoreError",
    "UsageError",
]


class RepostwatchError(Exception):
    """Base error: ``str(err)`` is one line naming the problem; ``hint`` says what to do."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(RepostwatchError):
    exit_code = 2


class ConfigError(RepostwatchError):
    exit_code = 2


class FetchError(RepostwatchError):
    exit_code = 3

    def __init__(self, message: str, *, url: str, hint: str = "",
                 status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status  # the HTTP status when the server answered >= 400


class CrawlError(RepostwatchError):
    exit_code = 3


class StoreError(RepostwatchError):
    exit_code = 4


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a crawl: ``at_once`` when a second Ctrl-C stopped it without the graceful
    end (its Scrapy queue was not saved: it cannot be resumed). ``advice`` is what the CLI
    adds to its message (what is true about continuing), set by the command that knows.
    ``results``: what the crawls of the command gave before it stopped (``crawler.runner``'s
    ``CrawlResult``s; the stopped crawl's last when it stopped gracefully), for its summary."""

    def __init__(self, *, at_once: bool, advice: str = "",
                 results: Sequence[Any] = ()) -> None:
        super().__init__()
        self.at_once = at_once
        self.advice = advice
        self.results = list(results)

    @property
    def problem(self) -> str:
        """What a run summary's ``error`` says of it."""
        return ("stopped at once (a second Ctrl-C or SIGTERM)" if self.at_once
                else "interrupted (Ctrl-C or SIGTERM): what was in flight was finished")
