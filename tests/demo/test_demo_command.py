"""`otel-genai demo` as a user runs it: a subprocess, its output, its exit code.

The failures are real: a local endpoint answering 401 or 404, and a port that refuses
connections. Nothing here reaches the network.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from otel_genai.mock_openai import LoopbackServer
from otel_genai.mock_openai.server import create_app

OTEL_GENAI = str(Path(sys.executable).parent / "otel-genai")
# Each test runs the command in a subprocess: seconds each.
pytestmark = pytest.mark.slow
SECTION = re.compile(r"^── (?P<title>.+?) ─+$", re.MULTILINE)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_"))}
    env.update(extra)
    return env


def _demo(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OTEL_GENAI, "demo", *args], env=_env(**env), capture_output=True, text=True, timeout=180)


def _sections(stdout: str) -> list[tuple[str, Any]]:
    """Each titled section of the output with the JSON document under it."""
    found = []
    for match in SECTION.finditer(stdout):
        document, _ = json.JSONDecoder().raw_decode(stdout, match.end() + 1)
        found.append((match["title"], document))
    return found


def _summary(stdout: str) -> dict[str, str]:
    tail = stdout.split("\nSummary\n", 1)[1]
    return dict(re.findall(r"^  (\w+):\s+(.*)$", tail, re.MULTILINE))


def _scenario(app: Any, scenario: str) -> Any:
    """The mock endpoint with ``x-mock-scenario`` set on every request (the demo app sets no header)."""

    async def with_header(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = dict(scope, headers=[*scope["headers"], (b"x-mock-scenario", scenario.encode())])
        await app(scope, receive, send)

    return with_header


@pytest.fixture
def idle_port() -> Iterator[int]:
    """A port held for the test but not listening: connections to it are refused.

    SO_REUSEADDR lets a program that also sets it (the viewer does) bind the port anyway,
    as Linux allows while nothing listens on it; no other test is handed this port.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _assert_one_line_failure(result: subprocess.CompletedProcess[str], *expected: str) -> dict[str, Any]:
    assert result.returncode == 1
    # No Python traceback is printed; the exception event's JSON may quote one as a value.
    printed = (result.stderr + result.stdout).splitlines()
    assert not any(line.startswith("Traceback") for line in printed)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("otel-genai demo: error: ")
    for text in expected:
        assert text in lines[0]
    # The failed call's telemetry is printed all the same.
    sections = dict(_sections(result.stdout))
    assert sections["span"]["status"]["status_code"] == "ERROR"
    assert sections["event gen_ai.client.operation.exception"]["severity_number"] == 13  # WARN
    assert "resource_metrics" in sections["metrics"]
    return sections


def test_demo_prints_span_then_event_then_metrics_then_a_summary() -> None:
    result = _demo()
    assert result.returncode == 0, result.stderr
    assert "using the local endpoint http://127.0.0.1:" in result.stderr
    out = result.stdout
    poem = out.split("\n── ", 1)[0]
    assert "OpenTelemetry" in poem and len(poem.splitlines()) >= 4

    sections = _sections(out)
    assert [title for title, _ in sections] == [
        "span",
        "event gen_ai.client.inference.operation.details",
        "metrics",
    ]
    span, event, metrics = (document for _, document in sections)
    assert span["name"] == "chat gpt-4o-mini" and span["kind"] == "SpanKind.CLIENT"
    assert event["event_name"] == "gen_ai.client.inference.operation.details"
    assert poem.splitlines()[0] in json.dumps(event["attributes"]["gen_ai.output.messages"])
    names = {m["name"] for r in metrics["resource_metrics"] for s in r["scope_metrics"] for m in s["metrics"]}
    assert names == {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"}

    summary = _summary(out)
    assert out.rstrip().endswith(summary["next"])
    start, end = (datetime.fromisoformat(span[k].replace("Z", "+00:00")) for k in ("start_time", "end_time"))
    milliseconds = (end - start).total_seconds() * 1000
    shown = re.fullmatch(r'"chat gpt-4o-mini", (\d+) ms', summary["span"])
    assert shown and abs(int(shown[1]) - milliseconds) <= 1
    attributes = span["attributes"]
    tokens = f"{attributes['gen_ai.usage.input_tokens']} input, {attributes['gen_ai.usage.output_tokens']} output"
    assert summary["tokens"] == tokens
    assert "gen_ai.client.inference.operation.details event" in summary["content"]
    assert summary["next"].startswith("otel-genai demo --ui")


def test_a_wrong_key_gets_one_line_and_the_failed_call_is_printed() -> None:
    with LoopbackServer(_scenario(create_app(), "error:401")) as server:
        base_url = f"{server.root_url}/v1"
        result = _demo(OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=base_url)
    sections = _assert_one_line_failure(result, base_url, "401", "OPENAI_API_KEY")
    assert sections["span"]["attributes"]["error.type"].endswith("AuthenticationError")
    assert "failed with" in _summary(result.stdout)["span"]


def test_no_network_gets_one_line_naming_the_url(idle_port: int) -> None:
    base_url = f"http://127.0.0.1:{idle_port}/v1"
    result = _demo(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=base_url)
    sections = _assert_one_line_failure(result, f"cannot connect to {base_url}", "OPENAI_BASE_URL")
    assert sections["span"]["attributes"]["error.type"].endswith("APIConnectionError")


def test_a_base_url_without_v1_gets_one_line_with_the_fix() -> None:
    with LoopbackServer(create_app()) as server:
        result = _demo(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=server.root_url)
    _assert_one_line_failure(result, server.root_url, "404", "/v1")


def test_demo_ui_with_its_page_port_in_use_names_the_port_and_creates_nothing(tmp_path, idle_port) -> None:
    data = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        page_port = taken.getsockname()[1]
        result = _demo(
            "--ui", "--page-url", f"http://127.0.0.1:{page_port}", "--otlp-endpoint",
            f"http://127.0.0.1:{idle_port}", OTEL_GENAI_UI_DATA_DIR=str(data),
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"otel-genai demo: error: cannot start the trace viewer: port {page_port} (page) is in use, "
        "perhaps by another viewer or a collector: stop it, or choose another port with --page-url"
    ]
    assert not data.exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_with_the_viewer_prints_a_trace_url_that_shows_the_call(tmp_path) -> None:
    page, otlp = _free_port(), _free_port()
    command = [OTEL_GENAI, "demo", "--ui", "--page-url", f"http://127.0.0.1:{page}",
               "--otlp-endpoint", f"http://127.0.0.1:{otlp}"]  # fmt: skip
    env = _env(OTEL_GENAI_UI_DATA_DIR=str(tmp_path))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Trace: "):
                url = line.split("Trace: ", 1)[1].strip()
                break
        assert url and url.startswith(f"http://127.0.0.1:{page}/trace/")
        trace_id = url.rsplit("/", 1)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{page}/api/traces/{trace_id}", timeout=10) as reply:
            text = json.dumps(json.load(reply))
        assert "chat gpt-4o-mini" in text
        assert "OpenTelemetry" in text  # the poem travelled as captured content
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_demo_ui_failed_call_reaches_a_running_viewer_and_ends_with_one_line(viewer_endpoints) -> None:
    with LoopbackServer(_scenario(create_app(), "error:401")) as server:
        result = _demo(
            "--ui", "--page-url", viewer_endpoints.page, "--otlp-endpoint", viewer_endpoints.otlp_http,
            OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=f"{server.root_url}/v1",
        )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("otel-genai demo: error: the server at")
    url = re.search(r"^Trace: (\S+)$", result.stdout, re.MULTILINE)
    assert url, result.stdout
    trace_id = url[1].rsplit("/", 1)[1]
    with urllib.request.urlopen(f"{viewer_endpoints.page}/api/traces/{trace_id}", timeout=10) as reply:
        detail = json.load(reply)
    assert detail["trace"]["error"] is True
    assert detail["spans"][0]["genai"]["error_type"].endswith("AuthenticationError")


def test_the_local_endpoint_command_names_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([OTEL_GENAI, "mock-openai", "--port", str(port)], env=_env(),
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: port {port} is in use: stop what uses it, or choose another with --port"
    ]


def test_demo_with_anthropic_runs_the_poem_app_on_the_local_endpoint() -> None:
    result = _demo("--provider", "anthropic")
    assert result.returncode == 0, result.stderr
    assert "no ANTHROPIC_API_KEY, using the local endpoint http://127.0.0.1:" in result.stderr
    out = result.stdout
    assert "OpenTelemetry" in out.split("\n── ", 1)[0]
    sections = _sections(out)
    assert [title for title, _ in sections] == ["span", "event gen_ai.client.inference.operation.details", "metrics"]
    span = sections[0][1]
    assert re.fullmatch(r"chat claude-[\w.-]+", span["name"])
    attributes = span["attributes"]
    assert attributes["gen_ai.provider.name"] == "anthropic"
    assert attributes["gen_ai.usage.input_tokens"] > 0 and attributes["gen_ai.usage.output_tokens"] > 0
    summary = _summary(out)
    tokens = f"{attributes['gen_ai.usage.input_tokens']} input, {attributes['gen_ai.usage.output_tokens']} output"
    assert summary["tokens"] == tokens
    assert summary["next"].startswith("otel-genai demo --provider anthropic --ui")


def test_demo_with_anthropic_and_a_wrong_key_names_the_anthropic_variables() -> None:
    with LoopbackServer(_scenario(create_app(), "error:401")) as server:
        result = _demo("--provider", "anthropic", ANTHROPIC_API_KEY="sk-ant-wrong", ANTHROPIC_BASE_URL=server.root_url)
    sections = _assert_one_line_failure(result, server.root_url, "401", "ANTHROPIC_API_KEY")
    assert sections["span"]["attributes"]["error.type"].endswith("AuthenticationError")


def test_demo_with_anthropic_and_no_network_names_its_base_url_variable(idle_port: int) -> None:
    base_url = f"http://127.0.0.1:{idle_port}"
    result = _demo("--provider", "anthropic", ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=base_url)
    sections = _assert_one_line_failure(result, f"cannot connect to {base_url}", "ANTHROPIC_BASE_URL")
    assert sections["span"]["attributes"]["error.type"].endswith("APIConnectionError")
