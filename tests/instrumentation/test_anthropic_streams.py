"""Anthropic streams over real HTTP: ``stream=True``, the ``stream()`` helper, raw and streaming
responses, sync and async; each gives one span whose record matches a plain call's."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from anthropic_helpers import MODEL, WEATHER_TOOL, scenario, user
from opentelemetry.trace import StatusCode

from local_http import anthropic_http
from telemetry_capture import json_attr

anthropic = pytest.importorskip("anthropic")


@pytest.fixture
def client(mock_server: Any) -> Any:
    return anthropic.Anthropic(
        base_url=mock_server.root_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http()
    )


def _client_made_after_instrument(mock_server: Any) -> Any:
    # Older clients bind post when the client is made; stream() posts directly, so its
    # calls are recorded on clients made after instrument() (as under opentelemetry-instrument).
    return anthropic.Anthropic(
        base_url=mock_server.root_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http()
    )


def _async_client(mock_server: Any) -> Any:
    return anthropic.AsyncAnthropic(
        base_url=mock_server.root_url,
        api_key="sk-ant-test",
        max_retries=0,
        http_client=anthropic_http(asynchronous=True),
    )


def _check_streamed(span: Any, final: Any) -> None:
    attrs = span.attributes
    assert span.status.status_code is StatusCode.UNSET
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.response.id"] == final.id
    assert attrs["gen_ai.response.model"] == final.model
    assert attrs["gen_ai.response.finish_reasons"] == (final.stop_reason,)
    assert attrs["gen_ai.usage.input_tokens"] == final.usage.input_tokens
    assert attrs["gen_ai.usage.output_tokens"] == final.usage.output_tokens
    assert attrs["gen_ai.response.time_to_first_chunk"] > 0


def test_stream_true_folds_events_into_the_record(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"), stream=True)
    assert type(stream) is anthropic.Stream
    events = list(stream)
    start = events[0].message
    delta = next(e for e in events if e.type == "message_delta")
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    span = captured.span()
    attrs = span.attributes
    assert attrs["gen_ai.response.id"] == start.id
    assert attrs["gen_ai.response.finish_reasons"] == (delta.delta.stop_reason,)
    assert attrs["gen_ai.usage.output_tokens"] == delta.usage.output_tokens
    assert attrs["gen_ai.usage.input_tokens"] == start.usage.input_tokens
    assert json_attr(span, "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}
    ]
    (ttfc,) = captured.metrics("gen_ai.client.operation.time_to_first_chunk")
    assert ttfc.count == 1
    per_chunk = captured.metrics("gen_ai.client.operation.time_per_output_chunk")
    assert sum(p.count for p in per_chunk) == len(events) - 1


def test_stream_helper_text_stream_and_final_message(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()
    client = _client_made_after_instrument(mock_server)
    with client.messages.stream(model=MODEL, max_tokens=64, messages=user("Say hi")) as stream:
        assert type(stream).__name__ == "MessageStream"
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == final.content[0].text
    _check_streamed(captured.span(), final)


def test_stream_helper_until_done(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()
    client = _client_made_after_instrument(mock_server)
    with client.messages.stream(model=MODEL, max_tokens=64, messages=user("Say hi")) as stream:
        stream.until_done()
        final = stream.current_message_snapshot
    _check_streamed(captured.span(), final)


def test_exception_in_the_helper_block_fails_the_call(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()
    client = _client_made_after_instrument(mock_server)
    with pytest.raises(KeyError), client.messages.stream(model=MODEL, max_tokens=64, messages=user("Hi")) as stream:
        next(iter(stream))
        raise KeyError("boom")
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "KeyError"


def test_streamed_tool_use_and_thinking_assemble_their_parts(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    client = _client_made_after_instrument(mock_server)
    with client.messages.stream(
        model=MODEL, max_tokens=500, messages=user("Weather in Paris?"), tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_message()
    call = next(block for block in final.content if block.type == "tool_use")
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["finish_reason"] == "tool_call"
    assert [p for p in output["parts"] if p["type"] == "tool_call"] == [
        {"type": "tool_call", "id": call.id, "name": call.name, "arguments": call.input}
    ]
    captured.clear()
    with client.messages.stream(
        model="claude-3-7-sonnet-latest",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=user("How many r are in strawberry?"),
    ) as stream:
        final = stream.get_final_message()
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["parts"][0] == {"type": "reasoning", "content": final.content[0].thinking}
    assert output["parts"][1] == {"type": "text", "content": final.content[1].text}


def test_async_stream_and_helper(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()

    async def run() -> tuple[Any, Any]:
        async with _async_client(mock_server) as client:
            stream = await client.messages.create(model=MODEL, max_tokens=64, messages=user("Hi"), stream=True)
            assert type(stream) is anthropic.AsyncStream
            events = [event async for event in stream]
            async with client.messages.stream(model=MODEL, max_tokens=64, messages=user("Hi")) as helper:
                final = await helper.get_final_message()
            return events, final

    events, final = asyncio.run(run())
    first, second = sorted(captured.spans(), key=lambda s: s.start_time)
    assert first.attributes["gen_ai.response.id"] == events[0].message.id
    assert first.attributes["gen_ai.request.stream"] is True
    _check_streamed(second, final)


def test_raw_and_streaming_responses(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=64, messages=user("Hi"))
    message = raw.parse()
    assert captured.span().attributes["gen_ai.response.id"] == message.id
    captured.clear()
    with client.messages.with_streaming_response.create(model=MODEL, max_tokens=64, messages=user("Hi")) as response:
        streamed = response.parse()
    assert captured.span().attributes["gen_ai.response.id"] == streamed.id
    captured.clear()
    with client.messages.with_streaming_response.create(
        model=MODEL, max_tokens=64, messages=user("Hi"), stream=True
    ) as response:
        events = list(response.parse())
    span = captured.span()
    assert span.attributes["gen_ai.response.id"] == events[0].message.id
    assert span.attributes["gen_ai.request.stream"] is True


def test_beta_messages_are_chat_calls(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    message = client.beta.messages.create(model=MODEL, max_tokens=64, messages=user("Hi"))
    with client.beta.messages.stream(model=MODEL, max_tokens=64, messages=user("Hi")) as stream:
        final = stream.get_final_message()
    plain, streamed = sorted(captured.spans(), key=lambda s: s.start_time)
    assert plain.attributes["gen_ai.response.id"] == message.id
    _check_streamed(streamed, final)


def test_error_event_in_a_stream_fails_the_call(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    stream = client.messages.create(
        model=MODEL, max_tokens=64, messages=user("Hi"), stream=True, extra_headers=scenario("stream-error")
    )
    with pytest.raises(anthropic.APIStatusError):
        for _ in stream:
            pass
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"].startswith("anthropic.")
    # What arrived before the error is kept.
    assert span.attributes["gen_ai.response.id"].startswith("msg_")


def test_closed_early_and_abandoned_streams_end_their_span(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=user("Hi"), stream=True)
    next(iter(stream))
    stream.close()
    assert len(captured.spans()) == 1
    captured.clear()
    stream = client.messages.create(model=MODEL, max_tokens=64, messages=user("Hi"), stream=True)
    next(iter(stream))
    del stream
    gc.collect()
    assert len(captured.spans()) == 1


def test_bedrock_and_vertex_name_their_provider(instrument_anthropic: Any, mock_server: Any) -> None:
    pytest.importorskip("boto3", reason="AnthropicBedrock signs requests with boto3")
    captured = instrument_anthropic()
    bedrock = anthropic.AnthropicBedrock(
        aws_access_key="AKIDEXAMPLE",
        aws_secret_key="secret",
        aws_region="us-east-1",
        base_url=mock_server.root_url,
        max_retries=0,
    )
    model = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
    bedrock.messages.create(model=model, max_tokens=50, messages=user("Say hi"))
    with bedrock.messages.stream(model=model, max_tokens=50, messages=user("Say hi")) as stream:
        final = stream.get_final_message()
    vertex = anthropic.AnthropicVertex(
        region="us-east5",
        project_id="demo-project",
        access_token="token",
        base_url=f"{mock_server.root_url}/v1",
        max_retries=0,
    )
    vertex.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=50, messages=user("Say hi"))
    plain, streamed, on_vertex = sorted(captured.spans(), key=lambda s: s.start_time)
    for span in (plain, streamed):
        assert span.attributes["gen_ai.provider.name"] == "aws.bedrock"
        assert span.attributes["gen_ai.request.model"] == model
        assert span.attributes["server.port"] == mock_server.port
    _check_streamed(streamed, final)
    assert on_vertex.attributes["gen_ai.provider.name"] == "gcp.vertex_ai"
    assert on_vertex.attributes["gen_ai.request.model"] == "claude-sonnet-4-5@20250929"
