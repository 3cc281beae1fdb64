"""The HTML pages: the findings list, a finding, sites, reports, sign-in. Reads are GET; the
forms POST to ``/findings/{id}/{kind}`` and land back on the finding (303)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from matcher import WIRES

from .. import formats
from ..build import APART_WHY
from .actions import KINDS, perform
from .context import PAGE_SIZE, SERVICE, in_thread, render
from .security import (
    AUTH,
    SAVED_PAGE_CSP,
    sign_in,
    sign_in_failed,
    sign_in_refused,
    sign_out,
)
from .service import parse_query

__all__ = ["add_routes"]


def _id(request: web.Request, key: str = "id") -> int:
    return int(request.match_info[key])  # the routes take ASCII digits only


async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/findings")


async def findings(request: web.Request) -> web.Response:
    query = parse_query(request.query, page_size=request.app[PAGE_SIZE])
    view = await in_thread(request.app[SERVICE].findings, query)
    return render(request, "findings.html.j2", view=view, params=dict(request.query))


async def finding(request: web.Request) -> web.Response:
    view = await in_thread(request.app[SERVICE].finding, _id(request))
    return render(request, "finding.html.j2", view=view, kinds=KINDS, apart_why=APART_WHY,
                  wire_names=[w.name for w in WIRES])


async def saved_page(request: web.Request) -> web.Response:
    """A kept version of the page as it was fetched, in a sandbox: no script, no network."""
    body, encoding = await in_thread(request.app[SERVICE].saved_page, _id(request),
                                     _id(request, "version"))
    response = web.Response(body=body, content_type="text/html", charset=encoding)
    response.headers["Content-Security-Policy"] = SAVED_PAGE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


async def act(request: web.Request) -> web.StreamResponse:
    fields = await request.post()
    await perform(request, _id(request), request.match_info["kind"], fields)
    raise web.HTTPSeeOther(f"/findings/{_id(request)}")


async def sites(request: web.Request) -> web.Response:
    summaries = await in_thread(request.app[SERVICE].sites)
    return render(request, "sites.html.j2", sites=summaries)


async def site(request: web.Request) -> web.Response:
    name = request.match_info["site"]
    service = request.app[SERVICE]
    if "\x00" in name:  # no site is named so, and PostgreSQL refuses to compare it
        raise web.HTTPNotFound(text="no such site")
    summary = await in_thread(service.site, name)
    if summary is None:
        raise web.HTTPNotFound(text=f"no copies found on {name}")
    query = parse_query({"site": name}, page_size=request.app[PAGE_SIZE])
    view = await in_thread(service.findings, query)
    return render(request, "site.html.j2", summary=summary, view=view)


async def reports(request: web.Request) -> web.Response:
    view = await in_thread(request.app[SERVICE].findings, parse_query({}, page_size=1))
    return render(request, "reports.html.j2", counts=view.counts, total=view.total,
                  formats=list(formats.FORMATS.values()))


async def download(request: web.Request) -> web.Response:
    """The report in one of ``reports.formats.NAMES`` as a file (``publication``, ``since``)."""
    fmt = formats.FORMATS.get(request.query.get("format", "html"))
    if fmt is None:
        raise web.HTTPBadRequest(text=f"format must be one of {', '.join(formats.NAMES)}")
    query = parse_query(request.query, page_size=1)
    report = await in_thread(request.app[SERVICE].report, publication=query.publication,
                             since=query.since)
    response = web.Response(text=fmt.render(report), content_type=fmt.media_type)
    name = formats.default_filename(report, fmt.name)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{quote(name)}\""
    if fmt.name == "html":  # the report's own policy (inline style), opened as a file
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'none'")
    return response


def _next(value: str | None) -> str:
    """Where to go after sign-in: a path on this server only. A path arrives percent-encoded,
    so any whitespace, control character or backslash is refused: browsers (and yarl, which
    writes the Location header) drop tabs and newlines, and "/\\t/evil" would become "//evil"."""
    if (value and value.startswith("/") and not value.startswith("//")
            and not any(c.isspace() or not c.isprintable() or c == "\\" for c in value)):
        return value
    return "/findings"


async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html.j2", next=_next(request.query.get("next")), failed=False)


async def login(request: web.Request) -> web.StreamResponse:
    refused = sign_in_refused(request)
    if refused is not None:
        return refused
    form = await request.post()
    actor = request.app[AUTH].actor_for(str(form.get("token") or ""))
    target = _next(str(form.get("next") or ""))
    if actor is None:
        sign_in_failed(request)
        return render(request, "login.html.j2", status=403, next=target, failed=True)
    response = web.HTTPSeeOther(target)
    sign_in(response, request, actor)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther("/login")
    sign_out(response, request)
    raise response


async def no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    kinds = "|".join(KINDS)
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/findings", findings)
    app.router.add_get(r"/findings/{id:[0-9]+}", finding)
    app.router.add_get(r"/findings/{id:[0-9]+}/versions/{version:[0-9]+}", saved_page)
    app.router.add_post(rf"/findings/{{id:[0-9]+}}/{{kind:{kinds}}}", act)
    app.router.add_get("/sites", sites)
    app.router.add_get("/sites/{site}", site)
    app.router.add_get("/reports", reports)
    app.router.add_get("/reports/download", download)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)


