"""Which network addresses a user-given URL may reach: the guard against SSRF.

A lookup fetches whatever URL a person types, so without a guard ``repostwatch check`` could be
pointed at the cloud metadata service (``169.254.169.254``), a database on ``localhost`` or a
router on ``192.168.x``. Only *global* unicast addresses pass. The guard has two halves:

- ``ip_literal`` / ``is_public_address`` judge a host written as an IP address, in any notation a
  socket library accepts (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``,
  ``[::ffff:127.0.0.1]``). The fetcher checks every redirect hop with them, because aiohttp never
  asks a resolver about an IP literal.
- ``GuardedResolver`` resolves host names for aiohttp and refuses the name when any address it
  resolves to is not public; it returns only the vetted addresses, so the connection is pinned
  to them and a second lookup (DNS rebinding) cannot swap in another.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import unquote

from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["AddressRefused", "GuardedResolver", "ip_literal", "is_public_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

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


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that returns only public addresses, or raises ``AddressRefused``.

    With ``allow_private`` it resolves like aiohttp's own threaded resolver. A name with one
    non-public address among public ones is refused as a whole: which address a connection
    would use is not ours to predict. Lookup failures raise ``OSError`` (``socket.gaierror``),
    which aiohttp reports as ``ClientConnectorDNSError``.
    """

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, family=family, flags=socket.AI_ADDRCONFIG
        )
        results: list[ResolveResult] = []
        for fam, _, proto, _, sockaddr in infos:
            if fam == socket.AF_INET6 and len(sockaddr) < 3:
                continue  # IPv6 unsupported by this Python build
            address, found_port = str(sockaddr[0]), int(sockaddr[1])
            if not self.allow_private and not is_public_address(address):
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
