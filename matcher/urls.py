"""URL normalisation: one spelling per address, so links, canonicals and store keys compare.

``canonical_url`` drops what does not change the article: scheme, ``www.``/``m.``/``amp.``
host prefixes, default ports, fragments, tracking parameters (utm_*, fbclid, gclid, ...), AMP
suffixes (``/amp``, ``?amp=1``, ``?outputType=amp``), and trailing slashes.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["canonical_url", "domain_keys", "host_matches", "host_of"]

_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
             "ref", "ref_src", "amp", "outputtype", "_ga", "cmpid", "ito"}


def host_of(url: str) -> str:
    """The host of ``url``, lower case, without ``www.``-like prefixes ("" if none)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix):]
            break
    return host


def host_matches(host: str, domains: tuple[str, ...] | list[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    key = _host_key(host)
    return any(key == d or key.endswith("." + d) for d in domain_keys(tuple(domains)))


@lru_cache(maxsize=4096)
def _host_key(host: str) -> str:
    """``host`` (or a URL) as ``host_matches`` compares it."""
    return host_of(f"http://{host}") if "://" not in host else host_of(host)


@lru_cache(maxsize=256)
def domain_keys(domains: tuple[str, ...]) -> tuple[str, ...]:
    """``domains`` as ``host_matches`` compares them (lower case, no ``www.``; none empty),
    worked out once per rule rather than once per link."""
    return tuple(key for key in map(_host_key, domains) if key)


def canonical_url(url: str) -> str:
    """A normalised form of ``url`` for comparison and as a unique key."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = host_of(url)
    port = parts.port if parts.port not in (None, 80, 443) else None
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
