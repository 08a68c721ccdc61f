"""The third-party instrumentations the tests run for real, each in its own interpreter.

They live in their own venvs (`make dialects-venv`): they patch the same client as ours.
Without them the tests that need one skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dialect_checks import BEFORE_1_37_EVENTS, LATEST, Producer

REPO = Path(__file__).resolve().parents[2]
RUN_PRODUCER = Path(__file__).parent / "producers" / "run_producer.py"

# (producer, the venv it runs from)
PRODUCERS = [
    (Producer("genai-openai", LATEST), ".venv-dialects"),
    (Producer("openllmetry", LATEST), ".venv-dialects"),
    (Producer("openinference", "OpenInference (LLM)", session="session-openinference"), ".venv-dialects"),
    (Producer("openai-v2-legacy", BEFORE_1_37_EVENTS, first_chunk=False, tools_offered=False),
     ".venv-dialects-legacy"),
    (Producer("openllmetry-0.40", "OpenLLMetry (flat gen_ai.prompt/completion attributes)", streams_usage=False,
              error_type=False), ".venv-dialects-legacy"),
]  # fmt: skip
IDS = [producer.name for producer, _ in PRODUCERS]


def _python(venv: str) -> Path:
    python = REPO / venv / "bin" / "python"
    if not python.exists():
        message = f"{venv} is missing (make dialects-venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the dialect tests must run in CI: {message}")
        pytest.skip(message)
    return python


def run_producer(producer: Producer, venv: str, mock_server: Any, viewer: Any) -> None:
    """Run the producer's four calls to completion, exporting to ``viewer``.

    It exports synchronously and each export is committed before it is answered, so the
    viewer has everything when this returns.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "TRACELOOP_"))}
    done = subprocess.run(
        [str(_python(venv)), str(RUN_PRODUCER), producer.name, mock_server.base_url, viewer.endpoints.otlp_http],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
