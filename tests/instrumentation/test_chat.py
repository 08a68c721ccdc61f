"""Chat Completions over real HTTP: spans, metrics and content, in every content mode."""

from __future__ import annotations

import json

import openai
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from otel_genai import semconv
from telemetry_capture import json_attr

POEM = [{"role": "user", "content": "Write a short poem on OpenTelemetry."}]
WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    },
]


def test_span_describes_the_call_and_its_response(instrument, client, mock_server):
    captured = instrument()
    response = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, temperature=0.3, seed=7)

    span = captured.span()
    assert span.name == "chat gpt-4o-mini"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attrs = span.attributes
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == mock_server.port
    assert attrs["gen_ai.request.temperature"] == 0.3
    assert attrs["gen_ai.request.seed"] == 7
    assert attrs["gen_ai.response.id"] == response.id
    assert attrs["gen_ai.response.model"] == response.model
    assert attrs["gen_ai.response.finish_reasons"] == (response.choices[0].finish_reason,)
    assert attrs["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens
    assert attrs["gen_ai.usage.output_tokens"] == response.usage.completion_tokens
    assert attrs["openai.api.type"] == "chat_completions"
    assert attrs["openai.response.system_fingerprint"] == response.system_fingerprint
    assert attrs["openai.response.service_tier"] == response.service_tier
    # Not requested, so not recorded; and never any content by default.
    for absent in (
        "gen_ai.request.top_p",
        "gen_ai.request.choice.count",
        "gen_ai.request.stream",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system",
        "error.type",
    ):
        assert absent not in attrs
    assert captured.logs() == []


def test_request_parameters_map_to_attributes(instrument, client):
    captured = instrument()
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=POEM,
        top_p=0.9,
        frequency_penalty=0.5,
        presence_penalty=0.25,
        stop="\n\n\n",
        n=2,
        response_format={"type": "json_object"},
        # Parameters newer than openai 1.26 (and servers' own, like top_k) travel in extra_body.
        extra_body={"max_completion_tokens": 500, "service_tier": "flex", "reasoning_effort": "low", "top_k": 40},
    )
    attrs = captured.span().attributes
    assert attrs["gen_ai.request.top_p"] == 0.9
    assert attrs["gen_ai.request.max_tokens"] == 500
    assert attrs["gen_ai.request.frequency_penalty"] == 0.5
    assert attrs["gen_ai.request.presence_penalty"] == 0.25
    assert attrs["gen_ai.request.stop_sequences"] == ("\n\n\n",)
    assert attrs["gen_ai.request.choice.count"] == 2
    assert attrs["gen_ai.output.type"] == "json"
    assert attrs["openai.request.service_tier"] == "flex"
    assert attrs["gen_ai.request.reasoning.level"] == "low"
    assert attrs["gen_ai.request.top_k"] == 40
    assert len(attrs["gen_ai.response.finish_reasons"]) == len(response.choices) == 2


def test_auto_service_tier_and_n_of_one_are_not_reported(instrument, client):
    captured = instrument()
    client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, n=1, max_tokens=50, extra_body={"service_tier": "auto"}
    )
    attrs = captured.span().attributes
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert "gen_ai.request.choice.count" not in attrs
    assert "openai.request.service_tier" not in attrs


def test_metrics_follow_the_conventions(instrument, client, mock_server):
    captured = instrument()
    response = client.chat.completions.create(model="gpt-4o-mini", messages=POEM)

    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.unit == "s"
    assert duration.count == 1
    assert duration.bucket_bounds == semconv.DURATION_BUCKETS
    assert 0 < duration.sum < 10
    assert duration.attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": response.model,
        "server.address": "127.0.0.1",
        "server.port": mock_server.port,
        "openai.response.service_tier": response.service_tier,
    }
    usage = {p.attributes["gen_ai.token.type"]: p for p in captured.metrics("gen_ai.client.token.usage")}
    assert usage["input"].sum == response.usage.prompt_tokens
    assert usage["output"].sum == response.usage.completion_tokens
    assert usage["input"].unit == "{token}"
    assert usage["input"].bucket_bounds == semconv.TOKEN_BUCKETS
    assert "error.type" not in usage["input"].attributes
    # Chunk metrics are for streams only.
    assert captured.metrics("gen_ai.client.operation.time_to_first_chunk") == []


@pytest.mark.parametrize(
    ("mode", "on_span", "on_event"),
    [
        ("NO_CONTENT", False, False),
        ("SPAN_ONLY", True, False),
        ("event_only", False, True),
        ("SPAN_AND_EVENT", True, True),
        ("true", True, True),
        ("False", False, False),
    ],
)
def test_content_modes(instrument, client, mode, on_span, on_event):
    captured = instrument(capture=mode)
    messages = [{"role": "system", "content": "You are a poet."}, *POEM]
    response = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    span = captured.span()
    expected_input = [
        {"role": "system", "parts": [{"type": "text", "content": "You are a poet."}]},
        {"role": "user", "parts": [{"type": "text", "content": POEM[0]["content"]}]},
    ]
    expected_output = [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": response.choices[0].message.content}],
            "finish_reason": "stop",
        }
    ]
    if on_span:
        assert json_attr(span, "gen_ai.input.messages") == expected_input
        assert json_attr(span, "gen_ai.output.messages") == expected_output
        # Chat Completions system messages stay in the history (§4.1).
        assert "gen_ai.system_instructions" not in span.attributes
    else:
        assert "gen_ai.input.messages" not in span.attributes
        assert "gen_ai.output.messages" not in span.attributes

    events = captured.events("gen_ai.client.inference.operation.details")
    if on_event:
        (event,) = events
        assert event.attributes["gen_ai.operation.name"] == "chat"
        assert event.attributes["gen_ai.response.id"] == response.id
        assert json.loads(json.dumps(event.attributes["gen_ai.input.messages"])) == expected_input
        assert json.loads(json.dumps(event.attributes["gen_ai.output.messages"])) == expected_output
        assert event.trace_id == span.context.trace_id
        assert event.span_id == span.context.span_id
    else:
        assert events == []


def test_event_without_content_when_only_events_are_enabled(instrument, client):
    captured = instrument(env={"OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true"})
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    (event,) = captured.events("gen_ai.client.inference.operation.details")
    assert event.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert "gen_ai.input.messages" not in event.attributes


def test_parallel_tool_calls_and_tool_results(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    question = {"role": "user", "content": "What is the weather and time in Paris?"}
    first = client.chat.completions.create(model="gpt-4o-mini", messages=[question], tools=WEATHER_TOOLS)
    calls = first.choices[0].message.tool_calls
    assert calls and len(calls) == 2

    span = captured.span()
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert json_attr(span, "gen_ai.tool.definitions") == [
        {"type": "function", "name": "get_weather"},
        {"type": "function", "name": "get_time"},
    ]
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output["finish_reason"] == "tool_call"
    assert output["parts"] == [
        {"type": "tool_call", "id": c.id, "name": c.function.name, "arguments": json.loads(c.function.arguments)}
        for c in calls
    ]

    captured.clear()
    history = [
        question,
        first.choices[0].message,  # a pydantic object, as apps pass it back
        *({"role": "tool", "tool_call_id": c.id, "content": f"result of {c.function.name}"} for c in calls),
    ]
    second = client.chat.completions.create(model="gpt-4o-mini", messages=history, tools=WEATHER_TOOLS)
    assert second.choices[0].finish_reason == "stop"
    inputs = json_attr(captured.span(), "gen_ai.input.messages")
    assert [m["role"] for m in inputs] == ["user", "assistant", "tool", "tool"]
    assert inputs[1]["parts"][0]["type"] == "tool_call"
    assert inputs[1]["parts"][0]["id"] == calls[0].id
    assert inputs[2]["parts"] == [
        {"type": "tool_call_response", "id": calls[0].id, "response": "result of get_weather"}
    ]


def test_multimodal_input_parts(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe these."},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                ],
            }
        ],
    )
    (message,) = json_attr(captured.span(), "gen_ai.input.messages")
    assert message["parts"] == [
        {"type": "text", "content": "Describe these."},
        {"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"},
        {"type": "blob", "modality": "image", "content": "iVBORw0KGgo=", "mime_type": "image/png"},
    ]


def test_no_context_leak_and_parenting(instrument, client, captured):
    instrument()
    tracer = captured.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("app-request") as parent:
        client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
        assert trace.get_current_span() is parent
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True)
        assert trace.get_current_span() is parent
        list(stream)
        assert trace.get_current_span() is parent
    spans = {s.name: s for s in captured.spans()}
    for span in captured.spans():
        if span.name.startswith("chat"):
            assert span.parent.span_id == spans["app-request"].context.span_id


def test_api_error_is_recorded_and_propagates_unchanged(instrument, client):
    captured = instrument()
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="does-not-exist-model", messages=POEM)
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.NotFoundError"
    assert span.name == "chat does-not-exist-model"
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "openai.NotFoundError"
    assert captured.metrics("gen_ai.client.token.usage") == []
    assert raised.value.status_code == 404


def test_connection_error_is_recorded(instrument):
    captured = instrument()
    dead = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="k", max_retries=0, timeout=2)
    with pytest.raises(openai.APIConnectionError):
        dead.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    span = captured.span()
    assert span.attributes["error.type"] == "openai.APIConnectionError"
    assert span.attributes["server.port"] == 9


def test_retries_share_one_span(instrument, mock_server):
    captured = instrument()
    retrying = openai.OpenAI(base_url=mock_server.base_url, api_key="k", max_retries=2)
    response = retrying.chat.completions.create(
        model="gpt-4o-mini",
        messages=POEM,
        extra_headers={"x-mock-scenario": "fail-times:1:500", "x-mock-scenario-key": "retry-span-test"},
    )
    span = captured.span()
    assert span.attributes["gen_ai.response.id"] == response.id
    assert "error.type" not in span.attributes


def test_raw_response_returns_the_clients_own_object(instrument, client):
    captured = instrument()
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=POEM)
    assert type(raw).__name__ == "LegacyAPIResponse"
    assert raw.headers.get("content-type", "").startswith("application/json")
    completion = raw.parse()
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    assert captured.span().attributes["gen_ai.response.id"] == completion.id


def test_streaming_response_is_observed_when_parsed(instrument, client):
    captured = instrument()
    with client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=POEM) as raw:
        completion = raw.parse()
    assert captured.span().attributes["gen_ai.response.id"] == completion.id


def test_uninstrument_passes_through_for_existing_clients(instrument, client, captured):
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    instrument()
    raw_api = client.chat.completions.with_raw_response  # cached while instrumented
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert len(captured.spans()) == 1
    OpenAIInstrumentor().uninstrument()
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    raw_api.create(model="gpt-4o-mini", messages=POEM).parse()
    assert len(captured.spans()) == 1


def test_sampled_out_call_records_metrics_only(instrument, client):
    from telemetry_capture import ALWAYS_OFF

    captured = instrument(capture="SPAN_AND_EVENT", sampler=ALWAYS_OFF)
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert captured.spans() == []
    assert captured.logs() == []
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.count == 1


async def test_async_chat(instrument, async_client):
    captured = instrument(capture="SPAN_ONLY")
    response = await async_client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    span = captured.span()
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes["gen_ai.response.id"] == response.id
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output["parts"][0]["content"] == response.choices[0].message.content


async def test_async_error(instrument, async_client):
    captured = instrument()
    with pytest.raises(openai.NotFoundError):
        await async_client.chat.completions.create(model="unknown-model", messages=POEM)
    assert captured.span().attributes["error.type"] == "openai.NotFoundError"


def test_cached_tokens_are_reported_when_non_zero(instrument, client):
    captured = instrument()
    long_prompt = "observability " * 1500
    response = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": long_prompt}])
    details = response.usage.prompt_tokens_details  # a plain dict on clients that predate the field
    cached = details["cached_tokens"] if isinstance(details, dict) else details.cached_tokens
    assert cached > 0
    attrs = captured.span().attributes
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == cached
    # Zero detail counts say nothing and are left out.
    assert "gen_ai.usage.reasoning.output_tokens" not in attrs
    assert "gen_ai.usage.audio.input_tokens" not in attrs
