"""``otel-genai demo``: the poem app under ``opentelemetry-instrument``, offline if need be.

With no ``OPENAI_API_KEY`` the app talks to the project's local OpenAI-compatible
endpoint (started here, on loopback); with a key it talks to the real service.
Console exporters print the span, the metrics and the content event.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from otel_genai import semconv

_CONSOLE = ["--traces_exporter", "console", "--metrics_exporter", "console", "--logs_exporter", "console"]


def _launcher() -> list[str]:
    beside = Path(sys.executable).with_name("opentelemetry-instrument")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("opentelemetry-instrument")
    if found:
        return [found]
    raise SystemExit("opentelemetry-instrument was not found: install otel-genai[demo].")


@contextmanager
def _endpoint(environ: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """Environment for the app: the real service with a key, else the local endpoint."""
    if environ.get("OPENAI_API_KEY"):
        yield {}
        return
    from otel_genai.mock_openai import MockOpenAIServer

    with MockOpenAIServer() as server:
        print(f"otel-genai demo: no OPENAI_API_KEY, using the local endpoint {server.base_url}", file=sys.stderr)
        yield {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-local-demo"}


def demo_environment(environ: Mapping[str, str], endpoint: Mapping[str, str]) -> dict[str, str]:
    env = dict(environ)
    env.update(endpoint)
    env.setdefault(semconv.ENV_CAPTURE_MESSAGE_CONTENT, "SPAN_AND_EVENT")
    env.setdefault("OTEL_SERVICE_NAME", "otel-genai-demo")
    return env


def run_demo(exporter_args: list[str] | None = None, extra_env: Mapping[str, str] | None = None) -> int:
    """Run the poem app instrumented; returns its exit code."""
    with _endpoint(os.environ) as endpoint:
        env = demo_environment(os.environ, endpoint)
        env.update(extra_env or {})
        command = [*_launcher(), *(exporter_args or _CONSOLE), sys.executable, "-m", "otel_genai.demo.poem"]
        return subprocess.call(command, env=env)
