"""The review UI's safety: who may use it, forged requests, and what the browser may do.

- **Binding.** Loopback (127.0.0.1, ::1, localhost) by default. Any other address needs a
  token or a user list (``check_bind`` refuses to start otherwise: a ``UsageError``, exit 2).
- **Sign-in.** With a token (``[review] token`` / ``REPOSTWATCH_REVIEW_TOKEN`` / ``--token``) or
  users (``"name:sha256-of-token"``), browsers sign in once (``/login``) and get a session
  cookie (HttpOnly, SameSite=Strict, signed with a key made at start: a restart signs everyone
  out); API clients send ``Authorization: Bearer TOKEN`` on every request. On loopback without
  either, everyone who can reach the port is ``local``, and requests must name a loopback
  ``Host`` (a page on another site cannot reach the UI through DNS rebinding).
- **CSRF.** Every POST from a browser carries a token (form field ``csrf_token`` or header
  ``X-CSRF-Token``) that must equal an HMAC of the request's ``rw_csrf`` cookie and the signed-in
  actor: a forged request from another site has neither. A request whose ``Origin`` is not
  this server (``http`` or ``https``: a TLS proxy may stand in front) is refused too.
  Bearer-token requests are exempt (a browser never attaches that header by itself, and the
  UI sends no CORS headers).
- **Headers.** A strict Content-Security-Policy on every answer (no script at all, styles from
  this server only, frames only from this server, no framing by others), ``nosniff``,
  ``Referrer-Policy: same-origin`` (links out carry ``rel=noreferrer`` too). A page's saved
  HTML is served with ``CSP: sandbox`` and no network at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from repostwatch.errors import UsageError

__all__ = [
    "ACTOR",
    "AUTH",
    "CSP",
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "Auth",
    "check_bind",
    "csrf_token",
    "is_loopback",
    "security_middlewares",
]

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SAVED_PAGE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                  "frame-ancestors 'self'")
"""For a page's saved HTML: its own origin-less sandbox, no script, nothing fetched (its
images and style sheets would tell the copier who is looking), framed only by the UI."""

SESSION_COOKIE = "rw_session"
CSRF_COOKIE = "rw_csrf"
SESSION_HOURS = 12
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name to bind, or a ``Host`` header's name) is this
    machine only."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Auth:
    """Who may use the UI: a shared ``token`` (actor ``token``), ``users`` (name → SHA-256 hex
    of the user's token; actor: the name), or, with neither, anyone on loopback (``local``)."""

    token: str = ""
    users: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_config(cls, token: str, users: tuple[str, ...]) -> Auth:
        pairs = tuple((name, digest.lower()) for name, _, digest in
                      (u.partition(":") for u in users))
        return cls(token=token, users=pairs)

    @property
    def required(self) -> bool:
        return bool(self.token or self.users)

    def actor_for(self, presented: str) -> str | None:
        """The actor a presented token signs in as, or None (constant-time comparisons)."""
        if not presented:
            return None
        if self.token and hmac.compare_digest(presented.encode(), self.token.encode()):
            return "token"
        digest = hashlib.sha256(presented.encode()).hexdigest()
        found = None
        for name, expected in self.users:
            if hmac.compare_digest(digest, expected):
                found = name
        return found


def check_bind(host: str, auth: Auth) -> None:
    """Refuse to listen beyond this machine without sign-in (``UsageError``, exit 2)."""
    if not is_loopback(host) and not auth.required:
        raise UsageError(
            f"refusing to serve the review UI on {host} without a token: anyone who can reach "
            "it could change findings",
            hint="set REPOSTWATCH_REVIEW_TOKEN (or --token, [review] token or [review] users), "
                 "or bind 127.0.0.1")


class Signer:
    """Signs session cookies and CSRF tokens with a key made when the server starts."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def mac(self, *parts: str) -> str:
        digest = hmac.new(self._key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def session(self, actor: str, *, now: float | None = None) -> str:
        expires = str(int((now or time.time()) + SESSION_HOURS * 3600))
        name = base64.urlsafe_b64encode(actor.encode()).decode()
        return f"{name}.{expires}.{self.mac('session', actor, expires)}"

    def session_actor(self, cookie: str | None) -> str | None:
        if not cookie or cookie.count(".") != 2:
            return None
        name, expires, mac = cookie.split(".")
        try:
            actor = base64.urlsafe_b64decode(name.encode()).decode()
            expired = int(expires) < time.time()
        except ValueError:
            return None
        if expired or not hmac.compare_digest(mac, self.mac("session", actor, expires)):
            return None
        return actor

    def csrf(self, cookie: str, actor: str) -> str:
        return self.mac("csrf", cookie, actor)


def _cookie(response: web.StreamResponse, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", path="/",
                        max_age=max_age)


def csrf_token(request: web.Request) -> str:
    """The token this request's forms must send back (the cookie is set with the answer)."""
    signer: Signer = request.app[SIGNER]
    return signer.csrf(request[CSRF_VALUE], request[ACTOR])


SIGNER = web.AppKey("signer", Signer)
AUTH = web.AppKey("auth", Auth)
ACTOR = web.RequestKey("actor", str)  # who is acting: "local", "token" or a user's name
BEARER = web.RequestKey("bearer", bool)  # signed in by an Authorization header (CSRF-exempt)
CSRF_VALUE = web.RequestKey("csrf_value", str)  # this browser's rw_csrf cookie value


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def _deny(request: web.Request, status: int, message: str) -> web.Response:
    if _wants_json(request):
        return web.json_response({"error": message}, status=status)
    return web.Response(status=status, text=message + "\n", content_type="text/plain")


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own
    # form posts, and the origin check below needs the real one; other sites get nothing
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response
    return response


_OPEN_PATHS = ("/login", "/static/")


@web.middleware
async def _authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    auth: Auth = request.app[AUTH]
    signer: Signer = request.app[SIGNER]
    header = request.headers.get("Authorization", "")
    request[BEARER] = False
    if header:
        scheme, _, presented = header.partition(" ")
        actor = auth.actor_for(presented.strip()) if scheme.lower() == "bearer" else None
        if actor is None:
            return _deny(request, 401, "invalid bearer token")
        request[ACTOR], request[BEARER] = actor, True
    elif not auth.required:
        if not is_loopback(request.url.host or ""):  # DNS rebinding: a foreign name for us
            return _deny(request, 403, "this review UI answers only to 127.0.0.1 / localhost")
        request[ACTOR] = "local"
    else:
        actor = signer.session_actor(request.cookies.get(SESSION_COOKIE))
        if actor is None and not request.path.startswith(_OPEN_PATHS):
            if _wants_json(request) or request.method != "GET":
                return _deny(request, 401, "sign in first (or send Authorization: Bearer TOKEN)")
            raise web.HTTPSeeOther(f"/login?{urlencode({'next': request.path_qs})}")
        request[ACTOR] = actor or ""
    return await handler(request)


@web.middleware
async def _csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    signer: Signer = request.app[SIGNER]
    cookie = request.cookies.get(CSRF_COOKIE, "")
    fresh = not cookie
    request[CSRF_VALUE] = cookie or secrets.token_urlsafe(24)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not request[BEARER]:
        origin = request.headers.get("Origin")
        if origin is not None and origin not in (f"{scheme}://{request.host}"
                                                 for scheme in ("http", "https")):
            # http or https: behind a TLS-terminating proxy the browser says https while
            # this server sees http; the host must be this one either way
            return _deny(request, 403, "cross-site request refused")
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent and request.content_type in ("application/x-www-form-urlencoded",
                                                 "multipart/form-data"):
            sent = str((await request.post()).get("csrf_token", ""))
        expected = signer.csrf(cookie, request[ACTOR]) if cookie else ""
        if not expected or not hmac.compare_digest(sent, expected):
            return _deny(request, 403, "missing or wrong CSRF token: reload the page and retry")
    response = await handler(request)
    if fresh and not request[BEARER]:
        _cookie(response, CSRF_COOKIE, request[CSRF_VALUE], max_age=None)
    return response


def security_middlewares() -> list[Callable[..., Awaitable[web.StreamResponse]]]:
    """Headers outermost (every answer gets them, errors too), then sign-in, then CSRF."""
    return [_headers, _authenticate, _csrf]


def sign_in(response: web.StreamResponse, request: web.Request, actor: str) -> None:
    signer: Signer = request.app[SIGNER]
    _cookie(response, SESSION_COOKIE, signer.session(actor), max_age=SESSION_HOURS * 3600)
    # a new actor: a new CSRF cookie too (tokens are bound to both)
    _cookie(response, CSRF_COOKIE, secrets.token_urlsafe(24), max_age=None)


def sign_out(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
