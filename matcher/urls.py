"""URL normalisation: one spelling per address, so links, canonicals and store keys compare.

``canonical_url`` drops what does not change the article: scheme, ``www.``/``m.``/``amp.``
host prefixes, default ports, fragments, tracking parameters (utm_*, fbclid, gclid, ...), AMP
suffixes (``/amp``, ``?amp=1``, ``?outputType=amp``), and trailing slashes.

A port other than 80 and 443 is part of a host: ``127.0.0.1:9101`` and ``127.0.0.1:9102`` are
two sites (as two servers tried out on one machine are), in ``host_of``, ``site_of`` and
``host_matches`` alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["as_browsers_read", "canonical_url", "domain_keys", "host_matches", "host_of",
           "http_scheme", "site_of", "web_address"]

_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
             "ref", "ref_src", "amp", "outputtype", "_ga", "cmpid", "ito"}


_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def as_browsers_read(url: str) -> str:
    """``url`` (stripped) as a browser's URL parser reads an http(s) or relative address: an
    ASCII tab or newline anywhere is dropped, and a backslash before the query or fragment is
    a "/" (the WHATWG URL Standard). ``urlsplit`` reads ``https://evil.example\\@ours.example/``
    as an address on ours.example, where a browser goes to evil.example."""
    url = url.strip()
    if "\t" in url or "\n" in url or "\r" in url:
        url = url.translate(_TAB_OR_NEWLINE)
    if "\\" in url:
        scheme = _SCHEME.match(url)
        if scheme is None or scheme.group().lower() in ("http:", "https:"):
            end = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
            url = url[:end].replace("\\", "/") + url[end:]
    return url


def _split(url: str) -> tuple[str, int | None]:
    """The host of ``url`` (lower case, no trailing dot) and its port (None: none, a default
    one, or not a number); ``("", None)`` when ``url`` has no host. Read as a browser reads
    it (``as_browsers_read``)."""
    try:
        parts = urlsplit(as_browsers_read(url))
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return "", None
    try:
        port = parts.port
    except ValueError:  # out of range or not a number: no port we could connect to
        port = None
    return host, (port if port not in (80, 443) else None)


def _strip_prefix(host: str) -> str:
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix):]
    return host


def _with_port(host: str, port: int | None) -> str:
    if port is None or not host:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def host_of(url: str) -> str:
    """The host of ``url``, lower case, without ``www.``-like prefixes, with its port when it
    is not 80 or 443 ("127.0.0.1:9101"; "" if none)."""
    host, port = _split(url)
    return _with_port(_strip_prefix(host), port)


def site_of(url: str) -> str:
    """The site of ``url`` as findings name it: its host as written (``www.`` kept), lower
    case, with its port when it is not 80 or 443."""
    return _with_port(*_split(url))


def http_scheme(text: str) -> bool:
    """Whether ``text`` (a command-line argument) starts as an http(s) URL, the scheme in any
    case ("HTTPS://"): a URL to fetch, not a file's name."""
    return text[:8].lower().startswith(("http://", "https://"))


def web_address(url: str) -> bool:
    """Whether ``url``, read as a browser reads it (``as_browsers_read``), is an http(s) URL
    with a host that can be looked up (no label empty or over 63 characters, no white space):
    an address a page can be stored under and fetched again (a space in its path is escaped
    when it is fetched)."""
    try:
        parts = urlsplit(as_browsers_read(url))
        host = parts.hostname or ""
        _ = parts.port  # a port out of range or not a number: no request can be made
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host or not host.isprintable() \
            or any(c.isspace() for c in parts.netloc):
        return False
    labels = host.removesuffix(".").split(".") if ":" not in host else [host]
    return all(0 < len(label) <= 63 for label in labels)


def _host_and_port(value: str) -> tuple[str, int | None]:
    """A host ("example.test", "example.test:8080") or URL as (host without prefixes, port)."""
    host, port = _split(value if "://" in value else f"http://{value}")
    return _strip_prefix(host), port


def host_matches(host: str, domains: tuple[str, ...] | list[str]) -> bool:
    """True when ``host`` (a host, "host:port" or a URL) is one of ``domains`` or a subdomain
    of one. A domain with a port matches that port only; one without a port, every port."""
    name, port = _host_key(host)
    return any((name == d or name.endswith("." + d)) and (d_port is None or d_port == port)
               for d, d_port in _domain_ports(tuple(domains)))


@lru_cache(maxsize=4096)
def _host_key(value: str) -> tuple[str, int | None]:
    """``value`` (a host, "host:port" or a URL) as ``host_matches`` compares it."""
    return _host_and_port(value)


@lru_cache(maxsize=256)
def _domain_ports(domains: tuple[str, ...]) -> tuple[tuple[str, int | None], ...]:
    """``domains`` as (host, port) pairs, worked out once per rule rather than once per link."""
    return tuple(key for key in map(_host_key, domains) if key[0])


def domain_keys(domains: tuple[str, ...]) -> tuple[str, ...]:
    """The host names of ``domains`` (lower case, no ``www.``, no port; none empty): what a
    link to one of them holds in its address (a cheap filter before ``host_matches``)."""
    return tuple(d for d, _ in _domain_ports(domains))


def canonical_url(url: str) -> str:
    """A normalised form of ``url`` for comparison and as a unique key."""
    try:
        parts = urlsplit(as_browsers_read(url))
    except ValueError:
        return url.strip()
    host, port = _split(url)
    host = _strip_prefix(host)
    path = parts.path or "/"
    for suffix in ("/amp", "/amp/", ".amp"):
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)]
    path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in _TRACKING]
    netloc = f"{host}:{port}" if port else host
    q = f"?{urlencode(sorted(query))}" if query else ""
    return f"{netloc}{path}{q}"
