"""Settings of the viewer: addresses, ports, the store, retention, token, which parts run."""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 4318
DEFAULT_GRPC_PORT = 4317
DEFAULT_PAGE_PORT = 4319
DEFAULT_RETENTION_DAYS = 7.0
DEFAULT_MAX_SIZE_MB = 1024.0
# Uncompressed size of one OTLP export request. The SDK exporters send batches of at most
# 512 spans, which stay far below this even with captured prompts.
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024

# What a browser sends as Origin: scheme://host[:port], nothing after.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+")

DATA_DIR_ENV = "OTEL_GENAI_UI_DATA_DIR"
TOKEN_ENV = "OTEL_GENAI_UI_TOKEN"
STORE_ENV = "OTEL_GENAI_UI_STORE"
DATABASE_FILE_NAME = "viewer.sqlite3"


def default_data_dir() -> Path:
    """Where the store lives unless told otherwise.

    ``$OTEL_GENAI_UI_DATA_DIR`` wins; otherwise the platform's per-user data directory
    (XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows).
    """
    explicit = os.environ.get(DATA_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "otel-genai" / "ui"


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ViewerConfig:
    """Everything ``otel-genai ui`` needs to start. Port 0 means "any free port"."""

    host: str = DEFAULT_HOST
    http_port: int = DEFAULT_HTTP_PORT
    grpc_port: int = DEFAULT_GRPC_PORT
    page_port: int = DEFAULT_PAGE_PORT
    data_dir: Path | None = None
    retention_days: float = DEFAULT_RETENTION_DAYS
    max_size_mb: float = DEFAULT_MAX_SIZE_MB
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    token: str | None = None
    grpc_enabled: bool = True
    # A postgresql:// URL, a SQLite file (path or sqlite:///...), or None for the data dir's file.
    store: str | None = None
    receivers_enabled: bool = True
    page_enabled: bool = True
    cors_origins: tuple[str, ...] = ()

    @property
    def database_path(self) -> Path:
        """The SQLite file in the data directory (the default store)."""
        return (self.data_dir or default_data_dir()) / DATABASE_FILE_NAME

    @property
    def store_location(self) -> str:
        """Where the store is: the ``store`` setting, else the data directory's SQLite file."""
        return self.store or str(self.database_path)

    def check(self) -> None:
        """Refuse settings that would expose captured prompts to the network unprotected."""
        if not is_loopback(self.host) and not self.token:
            raise ValueError(
                f"binding to {self.host} exposes captured prompts beyond this machine: "
                f"set a token with --token or ${TOKEN_ENV}"
            )
        if self.token is not None and len(self.token) < 8:
            raise ValueError("the token must be at least 8 characters long")
        for origin in self.cors_origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not a CORS origin: give scheme://host[:port], e.g. http://localhost:5173")
        if self.retention_days <= 0 or self.max_size_mb <= 0:
            raise ValueError("retention days and maximum size must be positive")
        if not (self.receivers_enabled or self.page_enabled):
            raise ValueError("--no-page and --no-receivers together leave nothing to run")
