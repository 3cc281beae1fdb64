"""Running the sandbox web: in a background thread (tests, benchmarks) or in the caller's loop.

``SandboxServer`` owns a thread with its own asyncio loop, so it works under any other event
loop or reactor in the main thread (pytest-twisted, Scrapy): nothing of it runs in the caller's
loop. ``serve`` runs the same app in the current loop until cancelled (``python -m
crawler.sandbox``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from .app import build_app

__all__ = ["SandboxError", "SandboxServer", "serve"]

_SHUTDOWN_TIMEOUT = 2.0  # seconds for requests in flight when the server stops


class SandboxError(RuntimeError):
    """The sandbox web cannot start (for instance: its port is taken)."""


class SandboxServer:
    """The sandbox web on ``host:port`` (port 0: a free one), served from a background thread.

    Use as a context manager, or ``start()`` / ``stop()``. Point clients at ``proxy_url`` as
    their HTTP proxy. ``requests`` lists ``(host, path_qs)`` of every request served, in order.
    ``app`` serves another aiohttp application the same way (its requests are not logged).
    """

    def __init__(self, *, articles: int = 8, host: str = "127.0.0.1", port: int = 0,
                 app: web.Application | None = None) -> None:
        self.articles = articles
        self.app = app  # another application to serve instead (tests of crawl behaviours)
        self.host = host
        self.port = port
        self.requests: list[tuple[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def proxy_url(self) -> str:
        """``http://HOST:PORT`` of the running server (the port is known after ``start``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        """Listen, and return once the server accepts connections.

        Raises ``SandboxError`` when the address cannot be bound (port taken, bad host) and
        ``ValueError`` for an impossible article count.
        """
        if self._thread is not None:
            raise SandboxError("the sandbox web is already running")
        app = self.app if self.app is not None else build_app(self.articles, log=self.requests)
        ready = threading.Event()
        self._failure = None
        self._thread = threading.Thread(target=self._run, args=(app, ready),
                                        name="sandbox-web", daemon=True)
        self._thread.start()
        ready.wait()
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise SandboxError(
                f"cannot serve the sandbox web on {self.host}:{self.port}: {self._failure}"
            ) from self._failure
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (a no-op when not running)."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._thread = self._loop = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, app: web.Application, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, handle_signals=False, access_log=None,
                               shutdown_timeout=_SHUTDOWN_TIMEOUT)
        try:
            try:
                loop.run_until_complete(runner.setup())
                loop.run_until_complete(web.TCPSite(runner, self.host, self.port).start())
            except Exception as exc:  # handed to start(), which raises it in the caller's thread
                self._failure = exc
                return
            self.port = _bound_port(runner)
            self._loop = loop
            ready.set()
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            _cancel_pending(loop)  # handlers still sleeping (the hostile slow routes)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            ready.set()


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and finish the loop's remaining tasks, so none is destroyed while pending (which
    asyncio logs as an error, later, in whatever code runs then)."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _bound_port(runner: web.AppRunner) -> int:
    port: int = runner.addresses[0][1]
    return port


async def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    articles: int = 8,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the sandbox web in the running loop until cancelled.

    ``on_ready`` is called with the proxy URL once the server listens. Raises ``SandboxError``
    when the address cannot be bound.
    """
    runner = web.AppRunner(build_app(articles), handle_signals=False, access_log=None,
                           shutdown_timeout=_SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise SandboxError(f"cannot serve the sandbox web on {host}:{port}: {exc}") from exc
        if on_ready is not None:
            on_ready(f"http://{host}:{_bound_port(runner)}")
        await asyncio.Event().wait()  # until cancelled
    finally:
        await runner.cleanup()
