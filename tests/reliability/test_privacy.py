"""Privacy: with content capture off nothing of the conversation leaves the process.

Every prompt, answer, tool argument, tool result, inline image and document, and every
thought carries a unique marker string (``privacy_conversations.py``: one conversation for
the OpenAI client, one for the Anthropic client); the calls go through the real client
against the mock; spans, log records (events) and metrics are serialized with the SDK's own
OTLP protobuf encoders, and the bytes are searched. A positive control runs the same calls
with content on, so the search is shown to find what is there. API keys, cloud credentials,
the Authorization header and the data of redacted thinking never appear, in any mode.
Captured values are cut at the configured length with the ``…[truncated N chars]`` mark, and
a content hook can rewrite or drop content before anything is recorded.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from instrumentation_probes import collecting_logs
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from privacy_conversations import CONVERSATIONS, Conversation

from otel_genai.core.content import TRUNCATION_MARK
from otel_genai.core.invocation import Invocation, text_part
from telemetry_capture import Captured, json_attr

CHAT_MODEL = "gpt-4o-mini"
EMIT_EVENTS = {"OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true"}


def exported(captured: Captured) -> bytes:
    """Everything the pipeline would send, as the OTLP/protobuf exporters serialize it."""
    spans = encode_spans(captured.spans()).SerializeToString()
    logs = encode_logs(list(captured.logs_exporter.get_finished_logs())).SerializeToString()
    metrics_data = captured.metric_reader.get_metrics_data()
    metrics = encode_metrics(metrics_data).SerializeToString() if metrics_data is not None else b""
    return spans + logs + metrics


def leaked(data: bytes, markers: dict[str, bytes]) -> list[str]:
    return sorted(name for name, marker in markers.items() if marker in data)


@pytest.fixture(params=sorted(CONVERSATIONS))
def conversation(request: pytest.FixtureRequest) -> Conversation:
    """A fresh conversation (new markers) of each client library."""
    return CONVERSATIONS[request.param]()


@pytest.fixture
def instrument_for(request: pytest.FixtureRequest, conversation: Conversation) -> Callable[..., Captured]:
    """The ``instrument`` fixture of the conversation's client library."""
    return request.getfixturevalue(conversation.fixture)  # type: ignore[no-any-return]


NO_CONTENT_MODES = [
    pytest.param(capture, conventions, id=f"{capture or 'default'}-{conventions or 'latest'}")
    for capture in (None, "NO_CONTENT")
    for conventions in (None, "gen_ai_legacy", "gen_ai/dup")
]


@pytest.mark.parametrize(("capture", "conventions"), NO_CONTENT_MODES)
def test_no_content_leaves_the_process_without_capture(
    instrument_for: Any, conversation: Conversation, mock_server: Any, capture: str | None, conventions: str | None
) -> None:
    m = conversation
    with collecting_logs("otel_genai") as ours:
        captured = instrument_for(capture=capture, conventions=conventions, env=EMIT_EVENTS)
        calls = m.run(mock_server)
    assert len(captured.spans()) == calls  # every call was recorded...
    if conventions != "gen_ai_legacy":
        assert captured.logs()  # ...with events: there was something to leak into
    data = exported(captured)
    assert len(data) > 1000
    assert leaked(data, m.searched()) == []
    assert b"Bearer" not in data and b"authorization" not in data.lower()
    assert not [r for r in ours.records if any(marker.decode() in r.getMessage() for marker in m.searched().values())]


def test_positive_control_content_on_is_found(
    instrument_for: Any, conversation: Conversation, mock_server: Any
) -> None:
    """The same search finds the content when capture is on: the test above can fail."""
    m = conversation
    captured = instrument_for(capture="SPAN_AND_EVENT", env=EMIT_EVENTS)
    m.run(mock_server)
    # Markers sent inside base64 are found as their base64 text; tool definitions are recorded
    # by type and name only, embedding inputs and the data of redacted thinking never (§4).
    assert leaked(exported(captured), m.searched()) == sorted(m.found_with_content())


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy", "gen_ai/dup"])
def test_credentials_and_redacted_thinking_never_exported(
    instrument_for: Any, conversation: Conversation, mock_server: Any, conventions: str | None
) -> None:
    m = conversation
    captured = instrument_for(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS)
    m.run(mock_server)
    data = exported(captured)
    assert [secret for secret in m.secrets() if secret.encode() in data] == []
    assert b"Bearer" not in data and b"authorization" not in data.lower() and b"api-key" not in data.lower()
    assert b"AWS4-HMAC-SHA256" not in data  # a Bedrock request's signature
    redacted = getattr(m, "redacted_thinking", None)
    assert redacted is None or redacted.encode() not in data


# --- truncation -----------------------------------------------------------------------------------

LIMIT = 40


def _cut(text: str, limit: int = LIMIT) -> str:
    return f"{text[:limit]}{TRUNCATION_MARK}{len(text) - limit} chars]"


@pytest.mark.parametrize("stream", [False, True])
def test_long_values_are_cut_and_marked_on_spans_and_events(
    instrument: Any, client: Any, mock_server: Any, stream: bool
) -> None:
    captured = instrument(
        capture="SPAN_AND_EVENT", env={**EMIT_EVENTS, "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": str(LIMIT)}
    )
    system, user, result, reply = ("s" * 100, "u" * 150, "r" * 90, "a" * 120)
    arguments = json.dumps({"q": "q" * 70})
    history = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]
    response = client.chat.completions.create(
        model=CHAT_MODEL, messages=history, stream=stream, extra_headers={"x-mock-reply": reply}
    )
    if stream:
        list(response)
    span = captured.span()
    # A chat system message stays in the history (only separate instructions are system_instructions).
    system_in, user_in, assistant_in, tool_in = json_attr(span, "gen_ai.input.messages")
    assert system_in == {"role": "system", "parts": [{"type": "text", "content": _cut(system)}]}
    assert user_in["parts"] == [{"type": "text", "content": _cut(user)}]
    assert assistant_in["parts"][0]["arguments"] == {"q": _cut("q" * 70)}
    assert tool_in["parts"][0]["response"] == _cut(result)
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output["parts"] == [{"type": "text", "content": _cut(reply)}]
    # The event carries the same cut values, as structured data.
    (event,) = captured.events("gen_ai.client.inference.operation.details")
    assert event.attributes["gen_ai.output.messages"][0]["parts"][0]["content"] == _cut(reply)
    assert event.attributes["gen_ai.input.messages"][1]["parts"][0]["content"] == _cut(user)


def test_long_values_are_cut_on_legacy_events(instrument: Any, client: Any) -> None:
    captured = instrument(
        capture="SPAN_AND_EVENT",
        conventions="gen_ai_legacy",
        env={**EMIT_EVENTS, "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": str(LIMIT)},
    )
    user, reply = "u" * 101, "a" * 77
    client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": user}], extra_headers={"x-mock-reply": reply}
    )
    (user_event,) = captured.events("gen_ai.user.message")
    assert user_event.body["content"] == _cut(user)
    (choice,) = captured.events("gen_ai.choice")
    assert choice.body["message"]["content"] == _cut(reply)


def test_inline_media_is_cut_at_its_own_limit(instrument: Any, client: Any) -> None:
    captured = instrument(
        capture="SPAN_ONLY",
        env={
            "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH": "1000",
            "OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH": "16",
        },
    )
    payload = base64.b64encode(bytes(range(256)) * 2).decode()
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{payload}"}}
    client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": [{"type": "text", "text": "see"}, image]}]
    )
    (user_in,) = json_attr(captured.span(), "gen_ai.input.messages")
    blob = user_in["parts"][1]
    assert blob["type"] == "blob" and blob["mime_type"] == "image/png"
    assert blob["content"] == _cut(payload, 16)


# --- the content hook -----------------------------------------------------------------------------


def _rewrite(inv: Invocation) -> None:
    """Replace every text part and tool-call argument, and drop the system prompt."""
    for message in [*(inv.input_messages or []), *(inv.output_messages or [])]:
        parts = []
        for part in message.parts:
            if part["type"] == "text":
                parts.append(text_part("[redacted text]"))
            elif part["type"] == "tool_call":
                parts.append({**part, "arguments": {"q": "[redacted arguments]"}})
            elif part["type"] == "tool_call_response":
                parts.append({**part, "response": "[redacted result]"})
            elif part["type"] == "blob":
                parts.append({**part, "content": "[redacted media]"})
            elif part["type"] == "reasoning":
                parts.append({**part, "content": "[redacted reasoning]"})
            else:
                parts.append(part)
        message.parts = parts
    inv.system_instructions = None


def _drop(inv: Invocation) -> None:
    inv.system_instructions = inv.input_messages = inv.output_messages = inv.tool_definitions = None


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy", "gen_ai/dup"])
def test_content_hook_rewrites_before_anything_is_recorded(
    instrument_for: Any, conversation: Conversation, mock_server: Any, conventions: str | None
) -> None:
    m = conversation
    seen: list[str] = []

    def hook(inv: Invocation) -> None:
        seen.append(json.dumps([p for msg in inv.input_messages or [] for p in msg.parts], default=str))
        _rewrite(inv)

    captured = instrument_for(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS, content_hook=hook)
    m.run(mock_server)
    assert any(m.user in s for s in seen)  # the hook saw the real content...
    data = exported(captured)
    assert leaked(data, {k: v for k, v in m.searched().items() if k != "api_key"}) == []  # ...nothing else did
    assert b"[redacted text]" in data and b"[redacted arguments]" in data and b"[redacted result]" in data
    if conventions != "gen_ai_legacy":  # the legacy events carry text only, no media parts
        assert b"[redacted media]" in data
    assert all(s.attributes.get("gen_ai.response.model") for s in captured.spans())  # the rest is recorded


@pytest.mark.parametrize("conventions", [None, "gen_ai_legacy"])
def test_content_hook_can_drop_all_content(
    instrument_for: Any, conversation: Conversation, mock_server: Any, conventions: str | None
) -> None:
    m = conversation
    captured = instrument_for(capture="SPAN_AND_EVENT", conventions=conventions, env=EMIT_EVENTS, content_hook=_drop)
    m.run(mock_server)
    data = exported(captured)
    assert leaked(data, m.searched()) == []
    for span in captured.spans():
        assert not {k for k in span.attributes if k.endswith(("messages", "instructions", "definitions"))}
        assert span.attributes.get("gen_ai.response.model")


def test_failing_content_hook_drops_content_on_every_signal(
    instrument_for: Any, conversation: Conversation, mock_server: Any
) -> None:
    def hook(inv: Invocation) -> None:
        raise RuntimeError("redactor crashed")

    m = conversation
    captured = instrument_for(capture="SPAN_AND_EVENT", conventions="gen_ai/dup", env=EMIT_EVENTS, content_hook=hook)
    m.run(mock_server)
    assert leaked(exported(captured), m.searched()) == []
