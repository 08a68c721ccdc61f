"""Streamed Chat Completions: the stream stays the client's own, the span ends once on every path."""

from __future__ import annotations

import asyncio
import gc
import json

import openai
import pytest
from opentelemetry.trace import StatusCode

from otel_genai import semconv
from telemetry_capture import json_attr

POEM = [{"role": "user", "content": "Write a short poem on OpenTelemetry."}]
CHUNKS = {"x-mock-chunks": "12"}


def _uninstrumented_chunks(client, **kwargs):
    return [c.model_dump() for c in client.chat.completions.create(**kwargs)]


def test_stream_is_unchanged_and_fully_described(instrument, client, mock_server):
    kwargs = dict(model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS)
    baseline = _uninstrumented_chunks(client, **kwargs)

    captured = instrument(capture="SPAN_ONLY")
    mock_server.clear_requests()
    stream = client.chat.completions.create(**kwargs)
    assert type(stream) is openai.Stream
    assert stream.response.status_code == 200
    chunks = [c.model_dump() for c in stream]

    # Same chunks in the same order (ids and timestamps differ between two calls).
    strip = lambda cs: [{**c, "id": None, "created": None, "system_fingerprint": None} for c in cs]  # noqa: E731
    assert strip(chunks) == strip(baseline)
    # We never ask for usage on the user's behalf.
    (sent,) = mock_server.requests
    assert "stream_options" not in sent.body

    span = captured.span()
    attrs = span.attributes
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.response.id"] == chunks[0]["id"]
    assert attrs["gen_ai.response.model"] == chunks[0]["model"]
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert 0 < attrs["gen_ai.response.time_to_first_chunk"] < 10
    assert "gen_ai.usage.input_tokens" not in attrs  # the server sent none
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output == {"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}

    (ttfc,) = captured.metrics("gen_ai.client.operation.time_to_first_chunk")
    assert ttfc.count == 1
    (per_chunk,) = captured.metrics("gen_ai.client.operation.time_per_output_chunk")
    assert per_chunk.count == len(chunks) - 1
    assert per_chunk.bucket_bounds == semconv.DURATION_BUCKETS


def test_stream_usage_when_the_user_asks_for_it(instrument, client):
    captured = instrument()
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=POEM, stream=True, stream_options={"include_usage": True}
        )
    )
    usage = chunks[-1].usage
    attrs = captured.span().attributes
    assert attrs["gen_ai.usage.input_tokens"] == usage.prompt_tokens
    assert attrs["gen_ai.usage.output_tokens"] == usage.completion_tokens
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in captured.metrics("gen_ai.client.token.usage")}
    assert tokens == {"input": usage.prompt_tokens, "output": usage.completion_tokens}


def test_streamed_parallel_tool_calls_are_assembled(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    tools = [
        {
            "type": "function",
            "function": {
                "name": n,
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }  # noqa: E501
        for n in ("get_weather", "get_time")
    ]
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Weather and time in Paris?"}],
            tools=tools,
            stream=True,
        )
    )
    expected: dict[int, dict] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                slot = expected.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
                slot["id"] = call.id or slot["id"]
                slot["name"] = (call.function and call.function.name) or slot["name"]
                slot["arguments"] += (call.function and call.function.arguments) or ""
    assert len(expected) == 2
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["finish_reason"] == "tool_call"
    assert output["parts"] == [
        {"type": "tool_call", "id": e["id"], "name": e["name"], "arguments": json.loads(e["arguments"])}
        for _, e in sorted(expected.items())
    ]


@pytest.mark.parametrize("capture", ["NO_CONTENT", "SPAN_ONLY"])
def test_multiple_choices_streamed(instrument, client, capture):
    captured = instrument(capture=capture)
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=POEM, n=3, stream=True))
    # The choices' deltas arrive interleaved, one choice a chunk.
    assert {c.choices[0].index for c in chunks if c.choices} == {0, 1, 2}
    span = captured.span()
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop", "stop", "stop")
    if capture == "SPAN_ONLY":
        messages = json_attr(span, "gen_ai.output.messages")
        texts = [
            "".join(c.choices[0].delta.content or "" for c in chunks if c.choices and c.choices[0].index == i)
            for i in range(3)
        ]
        assert [m["parts"][0]["content"] for m in messages] == texts
    else:
        assert "gen_ai.output.messages" not in span.attributes


def test_stream_dropped_before_every_choice_finished_is_abandoned(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, n=2, stream=True)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].finish_reason is not None:
            break  # the first choice has finished, the second has not
    del stream, chunk
    gc.collect()
    assert captured.span().attributes["error.type"] == semconv.ERROR_STREAM_ABANDONED


@pytest.mark.parametrize("how", ["with", "close", "break-then-close"])
def test_stream_closed_early_ends_the_span_once(instrument, client, how):
    captured = instrument()
    kwargs = dict(model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS)
    if how == "with":
        with client.chat.completions.create(**kwargs) as stream:
            next(iter(stream))
        assert stream.response.is_closed
    elif how == "close":
        stream = client.chat.completions.create(**kwargs)
        next(stream)
        stream.close()
        assert stream.response.is_closed
    else:
        stream = client.chat.completions.create(**kwargs)
        for _ in stream:
            break
        stream.close()
    del stream
    gc.collect()
    span = captured.span()  # exactly one, ended
    assert "error.type" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


def test_abandoned_stream_ends_with_error_type_when_collected(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS)
    next(stream)
    assert captured.spans() == []  # still open
    del stream
    gc.collect()
    span = captured.span()
    assert span.attributes["error.type"] == semconv.ERROR_STREAM_ABANDONED
    assert span.status.status_code is StatusCode.ERROR


def test_never_iterated_stream_ends_when_collected(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True)
    del stream
    gc.collect()
    assert captured.span().attributes["error.type"] == semconv.ERROR_STREAM_ABANDONED


def test_stream_cut_by_the_server_records_the_error(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, stream=True, extra_headers={"x-mock-scenario": "reset-stream:3"}
    )
    received = 0
    with pytest.raises(Exception) as raised:
        for _ in stream:
            received += 1
    assert received == 3
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"].endswith(type(raised.value).__name__)


def test_raw_streaming_response(instrument, client):
    captured = instrument()
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=POEM, stream=True)
    stream = raw.parse()
    assert isinstance(stream, openai.Stream)
    chunks = list(stream)
    assert captured.span().attributes["gen_ai.response.id"] == chunks[0].id


def test_streaming_response_context_manager(instrument, client):
    captured = instrument()
    with client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=POEM, stream=True) as raw:
        chunks = list(raw.parse())
    assert captured.span().attributes["gen_ai.response.id"] == chunks[0].id


async def test_async_stream(instrument, async_client):
    captured = instrument(capture="SPAN_ONLY")
    stream = await async_client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS
    )
    assert type(stream) is openai.AsyncStream
    chunks = [c async for c in stream]
    span = captured.span()
    assert span.attributes["gen_ai.response.id"] == chunks[0].id
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert json_attr(span, "gen_ai.output.messages")[0]["parts"] == [{"type": "text", "content": text}]
    (per_chunk,) = captured.metrics("gen_ai.client.operation.time_per_output_chunk")
    assert per_chunk.count == len(chunks) - 1


async def test_async_stream_closed_with_async_with(instrument, async_client):
    captured = instrument()
    stream = await async_client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS
    )
    async with stream:
        await stream.__anext__()
    assert "error.type" not in captured.span().attributes


async def test_async_stream_cancelled_mid_way(instrument, async_client):
    captured = instrument()
    # Two chunks, then the server sends nothing until the client leaves: the cancel lands mid-stream.
    stream = await async_client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, stream=True, extra_headers={"x-mock-scenario": "stall-stream:2"}
    )
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in stream:
            started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await stream.close()
    span = captured.span()
    assert span.attributes["error.type"] == "asyncio.CancelledError"


def test_stream_dropped_after_its_finish_reason_is_complete(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=CHUNKS)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].finish_reason:
            break  # the reply is whole; the [DONE] marker was never read
    del stream, chunk
    gc.collect()
    span = captured.span()
    assert "error.type" not in span.attributes
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_chat_stream_helper_gives_one_span(instrument, client):
    if not hasattr(client.chat.completions, "stream"):
        pytest.skip("this openai client has no chat.completions.stream()")
    captured = instrument(capture="SPAN_ONLY")
    with client.chat.completions.stream(model="gpt-4o-mini", messages=POEM) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    span = captured.span()
    assert span.attributes["gen_ai.response.id"] == final.id
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output["parts"][0]["content"] == final.choices[0].message.content


def test_stream_helper_left_early_ends_the_span_at_once(instrument, client):
    if not hasattr(client.chat.completions, "stream"):
        pytest.skip("this openai client has no chat.completions.stream()")
    captured = instrument()
    with client.chat.completions.stream(model="gpt-4o-mini", messages=POEM, extra_headers=CHUNKS) as stream:
        for _ in stream:
            break
    # The manager closed the HTTP response: the call is over, and not an error.
    span = captured.span()
    assert "error.type" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


async def test_async_stream_helper_left_early_ends_the_span_at_once(instrument, async_client):
    if not hasattr(async_client.chat.completions, "stream"):
        pytest.skip("this openai client has no chat.completions.stream()")
    captured = instrument()
    async with async_client.chat.completions.stream(model="gpt-4o-mini", messages=POEM, extra_headers=CHUNKS) as stream:
        async for _ in stream:
            break
    assert "error.type" not in captured.span().attributes


def test_exception_leaving_a_stream_helper_early_fails_the_call(instrument, client):
    if not hasattr(client.chat.completions, "stream"):
        pytest.skip("this openai client has no chat.completions.stream()")
    captured = instrument()

    class Stop(Exception):
        pass

    opened = client.chat.completions.stream(model="gpt-4o-mini", messages=POEM, extra_headers=CHUNKS)
    with pytest.raises(Stop), opened as stream:
        for _ in stream:
            raise Stop("the app gave up mid-stream")
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"].endswith("Stop")

    captured.clear()
    with pytest.raises(Stop), client.chat.completions.stream(model="gpt-4o-mini", messages=POEM) as stream:
        for _ in stream:
            pass
        raise Stop("after the whole reply: the call itself succeeded")
    assert "error.type" not in captured.span().attributes
