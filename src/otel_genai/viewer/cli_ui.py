"""What ``otel-genai ui`` does: validate options, start the viewer, print where it is, wait."""

from __future__ import annotations

import signal
import sqlite3
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import click

from otel_genai.viewer.config import ViewerConfig
from otel_genai.viewer.server import CannotListen, ViewerServer, cannot_listen_message
from otel_genai.viewer.store import StoreUnavailable

# Which option moves each listener to another port.
_PORT_FLAGS = {"page": "--port", "OTLP/HTTP": "--http-port", "OTLP/gRPC": "--grpc-port (or --no-grpc)"}


def run_ui(
    *,
    host: str,
    http_port: int,
    grpc_port: int,
    grpc_enabled: bool,
    page_port: int,
    data_dir: str | None,
    store: str | None = None,
    page_enabled: bool = True,
    receivers_enabled: bool = True,
    retention_days: float,
    max_size_mb: float,
    token: str | None,
    cors_origins: tuple[str, ...] = (),
) -> None:
    """Serve until Ctrl+C or SIGTERM."""
    config = ViewerConfig(
        host=host,
        http_port=http_port,
        grpc_port=grpc_port,
        grpc_enabled=grpc_enabled,
        page_port=page_port,
        data_dir=Path(data_dir).expanduser() if data_dir else None,
        retention_days=retention_days,
        max_size_mb=max_size_mb,
        token=token or None,
        store=store,
        page_enabled=page_enabled,
        receivers_enabled=receivers_enabled,
        cors_origins=cors_origins,
    )
    try:
        viewer = ViewerServer(config)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        endpoints = viewer.start()
    except CannotListen as exc:
        viewer.stop()
        raise click.ClickException(cannot_listen_message(exc, _PORT_FLAGS)) from exc
    except StoreUnavailable as exc:
        viewer.stop()
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        viewer.stop()
        fix = "choose another file with --store" if config.store else "choose another folder with --data-dir"
        raise click.ClickException(f"cannot open the store {config.store_location}: {exc}: {fix}") from exc

    # Before the start-up message: whoever reads it may send SIGTERM at once.
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    click.echo(f"otel-genai ui: store {viewer.store.description}")
    if receivers_enabled:
        click.echo(f"  retention:  {viewer.store.retention_summary(retention_days, max_size_mb)}")
    if endpoints.page:
        page = endpoints.page + "/"
        if config.token:
            page = f"{endpoints.page}/login?token={quote(config.token)}"
        click.echo(f"  page:       {page}")
    if endpoints.otlp_http:
        click.echo(f"  OTLP/HTTP:  {endpoints.otlp_http}  (/v1/traces, /v1/metrics, /v1/logs)")
    if endpoints.otlp_grpc:
        click.echo(f"  OTLP/gRPC:  {endpoints.otlp_grpc}")
    if config.cors_origins and endpoints.otlp_http:
        click.echo(f"  CORS:       OTLP/HTTP accepts exports from pages of {', '.join(config.cors_origins)}")
    if endpoints.otlp_http:
        click.echo("Send telemetry with the standard exporters, e.g.")
        click.echo(f"  OTEL_EXPORTER_OTLP_ENDPOINT={endpoints.otlp_http} OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")
        if config.token:
            click.echo("  OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<token>")
    click.echo("Ctrl+C stops.")
    sys.stdout.flush()

    try:
        while not stopped.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("otel-genai ui: stopping")
        viewer.stop()
