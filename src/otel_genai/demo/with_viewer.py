"""``otel-genai demo --ui``: the demo exporting OTLP to the local trace viewer.

If no viewer listens on the OTLP/HTTP port, one is started here (and kept serving until
Ctrl+C, so the trace can be looked at); the demo's trace URL is printed either way. A
port in use or a failed call ends with one line saying what to change, and exit code 1.
"""

from __future__ import annotations

import json
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from otel_genai.demo.providers import OPENAI, DemoProvider
from otel_genai.demo.runner import report_failure, run_app

_OTLP_ARGS = ["--traces_exporter", "otlp", "--metrics_exporter", "otlp", "--logs_exporter", "otlp"]
_WAIT_FOR_TRACE_S = 15.0
# Which option of `otel-genai demo --ui` moves each of the viewer's listeners.
_PORT_FLAGS = {"page": "--page-url", "OTLP/HTTP": "--otlp-endpoint"}


class _NoViewer(Exception):
    """The viewer could not be started or reached; the message says what to change."""


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def _viewer(page_url: str, otlp_url: str) -> Iterator[Any]:
    """The running viewer: an existing one (yields None) or one started here."""
    if _listening(otlp_url):
        yield None
        return
    from otel_genai.viewer.config import ViewerConfig
    from otel_genai.viewer.server import CannotListen, ViewerServer, cannot_listen_message

    # The demo exports over HTTP only, so its viewer needs no gRPC port.
    config = ViewerConfig(
        http_port=urlsplit(otlp_url).port or 4318, page_port=urlsplit(page_url).port or 4319, grpc_enabled=False
    )
    server = ViewerServer(config)
    try:
        server.start()
    except CannotListen as exc:
        server.stop()
        raise _NoViewer(f"cannot start the trace viewer: {cannot_listen_message(exc, _PORT_FLAGS)}") from exc
    print(f"otel-genai demo: started the trace viewer (store {config.database_path})", file=sys.stderr)
    try:
        yield server
    finally:
        server.stop()


def _newest_trace_since(page_url: str, since_ms: int) -> str | None:
    deadline = time.monotonic() + _WAIT_FOR_TRACE_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{page_url}/api/traces?since={since_ms}&limit=1", timeout=5) as reply:
                traces = json.load(reply).get("traces") or []
        except (OSError, ValueError) as exc:
            raise _NoViewer(f"no viewer page answers at {page_url} ({exc}): check --page-url") from exc
        if traces:
            return str(traces[0]["trace_id"])
        time.sleep(0.25)
    return None


def run_demo_with_viewer(page_url: str, otlp_url: str, provider: DemoProvider = OPENAI) -> int:
    """Run the demo exporting to the viewer; print its trace URL; keep a viewer we started."""
    try:
        return _run_with_viewer(page_url, otlp_url, provider)
    except _NoViewer as exc:
        print(f"otel-genai demo: error: {exc}", file=sys.stderr)
        return 1


def _run_with_viewer(page_url: str, otlp_url: str, provider: DemoProvider) -> int:
    from otel_genai.viewer import trace_url

    with _viewer(page_url, otlp_url) as started:
        since_ms = int(time.time() * 1000) - 1000
        run = run_app(
            _OTLP_ARGS,
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            },
            provider,
        )
        print(run.stdout, end="")
        if run.returncode == 0:
            sys.stderr.write(run.stderr)  # warnings the app printed
        if run.returncode != 0 and started is not None:
            # The viewer started here stops with this command: no trace URL to keep.
            return report_failure(run, run.failure())
        trace_id = _newest_trace_since(page_url, since_ms)
        if trace_id is None:
            print(f"otel-genai demo: no trace reached the viewer at {otlp_url}", file=sys.stderr)
            return report_failure(run, run.failure()) if run.returncode else 1
        print(f"Trace: {trace_url(page_url, trace_id)}")
        if run.returncode != 0:
            return report_failure(run, run.failure())
        if started is not None:
            print("The viewer keeps running so you can look at it; Ctrl+C stops it.", file=sys.stderr)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0
