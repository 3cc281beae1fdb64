"""The watch spider's per-site state shared by the fleet: pages admitted and the site's hosts.

Alone, ``WatchSpider`` keeps which pages of a site it scheduled (for ``max_pages``) and which
hosts belong to the site (its start page may redirect to ``www.``) in memory. In a fleet the
page that a worker follows links from was often scheduled by another, so both live in Redis:
``max_pages`` counts the pages admitted by the whole fleet (one atomic script per page's links:
seen, full, or added), and a host learnt by one worker is known to all. ``max_depth`` needs
nothing: a request's depth travels with it in the shared queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from repostwatch.config import WatchSite

from .fleet import FleetKeys

__all__ = ["SharedHosts", "share_site"]

# KEYS: the site's admitted pages (hash: page -> the page whose links admitted it);
# ARGV: parent, cap, then the pages. 1 new, 0 seen, -1 over the cap, for each page.
_ADMIT = """
local out = {}
for i = 3, #ARGV do
  local by = redis.call('HGET', KEYS[1], ARGV[i])
  if by then
    out[#out + 1] = (by == ARGV[1]) and 1 or 0
  elseif redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then
    out[#out + 1] = -1
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
    out[#out + 1] = 1
  end
end
return out
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
               hosts: set[str]) -> tuple[Callable[[list[str], str], list[str]], SharedHosts]:
    """For one watched site: ``admit(canonical_urls, parent) -> ["new" | "seen" | "cap"]``
    over the fleet's admitted pages of the site, and the site's ``SharedHosts``.

    A page admitted from the same parent again counts as new: that parent is being handled a
    second time because the worker that handled it first died, maybe before it queued the
    links it had admitted (the duplicate filter drops those it did queue)."""
    script = server.register_script(_ADMIT)
    site = _site_key(spec)
    seen_key = keys.site(site, "seen")
    verdicts = {1: "new", 0: "seen", -1: "cap"}

    def admit(url_keys: list[str], parent: str) -> list[str]:
        if not url_keys:
            return []
        got = script(keys=[seen_key], args=[parent, spec.max_pages, *url_keys])
        return [verdicts[int(v)] for v in got]

    return admit, SharedHosts(server, keys.site(site, "hosts"), hosts)
