"""Delivery: a written report copied into a folder, sent by e-mail, announced to a webhook.

Each channel configured in ``[delivery]`` (``crawler.config.DeliveryConfig``) is tried on its
own; a failed attempt is retried up to ``retries`` more times, waiting ``retry_backoff``
seconds and doubling the wait each time. A channel that still fails does not stop the others,
and never removes the report file already written: ``deliver`` returns what happened per
channel (recorded in ``report_runs.delivery``) and the caller raises ``DeliveryError``
(exit 3) naming the failures.

- **folder**: the report in each of ``formats``, dated names (``default_filename``), written
  atomically.
- **email** (stdlib ``smtplib``): an HTML body with the Markdown report as its text
  alternative, the CSV attached; ``smtp_security`` ``starttls`` (default), ``ssl`` or
  ``none``; log in when ``smtp_user`` is set (password from ``REPOSTWATCH_SMTP_PASSWORD``),
  never over an unencrypted connection unless ``smtp_cleartext_login`` allows it. Each
  attempt has ``smtp_deadline`` seconds in all (``smtp_timeout`` bounds one read only, and a
  server sending a byte at a time would hold it forever). Refused recipients, authentication
  failures and a refused cleartext login are not retried: trying again cannot help.
- **webhook**: ``POST`` of a JSON summary (``summary_dict``) with ``Content-Type:
  application/json``; a bearer token from ``REPOSTWATCH_WEBHOOK_TOKEN`` when set. 2xx is
  success; 5xx, 408, 429 and network errors are retried; other answers are not.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import smtplib
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Any

from repostwatch.config import DeliveryConfig
from repostwatch.errors import RepostwatchError
from repostwatch.redact import safe_webhook_url

from .build import Report, iso
from .formats import FORMATS, default_filename, render, write_report

__all__ = ["DeliveryError", "deliver", "email_message", "summary_dict"]

_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_RETRY_STATUSES = frozenset({408, 429})


class DeliveryError(RepostwatchError):
    """A configured delivery failed after its retries (the report file is kept)."""

    exit_code = 3


class _Permanent(Exception):
    """A failure that retrying cannot fix (refused recipient, bad login, HTTP 4xx)."""


def summary_dict(report: Report, *, run_id: int | None = None,
                 paths: tuple[str, ...] = ()) -> dict[str, Any]:
    """The webhook's JSON body: the report's figures, its worst sites and where it was written.

    Keys: ``event`` ("repostwatch.report"), ``report_run`` (id in ``report runs``),
    ``generated_at``, ``publication``, ``period`` {``start``, ``end``}, ``totals``,
    ``credited_share``, ``changes`` {``new``, ``still_open``, ``resolved``, ``gone``},
    ``sites`` (up to 10: ``site``, ``copies``, ``lacking_credit``), ``files``. Text verbatim:
    a consumer showing it in HTML must escape it.
    """
    c = report.changes
    return {
        "event": "repostwatch.report",
        "report_run": run_id,
        "generated_at": iso(report.generated_at),
        "publication": report.publication,
        "period": {"start": iso(report.since), "end": iso(report.period_end)},
        "totals": dict(report.totals),
        "credited_share": round(report.credited_share, 4),
        "changes": {"new": c.new, "still_open": c.still_open, "resolved": c.resolved,
                    "gone": c.gone},
        "sites": [{"site": s.site, "copies": s.copies, "lacking_credit": s.lacking_credit}
                  for s in report.sites[:10]],
        "files": list(paths),
    }


def email_message(report: Report, config: DeliveryConfig) -> EmailMessage:
    """The report as an e-mail: Markdown text, HTML alternative, the CSV attached."""
    c = report.changes
    subject = (f"repostwatch report {report.period_end:%Y-%m-%d}: "
               f"{report.totals.get('lacking_credit', 0)} copies lacking credit, "
               f"{c.new} new, {c.resolved} resolved")
    if report.publication:
        subject = f"{report.publication}: {subject}"
    msg = EmailMessage()
    msg["Subject"] = " ".join(subject.split())  # no header injection by a publication name
    msg["From"] = config.email_from
    msg["To"] = ", ".join(config.email_to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=config.email_from.rpartition("@")[2] or None)
    msg.set_content(render(report, "md"))
    msg.add_alternative(render(report, "html"), subtype="html")
    maintype, subtype = FORMATS["csv"].media_type.split("/")
    msg.add_attachment(render(report, "csv").encode("utf-8"), maintype=maintype,
                       subtype=subtype, filename=default_filename(report, "csv"))
    return msg


class _Deadline:
    """Shuts an SMTP connection down once ``seconds`` have passed, so that a blocked read ends
    (``expired`` tells why it ended). Used as a context manager around one attempt."""

    _POLL = 0.05  # seconds between looks for the socket while the connection is being made

    def __init__(self, smtp: smtplib.SMTP, seconds: float) -> None:
        self.smtp = smtp
        self.expired = threading.Event()
        self._done = threading.Event()
        self._seconds = seconds

    def __enter__(self) -> _Deadline:
        self._arm(self._seconds)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._done.set()

    def _arm(self, seconds: float) -> None:
        timer = threading.Timer(seconds, self._expire)
        timer.daemon = True
        timer.start()

    def _expire(self) -> None:
        if self._done.is_set():
            return
        self.expired.set()
        sock = self.smtp.sock
        if sock is None:  # still connecting (bounded by smtp_timeout): look again soon
            self._arm(self._POLL)
            return
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _send_email(report: Report, config: DeliveryConfig) -> str:
    msg = email_message(report, config)
    port = config.smtp_port or _DEFAULT_PORTS[config.smtp_security]
    if config.smtp_user and config.smtp_security == "none" and not config.smtp_cleartext_login:
        raise _Permanent(f"not logging in as {config.smtp_user} over an unencrypted connection "
                         '(smtp_security = "none"): use starttls or ssl, or set '
                         "smtp_cleartext_login = true")
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.smtp_security == "ssl":  # no host yet: connect() below, under the deadline
        smtp = smtplib.SMTP_SSL(timeout=config.smtp_timeout, context=context)
    else:
        smtp = smtplib.SMTP(timeout=config.smtp_timeout)
    with _Deadline(smtp, config.smtp_deadline) as deadline:
        try:
            with smtp:
                smtp.connect(config.smtp_host, port)
                refused = _converse(smtp, msg, config, context)
        except (OSError, smtplib.SMTPException) as exc:
            if deadline.expired.is_set():
                raise OSError(f"{config.smtp_host}:{port} did not finish within "
                              f"smtp_deadline = {config.smtp_deadline:g} s (too slow)") from exc
            raise
    sent = [a for a in config.email_to if a not in refused]
    return f"sent to {', '.join(sent)} via {config.smtp_host}:{port}"


def _converse(smtp: smtplib.SMTP, msg: EmailMessage, config: DeliveryConfig,
              context: ssl.SSLContext) -> dict[str, tuple[int, bytes]]:
    """STARTTLS, login and the message on a connected ``smtp``; the refused recipients."""
    if config.smtp_security == "starttls":
        smtp.starttls(context=context)
    if config.smtp_user:
        try:
            smtp.login(config.smtp_user, config.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            said = exc.smtp_error
            said = said.decode(errors="replace") if isinstance(said, bytes) else said
            raise _Permanent(f"login as {config.smtp_user} refused: {exc.smtp_code} "
                             f"{said}") from exc
    try:
        return smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _Permanent(f"every recipient refused: {', '.join(exc.recipients)}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would repeat a POST redirected by 301/302/303 as a
    GET without the body (the summary lost, yet "HTTP 200"), bearer token included."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the answer stays an HTTPError: a failure naming its Location


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post_webhook(summary: dict[str, Any], config: DeliveryConfig) -> str:
    body = json.dumps(summary, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "repostwatch"}
    if config.webhook_token:
        headers["Authorization"] = f"Bearer {config.webhook_token}"
    request = urllib.request.Request(config.webhook_url, data=body, headers=headers,  # noqa: S310 (http(s) checked by the config)
                                     method="POST")
    shown = safe_webhook_url(config.webhook_url)  # the path or query may be the secret
    try:
        with _OPENER.open(request, timeout=config.webhook_timeout) as answer:
            return f"POST {shown}: HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        problem = f"POST {shown}: HTTP {exc.code} {exc.reason}"
        if exc.headers is not None and exc.headers.get("Location"):
            target = urllib.parse.urljoin(config.webhook_url, exc.headers["Location"])
            problem += (f" to {safe_webhook_url(target)} (redirects are not followed: "
                        "set webhook_url to where it points)")
        if exc.code >= 500 or exc.code in _RETRY_STATUSES:
            raise OSError(problem) from exc
        raise _Permanent(problem) from exc
    except http.client.HTTPException as exc:  # not an HTTP answer (no OSError): worth a retry
        raise OSError(f"POST {shown}: not an HTTP answer "
                      f"({type(exc).__name__}: {str(exc)[:80]})") from exc


def _write_folder(report: Report, config: DeliveryConfig) -> str:
    folder = Path(config.folder)
    written = [write_report(report, fmt, folder / default_filename(report, fmt))
               for fmt in config.formats]
    return "wrote " + ", ".join(str(p) for p in written)


def _attempt(action: Callable[[], str], config: DeliveryConfig,
             sleep: Callable[[float], None]) -> dict[str, Any]:
    wait = config.retry_backoff
    attempts = 0
    while True:
        attempts += 1
        try:
            return {"ok": True, "attempts": attempts, "detail": action()}
        except _Permanent as exc:
            return {"ok": False, "attempts": attempts, "error": str(exc)}
        except (OSError, smtplib.SMTPException) as exc:  # network, disk, SMTP: worth a retry
            error = str(exc) or type(exc).__name__
            if attempts > config.retries:
                return {"ok": False, "attempts": attempts, "error": error}
        sleep(wait)
        wait *= 2


def deliver(report: Report, config: DeliveryConfig, *, run_id: int | None = None,
            paths: tuple[str, ...] = (),
            sleep: Callable[[float], None] = time.sleep) -> dict[str, dict[str, Any]]:
    """Deliver ``report`` through every configured channel; ``{channel: outcome}`` where an
    outcome has ``ok``, ``attempts`` and ``detail`` (success) or ``error`` (failure).

    ``paths`` are the files already written (named in the webhook's summary); ``sleep`` is
    the wait between attempts (tests pass a recorder)."""
    outcomes: dict[str, dict[str, Any]] = {}
    if config.folder:
        outcomes["folder"] = _attempt(lambda: _write_folder(report, config), config, sleep)
    if config.email_to:
        outcomes["email"] = _attempt(lambda: _send_email(report, config), config, sleep)
    if config.webhook_url:
        summary = summary_dict(report, run_id=run_id, paths=paths)
        outcomes["webhook"] = _attempt(lambda: _post_webhook(summary, config), config, sleep)
    return outcomes
