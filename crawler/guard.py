"""The address guard of crawls: what ``check`` refuses, a crawl refuses too.

A crawl fetches what search results, links and redirects name, none of which the operator
controls, so every request goes through the same ``AddressPolicy`` as ``check``
(``crawler.addresses``; docs/crawling.md "Addresses"):

- ``AddressGuard``, a downloader middleware placed before robots.txt, judges each request
  (pages, robots.txt, sitemaps, every redirect hop: Scrapy sends a redirect through the
  middlewares again) before any connection: only ``http``/``https``; an IP literal in any
  notation must be public or allowed; through a proxy a host *name* must be allowed (the proxy
  resolves it out of our sight); without one, a name is resolved first and refused when any
  of its addresses is private or local. A refusal is the page problem ``address_refused``
  (counted, one warning, the crawl goes on).
- ``PinningResolver``, installed on the reactor while a crawl without a proxy runs, vets the
  address Twisted is about to connect to, so a name whose DNS answer changed after the check
  (DNS rebinding) is still refused, and the connection goes to the address that was vetted.

The operator's own search backend (``[search] url``) is no crawled site: its requests carry
``OPERATOR_URL`` in their meta and pass (not their redirects).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

from .addresses import AddressPolicy, Refusal, ip_literal

__all__ = ["OPERATOR_URL", "AddressGuard", "AddressRefusedError", "PinningResolver",
           "policy_from_settings"]

logger = logging.getLogger(__name__)

OPERATOR_URL = "repostwatch_operator_url"
"""Request meta key: the URL comes from the operator's config (the search backend)."""
HINT = "to allow it: [crawl] allow_private_sites (docs/crawling.md)"


class AddressRefusedError(IgnoreRequest):
    """The address guard refused the request (the page problem ``address_refused``)."""


def policy_from_settings(settings: Any) -> AddressPolicy:
    """The crawl's ``AddressPolicy`` from its Scrapy settings (``crawl_settings``)."""
    return AddressPolicy.of(
        allow_all=settings.getbool("REPOSTWATCH_ALLOW_PRIVATE", False),
        sites=settings.getlist("REPOSTWATCH_ALLOW_PRIVATE_SITES", []),
        proxied=bool(settings.get("REPOSTWATCH_PROXY")),
    )


class AddressGuard:
    """Refuse requests to private or local addresses before any connection (module doc)."""

    def __init__(self, crawler: Crawler, policy: AddressPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        self.resolved: dict[str, Refusal | None] = {}  # host:port -> judging its addresses
        self._previous: Any = None  # the reactor's resolver while ours is installed
        if not (policy.proxied or policy.allow_all):
            crawler.signals.connect(self._install, signal=signals.engine_started)
            crawler.signals.connect(self._restore, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuard:
        return cls(crawler, policy_from_settings(crawler.settings))

    async def process_request(self, request: Request) -> None:
        if request.meta.get(OPERATOR_URL) and not request.meta.get("redirect_urls"):
            return
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):  # file:, ftp:, s3:, data: never, allowed or not
            raise AddressRefusedError(f"only http and https URLs are fetched, not {parts.scheme}:")
        if self.policy.allow_all:
            return  # `allow_private = true`: the operator lifted the address checks
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = None  # an invalid port: the download itself fails with the reason
        why = self.policy.refusal(host, port)
        if why is None and not self.policy.proxied and not self.policy.allows_host(host, port):
            why = await self._resolve(host, port)
        if why is not None:
            raise AddressRefusedError(f"{why}; {HINT}")

    async def _resolve(self, host: str, port: int | None) -> Refusal | None:
        """Resolve a name (once per crawl and port) and judge every address it has."""
        if ip_literal(host) is not None:
            return None  # judged by ``refusal`` already
        key = f"{host}:{port}"
        if key not in self.resolved:
            try:
                infos = await maybe_deferred_to_future(deferToThread(
                    socket.getaddrinfo, host, None, type=socket.SOCK_STREAM))
            except OSError:
                self.resolved[key] = None  # no answer: the download fails as a DNS problem
            else:
                bad = [str(i[4][0]) for i in infos if not self.policy.allows_address(
                    str(i[4][0]).split("%", 1)[0], port)]
                self.resolved[key] = Refusal(host, "private", bad[0]) if bad else None
        return self.resolved[key]

    def _install(self) -> None:
        from twisted.internet import reactor

        installed: Any = reactor
        self._previous = installed.nameResolver
        installed.installNameResolver(PinningResolver(self._previous, self.policy))

    def _restore(self) -> None:
        from twisted.internet import reactor

        installed: Any = reactor
        if self._previous is not None and isinstance(installed.nameResolver, PinningResolver):
            installed.installNameResolver(self._previous)
        self._previous = None


class PinningResolver:
    """The reactor's name resolver, vetting each answer: a name with an address the policy
    does not allow gets no address at all (Twisted reports a failed DNS lookup and connects
    nowhere); otherwise Twisted connects to the very addresses vetted.

    Twisted's ``IHostnameResolver`` (and ``_Vetting`` its ``IResolutionReceiver``) by duck
    typing: the reactor does not check the interface, and zope.interface stays undeclared.
    """

    def __init__(self, inner: Any, policy: AddressPolicy) -> None:
        self.inner = inner
        self.policy = policy

    def resolveHostName(
        self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
        addressTypes: Any = None, transportSemantics: str = "TCP",
    ) -> Any:
        if self.policy.allows_host(hostName, portNumber or None):
            return self.inner.resolveHostName(resolutionReceiver, hostName, portNumber,
                                              addressTypes, transportSemantics)
        vetting = _Vetting(resolutionReceiver, hostName, portNumber or None, self.policy)
        return self.inner.resolveHostName(vetting, hostName, portNumber, addressTypes,
                                          transportSemantics)


class _Vetting:
    """Holds the addresses back until all are known, then passes them on only if every one
    is allowed."""

    def __init__(self, receiver: Any, name: str, port: int | None, policy: AddressPolicy
                 ) -> None:
        self.receiver = receiver
        self.name = name
        self.port = port
        self.policy = policy
        self.addresses: list[Any] = []

    def resolutionBegan(self, resolution: Any) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        bad = [a.host for a in self.addresses if not self.policy.allows_address(
            str(getattr(a, "host", "")).split("%", 1)[0], self.port)]
        if bad:
            logger.warning("refused to connect to %s: it resolves to a private or local "
                           "address (%s)", self.name, bad[0])
        else:
            for address in self.addresses:
                self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()
