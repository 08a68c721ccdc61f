"""Run the viewer: OTLP/HTTP and page servers (uvicorn), OTLP/gRPC (grpcio), retention.

Both uvicorn servers share one event loop in a background thread, so the same code
serves the CLI (which waits for Ctrl+C) and the tests (which start it on port 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
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
from otel_genai.viewer.store import RetentionPolicy, Store
from otel_genai.viewer.store_location import open_store
from otel_genai.viewer.web import page_app

log = logging.getLogger(__name__)

RETENTION_INTERVAL_S = 60.0


class CannotListen(OSError):
    """A port the viewer needs is taken (or not ours to bind); ``role`` says which one."""

    def __init__(self, role: str, host: str, port: int, reason: OSError) -> None:
        self.role, self.host, self.port, self.reason = role, host, port, reason
        in_use = reason.errno == errno.EADDRINUSE
        super().__init__(reason.errno, f"port {port} ({role}) " + ("is in use" if in_use else f"on {host}: {reason}"))

    def __str__(self) -> str:
        return str(self.strerror)

    @property
    def in_use(self) -> bool:
        return self.errno == errno.EADDRINUSE


def cannot_listen_message(exc: CannotListen, flags: dict[str, str]) -> str:
    """One line naming the port, what it is for, and the option that changes it."""
    flag = flags.get(exc.role, "")
    if exc.in_use:
        return f"{exc}, perhaps by another viewer or a collector: stop it, or choose another port with {flag}"
    return f"cannot listen on {exc}: choose another port with {flag}"


def _bind(host: str, port: int, role: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only disables Nagle's algorithm (TCP_NODELAY) on
    # accepted sockets whose proto says TCP, and without it keep-alive responses stall
    # ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise CannotListen(role, host, port, exc) from exc
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
        self._store: Store | None = None
        self._policy = RetentionPolicy(config.retention_days, int(config.max_size_mb * 1024 * 1024))
        self._servers: list[_QuietServer] = []
        self._grpc: grpc.Server | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._retention_thread: threading.Thread | None = None
        self.endpoints: Endpoints | None = None

    @property
    def store(self) -> Store:
        """The open store (the viewer must be started)."""
        if self._store is None:
            raise RuntimeError("the viewer is not running")
        return self._store

    def start(self) -> Endpoints:
        """Bind the ports, start serving in the background, enforce retention once."""
        cfg = self.config
        sockets: dict[str, socket.socket] = {}
        grpc_port = None
        try:
            if cfg.receivers_enabled:
                sockets["receiver"] = _bind(cfg.host, cfg.http_port, "OTLP/HTTP")
            if cfg.page_enabled:
                sockets["page"] = _bind(cfg.host, cfg.page_port, "page")
            if cfg.receivers_enabled and cfg.grpc_enabled and cfg.grpc_port:
                # gRPC binds its own socket once the store is open: see now that it can.
                _bind(cfg.host, cfg.grpc_port, "OTLP/gRPC").close()
            # The store (a SQLite file's folder included) exists only once the ports are known to be free.
            self._store = open_store(cfg.store_location, index_in_background=True, writer=cfg.receivers_enabled)
            if cfg.receivers_enabled:
                self._store.enforce_retention(self._policy)
            if cfg.receivers_enabled and cfg.grpc_enabled:
                try:
                    self._grpc, grpc_port = start_grpc_receiver(
                        self._store,
                        host=cfg.host,
                        port=cfg.grpc_port,
                        max_request_bytes=cfg.max_request_bytes,
                        token=cfg.token,
                    )
                except OSError as exc:
                    raise CannotListen("OTLP/gRPC", cfg.host, cfg.grpc_port, exc) from exc
        except Exception:
            for sock in sockets.values():
                sock.close()
            if self._store is not None:
                self._store.close()
                self._store = None
            raise
        store = self.store
        apps: list[tuple[ASGIApp, socket.socket]] = []
        if "receiver" in sockets:
            receiver = receiver_app(
                store, max_request_bytes=cfg.max_request_bytes, token=cfg.token, cors_origins=cfg.cors_origins
            )
            apps.append((receiver, sockets["receiver"]))
        if "page" in sockets:
            apps.append((page_app(store, token=cfg.token, host=cfg.host), sockets["page"]))
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
        self._servers = []
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> ViewerServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
