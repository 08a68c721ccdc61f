"""Serving any ASGI app on a background thread, on 127.0.0.1 (``LoopbackServer``)."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from otel_genai.mock_openai.hosting.uvicorn_setup import build_server, listening_socket

_HOST = "127.0.0.1"
_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0

_Server = TypeVar("_Server", bound="LoopbackServer")


class LoopbackServer:
    """Runs an ASGI app under uvicorn on 127.0.0.1, in a daemon thread.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, app: ASGIApp, port: int = 0) -> None:
        """*port* 0 (the default) lets the operating system pick a free port."""
        self._app = app
        self._requested_port = port
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self: _Server) -> _Server:
        """Start serving; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        sock = listening_socket(_HOST, self._requested_port)
        self._port = sock.getsockname()[1]
        server = build_server(self._app)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="loopback-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.002)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (a no-op when not running)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT_S)
        self._server = self._thread = None

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} has not been started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:{port}``."""
        return f"http://{_HOST}:{self.port}"
