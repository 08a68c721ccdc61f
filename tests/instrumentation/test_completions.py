"""Legacy Completions (text_completion), sync, async and streamed."""

from __future__ import annotations

import pytest

from telemetry_capture import json_attr

PROMPT = "Say this is a test."


def test_text_completion(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    response = client.completions.create(model="gpt-3.5-turbo-instruct", prompt=PROMPT, max_tokens=40, n=2)
    span = captured.span()
    assert span.name == "text_completion gpt-3.5-turbo-instruct"
    attrs = span.attributes
    assert attrs["gen_ai.operation.name"] == "text_completion"
    assert attrs["gen_ai.request.max_tokens"] == 40
    assert attrs["gen_ai.request.choice.count"] == 2
    assert attrs["gen_ai.response.id"] == response.id
    assert list(attrs["gen_ai.response.finish_reasons"]) == [c.finish_reason for c in response.choices]
    assert attrs["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens
    assert attrs["gen_ai.usage.output_tokens"] == response.usage.completion_tokens
    assert "openai.api.type" not in attrs  # neither chat_completions nor responses
    assert json_attr(span, "gen_ai.input.messages") == [
        {"role": "user", "parts": [{"type": "text", "content": PROMPT}]}
    ]
    outputs = json_attr(span, "gen_ai.output.messages")
    assert [o["parts"][0]["content"] for o in outputs] == [c.text for c in response.choices]


def test_streamed_text_completion(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    chunks = list(
        client.completions.create(
            model="gpt-3.5-turbo-instruct", prompt=PROMPT, stream=True, stream_options={"include_usage": True}
        )
    )
    attrs = captured.span().attributes
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.response.id"] == chunks[0].id
    assert attrs["gen_ai.usage.output_tokens"] == chunks[-1].usage.completion_tokens
    text = "".join(c.choices[0].text for c in chunks if c.choices)
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["parts"] == [{"type": "text", "content": text}]
    assert output["finish_reason"] == attrs["gen_ai.response.finish_reasons"][0]


async def test_async_text_completion(instrument, async_client):
    captured = instrument()
    response = await async_client.completions.create(model="gpt-3.5-turbo-instruct", prompt=[PROMPT, "Another."])
    assert captured.span().attributes["gen_ai.response.id"] == response.id


def test_chat_parse_gives_one_span(instrument, client):
    pydantic = pytest.importorskip("pydantic")
    # parse() lives on chat.completions in current clients, on beta.chat.completions before.
    resource = client.chat.completions
    if not hasattr(resource, "parse"):
        beta_chat = getattr(getattr(client, "beta", None), "chat", None)
        resource = getattr(beta_chat, "completions", None)
    if not hasattr(resource, "parse"):
        pytest.skip("this openai client has no parse()")

    class Haiku(pydantic.BaseModel):
        title: str
        lines: list[str]

    captured = instrument(capture="SPAN_ONLY")
    completion = resource.parse(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "A haiku on tracing."}], response_format=Haiku
    )
    span = captured.span()
    assert span.attributes["gen_ai.output.type"] == "json"
    assert span.attributes["gen_ai.response.id"] == completion.id
    assert isinstance(completion.choices[0].message.parsed, Haiku)
