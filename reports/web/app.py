"""The review UI's aiohttp application: routes, templates, error pages, and ``serve``.

Routes (docs/review.md): HTML pages under ``/findings``, ``/sites``, ``/reports``, sign-in at
``/login``; the JSON API under ``/api/``. Every state change is a POST (``views.act`` and
``api.act`` both hand it to ``actions.perform``); GET never changes anything.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from crawler.config import Config
from crawler.errors import UsageError
from crawler.store import Store
from crawler.store.reviews import FindingNotFound, ReviewError

from ..build import utc
from ..links import http_url
from .security import (
    ACTOR,
    AUTH,
    SIGNER,
    Auth,
    Signer,
    check_bind,
    csrf_token,
    security_middlewares,
)
from .service import ReviewService

__all__ = ["SERVICE", "create_app", "render", "serve"]

SERVICE = web.AppKey("service", ReviewService)
PAGE_SIZE = web.AppKey("page_size", int)
_STATIC = Path(__file__).resolve().parent / "static"


def _when(moment: datetime | None) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _percent(share: float) -> str:
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def _query(params: Any, **changes: Any) -> str:
    """``?...`` of ``params`` with ``changes`` (None removes a key); the page cursor is dropped
    unless given, since any other change starts the list over."""
    merged = {k: v for k, v in params.items() if v not in ("", None) and k != "after"}
    for key, value in changes.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(when=_when, percent=_percent)
    env.globals.update(http_url=http_url, query=_query)
    return env


def render(request: web.Request, template: str, *, status: int = 200,
           **context: Any) -> web.Response:
    """A page from ``template`` (autoescaped: crawled text is never markup) with the actor and
    this request's CSRF token."""
    html = _environment().get_template(template).render(
        actor=request.get(ACTOR, ""), csrf=csrf_token(request),
        signed_in=request.app[AUTH].required, **context)
    return web.Response(text=html, content_type="text/html", status=status)


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Review errors as 400 / 404 pages or JSON ``{"error": ...}``."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except ReviewError as exc:
        status = 404 if isinstance(exc, FindingNotFound) else 400
        if request.path.startswith("/api/"):
            return web.json_response({"error": str(exc)}, status=status)
        return render(request, "error.html.j2", status=status, message=str(exc))


def create_app(store: Store, config: Config, *, auth: Auth,
               signer: Signer | None = None) -> web.Application:
    """The application over ``store``; the caller owns the store (and closes it)."""
    from . import api, views

    app = web.Application(middlewares=[*security_middlewares(), _errors],
                          client_max_size=64 * 1024)
    app[SERVICE] = service = ReviewService(store, config)

    async def close_service(_: web.Application) -> None:
        service.close()

    app.on_cleanup.append(close_service)
    app[AUTH] = auth
    app[SIGNER] = signer or Signer()
    app[PAGE_SIZE] = config.review.page_size
    views.add_routes(app)
    api.add_routes(app)
    app.router.add_static("/static/", _STATIC, show_index=False, follow_symlinks=False)
    return app


def serve(config: Config, *, host: str, port: int, token: str = "") -> None:
    """Serve the review UI until Ctrl-C. ``UsageError`` (exit 2) when ``host`` is not loopback
    and no token or user is configured; ``StoreError`` (exit 4) when the store cannot open."""
    auth = Auth.from_config(token or config.review.token, config.review.users)
    check_bind(host, auth)
    store = Store.open(config.database_url)
    try:
        store.ensure_publications(config.rules.values())
        app = create_app(store, config, auth=auth)
        where = f"[{host}]" if ":" in host else host
        mode = "sign-in required" if auth.required else "no sign-in: this machine only"

        def ready(_: str) -> None:  # called once listening
            print(f"review UI on http://{where}:{port}/ ({mode}; Ctrl-C to stop)",
                  file=sys.stderr)

        try:
            web.run_app(app, host=host, port=port, print=ready, access_log=None,
                        shutdown_timeout=5, handle_signals=True)
        except OSError as exc:
            raise UsageError(f"cannot listen on {where}:{port}: {exc.strerror or exc}",
                             hint="choose another --port, or stop what uses it") from exc
    finally:
        store.close()


async def in_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store call off the event loop (the store is synchronous)."""
    return await asyncio.to_thread(func, *args, **kwargs)
