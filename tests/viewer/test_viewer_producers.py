"""Real third-party instrumentations, each in its own interpreter, feeding a real viewer.

Each producer (tests/viewer/producers/run_producer.py) makes four calls to the local
endpoint: a plain chat, a streamed tool call, the tool-result turn and a 404. The test then
reads what the page reads, the viewer's JSON API, and checks every page feature for it.

The producers live in their own venvs (`make dialects-venv`): they patch the same client as
ours. Without them the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
RUN_PRODUCER = Path(__file__).parent / "producers" / "run_producer.py"
SYSTEM = "You are a terse weather assistant."
LATEST = "OpenTelemetry GenAI conventions"


@dataclass(frozen=True)
class Producer:
    name: str  # as run_producer.py knows it
    venv: str
    dialect: str  # what the page says the calls were read as
    # What each producer sends at all (the page cannot show what was never sent):
    streams_usage: bool = True  # token counts on the streamed call
    first_chunk: bool = True  # when the streamed call's first chunk came
    tools_offered: bool = True  # the tool definitions of a request
    error_type: bool = True  # an error type (error.type or an exception event) on the failed call


PRODUCERS = [
    Producer("genai-openai", ".venv-dialects", LATEST),
    Producer("openllmetry", ".venv-dialects", LATEST),
    Producer("openinference", ".venv-dialects", "OpenInference (LLM)"),
    Producer("openai-v2-legacy", ".venv-dialects-legacy",
             "OpenTelemetry GenAI conventions before 1.37 (per-message events)", first_chunk=False,
             tools_offered=False),
    Producer("openllmetry-0.40", ".venv-dialects-legacy", "OpenLLMetry (flat gen_ai.prompt/completion attributes)",
             streams_usage=False, error_type=False),
]  # fmt: skip


def _python(producer: Producer) -> Path:
    python = REPO / producer.venv / "bin" / "python"
    if not python.exists():
        message = f"{producer.venv} is missing (make dialects-venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the dialect tests must run in CI: {message}")
        pytest.skip(message)
    return python


def _get(viewer: Any, path: str) -> Any:
    response = requests.get(viewer.endpoints.page + path, timeout=30)
    response.raise_for_status()
    return response.json()


def _run(producer: Producer, mock_server: Any, viewer: Any) -> dict[str, dict[str, Any]]:
    """Run the producer to completion; the traces it left, by step, as the page reads them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "TRACELOOP_"))}
    done = subprocess.run(
        [str(_python(producer)), str(RUN_PRODUCER), producer.name, mock_server.base_url, viewer.endpoints.otlp_http],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    # The producer exports synchronously and each export is committed before it is answered.
    listed = _get(viewer, "/api/traces?limit=50")["traces"]
    steps = {t["root_name"].removeprefix(f"{producer.name} "): t for t in listed}
    assert set(steps) == {"plain", "tool call", "tool result", "missing model"}
    return {step: {**summary, **_get(viewer, f"/api/traces/{summary['trace_id']}")} for step, summary in steps.items()}


def _call(trace: dict[str, Any]) -> dict[str, Any]:
    """The one model call of a step's trace."""
    calls = [span["genai"] for span in trace["spans"] if span["genai"]]
    assert len(calls) == 1, [span["name"] for span in trace["spans"]]
    return calls[0]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(p.get("content")) for m in messages for p in m["parts"] if p["type"] == "text")


def _parts(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [p for m in messages for p in m["parts"] if p["type"] == kind]


@pytest.mark.parametrize("producer", PRODUCERS, ids=[p.name for p in PRODUCERS])
def test_a_producer_shows_like_ours(producer: Producer, mock_server: Any, viewer: Any) -> None:
    traces = _run(producer, mock_server, viewer)

    plain = _call(traces["plain"])
    assert plain["dialect"] == producer.dialect
    assert plain["operation"] == "chat" and plain["provider"] == "openai"
    assert "gpt-4o-mini" in (plain["response_model"] or plain["request_model"])
    assert plain["tokens"]["input"] > 0 and plain["tokens"]["output"] > 0
    assert plain["cost_usd"] is not None and plain["cost_usd"] > 0
    assert plain["finish_reasons"] == ["stop"]
    conversation = plain["conversation"]
    system_text = _texts([{"parts": conversation["system_instructions"]}, *conversation["input_messages"]])
    assert system_text.count(SYSTEM) == 1  # shown once
    assert "Weather in Paris?" in _texts(conversation["input_messages"])
    assert "deterministic reply" in _texts(conversation["output_messages"])
    assert plain["notes"] == []
    assert traces["plain"]["trace"]["models"] and traces["plain"]["trace"]["genai_count"] == 1

    streamed = _call(traces["tool call"])
    (call,) = _parts(streamed["conversation"]["output_messages"], "tool_call")
    assert call["name"] == "get_weather" and call["arguments"] == {"city": "Paris"} and call["id"]
    assert streamed["finish_reasons"] in (["tool_calls"], ["tool_call"])
    offered = [d["name"] for d in streamed["conversation"]["tool_definitions"]]
    assert offered == (["get_weather"] if producer.tools_offered else [])
    assert (streamed["tokens"]["output"] is not None) == producer.streams_usage
    assert (streamed["time_to_first_chunk_ms"] is not None) == producer.first_chunk
    if producer.first_chunk:
        assert 0 < streamed["time_to_first_chunk_ms"] < traces["tool call"]["trace"]["duration_ms"]

    answered = _call(traces["tool result"])
    inputs = answered["conversation"]["input_messages"]
    (result,) = _parts(inputs, "tool_call_response")
    assert result["id"] == call["id"] and result["response"] == {"forecast": "drizzle"}
    assert [p["name"] for p in _parts(inputs, "tool_call")] == ["get_weather"]
    assert "drizzle" in _texts(answered["conversation"]["output_messages"])

    failed = _call(traces["missing model"])
    assert traces["missing model"]["trace"]["error"] is True
    if producer.error_type:
        assert failed["error_type"] and "NotFound" in failed["error_type"]

    errors_only = _get(viewer, "/api/traces?error=1")["traces"]
    assert [t["trace_id"] for t in errors_only] == [traces["missing model"]["trace_id"]]
    viewer.store.index_content()
    found = {t["trace_id"] for t in _get(viewer, "/api/traces?q=drizzle")["traces"]}
    assert traces["tool result"]["trace_id"] in found and traces["plain"]["trace_id"] not in found
    overview = _get(viewer, f"/api/overview?since=0&until={int(time.time() * 1000) + 60_000}")
    assert overview["totals"]["calls"] == 4 and overview["totals"]["errors"] == 1
    assert overview["totals"]["cost_usd"] > 0
    sessions = _get(viewer, "/api/sessions")["sessions"]
    if producer.name == "openinference":
        assert [(s["conversation_id"], s["traces"]) for s in sessions] == [("session-openinference", 4)]
    else:
        assert sessions == []
