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


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(run: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = run.communicate(timeout=120)
    return run.returncode, stdout, stderr


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
    # Both runs at once. The first loads every instrumentor installed, as a user's would; the
    # second switches ours off by name, the OpenAI one among them.
    enabled = _start(command, env)
    disabled = _start(command, {**env, "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "openai,anthropic,openai_agents"})

    returncode, stdout, stderr = _finish(enabled)
    assert returncode == 0, stderr
    reply_id = stdout.split("REPLY: ")[1].split()[0]
    assert '"name": "chat gpt-4o-mini"' in stdout
    assert f'"gen_ai.response.id": "{reply_id}"' in stdout

    returncode, stdout, stderr = _finish(disabled)
    assert returncode == 0, stderr
    assert "REPLY:" in stdout
    assert "gen_ai.operation.name" not in stdout
