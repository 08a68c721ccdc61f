"""Real third-party instrumentations, each in its own interpreter, feeding a real viewer.

Each producer (producers/run_producer.py) makes four calls to the local endpoint; the
checks (dialect_checks.py) then read what the page reads, the viewer's JSON API.

The producers live in their own venvs (`make dialects-venv`): they patch the same client as
ours. Without them the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dialect_checks import BEFORE_1_37_EVENTS, LATEST, Producer, check_page

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


def _python(venv: str) -> Path:
    python = REPO / venv / "bin" / "python"
    if not python.exists():
        message = f"{venv} is missing (make dialects-venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the dialect tests must run in CI: {message}")
        pytest.skip(message)
    return python


@pytest.mark.parametrize(("producer", "venv"), PRODUCERS, ids=[p.name for p, _ in PRODUCERS])
def test_a_producer_shows_like_ours(producer: Producer, venv: str, mock_server: Any, viewer: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "TRACELOOP_"))}
    done = subprocess.run(
        [str(_python(venv)), str(RUN_PRODUCER), producer.name, mock_server.base_url, viewer.endpoints.otlp_http],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    # The producer exported synchronously, and each export is committed before it is answered.
    check_page(viewer, producer)
