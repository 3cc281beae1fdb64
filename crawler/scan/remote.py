"""A remote archive file read as a stream: aiohttp in a thread of its own, read by the WARC
reader as an ordinary blocking file.

A WARC file of Common Crawl is about a gigabyte: it is never downloaded whole, only read as
fast as records are judged (a buffer of ``_BUFFER`` bytes). The address guard is ``check``'s
(``crawler.addresses``): IP literals of every redirect hop are checked before the request,
host names by the ``GuardedResolver`` at connect time, unless private addresses are allowed.
No overall time limit (a big file takes minutes): ``[crawl] timeout`` bounds connecting and
each read instead, so a stalled server fails the file instead of hanging the scan.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from repostwatch.config import CrawlConfig

from ..addresses import AddressRefused, ip_literal, is_public_address
from ..fetch import REDIRECTS, GuardedConnector
from .records import ArchiveError

__all__ = ["RemoteStream"]

T = TypeVar("T")
_BUFFER = 1024 * 1024


class _Raw(io.RawIOBase):
    """The body of one HTTP response, read through the event loop running in ``loop``."""

    def __init__(self, url: str, config: CrawlConfig, allow_private: bool,
                 offset: int = 0) -> None:
        super().__init__()
        self.url = url
        self._offset = offset
        self._config = config
        self._allow = allow_private
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="repostwatch-scan-download")
        self._thread.start()
        self._session: aiohttp.ClientSession | None = None
        self._response: aiohttp.ClientResponse | None = None
        try:
            self._call(self._open())
        except BaseException:
            self.close()
            raise

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _open(self) -> None:
        config = self._config
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=config.timeout,
                                        sock_read=config.timeout)
        connector = (aiohttp.TCPConnector() if config.proxy
                     else GuardedConnector(allow_private=self._allow))
        # auto_decompress off: the bytes as stored, whatever a server says of them (a
        # Content-Encoding on a .warc.gz would shift every offset)
        self._session = aiohttp.ClientSession(connector=connector, timeout=timeout,
                                              trust_env=False, auto_decompress=False)
        hop = URL(self.url)
        headers = {"User-Agent": config.user_agent}
        if self._offset:
            headers["Range"] = f"bytes={self._offset}-"
        for _ in range(config.max_redirects + 1):
            self._check(hop)
            try:
                response = await self._session.get(
                    hop, allow_redirects=False, proxy=config.proxy or None, headers=headers)
            except AddressRefused as exc:
                raise self._error(f"refusing to fetch {hop}: {exc}; pass --allow-private to "
                                  "allow it") from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise self._error(f"cannot fetch {hop}: {exc or type(exc).__name__}") from exc
            location = response.headers.get("Location")
            if response.status in REDIRECTS and location:
                response.release()
                hop = hop.join(URL(location))
                continue
            if response.status != (206 if self._offset else 200):
                response.release()
                raise self._error(f"HTTP {response.status} {response.reason or ''}".rstrip())
            self._response = response
            return
        raise self._error(f"too many redirects (more than {config.max_redirects})")

    def _check(self, hop: URL) -> None:
        if hop.scheme not in ("http", "https") or not hop.raw_host:
            raise self._error(f"only http(s) URLs can be read, not {hop}")
        if self._allow:
            return
        try:
            address = ip_literal(hop.raw_host)
        except ValueError as exc:
            raise self._error(f"invalid host in {hop}: {exc}") from exc
        if address is not None and not is_public_address(str(address)):
            raise self._error(f"refusing to fetch {hop}: {address} is a private or local "
                              "address; pass --allow-private to allow it")
        if address is None and self._config.proxy:
            raise self._error(f"refusing to fetch {hop}: its host is resolved by the proxy, "
                              "so its address cannot be checked; pass --allow-private")

    def _error(self, message: str) -> ArchiveError:
        return ArchiveError(message, location=self.url)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        assert self._response is not None
        view = memoryview(buffer).cast("B")
        try:
            data = self._call(self._response.content.read(len(view)))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._error(f"the download broke off: {exc or type(exc).__name__}") from exc
        view[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if self.closed:
            return
        if self._loop.is_running():
            self._call(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()
        super().close()

    async def _close(self) -> None:
        if self._response is not None:
            self._response.release()
        if self._session is not None:
            await self._session.close()


class RemoteStream(io.BufferedReader):
    """The file at ``url`` (http or https) open for buffered, blocking reads, from byte
    ``offset`` on (a Range request, which the server must honour: 206). Raises
    ``ArchiveError`` when it cannot be fetched, is refused by the address guard, or when the
    download breaks off."""

    def __init__(self, url: str, *, config: CrawlConfig, allow_private: bool,
                 offset: int = 0) -> None:
        super().__init__(_Raw(url, config, allow_private, offset), _BUFFER)
