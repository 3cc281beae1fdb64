"""Which network addresses a fetch may reach: the guard against SSRF, for every fetch.

A lookup fetches whatever URL a person types, and a crawl whatever a search result, a link or a
redirect names: without a guard ``repostwatch check`` or a crawl could be pointed at the cloud
metadata service (``169.254.169.254``), a database on ``localhost`` or a router on
``192.168.x``. Only *global* unicast addresses pass, unless the operator allows more
(``AddressPolicy``: ``[crawl] allow_private`` / ``allow_private_sites``, ``allow_private`` of a
``[[watch]]`` site; docs/crawling.md "Addresses"). The guard has these parts:

- ``ip_literal`` / ``is_public_address`` judge a host written as an IP address, in any notation a
  socket library accepts (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``,
  ``[::ffff:127.0.0.1]``). The fetcher checks every redirect hop with them, because aiohttp never
  asks a resolver about an IP literal.
- ``GuardedResolver`` resolves host names for aiohttp and refuses the name when any address it
  resolves to is not public; it returns only the vetted addresses, so the connection is pinned
  to them and a second lookup (DNS rebinding) cannot swap in another.
- ``AddressPolicy`` is what the operator allows, and judges a host before any connection;
  crawls apply it in ``crawler.guard`` (a downloader middleware and a pinning Twisted resolver).

Through a proxy (``[crawl] proxy``, e.g. the sandbox web) the proxy resolves host names, not
us: IP literals are still judged, and a host *name* is fetched only when the policy allows it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["AddressPolicy", "AddressRefused", "GuardedResolver", "Refusal", "ip_literal",
           "is_public_address", "parse_site"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# The legacy IPv4 notations ``inet_aton`` accepts: 1 to 4 parts, each decimal, octal or hex.
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}", re.I | re.ASCII)
# IPv6 prefixes that carry an IPv4 address a gateway may forward to (NAT64, IPv4-compatible).
_EMBEDS_IPV4 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))


class AddressRefused(Exception):
    """``host`` resolves to ``address``, which is not a public address."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to a private or local address ({address})")
        self.host = host
        self.address = address


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` denotes when it is written as an IP address, else None (a name).

    Accepts what browsers and socket libraries accept: brackets, a trailing dot, percent
    escapes, IPv6 zones and the legacy IPv4 forms (``127.1``, ``0x7f.1``, ``2130706433``,
    ``0177.0.0.1``). Raises ``ValueError`` for a host with a colon that is no valid IPv6
    address, because HTTP clients treat any host with a colon as an address.
    """
    text = unquote(host).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if ":" in text:
        raise ValueError(f"{host!r} is not a valid IPv6 address")
    text = text.removesuffix(".")
    if not _NUMERIC_HOST.fullmatch(text):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None  # all digits but no address (e.g. 1.2.3.4.5): not ours to reach either way


def is_public_address(ip: str) -> bool:
    """True when ``ip`` (any notation ``ip_literal`` accepts) is a global unicast address.

    False for private, loopback, link-local, site-local, multicast, reserved, unspecified and
    shared (CGNAT) addresses, for IPv6 addresses embedding such an IPv4 address (IPv4-mapped,
    NAT64, 6to4), and for anything that is not an IP address at all.
    """
    try:
        address = ip_literal(ip)
    except ValueError:
        return False
    return address is not None and _is_public(address)


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in net for net in _EMBEDS_IPV4):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not _is_public(embedded):
            return False
        if address.is_site_local:
            return False
    # ``is_global`` alone lets some multicast ranges through; the other flags are belt and braces.
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified
    )


def parse_site(entry: str) -> tuple[str | IPNetwork, int | None]:
    """One ``allow_private_sites`` entry: a host name (its subdomains too; ``*.`` or a leading
    dot may say so), an IP address or network (``10.1.0.0/16``, ``[fd00::]/8``), optionally
    with a port (``127.0.0.1:9101``, ``intranet.example:8080``; not with a network).

    Returns ``(name or network, port or None)``; raises ``ValueError`` for anything else.
    """
    text = entry.strip().lower()
    if "/" in text:
        try:
            return ipaddress.ip_network(text.replace("[", "").replace("]", ""), strict=False), None
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not an IP network ({exc})") from exc
    try:
        return ipaddress.ip_network(text, strict=False), None  # a bare IPv6 address
    except ValueError:
        pass
    if not text or any(c.isspace() or c in "?#@\\" for c in text):
        raise ValueError(f"{entry!r} is not a host name, address or network")
    try:
        parts = urlsplit("//" + text.removeprefix("*."))
        host, port = parts.hostname or "", parts.port
    except ValueError as exc:
        raise ValueError(f"{entry!r} has an invalid port") from exc
    host = host.removeprefix(".").removesuffix(".")
    if not host or "*" in host:
        raise ValueError(f"{entry!r} is not a host name, address or network")
    try:
        address = ip_literal(host)
    except ValueError as exc:
        raise ValueError(f"{entry!r}: {exc}") from exc
    if address is not None:
        return ipaddress.ip_network(address), port
    return host, port


@dataclass(frozen=True)
class AddressPolicy:
    """Which hosts a fetch may reach: public addresses, plus what the operator allows.

    ``allow_all``: anything (``[crawl] allow_private = true``, ``check --allow-private``).
    ``sites``: entries of ``parse_site`` (``allow_private_sites``, and the ``[[watch]]`` sites
    marked ``allow_private``): their hosts may be private or local, and, through a proxy, their
    names are fetched although the proxy resolves them. ``proxied``: a proxy resolves names.
    Build it with ``AddressPolicy.of``.
    """

    allow_all: bool = False
    sites: tuple[tuple[str | IPNetwork, int | None], ...] = ()
    proxied: bool = False

    @classmethod
    def of(cls, *, allow_all: bool = False, sites: Iterable[str] = (),
           proxied: bool = False) -> AddressPolicy:
        """The policy for these settings; raises ``ValueError`` for a bad site entry."""
        return cls(allow_all=allow_all, sites=tuple(parse_site(s) for s in sites),
                   proxied=proxied)

    def allows_host(self, host: str, port: int | None = None) -> bool:
        """True when ``host`` (a name or IP literal, in any notation) on ``port`` (None: any)
        is allowed whatever its address."""
        if self.allow_all:
            return True
        name = unquote(host).strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
        try:
            address = ip_literal(name)
        except ValueError:
            return False
        for site, site_port in self.sites:
            if site_port is not None and port is not None and site_port != port:
                continue
            if isinstance(site, str):
                if address is None and (name == site or name.endswith("." + site)):
                    return True
            elif address is not None and address in site:
                return True
        return False

    def allows_address(self, address: str, port: int | None = None) -> bool:
        """True when a connection may go to ``address`` (what a name resolved to) on ``port``
        (None: any): a public address, or one inside an allowed network."""
        if self.allow_all or is_public_address(address):
            return True
        try:
            ip = ip_literal(address)
        except ValueError:
            return False
        return ip is not None and any(
            not isinstance(site, str) and ip in site
            and (site_port is None or port is None or site_port == port)
            for site, site_port in self.sites)

    def refusal(self, host: str, port: int | None = None) -> Refusal | None:
        """Why ``host`` may not be fetched, judged before any connection, or None.

        An IP literal is judged now; a name is refused only through a proxy (which resolves
        it out of our sight) unless allowed. Without a proxy a name is judged when it is
        resolved (``GuardedResolver``, ``crawler.guard``), so None here does not mean allowed.
        """
        if self.allows_host(host, port):
            return None
        try:
            address = ip_literal(host)
        except ValueError as exc:
            return Refusal(host, "invalid", str(exc))
        if address is not None:
            return None if _is_public(address) else Refusal(host, "private", str(address))
        return Refusal(host, "proxied") if self.proxied else None


@dataclass(frozen=True)
class Refusal:
    """Why the guard refuses a host: ``kind`` is ``private`` (``address`` is what it is or
    resolves to), ``proxied`` (a name the proxy would resolve) or ``invalid`` (``address``
    says what is wrong)."""

    host: str
    kind: str
    address: str = ""

    def __str__(self) -> str:
        if self.kind == "private":
            if ip_literal(self.host) is None:
                return f"{self.host} resolves to a private or local address ({self.address})"
            same = self.host.strip("[]") == self.address
            return f"{self.host} is a private or local address" + (
                "" if same else f" ({self.address})")
        if self.kind == "proxied":
            return (f"{self.host} is resolved by the proxy, so its address cannot be checked")
        return f"invalid host {self.host!r}: {self.address}"


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that returns only public addresses, or raises ``AddressRefused``.

    With ``allow_private`` it resolves like aiohttp's own threaded resolver; with a ``policy``,
    a host it allows, or an address inside a network it allows, passes too. A name with one
    non-public address among public ones is refused as a whole: which address a connection
    would use is not ours to predict. Lookup failures raise ``OSError`` (``socket.gaierror``),
    which aiohttp reports as ``ClientConnectorDNSError``; so does a name that cannot be looked
    up at all ("a..b", a label over 63 characters: the IDNA codec refuses it).
    """

    def __init__(self, *, allow_private: bool = False,
                 policy: AddressPolicy | None = None) -> None:
        self.policy = policy if policy is not None else AddressPolicy(allow_all=allow_private)
        self.allow_private = self.policy.allow_all

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, family=family, flags=socket.AI_ADDRCONFIG
            )
        except UnicodeError:  # a label empty or over 63 characters: no name to look up
            raise socket.gaierror(socket.EAI_NONAME, f"invalid host name {host!r}") from None
        results: list[ResolveResult] = []
        named = self.policy.allows_host(host, port or None)
        for fam, _, proto, _, sockaddr in infos:
            if fam == socket.AF_INET6 and len(sockaddr) < 3:
                continue  # IPv6 unsupported by this Python build
            address, found_port = str(sockaddr[0]), int(sockaddr[1])
            if not named and not self.policy.allows_address(address, port or None):
                raise AddressRefused(host, address)
            if fam == socket.AF_INET6 and len(sockaddr) == 4 and sockaddr[3]:
                # A link-local address needs its zone; only reachable with allow_private.
                address, zone_port = await loop.getnameinfo(
                    (address, found_port, int(sockaddr[2]), int(sockaddr[3])),
                    socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
                )
                found_port = int(zone_port)
            result = ResolveResult(
                hostname=host, host=address, port=found_port, family=fam, proto=proto,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
            if result not in results:
                results.append(result)
        if not results:
            raise OSError(None, f"no usable address for {host}")
        return results

    async def close(self) -> None:
        """Nothing to release: lookups run in the loop's default executor."""
