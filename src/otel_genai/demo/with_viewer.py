"""``otel-genai demo --ui``: the demo exporting OTLP to the local trace viewer.

If no viewer listens on the OTLP/HTTP port, one is started here (and kept serving until
Ctrl+C, so the trace can be looked at); the demo's trace URL is printed either way.
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

from otel_genai.demo.runner import run_demo

_OTLP_ARGS = ["--traces_exporter", "otlp", "--metrics_exporter", "otlp", "--logs_exporter", "otlp"]
_WAIT_FOR_TRACE_S = 15.0


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
    from otel_genai.viewer.server import ViewerServer

    # The demo exports over HTTP only, so its viewer needs no gRPC port.
    config = ViewerConfig(
        http_port=urlsplit(otlp_url).port or 4318, page_port=urlsplit(page_url).port or 4319, grpc_enabled=False
    )
    server = ViewerServer(config)
    server.start()
    print(f"otel-genai demo: started the trace viewer (store {config.database_path})", file=sys.stderr)
    try:
        yield server
    finally:
        server.stop()


def _newest_trace_since(page_url: str, since_ms: int) -> str | None:
    deadline = time.monotonic() + _WAIT_FOR_TRACE_S
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{page_url}/api/traces?since={since_ms}&limit=1", timeout=5) as reply:
            traces = json.load(reply).get("traces") or []
        if traces:
            return str(traces[0]["trace_id"])
        time.sleep(0.25)
    return None


def run_demo_with_viewer(page_url: str, otlp_url: str) -> int:
    """Run the demo exporting to the viewer; print its trace URL; keep a viewer we started."""
    from otel_genai.viewer import trace_url

    with _viewer(page_url, otlp_url) as started:
        since_ms = int(time.time() * 1000) - 1000
        code = run_demo(
            _OTLP_ARGS,
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            },
        )
        if code != 0:
            return code
        trace_id = _newest_trace_since(page_url, since_ms)
        if trace_id is None:
            print(f"otel-genai demo: no trace reached the viewer at {otlp_url}", file=sys.stderr)
            return 1
        print(f"Trace: {trace_url(page_url, trace_id)}")
        if started is not None:
            print("The viewer keeps running so you can look at it; Ctrl+C stops it.", file=sys.stderr)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0
