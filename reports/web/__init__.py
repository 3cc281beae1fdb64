"""The review web UI: editors triage findings in the browser (``repostwatch serve``).

    app = create_app(store, config, auth=Auth(token="..."))   # an aiohttp Application
    serve(config, host="127.0.0.1", port=8080)                # until Ctrl-C

Pages and the JSON API share one service (``service.ReviewService``) and one action function
(``actions.perform``); the safety rules are in ``security``. docs/review.md documents the
routes, sign-in, CSRF and ``serve``'s exit codes.
"""

from __future__ import annotations

from .app import create_app, serve
from .security import Auth, check_bind

__all__ = ["Auth", "check_bind", "create_app", "serve"]
