"""The review UI's aiohttp application: routes, error pages, and ``serve``.

Routes (docs/review.md): HTML pages under ``/findings``, ``/sites``, ``/reports``, sign-in at
``/login``; the JSON API under ``/api/``. Every state change is a POST (``views.act`` and
``api.act`` both hand it to ``actions.perform``); GET never changes anything. "Re-check now"
fetches a page: the UI does not fetch, so the shell hands that in as ``recheck``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from repostwatch.config import Config
from repostwatch.errors import UsageError
from repostwatch.store import Store
from repostwatch.store.reviews import FindingNotFound, ReviewError

from . import api, views
from .context import PAGE_SIZE, SERVICE, render
from .security import (
    AUTH,
    GUARD,
    SESSIONS,
    SIGNER,
    Auth,
    Signer,
    check_bind,
    security_middlewares,
)
from .service import Recheck, ReviewService
from .signin import Sessions, SignInGuard

__all__ = ["create_app", "serve"]

_STATIC = Path(__file__).resolve().parent / "static"


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


def create_app(store: Store, config: Config, *, auth: Auth, signer: Signer | None = None,
               recheck: Recheck | None = None, sessions: Sessions | None = None,
               guard: SignInGuard | None = None) -> web.Application:
    """The application over ``store``; the caller owns the store (and closes it).

    ``recheck(page_url)`` fetches, judges and records one page now (the shell's
    ``check --save``); without it "re-check now" answers that it is not available here.
    ``sessions`` and ``guard``: the sign-in state (tests hand in their own clocks).
    """
    app = web.Application(middlewares=[*security_middlewares(), _errors],
                          client_max_size=64 * 1024)
    app[SERVICE] = service = ReviewService(store, config, recheck=recheck)

    async def close_service(_: web.Application) -> None:
        service.close()

    app.on_cleanup.append(close_service)
    app[AUTH] = auth
    app[SIGNER] = signer or Signer()
    app[SESSIONS] = sessions or Sessions()
    app[GUARD] = guard or SignInGuard()
    app[PAGE_SIZE] = config.review.page_size
    views.add_routes(app)
    api.add_routes(app)
    app.router.add_static("/static/", _STATIC, show_index=False, follow_symlinks=False)
    return app


def serve(config: Config, *, host: str, port: int, token: str = "",
          recheck: Callable[[Store], Recheck] | None = None) -> None:
    """Serve the review UI until Ctrl-C. ``UsageError`` (exit 2) when ``host`` is not loopback
    and no token or user is configured; ``StoreError`` (exit 4) when the store cannot open.
    ``recheck(store)`` makes the "re-check now" callable over the opened store."""
    auth = Auth.from_config(token or config.review.token, config.review.users)
    check_bind(host, auth)
    with Store.open(config.database_url) as store:
        store.ensure_publications(config.rules.values())
        app = create_app(store, config, auth=auth,
                         recheck=recheck(store) if recheck is not None else None)
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

