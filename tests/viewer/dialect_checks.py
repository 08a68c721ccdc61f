"""What the page must show of the four calls every dialect test makes, whoever produced them.

The calls (see producers/run_producer.py): a plain chat (or Responses call), a streamed tool
call, the turn that sends the tool's result back, and a call to an unknown model (404).
Everything is read from the viewer's JSON API, the data the page renders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

SYSTEM = "You are a terse weather assistant."
LATEST = "OpenTelemetry GenAI conventions"
BEFORE_1_37_EVENTS = "OpenTelemetry GenAI conventions before 1.37 (per-message events)"
STEPS = {"plain", "tool call", "tool result", "missing model"}


@dataclass(frozen=True)
class Producer:
    name: str  # the prefix of its root spans' names
    dialect: str  # what the page says the first call was read as
    # What each producer sends at all (the page cannot show what was never sent):
    streams_usage: bool = True  # token counts on the streamed call
    first_chunk: bool = True  # when the streamed call's first chunk came
    tools_offered: bool = True  # the tool definitions of a request
    error_type: bool = True  # an error type (error.type or an exception event) on the failed call
    session: str | None = None  # the session id its calls carry


def get(viewer: Any, path: str) -> Any:
    response = requests.get(viewer.endpoints.page + path, timeout=30)
    response.raise_for_status()
    return response.json()


def _call(trace: dict[str, Any]) -> dict[str, Any]:
    """The one model call of a step's trace."""
    calls = [span["genai"] for span in trace["spans"] if span["genai"]]
    assert len(calls) == 1, [span["name"] for span in trace["spans"]]
    return calls[0]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(p.get("content")) for m in messages for p in m["parts"] if p["type"] == "text")


def _parts(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [p for m in messages for p in m["parts"] if p["type"] == kind]


def traces_by_step(viewer: Any, producer: Producer) -> dict[str, dict[str, Any]]:
    """The four traces the producer left, by step, each as the page reads it."""
    listed = get(viewer, "/api/traces?limit=50")["traces"]
    steps = {t["root_name"].removeprefix(f"{producer.name} "): t for t in listed}
    assert set(steps) == STEPS
    return {step: {**summary, **get(viewer, f"/api/traces/{summary['trace_id']}")} for step, summary in steps.items()}


def check_page(viewer: Any, producer: Producer) -> None:
    """Every page feature for the producer's four calls."""
    traces = traces_by_step(viewer, producer)
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

    errors_only = get(viewer, "/api/traces?error=1")["traces"]
    assert [t["trace_id"] for t in errors_only] == [traces["missing model"]["trace_id"]]
    viewer.store.index_content()
    found = {t["trace_id"] for t in get(viewer, "/api/traces?q=drizzle")["traces"]}
    assert traces["tool result"]["trace_id"] in found and traces["plain"]["trace_id"] not in found
    overview = get(viewer, f"/api/overview?since=0&until={int(time.time() * 1000) + 60_000}")
    assert overview["totals"]["calls"] == 4 and overview["totals"]["errors"] == 1
    assert overview["totals"]["cost_usd"] > 0
    sessions = get(viewer, "/api/sessions")["sessions"]
    expected_sessions = [(producer.session, 4)] if producer.session else []
    assert [(s["conversation_id"], s["traces"]) for s in sessions] == expected_sessions
