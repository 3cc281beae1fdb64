"""The JSON API (docs/review.md): the same service and the same ``actions.perform`` as the HTML
pages. Findings are the report's ``FINDING_FIELDS`` plus ``id``; errors are
``{"error": "..."}`` with 400, 401, 403 or 404."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from repostwatch.store import FindingRecord
from repostwatch.store.reviews import ReviewError, ReviewEvent

from ..build import finding_fields, iso
from .actions import KINDS, perform
from .context import PAGE_SIZE, SERVICE, in_thread
from .security import ACTOR, csrf_token
from .service import parse_query

__all__ = ["add_routes", "finding_json"]


def finding_json(f: FindingRecord) -> dict[str, Any]:
    return {"id": f.id, "original_id": f.original_id, **finding_fields(f)}


def _event(e: ReviewEvent) -> dict[str, Any]:
    return {**asdict(e), "at": iso(e.at)}


async def findings(request: web.Request) -> web.Response:
    query = parse_query(request.query, page_size=request.app[PAGE_SIZE])
    view = await in_thread(request.app[SERVICE].findings, query)
    return web.json_response({
        "findings": [finding_json(f) for f in view.page.rows],
        "next": view.page.next.encode() if view.page.next else None,
        "total": view.total,
        "counts": {k: v for k, v in view.counts.items() if k != "total"},
    })


async def finding(request: web.Request) -> web.Response:
    view = await in_thread(request.app[SERVICE].finding, int(request.match_info["id"]))
    d = view.detail
    return web.json_response({
        **finding_json(d.record),
        "evidence": d.record.evidence,
        "history": [{**asdict(c), "checked_at": iso(c.checked_at)} for c in d.record.history],
        "events": [_event(e) for e in d.events],
        "passages": [{"number": n, "words": w, "similarity": s}
                     for n, w, s in view.passages.passages],
        "versions": [{"id": v.id, "fetched_at": iso(v.fetched_at),
                      "last_seen_at": iso(v.last_seen_at), "status": v.status, "size": v.size}
                     for v in d.versions],
        "site_allowed": d.site_allowed,
    })


async def act(request: web.Request) -> web.Response:
    try:
        fields = await request.json() if request.can_read_body else {}
    except ValueError:
        raise ReviewError("the body must be a JSON object") from None
    if not isinstance(fields, dict):
        raise ReviewError("the body must be a JSON object")
    finding_id = int(request.match_info["id"])
    done = await perform(request, finding_id, request.match_info["kind"], fields)
    view = await in_thread(request.app[SERVICE].finding, finding_id)
    out: dict[str, Any] = {"finding": finding_json(view.record)}
    if "event" in done:
        out["event"] = _event(done["event"])
    if "changed" in done:
        out["changed"] = done["changed"]
    return web.json_response(out)


async def sites(request: web.Request) -> web.Response:
    summaries = await in_thread(request.app[SERVICE].sites)
    return web.json_response({"sites": [
        {**asdict(s), "first_seen": iso(s.first_seen), "last_seen": iso(s.last_seen)}
        for s in summaries]})


async def session(request: web.Request) -> web.Response:
    """Who is signed in, and the CSRF token for cookie-authenticated POSTs."""
    return web.json_response({"actor": request[ACTOR], "csrf_token": csrf_token(request)})


def add_routes(app: web.Application) -> None:
    kinds = "|".join(KINDS)
    app.router.add_get("/api/findings", findings)
    app.router.add_get(r"/api/findings/{id:[0-9]+}", finding)
    app.router.add_post(rf"/api/findings/{{id:[0-9]+}}/{{kind:{kinds}}}", act)
    app.router.add_get("/api/sites", sites)
    app.router.add_get("/api/session", session)
