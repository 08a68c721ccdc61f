"""Recorded telemetry of producers that cannot run here, sent to a real viewer as recorded.

How each recording was made is in dialect_fixtures/README.md. The same checks as for the
producers run live (dialect_checks.py) read the page's JSON.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from dialect_checks import BEFORE_1_37_EVENTS, LATEST, Producer, check_page, get

FIXTURES = Path(__file__).parent / "dialect_fixtures"
NODEJS = FIXTURES / "nodejs" / "nodejs-instrumentation-openai-0.21.0.otlp.jsonl"
# The Node.js instrumentation: Responses calls in the latest conventions (their details split
# over two events), chat calls in the per-message events; no tool definitions, no time to
# first chunk.
NODEJS_PRODUCER = Producer("nodejs", LATEST, first_chunk=False, tools_offered=False)


def replay(viewer: Any, recording: Path) -> None:
    """Send every recorded export request to the viewer's OTLP/HTTP receiver, byte for byte."""
    for line in recording.read_text(encoding="utf-8").splitlines():
        request = json.loads(line)
        body = request["body"]
        data = json.dumps(body).encode() if isinstance(body, dict) else base64.b64decode(body)
        url = f"{viewer.endpoints.otlp_http}/v1/{request['signal']}"
        answer = requests.post(url, data=data, headers={"content-type": request["content_type"]}, timeout=30)
        assert answer.status_code == 200, answer.text


def test_nodejs_instrumentation_shows_like_ours(viewer: Any) -> None:
    replay(viewer, NODEJS)
    check_page(viewer, NODEJS_PRODUCER)


@pytest.mark.parametrize("step", ["tool call", "tool result", "missing model"])
def test_nodejs_chat_calls_read_from_their_per_message_events(viewer: Any, step: str) -> None:
    replay(viewer, NODEJS)
    (summary,) = [t for t in get(viewer, "/api/traces")["traces"] if t["root_name"] == f"nodejs {step}"]
    (call,) = [s["genai"] for s in get(viewer, f"/api/traces/{summary['trace_id']}")["spans"] if s["genai"]]
    assert call["dialect"] == BEFORE_1_37_EVENTS
    assert call["conversation"]["sources"] == ["per-message events"]


def test_nodejs_responses_answer_comes_from_the_second_details_event(viewer: Any) -> None:
    replay(viewer, NODEJS)
    (summary,) = [t for t in get(viewer, "/api/traces")["traces"] if t["root_name"] == "nodejs plain"]
    (call,) = [s["genai"] for s in get(viewer, f"/api/traces/{summary['trace_id']}")["spans"] if s["genai"]]
    conversation = call["conversation"]
    assert conversation["sources"] == ["span attributes", "gen_ai.client.inference.operation.details event"]
    assert conversation["system_instructions"] == [{"type": "text", "content": "You are a terse weather assistant."}]
    assert [m["role"] for m in conversation["input_messages"]] == ["user"]
    assert "deterministic reply" in conversation["output_messages"][0]["parts"][0]["content"]
