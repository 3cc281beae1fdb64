"""The review UI's sign-in and robustness over HTTP: lockout after failed sign-ins, sessions
that end on the server, Secure cookies behind TLS, reserved actor names, odd Host headers,
errors that keep the security headers (and JSON under /api/), and re-checks that never hold up
the pages."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from reports.web import Auth, create_app
from reports.web.context import SERVICE
from reports.web.service import RECHECK_WORKERS, Rechecked
from reports.web.signin import SIGN_IN_FAILURES, SIGN_IN_WINDOW_SECONDS, SignInGuard
from repostwatch.errors import UsageError
from tests.conftest import run_async
from tests.reports.reviewhome import Home, client_run, csrf_token

Client = Any
TOKEN = "a-right-token-of-32-characters!!"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run(home: Home, test: Any, **kwargs: Any) -> None:
    """Like ``client_run``, with ``create_app``'s keywords (and the app handed to ``test``)."""
    async def go() -> None:
        app = create_app(home.store, home.config, **kwargs)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await test(client, app)

    run_async(go())


def test_failed_sign_ins_lock_the_address_out(home: Home) -> None:
    clock = _Clock()
    guard = SignInGuard(clock=clock)
    right = {"Authorization": f"Bearer {TOKEN}"}

    async def test(c: Client, app: Any) -> None:
        login = await (await c.get("/login")).text()
        for i in range(SIGN_IN_FAILURES):  # wrong tokens, by the API and by the form
            if i % 2:
                r = await c.get("/api/findings", headers={"Authorization": f"Bearer guess{i}"})
                assert r.status == 401
            else:
                r = await c.post("/login", data={"token": f"guess{i}", "next": "/findings",
                                                 "csrf_token": csrf_token(login)})
                assert r.status == 403
        locked = await c.get("/api/findings", headers=right)  # even the right token
        assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
        assert "too many failed sign-ins" in (await locked.json())["error"]
        assert locked.headers["Content-Security-Policy"]
        r = await c.post("/login", data={"token": TOKEN, "next": "/findings",
                                         "csrf_token": csrf_token(login)},
                         allow_redirects=False)
        assert r.status == 429
        clock.now += SIGN_IN_WINDOW_SECONDS + 1
        assert (await c.get("/api/findings", headers=right)).status == 200

    _run(home, test, auth=Auth(token=TOKEN), guard=guard)


def test_sign_out_ends_the_session_on_the_server(home: Home) -> None:
    async def test(c: Client, app: Any) -> None:
        login = await (await c.get("/login")).text()
        r = await c.post("/login", data={"token": TOKEN, "next": "/findings",
                                         "csrf_token": csrf_token(login)},
                         allow_redirects=False)
        assert r.status == 303
        session = r.cookies["rw_session"].value
        page = await (await c.get("/findings")).text()
        r = await c.post("/logout", data={"csrf_token": csrf_token(page)},
                         allow_redirects=False)
        assert r.status == 303
        c.session.cookie_jar.clear()
        # the cookie, kept (or stolen) before sign-out, opens nothing any more
        r = await c.get("/findings", headers={"Cookie": f"rw_session={session}"},
                        allow_redirects=False)
        assert r.status == 303 and r.headers["Location"].startswith("/login")

    _run(home, test, auth=Auth(token=TOKEN))


@pytest.mark.parametrize(("headers", "secure"), [
    ({}, False),
    ({"X-Forwarded-Proto": "https"}, True),
    ({"Forwarded": "for=192.0.2.1;proto=https"}, True),
])
def test_cookies_are_secure_when_the_browser_uses_tls(home: Home, headers: dict[str, str],
                                                      secure: bool) -> None:
    async def test(c: Client, app: Any) -> None:
        r = await c.get("/login", headers=headers)
        assert bool(r.cookies["rw_csrf"]["secure"]) is secure
        # the client keeps a Secure cookie for https only: hand it back as a browser would
        c.session.cookie_jar.clear()
        cookie = {"Cookie": f"rw_csrf={r.cookies['rw_csrf'].value}"}
        r = await c.post("/login", data={"token": TOKEN, "next": "/findings",
                                         "csrf_token": csrf_token(await r.text())},
                         headers={**headers, **cookie}, allow_redirects=False)
        assert r.status == 303
        assert bool(r.cookies["rw_session"]["secure"]) is secure
        assert r.cookies["rw_session"]["httponly"] and r.cookies["rw_session"]["samesite"]

    _run(home, test, auth=Auth(token=TOKEN))


@pytest.mark.parametrize("name", ["token", "local", "Token"])
def test_no_user_may_take_the_name_of_a_built_in_actor(name: str) -> None:
    digest = hashlib.sha256(b"their-token").hexdigest()
    with pytest.raises(UsageError, match="no user may be named"):
        Auth.from_config("", (f"{name}:{digest}",))


@pytest.mark.parametrize(("host", "status"), [
    ("::1", 200), ("[::1]:8080", 200), ("[::1]", 200), ("localhost:8080", 200),
    ("::1:8080", 403),  # an unbracketed address with a port is another address
    ("attacker.example", 403),
])
def test_odd_host_headers_are_answered_not_500(home: Home, host: str, status: int) -> None:
    async def test(c: Client) -> None:
        r = await c.get("/findings", headers={"Host": host})
        assert r.status == status
        assert r.headers["Content-Security-Policy"]

    client_run(home, test)


def test_an_unexpected_error_keeps_the_headers_and_the_api_answers_json(home: Home) -> None:
    async def test(c: Client, app: Any) -> None:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the disk is on fire")

        app[SERVICE].findings = broken
        for path in ("/findings", "/api/findings"):
            r = await c.get(path)
            assert r.status == 500, path
            assert "default-src 'none'" in r.headers["Content-Security-Policy"], path
            assert r.headers["X-Content-Type-Options"] == "nosniff", path
            assert "the disk is on fire" not in await r.text(), path  # in the log only
        r = await c.get("/api/findings")
        assert r.content_type == "application/json"
        assert "internal error" in (await r.json())["error"]

    _run(home, test, auth=Auth())


def test_pages_answer_while_re_checks_are_slow(home: Home) -> None:
    # More slow re-checks than the event loop's default threads: pages used to wait for them
    release = threading.Event()
    entered: list[str] = []
    lock = threading.Lock()

    def slow_recheck(url: str) -> Rechecked:
        with lock:
            entered.append(url)
        release.wait()
        return Rechecked(error="the test's slow fetch")

    failsafe = threading.Timer(60, release.set)  # before the fix: end, and fail, not hang
    failsafe.start()
    many = min(32, (os.cpu_count() or 1) + 4) + 2
    fid = home.ids["hostile"]
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    async def test(c: Client, app: Any) -> None:
        rechecks = [asyncio.create_task(c.post(f"/api/findings/{fid}/recheck", headers=bearer))
                    for _ in range(many)]
        while len(entered) < RECHECK_WORKERS:
            await asyncio.sleep(0.01)
        listing = asyncio.create_task(c.get("/api/findings", headers=bearer))
        done, _ = await asyncio.wait([listing, *rechecks], return_when=asyncio.FIRST_COMPLETED)
        assert done == {listing} and not release.is_set()
        assert (await listing).status == 200
        assert len(entered) <= RECHECK_WORKERS  # the others wait for a re-check thread
        release.set()
        answers = await asyncio.gather(*rechecks)
        assert [a.status for a in answers] == [200] * many

    try:
        _run(home, test, auth=Auth(token=TOKEN), recheck=slow_recheck)
    finally:
        release.set()
        failsafe.cancel()
    assert len(entered) == many
