"""Legacy Completions (``text_completion``), plain and streamed."""

from __future__ import annotations

import re

import openai
from mock_openai_helpers import raw_request

from otel_genai.mock_openai import MockOpenAIServer


def test_plain_completion(openai_client: openai.OpenAI) -> None:
    completion = openai_client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say this is a test")
    assert re.fullmatch(r"cmpl-[A-Za-z0-9]{29}", completion.id)
    assert completion.object == "text_completion"
    assert completion.model == "gpt-3.5-turbo-instruct"
    (choice,) = completion.choices
    assert (choice.text, choice.index, choice.finish_reason, choice.logprobs) == (
        "\n\nThis is a test.",
        0,
        "stop",
        None,
    )
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 5)
    assert completion.usage.total_tokens == 10


def test_default_limit_of_sixteen_tokens(openai_client: openai.OpenAI) -> None:
    completion = openai_client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Write a poem")
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 16


def test_several_prompts_and_n(openai_client: openai.OpenAI) -> None:
    completion = openai_client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=["Say one", "Say two"], n=2, max_tokens=50
    )
    assert [choice.index for choice in completion.choices] == [0, 1, 2, 3]
    assert completion.choices[0].text == "\n\nOne."
    assert completion.choices[2].text == "\n\nTwo."
    assert completion.choices[1].text != completion.choices[0].text


def test_echo_prepends_the_prompt(openai_client: openai.OpenAI) -> None:
    completion = openai_client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Say this is a test", echo=True
    )
    assert completion.choices[0].text == "Say this is a test\n\nThis is a test."


def test_stream_matches_the_plain_text(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    plain = openai_client.completions.create(model="gpt-3.5-turbo-instruct", prompt="What is a span?", max_tokens=8)
    chunks = list(
        openai_client.completions.create(
            model="gpt-3.5-turbo-instruct", prompt="What is a span?", max_tokens=8, stream=True
        )
    )
    assert "".join(chunk.choices[0].text for chunk in chunks) == plain.choices[0].text
    assert [chunk.choices[0].finish_reason for chunk in chunks[-2:]] == [None, "length"]
    assert chunks[-1].choices[0].text == ""
    assert {chunk.object for chunk in chunks} == {"text_completion"}


def test_stream_usage_only_when_asked(mock_api: MockOpenAIServer) -> None:
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi", "stream": True}
    without = raw_request(mock_api, "POST", "/v1/completions", body).sse_json()
    assert all("usage" not in chunk for chunk in without)
    with_usage = raw_request(
        mock_api, "POST", "/v1/completions", {**body, "stream_options": {"include_usage": True}}
    ).sse_json()
    assert with_usage[-1]["choices"] == []
    assert with_usage[-1]["usage"] == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    assert all(chunk["usage"] is None for chunk in with_usage[:-1])
