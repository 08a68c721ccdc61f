"""The core alone: bare Invocation records in, spans, metrics and events out.

No client library is involved: each test fills a record as an adapter would and lets the
core start and end the call, in each convention mode and content mode.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from otel_genai.config import ContentCapture, ConventionMode, Settings
from otel_genai.core.invocation import (
    Invocation,
    Message,
    ToolDefinition,
    text_part,
    tool_call_part,
    tool_call_response_part,
)
from otel_genai.core.telemetry import GenAITelemetry, ModelCall
from telemetry_capture import ALWAYS_OFF, Captured

DURATION = "gen_ai.client.operation.duration"
TOKENS = "gen_ai.client.token.usage"
TTFC = "gen_ai.client.operation.time_to_first_chunk"
PER_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
DETAILS = "gen_ai.client.inference.operation.details"


def telemetry(
    captured: Captured,
    capture: ContentCapture = ContentCapture.NO_CONTENT,
    events: bool = False,
    conventions: ConventionMode = ConventionMode.LATEST,
    **settings: Any,
) -> GenAITelemetry:
    chosen = Settings(capture=capture, emit_events=events, conventions=conventions, **settings)
    return GenAITelemetry(chosen, **captured.providers())


def chat_record(**fields: Any) -> Invocation:
    return Invocation(
        operation="chat",
        provider="acme",
        request_model="m-1",
        server_address="llm.example",
        server_port=443,
        **fields,
    )


def answered(call: ModelCall, with_messages: bool = True) -> None:
    """What an adapter folds from a response."""
    inv = call.invocation
    inv.response_id = "r-1"
    inv.response_model = "m-1-2026"
    inv.finish_reasons = ["stop"]
    inv.input_tokens = 12
    inv.output_tokens = 5
    if with_messages and call.reads_messages:
        inv.system_instructions = [text_part("Be brief.")]
        inv.input_messages = [Message("user", [text_part("Hi")])]
        inv.output_messages = [Message("assistant", [text_part("Hello!")], finish_reason="stop")]
        inv.tool_definitions = [ToolDefinition("function", "lookup", "secret description")]


# --- spans ------------------------------------------------------------------------------------------


def test_a_call_gives_one_client_span_named_after_operation_and_model() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record(temperature=0.2, max_tokens=50))
    answered(call)
    call.end()
    span = captured.span()
    assert span.name == "chat m-1"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "acme",
        "gen_ai.request.model": "m-1",
        "server.address": "llm.example",
        "server.port": 443,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.response.id": "r-1",
        "gen_ai.response.model": "m-1-2026",
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
    }


def test_sampling_attributes_are_on_the_span_from_its_start() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record())
    assert dict(call.span.attributes or {}) == {  # type: ignore[attr-defined]
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "acme",
        "gen_ai.request.model": "m-1",
        "server.address": "llm.example",
        "server.port": 443,
    }
    call.end()


def test_a_record_without_model_names_the_span_after_the_operation() -> None:
    captured = Captured()
    telemetry(captured).start(Invocation(operation="fetch_response", provider="acme")).end()
    assert captured.span().name == "fetch_response"


def test_a_failed_call_has_error_type_and_error_status() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record())
    call.fail(TimeoutError("the model took too long"))
    span = captured.span()
    assert span.attributes["error.type"] == "TimeoutError"
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "the model took too long"
    (point,) = captured.metrics(DURATION)
    assert point.attributes["error.type"] == "TimeoutError"


def test_an_adapter_may_declare_a_failure_through_the_record() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record())
    call.invocation.error_type = "server_error"
    call.end()
    assert captured.span().attributes["error.type"] == "server_error"
    assert captured.span().status.status_code is StatusCode.ERROR


def test_a_call_ends_once_whatever_ends_it() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record())
    threads = [threading.Thread(target=call.end) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    call.fail(RuntimeError("late"))
    assert call.ended
    assert len(captured.spans()) == 1
    assert "error.type" not in captured.span().attributes
    assert sum(p.count for p in captured.metrics(DURATION)) == 1


def test_provider_attributes_go_on_the_span_and_metric_attributes_on_both() -> None:
    captured = Captured()
    inv = chat_record()
    inv.provider_attributes["acme.request.region"] = "eu"
    inv.provider_metric_attributes["acme.response.tier"] = "gold"
    call = telemetry(captured).start(inv)
    answered(call)
    call.end()
    attrs = captured.span().attributes
    assert (attrs["acme.request.region"], attrs["acme.response.tier"]) == ("eu", "gold")
    for name in (DURATION, TOKENS):
        for point in captured.metrics(name):
            assert point.attributes["acme.response.tier"] == "gold"
            assert "acme.request.region" not in point.attributes


# --- metrics ----------------------------------------------------------------------------------------


def test_duration_and_token_metrics_carry_the_common_attributes() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record())
    answered(call)
    call.end()
    common = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "acme",
        "gen_ai.request.model": "m-1",
        "gen_ai.response.model": "m-1-2026",
        "server.address": "llm.example",
        "server.port": 443,
    }
    (duration,) = captured.metrics(DURATION)
    assert duration.attributes == common and duration.unit == "s" and duration.count == 1
    tokens = {p.attributes["gen_ai.token.type"]: p for p in captured.metrics(TOKENS)}
    assert tokens["input"].sum == 12 and tokens["output"].sum == 5
    assert tokens["input"].attributes == {**common, "gen_ai.token.type": "input"}
    assert captured.metrics(TTFC) == [] and captured.metrics(PER_CHUNK) == []


def test_a_stream_records_time_to_first_chunk_and_one_point_per_later_chunk() -> None:
    captured = Captured()
    call = telemetry(captured).start(chat_record(stream=True))
    call.chunk_times.extend(call.started + offset for offset in (0.5, 0.75, 1.0, 1.5))
    call.end()
    span = captured.span()
    assert span.attributes["gen_ai.request.stream"] is True
    assert span.attributes["gen_ai.response.time_to_first_chunk"] == pytest.approx(0.5)
    (first,) = captured.metrics(TTFC)
    assert first.count == 1 and first.sum == pytest.approx(0.5)
    (per_chunk,) = captured.metrics(PER_CHUNK)
    assert per_chunk.count == 3 and per_chunk.sum == pytest.approx(1.0)
    # Every chunk pays for each attribute: the required ones only.
    assert per_chunk.attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "acme",
        "gen_ai.request.model": "m-1",
    }


def test_a_sampled_out_call_records_metrics_and_reads_no_content() -> None:
    captured = Captured(sampler=ALWAYS_OFF)
    call = telemetry(captured, ContentCapture.SPAN_AND_EVENT, events=True).start(chat_record())
    assert call.recording is False and call.reads_messages is False
    answered(call)
    call.end()
    assert captured.spans() == [] and captured.logs() == []
    assert sum(p.count for p in captured.metrics(DURATION)) == 1
    assert {p.attributes["gen_ai.token.type"] for p in captured.metrics(TOKENS)} == {"input", "output"}


# --- convention modes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conventions", "latest", "legacy"),
    [
        (ConventionMode.LATEST, True, False),
        (ConventionMode.LEGACY, False, True),
        (ConventionMode.DUPLICATE, True, True),
    ],
)
def test_names_in_each_convention_mode(conventions: ConventionMode, latest: bool, legacy: bool) -> None:
    captured = Captured()
    call = telemetry(captured, conventions=conventions).start(chat_record(stream=True))
    answered(call)
    call.chunk_times.append(call.started + 0.1)
    call.end()
    span = captured.span().attributes
    assert ("gen_ai.provider.name" in span) is latest
    assert (span.get("gen_ai.system") == "acme") is legacy
    # Attributes the pre-1.37 conventions did not have are left out of their shape.
    assert ("gen_ai.request.stream" in span) is latest
    assert ("gen_ai.response.time_to_first_chunk" in span) is latest
    assert span["gen_ai.usage.input_tokens"] == 12  # the same name in both
    (duration,) = captured.metrics(DURATION)  # one record, however many names
    assert duration.count == 1
    assert ("gen_ai.provider.name" in duration.attributes) is latest
    assert ("gen_ai.system" in duration.attributes) is legacy


# --- content modes ----------------------------------------------------------------------------------


def _content_run(
    capture: ContentCapture, events: bool, conventions: ConventionMode = ConventionMode.LATEST
) -> Captured:
    captured = Captured()
    call = telemetry(captured, capture, events=events, conventions=conventions).start(chat_record())
    answered(call)
    call.end()
    return captured


def test_no_content_by_default() -> None:
    captured = _content_run(ContentCapture.NO_CONTENT, events=False)
    attrs = captured.span().attributes
    assert not any(key in attrs for key in ("gen_ai.input.messages", "gen_ai.output.messages"))
    assert captured.logs() == []


def test_span_only_puts_the_content_on_the_span_as_json() -> None:
    captured = _content_run(ContentCapture.SPAN_ONLY, events=False)
    attrs = captured.span().attributes
    assert json.loads(attrs["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Hi"}]}
    ]
    assert json.loads(attrs["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello!"}], "finish_reason": "stop"}
    ]
    assert json.loads(attrs["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    # Tool definitions: the required properties only.
    assert json.loads(attrs["gen_ai.tool.definitions"]) == [{"type": "function", "name": "lookup"}]
    assert captured.logs() == []


def test_event_only_puts_structured_content_on_the_details_event_only() -> None:
    captured = _content_run(ContentCapture.EVENT_ONLY, events=True)
    assert "gen_ai.input.messages" not in captured.span().attributes
    (event,) = captured.events(DETAILS)
    attrs = dict(event.attributes)
    assert attrs["gen_ai.operation.name"] == "chat" and attrs["gen_ai.response.id"] == "r-1"
    assert attrs["gen_ai.input.messages"][0]["parts"][0]["content"] == "Hi"
    assert event.trace_id == captured.span().context.trace_id
    assert event.span_id == captured.span().context.span_id


def test_events_without_content_capture_carry_no_content() -> None:
    captured = _content_run(ContentCapture.NO_CONTENT, events=True)
    (event,) = captured.events(DETAILS)
    assert "gen_ai.input.messages" not in event.attributes
    assert event.attributes["gen_ai.usage.output_tokens"] == 5


def test_the_details_event_is_for_inference_only() -> None:
    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_AND_EVENT, events=True).start(
        Invocation(operation="embeddings", provider="acme", request_model="e-1")
    )
    call.end()
    assert captured.events(DETAILS) == []


def test_legacy_events_one_per_message_and_choice() -> None:
    captured = _content_run(ContentCapture.SPAN_AND_EVENT, events=True, conventions=ConventionMode.LEGACY)
    names = [r.event_name for r in captured.logs()]
    assert names == ["gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice"]
    system, user, choice = captured.logs()
    assert user.body == {"content": "Hi"} and user.attributes["gen_ai.system"] == "acme"
    assert choice.body == {"index": 0, "finish_reason": "stop", "message": {"content": "Hello!"}}
    # The legacy conventions have no content attributes on spans.
    assert "gen_ai.input.messages" not in captured.span().attributes


def test_legacy_events_give_tool_results_sent_in_a_user_message_their_own_event() -> None:
    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_AND_EVENT, events=True, conventions=ConventionMode.LEGACY).start(
        chat_record()
    )
    results = [tool_call_response_part("t-1", "sunny"), tool_call_response_part("t-2", {"rain": 0})]
    call.invocation.input_messages = [Message("user", [*results, text_part("And tomorrow?")])]
    call.end()
    assert [(r.event_name, r.body) for r in captured.logs()] == [
        ("gen_ai.tool.message", {"content": "sunny", "id": "t-1"}),
        ("gen_ai.tool.message", {"content": {"rain": 0}, "id": "t-2"}),
        ("gen_ai.user.message", {"content": "And tomorrow?"}),
    ]


def test_legacy_events_without_content_capture_keep_the_shape_not_the_text() -> None:
    captured = _content_run(ContentCapture.NO_CONTENT, events=True, conventions=ConventionMode.LEGACY)
    user = captured.logs()[1]
    assert user.event_name == "gen_ai.user.message" and "content" not in (user.body or {})


def test_dup_emits_both_kinds_of_events() -> None:
    captured = _content_run(ContentCapture.SPAN_AND_EVENT, events=True, conventions=ConventionMode.DUPLICATE)
    names = {r.event_name for r in captured.logs()}
    assert names == {DETAILS, "gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice"}
    assert "gen_ai.input.messages" in captured.span().attributes


def test_long_text_is_cut_and_marked() -> None:
    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_ONLY, max_content_length=10).start(chat_record())
    call.invocation.input_messages = [Message("user", [text_part("x" * 25)])]
    call.end()
    (message,) = json.loads(captured.span().attributes["gen_ai.input.messages"])
    assert message["parts"][0]["content"] == "x" * 10 + "…[truncated 15 chars]"


def test_tool_call_arguments_keep_their_structure() -> None:
    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_ONLY).start(chat_record())
    call.invocation.output_messages = [
        Message("assistant", [tool_call_part("c1", "lookup", {"city": None, "n": 2})], finish_reason="tool_call")
    ]
    call.end()
    (message,) = json.loads(captured.span().attributes["gen_ai.output.messages"])
    assert message["parts"] == [
        {"type": "tool_call", "id": "c1", "name": "lookup", "arguments": {"city": None, "n": 2}}
    ]


# --- the content hook -------------------------------------------------------------------------------


def test_the_content_hook_can_redact_before_anything_is_recorded() -> None:
    def redact(inv: Invocation) -> None:
        for message in inv.input_messages or []:
            message.parts = [text_part("[redacted]")]

    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_AND_EVENT, events=True, content_hook=redact).start(chat_record())
    answered(call)
    call.end()
    assert "Hi" not in captured.span().attributes["gen_ai.input.messages"]
    (event,) = captured.events(DETAILS)
    assert event.attributes["gen_ai.input.messages"][0]["parts"][0]["content"] == "[redacted]"


def test_a_failing_hook_drops_the_content_not_the_call() -> None:
    def broken(inv: Invocation) -> None:
        raise RuntimeError("redactor crashed")

    captured = Captured()
    call = telemetry(captured, ContentCapture.SPAN_AND_EVENT, events=True, content_hook=broken).start(chat_record())
    answered(call)
    call.end()
    attrs = captured.span().attributes
    assert "gen_ai.input.messages" not in attrs and "gen_ai.output.messages" not in attrs
    assert attrs["gen_ai.response.id"] == "r-1"
    (event,) = captured.events(DETAILS)
    assert "gen_ai.input.messages" not in event.attributes


def test_the_hook_is_not_called_when_no_content_is_recorded() -> None:
    seen: list[Invocation] = []
    captured = Captured()
    call = telemetry(captured, ContentCapture.NO_CONTENT, content_hook=seen.append).start(chat_record())
    call.end()
    assert seen == []
