"""`opentelemetry-instrument` finds us through the entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.slow
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
