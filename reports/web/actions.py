"""The UI's state changes, one function for the HTML forms and the JSON API alike.

``perform(request, finding_id, kind, fields)``: ``kind`` is ``review`` (``fields["action"]``:
confirm, false_positive, contacted, resolved, reopen; ``fields["note"]``), ``allow-site``
(``note``), ``recheck``, or ``source`` (``fields["source"]``: ``own``, ``auto`` or a wire's
name: where the finding's original comes from). The actor is the signed-in one
(``security``); every change lands in the finding's audit trail. Raises ``ReviewError`` for
a bad request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from typing import Any

from aiohttp import web

from repostwatch.store.reviews import ReviewError

from .context import SERVICE, in_thread
from .security import ACTOR

__all__ = ["KINDS", "perform"]

KINDS = ("review", "allow-site", "recheck", "source")


async def perform(request: web.Request, finding_id: int, kind: str,
                  fields: Mapping[str, Any]) -> dict[str, Any]:
    """Do one action; returns what it did: ``event`` (the trail entry) and, for
    ``allow-site``, ``changed`` (how many findings of the site turned ``allowed``)."""
    service = request.app[SERVICE]
    actor = request[ACTOR]
    note = str(fields.get("note") or "")
    if kind == "review":
        event = await in_thread(service.review, finding_id, str(fields.get("action") or ""),
                                note=note, actor=actor)
        return {"event": event}
    if kind == "allow-site":
        changed = await in_thread(service.allow_site, finding_id, note=note, actor=actor)
        return {"changed": changed}
    if kind == "recheck":  # a fetch: in threads of its own, so that pages never wait for it
        run = partial(service.recheck, finding_id, actor=actor)
        return {"event": await asyncio.get_running_loop().run_in_executor(service.rechecks, run)}
    if kind == "source":
        return {"event": await in_thread(service.set_source, finding_id,
                                         str(fields.get("source") or ""), note=note,
                                         actor=actor)}
    raise ReviewError(f"unknown action {kind!r}", hint=f"use one of {', '.join(KINDS)}")
