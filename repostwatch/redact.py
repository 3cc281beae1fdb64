"""Secrets kept out of what is printed, logged and stored: URLs are shown through these.

- ``safe_url``: a database, Redis or proxy URL with the password of its user info hidden
  (all of it, even when it holds an unescaped ``@``: the host is after the *last* ``@``) and
  the values of query parameters that carry secrets (``?password=``, ``sslpassword``,
  ``token``, ``api_key``, ``secret``, ``sig``…) hidden.
- ``safe_webhook_url``: a webhook URL as scheme and host only: services put the secret in
  the path (``/services/T…/B…/XXXX``, ``/api/webhooks/ID/TOKEN``) or the query.
"""

from __future__ import annotations

import re

__all__ = ["HIDDEN", "ambiguous_user_info", "safe_url", "safe_webhook_url"]

HIDDEN = "***"
_SECRET_NAME = re.compile(r"pass|pwd|secret|token|key|auth|sig|credential|session", re.I)
_AUTHORITY_END = re.compile(r"[/?#]")


def _split(url: str) -> tuple[str, str, str]:
    """``(scheme://, authority, rest)``; no ``://``: ``("", "", url)``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "", "", url
    end = _AUTHORITY_END.search(rest)
    cut = end.start() if end else len(rest)
    return scheme + sep, rest[:cut], rest[cut:]


def _host(authority: str) -> str:
    return authority.rpartition("@")[2]


def _query(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        name, eq, _ = pair.partition("=")
        pairs.append(f"{name}={HIDDEN}" if eq and _SECRET_NAME.search(name) else pair)
    return "&".join(pairs)


def ambiguous_user_info(url: str) -> bool:
    """Whether the user info of ``url`` holds an unescaped ``@``: libraries disagree on where
    the host starts (SQLAlchemy takes the first ``@``, and its driver's error then names a
    "host" made of the rest of the password)."""
    return _split(url)[1].count("@") > 1


def safe_url(url: str) -> str:
    """``url`` with the password of its user info and the values of secret-looking query
    parameters replaced by ``***``; the user name, host, path and other parameters stay."""
    start, authority, rest = _split(url)
    if "@" in authority:
        user, colon, _ = authority.rpartition("@")[0].partition(":")
        authority = f"{user}:{HIDDEN}@{_host(authority)}" if colon else authority
    path, question, query = rest.partition("?")
    query, hash_, fragment = query.partition("#")
    if question:
        rest = f"{path}?{_query(query)}{hash_}{fragment}"
    return start + authority + rest


def safe_webhook_url(url: str) -> str:
    """``url`` as ``scheme://host[:port]``, followed by ``/***`` when it had a path or query
    beyond ``/`` (where webhook services keep the secret)."""
    start, authority, rest = _split(url)
    if not start:
        return HIDDEN
    return start + _host(authority) + (f"/{HIDDEN}" if rest.strip("/") else "")
