"""OTEL_SEMCONV_STABILITY_OPT_IN: the latest shape, the pre-1.37 shape, and both."""

from __future__ import annotations

POEM = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "A poem on OpenTelemetry?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
        },  # noqa: E501
    }
]


def test_legacy_shape(instrument, client):
    captured = instrument(capture="true", conventions="http,gen_ai_legacy")
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, response_format={"type": "json_object"}
    )
    attrs = captured.span().attributes
    assert attrs["gen_ai.system"] == "openai"
    assert "gen_ai.provider.name" not in attrs
    assert attrs["gen_ai.openai.response.system_fingerprint"] == response.system_fingerprint
    assert attrs["gen_ai.openai.response.service_tier"] == response.service_tier
    assert attrs["gen_ai.openai.request.response_format"] == "json"
    for newer in ("openai.api.type", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.output.type"):
        assert newer not in attrs
    assert attrs["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens

    assert captured.events("gen_ai.client.inference.operation.details") == []
    (system,) = captured.events("gen_ai.system.message")
    (user,) = captured.events("gen_ai.user.message")
    (choice,) = captured.events("gen_ai.choice")
    assert system.body == {"content": "Be brief."}
    assert user.body == {"content": POEM[1]["content"]}
    assert system.attributes == {"gen_ai.system": "openai"}
    assert choice.body == {
        "index": 0,
        "finish_reason": "stop",
        "message": {"content": response.choices[0].message.content},
    }
    span = captured.span()
    assert choice.span_id == span.context.span_id

    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.attributes["gen_ai.system"] == "openai"
    assert "gen_ai.provider.name" not in duration.attributes


def test_legacy_events_without_content_keep_tool_call_ids(instrument, client):
    captured = instrument(conventions="gen_ai_legacy", env={"OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true"})
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Weather in Paris?"}], tools=TOOLS
    )
    call = response.choices[0].message.tool_calls[0]
    (choice,) = captured.events("gen_ai.choice")
    assert choice.body == {
        "index": 0,
        "finish_reason": "tool_calls",
        "message": {},
        "tool_calls": [{"id": call.id, "type": "function", "function": {"name": "get_weather"}}],
    }
    (user,) = captured.events("gen_ai.user.message")
    assert user.body == {}


def test_dup_emits_both_shapes(instrument, client):
    captured = instrument(capture="SPAN_AND_EVENT", conventions="gen_ai/dup")
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    attrs = captured.span().attributes
    assert attrs["gen_ai.system"] == attrs["gen_ai.provider.name"] == "openai"
    assert "gen_ai.input.messages" in attrs
    assert len(captured.events("gen_ai.client.inference.operation.details")) == 1
    assert len(captured.events("gen_ai.user.message")) == 1
    assert len(captured.events("gen_ai.choice")) == 1
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.count == 1  # one record carrying both names, not two records
    assert duration.attributes["gen_ai.system"] == duration.attributes["gen_ai.provider.name"]


def test_unknown_gen_ai_token_warns_and_uses_latest(instrument, client, caplog):
    captured = instrument(conventions="gen_ai_bogus")
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert captured.span().attributes["gen_ai.provider.name"] == "openai"
    assert any(
        "OTEL_SEMCONV_STABILITY_OPT_IN" in r.getMessage() and "gen_ai_legacy" in r.getMessage() for r in caplog.records
    )
