"""Run the viewer: OTLP/HTTP and page servers (uvicorn), OTLP/gRPC (grpcio), retention.

Both uvicorn servers share one event loop in a background thread, so the same code
serves the CLI (which waits for Ctrl+C) and the tests (which start it on port 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from dataclasses import dataclass

import grpc
import uvicorn
from starlette.types import ASGIApp

from otel_genai.viewer.config import ViewerConfig
from otel_genai.viewer.receiver_grpc import start_grpc_receiver
from otel_genai.viewer.receiver_http import receiver_app
from otel_genai.viewer.store import RetentionPolicy, open_store
from otel_genai.viewer.web import page_app

log = logging.getLogger(__name__)

RETENTION_INTERVAL_S = 60.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only disables Nagle's algorithm (TCP_NODELAY) on
    # accepted sockets whose proto says TCP, and without it keep-alive responses stall
    # ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its owner."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


@dataclass(frozen=True)
class Endpoints:
    """Where a running viewer listens (None: that part does not run)."""

    otlp_http: str | None
    otlp_grpc: str | None
    page: str | None


class ViewerServer:
    """The running viewer. ``start()`` returns once every port is bound and serving."""

    def __init__(self, config: ViewerConfig) -> None:
        config.check()
        self.config = config
        self.store = open_store(config.store_location, index_in_background=True, writer=config.receivers_enabled)
        self._policy = RetentionPolicy(config.retention_days, int(config.max_size_mb * 1024 * 1024))
        self._servers: list[_QuietServer] = []
        self._grpc: grpc.Server | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._retention_thread: threading.Thread | None = None
        self.endpoints: Endpoints | None = None
        self._closed = False

    def start(self) -> Endpoints:
        """Bind the ports, start serving in the background, enforce retention once."""
        cfg = self.config
        if cfg.receivers_enabled:
            self.store.enforce_retention(self._policy)
        apps: list[tuple[ASGIApp, socket.socket]] = []
        grpc_port = None
        try:
            if cfg.receivers_enabled:
                receiver = receiver_app(self.store, max_request_bytes=cfg.max_request_bytes, token=cfg.token)
                apps.append((receiver, _bind(cfg.host, cfg.http_port)))
            if cfg.page_enabled:
                apps.append((page_app(self.store, token=cfg.token, host=cfg.host), _bind(cfg.host, cfg.page_port)))
            if cfg.receivers_enabled and cfg.grpc_enabled:
                self._grpc, grpc_port = start_grpc_receiver(
                    self.store,
                    host=cfg.host,
                    port=cfg.grpc_port,
                    max_request_bytes=cfg.max_request_bytes,
                    token=cfg.token,
                )
        except Exception:
            for _, sock in apps:
                sock.close()
            raise
        for app, _ in apps:
            config = uvicorn.Config(
                app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=3
            )
            self._servers.append(_QuietServer(config))
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve_all() -> None:
            tasks = [
                asyncio.create_task(s.serve(sockets=[sock])) for s, (_, sock) in zip(self._servers, apps, strict=True)
            ]
            while not all(s.started for s in self._servers):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            ready.set()
            await asyncio.gather(*tasks)

        def run() -> None:
            try:
                asyncio.run(serve_all())
            except BaseException as exc:  # surfaced by start() if it happens during startup
                failure.append(exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="otel-genai-ui", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure or not all(s.started for s in self._servers):
            self.stop()
            raise RuntimeError(f"the viewer failed to start: {failure[0] if failure else 'timeout'}")
        host = _url_host(cfg.host)
        urls = iter(f"http://{host}:{sock.getsockname()[1]}" for _, sock in apps)
        self.endpoints = Endpoints(
            otlp_http=next(urls) if cfg.receivers_enabled else None,
            otlp_grpc=f"{host}:{grpc_port}" if grpc_port else None,
            page=next(urls) if cfg.page_enabled else None,
        )
        if cfg.receivers_enabled:
            self._retention_thread = threading.Thread(target=self._retention_loop, name="retention", daemon=True)
            self._retention_thread.start()
        return self.endpoints

    def _retention_loop(self) -> None:
        while not self._stop.wait(RETENTION_INTERVAL_S):
            try:
                self.store.enforce_retention(self._policy)
            except Exception:  # keep serving; the next pass retries
                log.exception("retention pass failed")

    def stop(self) -> None:
        """Stop serving and close the store. Safe to call twice."""
        self._stop.set()
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        if self._grpc is not None:
            self._grpc.stop(grace=2).wait(5)
            self._grpc = None
        if self._retention_thread is not None:
            self._retention_thread.join(5)
            self._retention_thread = None
        if not self._closed:
            self._closed = True
            self._servers = []
            self.store.close()

    def __enter__(self) -> ViewerServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
