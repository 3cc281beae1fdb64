"""Sign-in state the review UI keeps on the server: who is signed in, and who keeps failing.

- ``Sessions``: a browser's session is a random id in its cookie; the server holds the id's
  actor and expiry. Signing out deletes it here, so the cookie is worth nothing from then on,
  even if it was copied; a restart signs everyone out (nothing is written to disk).
- ``SignInGuard``: failed sign-ins (a wrong token at ``/login`` or in ``Authorization:
  Bearer``) counted per client address; ``SIGN_IN_FAILURES`` of them within
  ``SIGN_IN_WINDOW_SECONDS`` lock that address out until the oldest leaves the window, the
  right token included (else guessing would simply go on). Behind a reverse proxy every
  client shares the proxy's address: a lockout then holds for all of them.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["SESSION_HOURS", "SIGN_IN_FAILURES", "SIGN_IN_WINDOW_SECONDS", "Sessions",
           "SignInGuard"]

SESSION_HOURS = 12
"""How long a browser stays signed in (hours) unless it signs out."""
SIGN_IN_FAILURES = 10
"""Failed sign-ins from one address that lock it out (count)..."""
SIGN_IN_WINDOW_SECONDS = 15 * 60.0
"""... within this window (seconds), for the rest of the window."""
_MAX_ADDRESSES = 10_000  # addresses remembered at most: the oldest are forgotten first

Clock = Callable[[], float]


class Sessions:
    """Live browser sessions: id → (actor, expiry). ``clock`` is ``time.time`` (tests pass
    their own)."""

    def __init__(self, *, clock: Clock = time.time) -> None:
        self._clock = clock
        self._live: dict[str, tuple[str, float]] = {}

    def start(self, actor: str) -> str:
        """A new session of ``actor``; its id (for the cookie)."""
        now = self._clock()
        self._live = {k: v for k, v in self._live.items() if v[1] > now}  # drop expired ones
        session_id = secrets.token_urlsafe(32)
        self._live[session_id] = (actor, now + SESSION_HOURS * 3600)
        return session_id

    def actor(self, session_id: str | None) -> str | None:
        """The actor of a live session, or None (unknown, ended or expired)."""
        entry = self._live.get(session_id or "")
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def end(self, session_id: str | None) -> None:
        """Sign out: the session is gone whoever holds its cookie."""
        self._live.pop(session_id or "", None)


class SignInGuard:
    """Failed sign-ins per client address (module docstring). ``clock``: ``time.monotonic``
    (tests pass their own)."""

    def __init__(self, *, clock: Clock = time.monotonic, failures: int = SIGN_IN_FAILURES,
                 window: float = SIGN_IN_WINDOW_SECONDS) -> None:
        self._clock = clock
        self._limit = failures
        self._window = window
        self._failed: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str) -> deque[float]:
        times = self._failed.get(address, deque())
        while times and times[0] <= self._clock() - self._window:
            times.popleft()
        return times

    def locked_for(self, address: str) -> float | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        times = self._recent(address)
        if len(times) < self._limit:
            return None
        return max(times[0] + self._window - self._clock(), 1.0)

    def failed(self, address: str) -> None:
        """Count a failed sign-in from ``address``."""
        times = self._recent(address)
        times.append(self._clock())
        self._failed[address] = times
        self._failed.move_to_end(address)
        while len(self._failed) > _MAX_ADDRESSES:
            self._failed.popitem(last=False)

    def succeeded(self, address: str) -> None:
        """A right token: the address starts over."""
        self._failed.pop(address, None)
