"""The watch spider's per-site state shared by the fleet: pages admitted and the site's hosts.

Alone, ``WatchSpider`` keeps which pages of a site it scheduled (for ``max_pages``) and which
hosts belong to the site (its start page may redirect to ``www.``) in memory. In a fleet the
page that a worker follows links from was often scheduled by another, so both live in Redis:
``max_pages`` counts the pages admitted by the whole fleet (one atomic script: seen, full, or
added), and a host learnt by one worker is known to all. ``max_depth`` needs nothing: a
request's depth travels with it in the shared queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ..config import WatchSite
from .fleet import FleetKeys

__all__ = ["SharedHosts", "share_site"]

_ADMIT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""


def _site_key(spec: WatchSite) -> str:
    return hashlib.sha256(spec.url.encode()).hexdigest()[:16]


class SharedHosts:
    """A site's hosts: a Redis set, with the hosts already known kept locally."""

    def __init__(self, server: Any, key: str, initial: set[str]) -> None:
        self._server = server
        self._key = key
        self._known = set(initial)
        if initial:
            server.sadd(key, *initial)

    def add(self, host: str) -> None:
        if host not in self._known:
            self._server.sadd(self._key, host)
            self._known.add(host)

    def __contains__(self, host: object) -> bool:
        if host in self._known:
            return True
        if isinstance(host, str) and self._server.sismember(self._key, host):
            self._known.add(host)  # hosts are only ever added
            return True
        return False


def share_site(server: Any, keys: FleetKeys, spec: WatchSite,
               hosts: set[str]) -> tuple[Callable[[str], str], SharedHosts]:
    """For one watched site: ``admit(canonical_url) -> "new" | "seen" | "cap"`` over the
    fleet's set of the site's admitted pages, and the site's ``SharedHosts``."""
    script = server.register_script(_ADMIT)
    site = _site_key(spec)
    seen_key = keys.site(site, "seen")

    def admit(url_key: str) -> str:
        got = int(script(keys=[seen_key], args=[url_key, spec.max_pages]))
        return "new" if got == 1 else "seen" if got == 0 else "cap"

    return admit, SharedHosts(server, keys.site(site, "hosts"), hosts)
