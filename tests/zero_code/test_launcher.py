"""`opentelemetry-instrument` finds us through the entry point; `otel-genai demo` shows all three signals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
APP = """
import openai
client = openai.OpenAI()
reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
print("REPLY:", reply.id)
"""


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OPENAI_"))}
    env.update(extra)
    return env


def test_opentelemetry_instrument_picks_up_the_entry_point(tmp_path, mock_server):
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = _env(OPENAI_BASE_URL=mock_server.base_url, OPENAI_API_KEY="sk-test")
    command = [
        str(BIN / "opentelemetry-instrument"),
        "--traces_exporter", "console", "--metrics_exporter", "none", "--logs_exporter", "none",
        sys.executable, str(app),
    ]  # fmt: skip
    enabled = _run(command, env)
    assert enabled.returncode == 0, enabled.stderr
    reply_id = enabled.stdout.split("REPLY: ")[1].split()[0]
    assert '"name": "chat gpt-4o-mini"' in enabled.stdout
    assert f'"gen_ai.response.id": "{reply_id}"' in enabled.stdout

    disabled = _run(command, {**env, "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "openai"})
    assert disabled.returncode == 0, disabled.stderr
    assert "REPLY:" in disabled.stdout
    assert "gen_ai.operation.name" not in disabled.stdout


def test_demo_prints_span_metrics_and_poem_event():
    result = _run([str(BIN / "otel-genai"), "demo"], _env())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    poem = out.split("\n{", 1)[0].strip()
    assert "OpenTelemetry" in poem and len(poem.splitlines()) >= 4
    assert '"name": "chat gpt-4o-mini"' in out
    assert '"kind": "SpanKind.CLIENT"' in out
    assert '"gen_ai.client.operation.duration"' in out
    assert '"gen_ai.client.token.usage"' in out
    assert '"event_name": "gen_ai.client.inference.operation.details"' in out
    # The poem itself travels in the event's output messages (JSON-escaped newlines).
    assert poem.splitlines()[0] in out.split('"gen_ai.output.messages"', 1)[1]
    assert "local endpoint" in result.stderr


def test_demo_with_the_viewer_prints_a_trace_url_that_shows_the_call(tmp_path):
    import json
    import socket
    import urllib.request

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    page, otlp = free_port(), free_port()
    process = subprocess.Popen(
        [
            str(BIN / "otel-genai"),
            "demo",
            "--ui",
            "--page-url",
            f"http://127.0.0.1:{page}",
            "--otlp-endpoint",
            f"http://127.0.0.1:{otlp}",
        ],  # fmt: skip
        env=_env(OTEL_GENAI_UI_DATA_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        for line in process.stdout:
            if line.startswith("Trace: "):
                url = line.split("Trace: ", 1)[1].strip()
                break
        assert url and url.startswith(f"http://127.0.0.1:{page}/trace/")
        trace_id = url.rsplit("/", 1)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{page}/api/traces/{trace_id}", timeout=10) as reply:
            detail = json.load(reply)
        text = json.dumps(detail)
        assert "chat gpt-4o-mini" in text
        assert "OpenTelemetry" in text  # the poem travelled as captured content
    finally:
        process.terminate()
        process.wait(timeout=20)
