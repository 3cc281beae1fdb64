"""Delivery against local servers: e-mail to an aiosmtpd server, the summary POSTed to an
aiohttp webhook, a dated copy into a folder; failures retried with backoff, recorded, and
reported with exit 3 while the report file stays."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import email
import email.policy
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from reports import DeliveryError, build_report, produce_report
from reports.deliver import deliver
from repostwatch.config import DeliveryConfig, load_config
from repostwatch.store import Store
from repostwatch.store.reporting import report_runs
from tests.localserver import Server
from tests.repostwatch.clihome import run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class _Auth:
    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"editor", b"s3cret")
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox, _Auth]]:
    from aiosmtpd.controller import Controller

    inbox, auth = _Inbox(), _Auth()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=auth,
                            auth_require_tls=False)
    controller.start()
    try:
        yield port, inbox, auth
    finally:
        controller.stop()


class _Hook:
    """Webhook routes: ``/ok`` keeps each body; ``/flaky`` answers 503 twice, then 200;
    ``/bad`` answers 400."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.flaky = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/ok", self.ok)
        app.router.add_post("/flaky", self.flaky_route)
        app.router.add_post("/bad", self.bad)
        return app

    async def ok(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.headers.append(dict(request.headers))
        return web.Response(status=204)

    async def flaky_route(self, request: web.Request) -> web.Response:
        self.flaky += 1
        if self.flaky <= 2:
            return web.Response(status=503)
        return await self.ok(request)

    async def bad(self, request: web.Request) -> web.Response:
        return web.Response(status=400, text="no")


@pytest.fixture
def hook() -> Iterator[tuple[Server, _Hook]]:
    h = _Hook()
    with Server(h.app()) as server:
        yield server, h


def _config(**kwargs: Any) -> DeliveryConfig:
    return dataclasses.replace(DeliveryConfig(retry_backoff=0.5), **kwargs)


def test_email_has_html_text_alternative_and_csv(smtp, sandbox_store: Store) -> None:
    port, inbox, auth = smtp
    report = build_report(sandbox_store)
    config = _config(email_to=("editor@daily-planet.test", "desk@daily-planet.test"),
                     email_from="repostwatch@daily-planet.test", smtp_host="127.0.0.1",
                     smtp_port=port, smtp_security="none", smtp_user="editor",
                     smtp_password="s3cret", smtp_cleartext_login=True)
    outcome = deliver(report, config)
    assert outcome["email"]["ok"] is True and outcome["email"]["attempts"] == 1
    assert auth.logins == ["editor"]
    ((sender, rcpts, raw),) = inbox.messages
    assert sender == "repostwatch@daily-planet.test"
    assert rcpts == ["editor@daily-planet.test", "desk@daily-planet.test"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert "4 copies lacking credit, 9 new" in msg["Subject"]
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and text.get_content().startswith("# Copies lacking credit")
    assert html is not None and html.get_content().startswith("<!DOCTYPE html>")
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename().endswith(".csv")
    body = attachment.get_content()
    body = body.decode() if isinstance(body, bytes) else body
    assert body.splitlines()[0].startswith("page_url,site,original_url")
    assert len(list(csv.reader(io.StringIO(body)))) == 5  # header + 4 copies lacking credit


def test_a_wrong_password_is_not_retried(smtp, sandbox_store: Store) -> None:
    port, inbox, _ = smtp
    waits: list[float] = []
    config = _config(email_to=("editor@daily-planet.test",), email_from="rw@daily-planet.test",
                     smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                     smtp_user="editor", smtp_password="wrong", smtp_cleartext_login=True)
    outcome = deliver(build_report(sandbox_store), config, sleep=waits.append)
    assert outcome["email"]["ok"] is False and outcome["email"]["attempts"] == 1
    assert "login as editor refused: 535" in outcome["email"]["error"]
    assert waits == [] and inbox.messages == []


def test_no_login_over_cleartext_unless_allowed(smtp, sandbox_store: Store) -> None:
    port, inbox, auth = smtp  # the password would cross the network readable
    waits: list[float] = []
    config = _config(email_to=("editor@daily-planet.test",), email_from="rw@daily-planet.test",
                     smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                     smtp_user="editor", smtp_password="s3cret")
    outcome = deliver(build_report(sandbox_store), config, sleep=waits.append)
    assert outcome["email"]["ok"] is False and outcome["email"]["attempts"] == 1
    error = outcome["email"]["error"]
    assert "unencrypted" in error and "smtp_cleartext_login" in error and "s3cret" not in error
    assert auth.logins == [] and inbox.messages == [] and waits == []


@pytest.fixture
def trickling_smtp() -> Iterator[int]:
    """A server that greets one byte at a time and never ends the line (for up to 30 s)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"220 ")
                for _ in range(600):
                    if stop.wait(0.05):
                        break
                    conn.sendall(b"x")  # each read gets a byte: smtp_timeout never trips

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        thread.join(5)


def test_a_server_trickling_bytes_meets_the_deadline(trickling_smtp: int,
                                                     sandbox_store: Store) -> None:
    # smtplib's timeout is per read: without an overall deadline this delivery never ended
    config = _config(email_to=("editor@daily-planet.test",), email_from="rw@daily-planet.test",
                     smtp_host="127.0.0.1", smtp_port=trickling_smtp, smtp_security="none",
                     smtp_timeout=10, smtp_deadline=0.5, retries=0)
    outcome = deliver(build_report(sandbox_store), config)
    assert outcome["email"]["ok"] is False
    assert outcome["email"]["error"] == (f"127.0.0.1:{trickling_smtp} did not finish within "
                                         "smtp_deadline = 0.5 s (too slow)")


def test_starttls_refused_by_the_server_is_a_clear_failure(smtp, sandbox_store: Store) -> None:
    port, inbox, _ = smtp  # this server offers no STARTTLS: never send in the clear instead
    config = _config(email_to=("editor@daily-planet.test",), email_from="rw@daily-planet.test",
                     smtp_host="127.0.0.1", smtp_port=port, retries=1)
    waits: list[float] = []
    outcome = deliver(build_report(sandbox_store), config, sleep=waits.append)
    assert outcome["email"] == {"ok": False, "attempts": 2,
                                "error": "STARTTLS extension not supported by server."}
    assert waits == [0.5] and inbox.messages == []


def test_unreachable_smtp_is_retried_with_backoff(sandbox_store: Store) -> None:
    waits: list[float] = []
    config = _config(email_to=("editor@daily-planet.test",), email_from="rw@daily-planet.test",
                     smtp_host="127.0.0.1", smtp_port=_free_port(), smtp_security="none",
                     retries=3, smtp_timeout=5)
    outcome = deliver(build_report(sandbox_store), config, sleep=waits.append)
    assert outcome["email"]["ok"] is False and outcome["email"]["attempts"] == 4
    assert "refused" in outcome["email"]["error"].lower()
    assert waits == [0.5, 1.0, 2.0]


def test_webhook_gets_the_summary_and_retries_5xx(hook, sandbox_store: Store) -> None:
    server, h = hook
    report = build_report(sandbox_store)
    waits: list[float] = []
    outcome = deliver(report, _config(webhook_url=server.url("/flaky"), webhook_token="t0k"),
                      run_id=7, paths=("/tmp/r.html",), sleep=waits.append)
    assert outcome["webhook"] == {"ok": True, "attempts": 3,
                                  "detail": f"POST {server.url('/***')}: HTTP 204"}
    assert waits == [0.5, 1.0]
    (body,) = h.bodies
    assert body["event"] == "repostwatch.report" and body["report_run"] == 7
    assert body["totals"]["lacking_credit"] == 4 and body["files"] == ["/tmp/r.html"]
    assert body["changes"] == {"new": 9, "still_open": 0, "resolved": 0, "gone": 0}
    assert body["sites"][0] == {"site": "scraperdaily.test", "copies": 3, "lacking_credit": 3}
    assert h.headers[0]["Authorization"] == "Bearer t0k"
    assert h.headers[0]["Content-Type"] == "application/json"


def test_webhook_4xx_is_not_retried(hook, sandbox_store: Store) -> None:
    server, _ = hook
    waits: list[float] = []
    outcome = deliver(build_report(sandbox_store), _config(webhook_url=server.url("/bad")),
                      sleep=waits.append)
    assert outcome["webhook"]["ok"] is False and outcome["webhook"]["attempts"] == 1
    assert "HTTP 400" in outcome["webhook"]["error"] and waits == []


def test_folder_gets_dated_files(tmp_path: Path, sandbox_store: Store) -> None:
    report = build_report(sandbox_store)
    outcome = deliver(report, _config(folder=str(tmp_path / "share"), formats=("html", "md")))
    assert outcome["folder"]["ok"] is True
    names = sorted(p.name for p in (tmp_path / "share").iterdir())
    stamp = f"{report.generated_at:%Y-%m-%dT%H%M%S}Z"
    assert names == [f"repostwatch-report-{stamp}.html", f"repostwatch-report-{stamp}.md"]


def _with_delivery(home: Path, extra: str) -> None:
    path = home / "repostwatch.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_produce_report_delivers_records_and_fails_loudly(
        hook, sandbox_home: Path, sandbox_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    server, h = hook
    _with_delivery(sandbox_home, f'\n[delivery]\nwebhook_url = "{server.url("/ok")}"\n'
                                 'folder = "shared"\nretries = 1\nretry_backoff = 0\n')
    config = load_config(sandbox_home / "repostwatch.toml")
    done = produce_report(sandbox_store, config)
    assert set(done.delivery) == {"folder", "webhook"} and done.failed == []
    assert h.bodies[0]["report_run"] == done.run_id
    assert h.bodies[0]["files"] == [str(done.paths[0])]
    assert report_runs(sandbox_store)[0].delivery["webhook"]["ok"] is True
    assert len(list((sandbox_home / "shared").iterdir())) == 2  # html and csv
    broken = dataclasses.replace(config, delivery=dataclasses.replace(
        config.delivery, webhook_url=server.url("/flaky-no-such-route")))
    with pytest.raises(DeliveryError,
                       match=r"webhook: POST .* HTTP 404 Not Found \(after 1 attempt\)") as failed:
        produce_report(sandbox_store, broken)
    assert failed.value.exit_code == 3
    kept = str(failed.value).rsplit("the report is kept at ", 1)[1].split(" (")[0]
    assert Path(kept).is_file()
    last = report_runs(sandbox_store)[0]
    assert last.delivery["webhook"]["ok"] is False and last.delivery["folder"]["ok"] is True
    assert last.paths == (kept,)


def test_cli_report_exits_3_when_delivery_fails(hook, sandbox_home: Path) -> None:
    server, _ = hook
    _with_delivery(sandbox_home, f'\n[delivery]\nwebhook_url = "{server.url("/bad")}"\n')
    assert run("report", "-f", "csv") == 3
    assert run("report", "-f", "csv", "--no-deliver") == 0
    out = [json.loads(line) for line in _capture_list(sandbox_home)]
    assert [bool(r["delivery"]) for r in out] == [False, True]
    assert out[1]["delivery"]["webhook"]["error"].endswith("HTTP 400 Bad Request")


def test_a_server_answer_cannot_drive_the_terminal(
        sandbox_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The SMTP server's text reached stderr with its escapes in the delivery error
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 hostile ESMTP\r\n")
                for line in lines:
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        conn.sendall(b"250-hostile\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif verb == b"AUTH":
                        conn.sendall(b"535 \x1b]0;pwned\x07\x1b[2J\xc2\x9b31m denied\r\n")
                    else:
                        conn.sendall(b"221 bye\r\n")
                        return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    monkeypatch.setenv("REPOSTWATCH_SMTP_PASSWORD", "s3cret")
    _with_delivery(sandbox_home, '\n[delivery]\nemail_to = ["ed@daily-planet.test"]\n'
                   'email_from = "rw@daily-planet.test"\nsmtp_host = "127.0.0.1"\n'
                   f'smtp_port = {port}\nsmtp_security = "none"\nsmtp_user = "editor"\n'
                   'smtp_cleartext_login = true\nretries = 0\n')
    try:
        capsys.readouterr()
        assert run("report", "-f", "csv") == 3
    finally:
        listener.close()
        thread.join(5)
    message = capsys.readouterr().err
    assert "login as editor refused: 535" in message and "denied" in message
    assert not any(c in message for c in "\x1b\x07\x9b")


def _capture_list(home: Path) -> list[str]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "repostwatch", "report", "--list", "--json"],
                          cwd=home, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_the_cycle_report_stage_records_and_delivers_the_same_way(hook,
                                                                   sandbox_home: Path) -> None:
    from repostwatch.cycle import report_stage

    server, h = hook
    _with_delivery(sandbox_home, f'\n[delivery]\nwebhook_url = "{server.url("/ok")}"\n')
    config = load_config(sandbox_home / "repostwatch.toml")
    line, problem = report_stage(config, "html")
    assert problem is None and line.endswith(", delivered (webhook)")
    assert line.startswith("report: 4 copies lacking credit, written to ")
    broken = dataclasses.replace(config, delivery=dataclasses.replace(
        config.delivery, webhook_url=server.url("/bad"), retries=0))
    line, problem = report_stage(broken, "csv")
    assert problem == "report delivery failed" and "webhook: POST" in line
    runs = _runs_of(sandbox_home)
    assert [r.summary["changes"]["new"] for r in runs] == [0, 9]  # the second: since the first
    assert [r.delivery["webhook"]["ok"] for r in runs] == [False, True]
    assert h.bodies[0]["report_run"] == runs[1].id


def _runs_of(home: Path):
    store = Store.open(f"sqlite:///{home / 'repostwatch.db'}")
    try:
        return report_runs(store)
    finally:
        store.close()


def test_a_webhook_secret_is_neither_printed_nor_stored(
        hook, sandbox_home: Path, sandbox_store: Store,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Webhook services keep the secret in the path or the query: it was in the failure
    # message, on stderr, and in report_runs.delivery, success or not
    server, _ = hook
    secret = "/hooks/T0K3N/B9/XyZsecret?token=tok3n"
    _with_delivery(sandbox_home, f'\n[delivery]\nwebhook_url = "{server.url(secret)}"\n'
                                 'retries = 0\n')
    capsys.readouterr()
    assert run("report", "-f", "csv") == 3
    printed = capsys.readouterr().err
    assert f"POST {server.url('/***')}: HTTP 404" in printed
    stored = json.dumps([r.delivery for r in report_runs(sandbox_store)])
    assert "HTTP 404" in stored
    for part in ("T0K3N", "XyZsecret", "tok3n"):
        assert part not in printed and part not in stored


def test_a_webhook_answering_no_http_is_retried_and_reported(sandbox_store: Store) -> None:
    """A server (or proxy) answering garbage raises http.client errors that are no OSError:
    they failed the whole report instead of the one channel."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer_garbage() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    waits: list[float] = []
    try:
        outcome = deliver(build_report(sandbox_store),
                          _config(webhook_url=f"http://127.0.0.1:{port}/hook"),
                          sleep=waits.append)
    finally:
        listener.close()
    assert outcome["webhook"]["ok"] is False and outcome["webhook"]["attempts"] == 4
    assert waits == [0.5, 1.0, 2.0]


def test_a_webhook_redirect_is_a_failure_not_a_get(sandbox_store: Store) -> None:
    """urllib follows a 301/302 of a POST with a GET without the body (and with the bearer
    token, to any host): the summary was lost while delivery said "HTTP 200"."""
    seen: list[tuple[str, str, str | None]] = []

    async def moved(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, request.headers.get("Authorization")))
        raise web.HTTPMovedPermanently("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, request.headers.get("Authorization")))
        return web.Response(text="a page")

    app = web.Application()
    app.router.add_post("/hook", moved)
    app.router.add_route("*", "/elsewhere", elsewhere)
    waits: list[float] = []
    with Server(app) as server:
        outcome = deliver(build_report(sandbox_store),
                          _config(webhook_url=server.url("/hook"), webhook_token="t0k"),
                          sleep=waits.append)
    assert outcome["webhook"]["ok"] is False and outcome["webhook"]["attempts"] == 1
    assert "HTTP 301" in outcome["webhook"]["error"]
    assert f"to {server.url('/***')} (redirects are not followed" in outcome["webhook"]["error"]
    assert seen == [("POST", "/hook", "Bearer t0k")] and waits == []
