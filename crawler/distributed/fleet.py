"""The fleet's shared state in Redis: leases, heartbeats, seeding and the end of a crawl.

scrapy-redis gives the shared queue (a sorted set of pickled requests) and duplicate filter;
it pops a request with no acknowledgement, so a worker killed mid-crawl would lose what it
had popped. Here every pop is a lease: one Lua script moves the request from the queue into
the worker's in-flight hash, and the worker deletes it (``ack``) once the response or error has
been handled completely (items stored, follow-up requests queued). Each worker refreshes a
heartbeat key with a TTL; a live worker hands the in-flight requests of a worker whose
heartbeat expired back to the queue (straight in: the duplicate filter has seen them).
Delivery is at least once: a request the dead worker had fetched but not finished is fetched
again.

Keys (``P`` = ``[distributed] key_prefix``, ``S`` = the spider's name), all under ``P:`` so
that one ACL pattern ``~P:*`` covers the fleet (the per-host gates are ``P:gate:HOST``,
``crawler.distributed.gate``):

    P:S:requests        sorted set   the queue (scrapy-redis PriorityQueue)
    P:S:dupefilter      set          request fingerprints seen (scrapy-redis)
    P:S:workers         set          worker ids that joined and have not left
    P:S:alive:ID        string       heartbeat, expires after heartbeat_ttl
    P:S:inflight:ID     hash         lease id -> "score|pickled request"
    P:S:lease           counter      lease ids
    P:S:seeder          string       the worker that queues the start requests
    P:S:seeded          string       set once they are all queued
    P:S:finished        string       set when the fleet found the crawl done
    P:S:site:H:seen     hash         per watched site: page -> the page that admitted it
    P:S:site:H:hosts    set          per watched site: its hosts
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["Fleet", "FleetKeys"]

logger = logging.getLogger(__name__)

_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, item[2] .. '|' .. item[1])
return {id, item[1]}
"""

# KEYS: duplicate filter, queue; ARGV: fingerprint ("" = not filtered), score, request.
# One script, so that a worker dying in between never leaves a request seen but not queued.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, inflight of the worker, workers, its heartbeat; ARGV: worker id, only_if_dead
_REQUEUE = """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 2, #entries, 2 do
  local v = entries[i]
  local sep = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, sep - 1)), string.sub(v, sep + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #entries / 2
"""

# KEYS: queue, workers, seeded, finished; ARGV: prefix of the in-flight hashes
_IDLE = """
if redis.call('EXISTS', KEYS[4]) == 1 then return 1 end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
end
return 1
"""

# KEYS: finished, workers; ARGV: key pattern of the crawl. A crawl that finished is wiped
# when a worker joins it, so the next start is a new crawl; a crawl whose workers were all
# killed is not (it is resumed: its in-flight requests are handed back by the reaper).
_JOIN = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  local cursor = '0'
  repeat
    local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
    cursor = page[1]
    for _, key in ipairs(page[2]) do redis.call('DEL', key) end
  until cursor == '0'
  return 1
end
return 0
"""


@dataclass(frozen=True)
class FleetKeys:
    """The Redis keys of one crawl (module docstring)."""

    prefix: str
    spider: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.spider}"

    @property
    def queue(self) -> str:
        return f"{self.base}:requests"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def lease(self) -> str:
        return f"{self.base}:lease"

    @property
    def seeder(self) -> str:
        return f"{self.base}:seeder"

    @property
    def seeded(self) -> str:
        return f"{self.base}:seeded"

    @property
    def finished(self) -> str:
        return f"{self.base}:finished"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def site(self, site_key: str, what: str) -> str:
        return f"{self.base}:site:{site_key}:{what}"



class Fleet:
    """One worker's view of the fleet: its id, its leases, its heartbeat."""

    def __init__(self, server: Any, keys: FleetKeys, *, heartbeat_ttl: float,
                 idle_grace: float) -> None:
        self.server = server
        self.keys = keys
        self.ttl_ms = max(1, int(heartbeat_ttl * 1000))
        self.idle_grace = idle_grace
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._requeue = server.register_script(_REQUEUE)
        self._idle = server.register_script(_IDLE)
        self._join = server.register_script(_JOIN)

    # -- joining and leaving ------------------------------------------------------------

    def join(self) -> bool:
        """Join the crawl (starting a new one if the last one finished); True when this
        worker is the one to queue the start requests."""
        k = self.keys
        self._join(keys=[k.finished, k.workers], args=[f"{k.base}:*"])
        self.server.sadd(k.workers, self.worker)
        self.beat()
        return bool(self.server.set(k.seeder, self.worker, nx=True))

    def seeded(self) -> None:
        """The start requests are all queued: from now on the fleet may find itself idle."""
        self.server.set(self.keys.seeded, self.worker)

    def leave(self) -> int:
        """Leave the crawl; requests still leased (a stop before the end) go back to the
        queue for the others. Returns how many."""
        k = self.keys
        handed = int(self._requeue(keys=[k.queue, k.inflight(self.worker), k.workers,
                                         k.alive(self.worker)], args=[self.worker, "0"]))
        self.server.delete(k.alive(self.worker))
        self._seeding_over(self.worker)
        return handed

    def _seeding_over(self, worker: str) -> None:
        """``worker`` is gone: if it was to queue the start pages and did not say it was done,
        what it queued is all there is, and the fleet must still be able to end."""
        k = self.keys
        if not self.server.exists(k.seeded) and self.server.get(k.seeder) in (
                worker, worker.encode()):
            logger.warning("the worker that queued the start pages left before it was done: "
                           "some start pages may be missing from this crawl")
            self.server.set(k.seeded, worker)

    def beat(self) -> None:
        self.server.set(self.keys.alive(self.worker), "1", px=self.ttl_ms)

    def reap(self) -> int:
        """Hand the in-flight requests of dead workers back to the queue; how many."""
        k = self.keys
        handed = 0
        for raw in self.server.smembers(k.workers):
            other = raw.decode() if isinstance(raw, bytes) else str(raw)
            if other == self.worker:
                continue
            n = int(self._requeue(keys=[k.queue, k.inflight(other), k.workers, k.alive(other)],
                                  args=[other, "1"]))
            handed += max(n, 0)
            if n >= 0:
                self._release_gates(other)
                self._seeding_over(other)
        return handed

    def _release_gates(self, worker: str) -> None:
        """Let go of the per-host gates (crawler.distributed.gate) a dead worker held: the
        lock of a host with a delay, its places among a host's holders."""
        mine = f"{worker}|".encode()
        for key in self.server.scan_iter(f"{self.keys.prefix}:gate:*", count=1000):
            kind = self.server.type(key)
            if kind == b"string" and (self.server.get(key) or b"").startswith(b"held:" + mine):
                self.server.delete(key)
            elif kind == b"zset":
                gone = [m for m in self.server.zrange(key, 0, -1) if m.startswith(mine)]
                if gone:
                    self.server.zrem(key, *gone)

    # -- leases -------------------------------------------------------------------------

    def pop(self) -> tuple[str, bytes] | None:
        """Lease the first request of the queue: (lease id, its serialized request)."""
        k = self.keys
        got = self._pop(keys=[k.queue, k.inflight(self.worker), k.lease])
        if not got:
            return None
        lease, data = got
        return (lease.decode() if isinstance(lease, bytes) else str(lease)), data

    def push(self, dupefilter: str, queue: str, fingerprint: str, score: float,
             data: bytes) -> bool:
        """Queue a serialized request unless its fingerprint was seen ("" = always);
        whether it was queued."""
        return bool(self._push(keys=[dupefilter, queue], args=[fingerprint, score, data]))

    def ack(self, lease: str) -> None:
        self.server.hdel(self.keys.inflight(self.worker), lease)

    def leased(self) -> int:
        return int(self.server.hlen(self.keys.inflight(self.worker)))

    # -- the end ------------------------------------------------------------------------

    def idle(self) -> bool:
        """Whether the whole fleet is idle now: the start requests were all queued, the queue is
        empty and no worker holds a lease (read in one atomic script), or the crawl was
        already found finished."""
        k = self.keys
        return bool(self._idle(keys=[k.queue, k.workers, k.seeded, k.finished],
                               args=[f"{k.base}:inflight:"]))

    def finish(self) -> None:
        self.server.set(self.keys.finished, self.worker)

    def finished(self) -> bool:
        return bool(self.server.exists(self.keys.finished))

    def live_workers(self) -> int:
        k = self.keys
        members = [m.decode() if isinstance(m, bytes) else str(m)
                   for m in self.server.smembers(k.workers)]
        return sum(bool(self.server.exists(k.alive(m))) for m in members)
