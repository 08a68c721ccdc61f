"""Running the app under uvicorn: quiet, fast to start, on a socket bound before the server starts."""

from __future__ import annotations

import logging
import socket

import uvicorn
from starlette.types import ASGIApp

from otel_genai.mock_openai.pipeline.wire import StreamReset


class _DeliberateResetFilter(logging.Filter):
    """Hide uvicorn's traceback for streams the ``reset-stream`` scenario breaks on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not _is_deliberate_reset(error)


def _is_deliberate_reset(error: BaseException | None) -> bool:
    if isinstance(error, StreamReset):
        return True
    # anyio task groups may wrap the reset in an exception group.
    inner = getattr(error, "exceptions", None)
    return isinstance(inner, tuple) and bool(inner) and all(_is_deliberate_reset(e) for e in inner)


_RESET_FILTER = _DeliberateResetFilter()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to *host*:*port* (0 picks a free port), ready to hand to uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def build_server(app: ASGIApp) -> uvicorn.Server:
    """A uvicorn server for *app* that logs only warnings and errors, without access logs."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        loop="asyncio",
    )
    # Added after Config, which (re)configures uvicorn's loggers.
    error_logger = logging.getLogger("uvicorn.error")
    if _RESET_FILTER not in error_logger.filters:
        error_logger.addFilter(_RESET_FILTER)
    return uvicorn.Server(config)


def url_host(host: str) -> str:
    """*host* as it goes into a URL (IPv6 addresses in brackets)."""
    return f"[{host}]" if ":" in host else host
