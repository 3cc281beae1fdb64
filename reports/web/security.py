"""The review UI's safety: who may use it, forged requests, and what the browser may do.

- **Binding.** Loopback (127.0.0.1, ::1, localhost) by default. Any other address needs a
  user list or a shared token of at least ``MIN_PUBLIC_TOKEN`` characters (``check_bind``
  refuses to start otherwise: a ``UsageError``, exit 2).
- **Sign-in.** With a token (``[review] token`` / ``REPOSTWATCH_REVIEW_TOKEN`` / ``--token``) or
  users (``"name:sha256-of-token"``), browsers sign in once (``/login``) and get a session
  cookie (HttpOnly, SameSite=Strict, ``Secure`` when the request came over TLS or a proxy
  says so in ``X-Forwarded-Proto`` / ``Forwarded``) naming a session the server keeps
  (``signin.Sessions``: sign-out ends it there; a restart signs everyone out); API clients send
  ``Authorization: Bearer TOKEN`` on every request. Failed sign-ins lock the client's address
  out for a while (``signin.SignInGuard``: 429 with ``Retry-After``). On loopback without
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
  ``Referrer-Policy: same-origin`` (links out carry ``rel=noreferrer`` too); an unexpected
  error too becomes a 500 with these headers (``{"error": ...}`` under ``/api/``), its
  traceback logged. A page's saved HTML is served with ``CSP: sandbox`` and no network at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from repostwatch.errors import UsageError

from .signin import SESSION_HOURS, Sessions, SignInGuard

__all__ = [
    "ACTOR",
    "AUTH",
    "CSP",
    "CSRF_COOKIE",
    "GUARD",
    "MIN_PUBLIC_TOKEN",
    "RESERVED_ACTORS",
    "SESSIONS",
    "SESSION_COOKIE",
    "Auth",
    "check_bind",
    "csrf_token",
    "is_loopback",
    "security_middlewares",
    "sign_in",
    "sign_in_failed",
    "sign_in_refused",
    "sign_out",
]

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SAVED_PAGE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                  "frame-ancestors 'self'")
"""For a page's saved HTML: its own origin-less sandbox, no script, nothing fetched (its
images and style sheets would tell the copier who is looking), framed only by the UI."""

SESSION_COOKIE = "rw_session"
CSRF_COOKIE = "rw_csrf"
MIN_PUBLIC_TOKEN = 16
"""Characters a shared token needs at least when the UI listens beyond loopback."""
RESERVED_ACTORS = ("token", "local")
"""The actors of the shared token and of loopback without sign-in: no user may be named so
(``Auth.from_config`` refuses them), or the audit trail could not tell them apart."""
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
    of the user's token; actor: the name, never one of ``RESERVED_ACTORS``), or, with neither,
    anyone on loopback (``local``)."""

    token: str = ""
    users: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_config(cls, token: str, users: tuple[str, ...]) -> Auth:
        """From ``[review] token`` and ``users``; ``UsageError`` (exit 2) for a user named as
        one of ``RESERVED_ACTORS`` (in any case)."""
        pairs = tuple((name, digest.lower()) for name, _, digest in
                      (u.partition(":") for u in users))
        for name, _ in pairs:
            if name.casefold() in RESERVED_ACTORS:
                raise UsageError(f"[review] users: no user may be named {name!r}: the audit "
                                 f"trail names the shared token {RESERVED_ACTORS[0]!r} and "
                                 f"loopback without sign-in {RESERVED_ACTORS[1]!r}",
                                 hint="choose another name")
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
    """Refuse to listen beyond this machine without sign-in, or with a shared token shorter
    than ``MIN_PUBLIC_TOKEN`` characters (``UsageError``, exit 2)."""
    if is_loopback(host):
        return
    if not auth.required:
        raise UsageError(
            f"refusing to serve the review UI on {host} without a token: anyone who can reach "
            "it could change findings",
            hint="set REPOSTWATCH_REVIEW_TOKEN (or --token, [review] token or [review] users), "
                 "or bind 127.0.0.1")
    if auth.token and len(auth.token.strip()) < MIN_PUBLIC_TOKEN:
        raise UsageError(
            f"refusing to serve the review UI on {host} with a token of "
            f"{len(auth.token.strip())} characters: it could be guessed",
            hint=f"use at least {MIN_PUBLIC_TOKEN}, e.g. REPOSTWATCH_REVIEW_TOKEN=$(openssl "
                 "rand -hex 16), or bind 127.0.0.1")


class Signer:
    """Signs CSRF tokens with a key made when the server starts."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def mac(self, *parts: str) -> str:
        digest = hmac.new(self._key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def csrf(self, cookie: str, actor: str) -> str:
        return self.mac("csrf", cookie, actor)


def _over_tls(request: web.Request) -> bool:
    """Whether the browser talks HTTPS to us: directly, or to a proxy that says so."""
    if request.secure:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    forwarded = request.forwarded[0].get("proto", "") if request.forwarded else ""
    return "https" in (proto, forwarded.lower())


def _cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, *,
            max_age: int | None) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", path="/",
                        max_age=max_age, secure=_over_tls(request))


def csrf_token(request: web.Request) -> str:
    """The token this request's forms must send back (the cookie is set with the answer)."""
    signer: Signer = request.app[SIGNER]
    return signer.csrf(request[CSRF_VALUE], request[ACTOR])


SIGNER = web.AppKey("signer", Signer)
AUTH = web.AppKey("auth", Auth)
SESSIONS = web.AppKey("sessions", Sessions)
GUARD = web.AppKey("sign_in_guard", SignInGuard)
ACTOR = web.RequestKey("actor", str)  # who is acting: "local", "token" or a user's name
BEARER = web.RequestKey("bearer", bool)  # signed in by an Authorization header (CSRF-exempt)
CSRF_VALUE = web.RequestKey("csrf_value", str)  # this browser's rw_csrf cookie value


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def _deny(request: web.Request, status: int, message: str) -> web.Response:
    if _wants_json(request):
        return web.json_response({"error": message}, status=status)
    return web.Response(status=status, text=message + "\n", content_type="text/plain")


_log = logging.getLogger(__name__)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    except Exception:  # aiohttp's own 500 would carry none of the headers below
        _log.exception("%s %s failed", request.method, request.rel_url)
        response = _deny(request, 500, "internal error: the server's log has the details")
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


def _host_name(request: web.Request) -> str:
    """The name in the ``Host`` header, without its port; an IPv6 address may come without
    brackets (``::1``), and then has no port that could be told apart."""
    host = request.host
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") > 1:
        return host
    return host.partition(":")[0]


def sign_in_refused(request: web.Request) -> web.Response | None:
    """A 429 answer (with ``Retry-After``) when this client's address is locked out of signing
    in (``signin.SignInGuard``), else None."""
    wait = request.app[GUARD].locked_for(request.remote or "")
    if wait is None:
        return None
    response = _deny(request, 429, "too many failed sign-ins from this address: try again "
                                   f"in {int(wait) // 60 + 1} minute(s)")
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


def sign_in_failed(request: web.Request) -> None:
    """Count a wrong token from this client's address."""
    request.app[GUARD].failed(request.remote or "")


@web.middleware
async def _authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    auth: Auth = request.app[AUTH]
    header = request.headers.get("Authorization", "")
    request[BEARER] = False
    if header:
        refused = sign_in_refused(request)
        if refused is not None:
            return refused
        scheme, _, presented = header.partition(" ")
        actor = auth.actor_for(presented.strip()) if scheme.lower() == "bearer" else None
        if actor is None:
            sign_in_failed(request)
            return _deny(request, 401, "invalid bearer token")
        request[ACTOR], request[BEARER] = actor, True
    elif not auth.required:
        if not is_loopback(_host_name(request)):  # DNS rebinding: a foreign name for us
            return _deny(request, 403, "this review UI answers only to 127.0.0.1 / localhost")
        request[ACTOR] = "local"
    else:
        actor = request.app[SESSIONS].actor(request.cookies.get(SESSION_COOKIE))
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
        _cookie(response, request, CSRF_COOKIE, request[CSRF_VALUE], max_age=None)
    return response


def security_middlewares() -> list[Callable[..., Awaitable[web.StreamResponse]]]:
    """Headers outermost (every answer gets them, errors too), then sign-in, then CSRF."""
    return [_headers, _authenticate, _csrf]


def sign_in(response: web.StreamResponse, request: web.Request, actor: str) -> None:
    """Start a session of ``actor`` and set its cookie on ``response``."""
    request.app[GUARD].succeeded(request.remote or "")
    session_id = request.app[SESSIONS].start(actor)
    _cookie(response, request, SESSION_COOKIE, session_id, max_age=SESSION_HOURS * 3600)
    # a new actor: a new CSRF cookie too (tokens are bound to both)
    _cookie(response, request, CSRF_COOKIE, secrets.token_urlsafe(24), max_age=None)


def sign_out(response: web.StreamResponse, request: web.Request) -> None:
    """End this browser's session on the server, and delete its cookies."""
    request.app[SESSIONS].end(request.cookies.get(SESSION_COOKIE))
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
