"""Fetch one page (or a handful) for ``repostwatch check``, without starting Scrapy.

Every failure is a ``FetchError`` with a plain-language message: bad scheme, refused address,
too many redirects, HTTP status >= 400, not HTML, too large, timed out, DNS, TLS, connection.

SSRF guard (see ``crawler.addresses``): unless ``allow_private``, only global addresses are
fetched. Redirects are followed here, hop by hop, so every hop is checked: IP literals in any
notation before the request, host names by the session's ``GuardedResolver`` at connect time,
which also pins the connection to the addresses it vetted (no DNS rebinding).

With a proxy (``config.proxy``, e.g. the sandbox web) the proxy resolves the target host, not
us: then only IP literals can be checked, and a host *name* is fetched only when allowed
(``allow_private``, or a site of ``config.allow_private_sites``). Crawls follow the same
policy (``crawler.addresses.AddressPolicy``, applied to them by ``crawler.guard``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from yarl import URL

from repostwatch.config import CrawlConfig
from repostwatch.errors import ConfigError, FetchError
from repostwatch.redact import safe_url

from .addresses import AddressPolicy, AddressRefused, GuardedResolver, is_public_address
from .sniff import SNIFF_BYTES, declared_not_html, decode_html, html_body, utf8_of

__all__ = ["Fetched", "GuardedConnector", "address_policy", "fetch", "fetch_many",
           "is_public_address", "open_session"]

ACCEPT = "text/html,application/xhtml+xml"
# how to lift the guard, where a refusal is read: `check` has the flag, the review UI's
# "re-check now" and every other fetch only the config key
_ALLOW = ("to allow it: [crawl] allow_private_sites (or allow_private = true; `check "
          "--allow-private` for one run)")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """A fetched HTML page. ``url`` is as asked; ``final_url`` is after redirects."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    html: str
    encoding: str  # the encoding the body was decoded with (Python codec name)
    fetched_at: datetime  # UTC
    utf8: bytes | None = field(default=None, repr=False)  # html as UTF-8, if the body was


class GuardedConnector(aiohttp.TCPConnector):
    """A TCP connector resolving names through ``GuardedResolver`` (no DNS cache: each
    connection is checked and pinned)."""

    def __init__(self, *, allow_private: bool = False, policy: AddressPolicy | None = None
                 ) -> None:
        self.policy = policy if policy is not None else AddressPolicy(allow_all=allow_private)
        super().__init__(resolver=GuardedResolver(policy=self.policy), use_dns_cache=False)
        self.allow_private = self.policy.allow_all


def address_policy(config: CrawlConfig, *, allow_private: bool | None = None) -> AddressPolicy:
    """The address policy of ``config`` (``allow_private`` None: ``config.allow_private``).

    Raises ``ConfigError`` for a bad ``allow_private_sites`` entry."""
    allow = config.allow_private if allow_private is None else allow_private
    try:
        return AddressPolicy.of(allow_all=allow, sites=config.allow_private_sites,
                                proxied=bool(config.proxy))
    except ValueError as exc:
        raise ConfigError(f"[crawl] allow_private_sites: {exc}",
                          hint="see docs/config.md for the keys and their values") from exc


def open_session(config: CrawlConfig, *, allow_private: bool | None = None
                 ) -> aiohttp.ClientSession:
    """A session for ``fetch``: guarded resolver (or, with a proxy, a plain one for the proxy's
    own name), ``config.timeout`` per request, no proxy settings from the environment."""
    policy = address_policy(config, allow_private=allow_private)
    connector = aiohttp.TCPConnector() if config.proxy else GuardedConnector(policy=policy)
    return aiohttp.ClientSession(connector=connector, timeout=_timeout(config), trust_env=False)


async def fetch(url: str, config: CrawlConfig, *, session: aiohttp.ClientSession | None = None,
                allow_private: bool | None = None, html_only: bool = True) -> Fetched:
    """Fetch the HTML page at ``url`` following up to ``config.max_redirects`` redirects.

    ``allow_private`` (None: ``config.allow_private``) lifts the SSRF guard. Limits:
    ``config.timeout`` seconds for the whole fetch, ``config.max_size_mb`` MiB of (decompressed)
    body. A given ``session`` must come from ``open_session`` with the same ``allow_private``
    unless a proxy is configured or private addresses are allowed (else ``ValueError``): another
    session's resolver would not check host names. ``html_only=False`` accepts any text (a
    robots.txt), decoded by its charset. Raises ``FetchError``.
    """
    allow = config.allow_private if allow_private is None else allow_private
    if session is None:
        async with open_session(config, allow_private=allow) as own:
            return await fetch(url, config, session=own, allow_private=allow,
                               html_only=html_only)
    policy = address_policy(config, allow_private=allow)
    connector = session.connector
    if isinstance(connector, GuardedConnector):
        usable = connector.policy == policy
    else:
        usable = allow or bool(config.proxy)
    if not usable:
        raise ValueError("fetch() needs a session from open_session() with the same "
                         "allow_private, so that host names are checked")
    try:
        async with asyncio.timeout(config.timeout):
            return await _follow(url, config, session, policy, html_only)
    except TimeoutError as exc:
        raise FetchError(f"timed out after {config.timeout:g} s", url=url) from exc


async def fetch_many(urls: Sequence[str], config: CrawlConfig, *, per_site: int = 2,
                     concurrency: int = 8, allow_private: bool | None = None
                     ) -> list[Fetched | FetchError]:
    """Fetch ``urls`` concurrently; results in the same order, a ``FetchError`` in place of
    each failure. At most ``concurrency`` requests in all and ``per_site`` per host (the host
    of the URL as given; redirects may lead elsewhere)."""
    if per_site < 1 or concurrency < 1:
        raise ValueError("per_site and concurrency must be at least 1")
    allow = config.allow_private if allow_private is None else allow_private
    overall = asyncio.Semaphore(concurrency)
    sites: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_site))

    async with open_session(config, allow_private=allow) as session:
        async def one(url: str) -> Fetched | FetchError:
            async with sites[_site(url)], overall:
                try:
                    return await fetch(url, config, session=session, allow_private=allow)
                except FetchError as exc:
                    return exc

        return list(await asyncio.gather(*(one(url) for url in urls)))


def _timeout(config: CrawlConfig) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=config.timeout, sock_connect=config.timeout)


def _site(url: str) -> str:
    try:
        return (URL(url).host or "").lower()
    except ValueError:
        return ""


async def _follow(url: str, config: CrawlConfig, session: aiohttp.ClientSession,
                  policy: AddressPolicy, html_only: bool = True) -> Fetched:
    first = hop = _parse(url, url)
    seen = {hop}
    for _ in range(config.max_redirects + 1):
        _check_hop(hop, url, policy, redirected=hop != first)
        try:
            async with session.get(
                hop, allow_redirects=False, proxy=config.proxy or None, timeout=_timeout(config),
                headers={"User-Agent": config.user_agent, "Accept": ACCEPT},
            ) as resp:
                location = resp.headers.get("Location") if resp.status in REDIRECTS else None
                if not location:
                    return await _read(url, hop, resp, config, html_only)
        except AddressRefused as exc:
            raise FetchError(_refusal(hop, url, exc.host, exc.address, redirected=hop != first),
                             url=url) from exc
        except aiohttp.ClientError as exc:
            if isinstance(exc, TimeoutError):
                raise  # reported by fetch() like the overall deadline
            raise FetchError(_describe(exc, hop, config), url=url) from exc
        hop = _parse(location, url, base=hop)
        if hop in seen:
            raise FetchError(f"too many redirects (a redirect loop at {hop})", url=url)
        seen.add(hop)
    raise FetchError(f"too many redirects (more than {config.max_redirects})", url=url)


def _parse(location: str, asked: str, *, base: URL | None = None) -> URL:
    try:
        target = URL(location)
        target = base.join(target) if base is not None else target
    except ValueError as exc:
        what = "redirect target" if base is not None else "URL"
        raise FetchError(f"invalid {what} {location!r}: {exc}", url=asked) from exc
    if target.scheme not in ("http", "https"):
        scheme = target.scheme or "none"
        where = f" (redirected to {location})" if base is not None else ""
        raise FetchError(f"only http and https URLs can be fetched, not scheme {scheme!r}{where}",
                         url=asked)
    if not target.raw_host:
        raise FetchError(f"URL {location!r} has no host", url=asked)
    return target.with_fragment(None)


def _check_hop(hop: URL, asked: str, policy: AddressPolicy, *, redirected: bool) -> None:
    """Refuse a hop the guard can already judge; names go on to the session's resolver."""
    host = hop.raw_host or ""
    why = policy.refusal(host, hop.port)
    if why is None:
        return
    if why.kind == "invalid":
        raise FetchError(f"invalid host in {hop}: {why.address}", url=asked)
    if why.kind == "proxied":
        where = f"{hop} (redirected from {asked})" if redirected else str(hop)
        raise FetchError(f"refusing to fetch {where}: {why}; {_ALLOW}", url=asked)
    raise FetchError(_refusal(hop, asked, host, why.address, redirected=redirected), url=asked)


def _refusal(hop: URL, asked: str, host: str, address: str, *, redirected: bool) -> str:
    where = f"{hop} (redirected from {asked})" if redirected else asked
    return (f"refusing to fetch {where}: {host} resolves to a private or local address "
            f"({address}); {_ALLOW}")


async def _read(asked: str, hop: URL, resp: aiohttp.ClientResponse,
                config: CrawlConfig, html_only: bool = True) -> Fetched:
    if resp.status >= 400:
        raise FetchError(f"HTTP {resp.status} {resp.reason or ''}".rstrip(), url=asked,
                         status=resp.status)
    content_type = resp.headers.get("Content-Type", "").strip()
    if html_only and declared_not_html(content_type):
        raise FetchError(f"not an HTML page (Content-Type: {content_type})", url=asked)
    limit = int(config.max_size_mb * 1024 * 1024)
    too_large = FetchError(f"page larger than {config.max_size_mb:g} MiB", url=asked)
    if "Content-Encoding" not in resp.headers and (resp.content_length or 0) > limit:
        raise too_large
    body = bytearray()
    # The bytes decide, whatever the header says (a PDF sent as text/html), as in a crawl
    sniffed = not html_only
    async for chunk in resp.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise too_large
        if not sniffed and len(body) >= SNIFF_BYTES:
            sniffed = _sniff_html(asked, body, content_type)
    if not sniffed:
        _sniff_html(asked, body, content_type)
    raw = bytes(body)
    encoding, html = decode_html(content_type or None, raw)
    headers: dict[str, str] = {}
    for name, value in resp.headers.items():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return Fetched(url=asked, final_url=str(hop), status=resp.status, headers=headers,
                   html=html, encoding=encoding, fetched_at=datetime.now(UTC),
                   utf8=utf8_of(encoding, raw, html))


def _sniff_html(asked: str, body: bytearray, content_type: str) -> bool:
    """True when the page is HTML by its type and first bytes (``html_body``, as a crawl
    decides), else ``FetchError``."""
    if not html_body(content_type, bytes(body[:SNIFF_BYTES])):
        said = f"Content-Type: {content_type}" if content_type else "no Content-Type"
        raise FetchError(f"not an HTML page (the body does not start like HTML; {said})",
                         url=asked)
    return True


def _describe(exc: aiohttp.ClientError, hop: URL, config: CrawlConfig) -> str:
    """A plain-language message for an aiohttp failure."""
    try:
        name = hop.host or ""
    except UnicodeError:  # "xn--a": no name IDNA can decode; said as it was written
        name = hop.raw_host or ""
    host = f"[{name}]" if ":" in name else name
    where = f"{host}:{hop.explicit_port}" if hop.explicit_port else host
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return (f"cannot connect to the proxy {safe_url(config.proxy)}: "
                f"{exc.os_error.strerror or exc}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve host {name}"
    if isinstance(exc, aiohttp.ClientSSLError | aiohttp.ServerFingerprintMismatch):
        return f"TLS error: {exc}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return f"connection refused by {where}"
        return f"cannot connect to {where}: {exc.os_error.strerror or exc.os_error}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return f"{where} closed the connection without an answer"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"broken response from {where}: {exc}"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"invalid URL {hop}: {exc}"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"bad response from {where}: {exc.message}"
    return f"cannot fetch {hop}: {exc}"
