"""What every handler of the review UI shares: the application keys, the page renderer and a
typed ``in_thread`` that runs a synchronous store call off the event loop.

Handlers (``views``, ``api``, ``actions``) import this module, and ``app`` imports them: the
keys live here so that no handler needs the application module (no import circle).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from ..build import utc
from ..labels import verdict_label
from ..links import http_url
from .security import ACTOR, AUTH, csrf_token
from .service import ReviewService

__all__ = ["PAGE_SIZE", "SERVICE", "in_thread", "render"]

SERVICE = web.AppKey("service", ReviewService)
PAGE_SIZE = web.AppKey("page_size", int)

_P = ParamSpec("_P")
_R = TypeVar("_R")


async def in_thread(func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``func(*args, **kwargs)`` in a worker thread (the store is synchronous), awaited."""
    return await asyncio.to_thread(func, *args, **kwargs)


def _when(moment: datetime | None) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


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
    env.globals.update(verdict_label=verdict_label)
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


