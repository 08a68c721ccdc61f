"""Chat Completions streaming: chunk framing, usage, interleaved choices and tool-call deltas."""

from __future__ import annotations

import json

import openai
from mock_openai_helpers import WEATHER_TOOL, raw_request, user

from otel_genai.mock_openai import MockOpenAIServer

ROLE_DELTA = {"role": "assistant", "content": "", "refusal": None}


def _stream(server: MockOpenAIServer, **body: object) -> list[dict]:
    response = raw_request(server, "POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "stream": True, **body})
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.sse_data()[-1] == "[DONE]"
    assert response.body.endswith(b"data: [DONE]\n\n")
    return response.sse_json()


def test_stream_without_include_usage_has_no_usage_anywhere(mock_api: MockOpenAIServer) -> None:
    chunks = _stream(mock_api, messages=user("Say this is a test"))
    assert all("usage" not in chunk for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == ROLE_DELTA
    assert [c["choices"][0]["delta"].get("content") for c in chunks[1:-1]] == ["This ", "is ", "a ", "test", "."]
    assert chunks[-1]["choices"] == [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert {chunk["model"] for chunk in chunks} == {"gpt-4o-mini-2024-07-18"}


def test_stream_with_include_usage_ends_with_a_usage_chunk(mock_api: MockOpenAIServer) -> None:
    chunks = _stream(mock_api, messages=user("Say this is a test"), stream_options={"include_usage": True})
    *content, usage_chunk = chunks
    assert all("usage" in chunk and chunk["usage"] is None for chunk in content)
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["prompt_tokens"] == 12
    assert usage_chunk["usage"]["completion_tokens"] == 5
    assert usage_chunk["usage"]["total_tokens"] == 17
    assert usage_chunk["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0


def test_streamed_text_equals_the_plain_reply(openai_client: openai.OpenAI) -> None:
    plain = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("Write a poem"))
    stream = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Write a poem"), stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == plain.usage.completion_tokens == chunks[-1].usage.completion_tokens


def test_chunks_header_gives_exactly_that_many_content_chunks(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("hi"), stream=True, extra_headers={"x-mock-chunks": "57"}
    )
    chunks = list(stream)
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) == 57
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_chunks_header_can_shorten_a_reply(openai_client: openai.OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Write a poem"), stream=True, extra_headers={"x-mock-chunks": "2"}
    )
    assert [c.choices[0].delta.content for c in stream if c.choices[0].delta.content] == ["A ", "request"]


def test_parallel_choices_are_interleaved_by_index(mock_api: MockOpenAIServer) -> None:
    chunks = _stream(mock_api, messages=user("Say this is a test"), n=2)
    indexes = [chunk["choices"][0]["index"] for chunk in chunks]
    # role 0, role 1, then alternating content, then one finish chunk per choice.
    assert indexes[:4] == [0, 1, 0, 1]
    assert [c["choices"][0]["finish_reason"] for c in chunks[-2:]] == ["stop", "stop"]
    assert indexes[-2:] == [0, 1]
    for index in (0, 1):
        deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"][0]["index"] == index]
        assert deltas[0] == ROLE_DELTA
        assert "test" in "".join(d.get("content", "") for d in deltas)


def test_tool_calls_stream_like_openai(mock_api: MockOpenAIServer) -> None:
    second_tool = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}
    chunks = _stream(
        mock_api,
        messages=user("Weather in Paris?"),
        tools=[WEATHER_TOOL, second_tool],
        stream_options={"include_usage": True},
    )
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    calls: dict[int, dict] = {}
    for chunk in chunks[1:-2]:
        (delta_call,) = chunk["choices"][0]["delta"]["tool_calls"]
        if "id" in delta_call:
            assert delta_call["type"] == "function"
            assert delta_call["function"]["arguments"] == ""
            calls[delta_call["index"]] = {"id": delta_call["id"], "name": delta_call["function"]["name"], "args": ""}
        else:
            assert set(delta_call) == {"index", "function"}
            calls[delta_call["index"]]["args"] += delta_call["function"]["arguments"]
    assert [calls[i]["name"] for i in sorted(calls)] == ["get_current_weather", "get_time"]
    assert json.loads(calls[0]["args"])["location"] == "Paris"
    assert json.loads(calls[1]["args"]) == {}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"]["completion_tokens"] > 0


async def test_async_stream_with_usage(async_openai_client: openai.AsyncOpenAI) -> None:
    stream = await async_openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("Say this is a test"),
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "This is a test."
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 17
