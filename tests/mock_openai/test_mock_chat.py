"""Chat Completions (not streamed) through the real openai client."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest
from mock_openai_helpers import WEATHER_TOOL, user


def _tool(name: str, required: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {"type": "object", "properties": required, "required": list(required)},
        },
    }


def test_plain_completion_has_the_real_shape(openai_client: openai.OpenAI) -> None:
    raw = openai_client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=user("Say this is a test")
    )
    wire = json.loads(raw.http_response.text)
    assert list(wire) == [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
        "service_tier",
        "system_fingerprint",
    ]
    assert raw.headers["x-request-id"].startswith("req_")
    completion = raw.parse()
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", completion.id)
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o-mini-2024-07-18"
    assert re.fullmatch(r"fp_[0-9a-f]{10}", completion.system_fingerprint or "")
    assert completion.service_tier == "default"
    (choice,) = completion.choices
    assert (choice.index, choice.finish_reason, choice.message.role) == (0, "stop", "assistant")
    assert choice.message.content == "This is a test."
    assert choice.message.refusal is None
    # The real API counts 12 prompt and 5 completion tokens for this exchange.
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        12,
        5,
        17,
    )
    assert wire["usage"]["prompt_tokens_details"] == {"cached_tokens": 0, "audio_tokens": 0}
    assert wire["usage"]["completion_tokens_details"] == {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    }


@pytest.mark.parametrize(
    ("requested", "reported"),
    [
        ("gpt-4o", "gpt-4o-2024-08-06"),
        ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("my-fine-tune", "my-fine-tune"),
    ],
)
def test_model_is_reported_as_its_dated_snapshot(openai_client: openai.OpenAI, requested: str, reported: str) -> None:
    completion = openai_client.chat.completions.create(model=requested, messages=user("hi"))
    assert completion.model == reported


@pytest.mark.parametrize(("requested", "reported"), [("flex", "flex"), ("auto", "default"), ("priority", "priority")])
def test_service_tier_is_echoed_except_auto(openai_client: openai.OpenAI, requested: str, reported: str) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("hi"), extra_body={"service_tier": requested}
    )
    assert completion.service_tier == reported


def test_poem_request_gets_a_short_poem_about_opentelemetry(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Write a short poem about tracing.")
    )
    text = completion.choices[0].message.content or ""
    assert 4 <= len(text.splitlines()) <= 8
    assert "OpenTelemetry" in text


def test_question_is_answered_deterministically(openai_client: openai.OpenAI) -> None:
    first = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("What is a span?"))
    second = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("What is a span?"))
    assert first.choices[0].message.content == second.choices[0].message.content
    assert "What is a span?" in (first.choices[0].message.content or "")
    assert first.id != second.id


def test_reply_header_forces_the_text(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("anything"), extra_headers={"x-mock-reply": "Exactly this, please."}
    )
    assert completion.choices[0].message.content == "Exactly this, please."
    assert completion.usage.completion_tokens == 5


def test_chunks_header_sets_the_reply_length(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("hi"), extra_headers={"x-mock-chunks": "40"}
    )
    assert completion.usage.completion_tokens == 40
    assert completion.choices[0].finish_reason == "stop"


def test_n_gives_distinct_choices_and_sums_their_tokens(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("What is OTLP?"), n=3)
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    texts = [choice.message.content for choice in completion.choices]
    assert len(set(texts)) == 3
    single = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("What is OTLP?"))
    assert texts[0] == single.choices[0].message.content
    assert completion.usage.completion_tokens > 2 * single.usage.completion_tokens


@pytest.mark.parametrize("limit_name", ["max_tokens", "max_completion_tokens"])
def test_token_limit_truncates_with_finish_reason_length(openai_client: openai.OpenAI, limit_name: str) -> None:
    # extra_body: openai 1.26 predates max_completion_tokens.
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("What is a trace?"), extra_body={limit_name: 3}
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.choices[0].message.content == "You asked:"
    assert completion.usage.completion_tokens == 3


@pytest.mark.parametrize("stop", [" a", [" test", " a"]])
def test_stop_sequence_cuts_the_reply(openai_client: openai.OpenAI, stop: str | list[str]) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Say this is a test"), stop=stop
    )
    assert completion.choices[0].message.content == "This is"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.completion_tokens == 2


def test_json_object_format_returns_json(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Say hello in JSON"), response_format={"type": "json_object"}
    )
    assert json.loads(completion.choices[0].message.content or "") == {"answer": "Hello in JSON."}


def test_json_schema_format_fills_the_required_properties(openai_client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer"},
            "capital": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "size": {"type": "string", "enum": ["small", "large"]},
            "optional_note": {"type": "string"},
        },
        "required": ["city", "population", "capital", "tags", "size"],
        "additionalProperties": False,
    }
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("Describe a city"),
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema, "strict": True}},
    )
    assert json.loads(completion.choices[0].message.content or "") == {
        "city": "Paris",
        "population": 1,
        "capital": True,
        "tags": ["sample"],
        "size": "small",
    }


def test_tools_are_called_in_parallel_with_sample_arguments(openai_client: openai.OpenAI) -> None:
    time_tool = _tool("get_time", {"timezone": {"type": "string"}})
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Weather and time in Paris?"), tools=[WEATHER_TOOL, time_tool]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls or []
    assert [call.function.name for call in calls] == ["get_current_weather", "get_time"]
    assert all(re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id) and call.type == "function" for call in calls)
    assert json.loads(calls[0].function.arguments) == {
        "location": "Paris",
        "unit": "celsius",
        "days": 1,
        "verbose": True,
    }
    assert json.loads(calls[1].function.arguments) == {"timezone": "sample"}


def test_parallel_calls_stop_at_three(openai_client: openai.OpenAI) -> None:
    tools = [_tool(f"tool_{index}", {}) for index in range(5)]
    completion = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("go"), tools=tools)
    assert [call.function.name for call in completion.choices[0].message.tool_calls or []] == [
        "tool_0",
        "tool_1",
        "tool_2",
    ]


def test_without_parallel_calls_only_the_first_tool_is_called(openai_client: openai.OpenAI) -> None:
    tools = [WEATHER_TOOL, _tool("get_time", {})]
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("go"), tools=tools, extra_body={"parallel_tool_calls": False}
    )
    assert [call.function.name for call in completion.choices[0].message.tool_calls or []] == ["get_current_weather"]


def test_named_tool_choice_calls_that_tool(openai_client: openai.OpenAI) -> None:
    tools = [WEATHER_TOOL, _tool("get_time", {})]
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("go"),
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    assert [call.function.name for call in completion.choices[0].message.tool_calls or []] == ["get_time"]


def test_tool_choice_none_answers_in_text(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("go"), tools=[WEATHER_TOOL], tool_choice="none"
    )
    assert completion.choices[0].message.tool_calls is None
    assert completion.choices[0].finish_reason == "stop"


def test_tool_results_are_answered_in_text(openai_client: openai.OpenAI) -> None:
    first = openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Weather in Paris?"), tools=[WEATHER_TOOL]
    )
    call = (first.choices[0].message.tool_calls or [])[0]
    messages = [
        *user("Weather in Paris?"),
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "18 degrees and sunny"},
    ]
    second = openai_client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.tool_calls is None
    text = second.choices[0].message.content or ""
    assert "get_current_weather" in text
    assert "18 degrees and sunny" in text
    assert second.usage.prompt_tokens > first.usage.prompt_tokens


def test_long_prompts_report_cached_tokens_in_128_blocks(openai_client: openai.OpenAI) -> None:
    long_prompt = " ".join(["observability"] * 1500)
    completion = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user(long_prompt))
    # model_dump(): openai 1.26 keeps the detail objects as plain dicts.
    cached = completion.usage.model_dump()["prompt_tokens_details"]["cached_tokens"]
    assert cached % 128 == 0
    assert 1024 <= cached <= completion.usage.prompt_tokens


def test_reasoning_models_report_reasoning_tokens(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(model="o3-mini", messages=user("Say this is a test"))
    reasoning = completion.usage.model_dump()["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert completion.usage.completion_tokens == 5 + reasoning
    assert completion.model == "o3-mini-2025-01-31"


def test_images_count_towards_prompt_tokens(openai_client: openai.OpenAI) -> None:
    text_only = openai_client.chat.completions.create(model="gpt-4o-mini", messages=user("What is this?"))
    with_image = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                ],
            }
        ],
    )
    assert with_image.usage.prompt_tokens == text_only.usage.prompt_tokens + 85
    assert with_image.choices[0].message.content == text_only.choices[0].message.content


async def test_async_client_gets_the_same_answer(async_openai_client: openai.AsyncOpenAI) -> None:
    completion = await async_openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Say this is a test")
    )
    assert completion.choices[0].message.content == "This is a test."
    assert completion.usage.total_tokens == 17
