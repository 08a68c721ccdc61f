"""The Responses API: objects, streaming events, storage, tools, reasoning and limits."""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest
from mock_openai_helpers import HAS_RESPONSES_API, raw_request

from otel_genai.mock_openai import MockOpenAIServer

pytestmark = pytest.mark.skipif(not HAS_RESPONSES_API, reason="this openai client predates the Responses API")

# Top-level fields of a real non-streamed response (cassette test_responses_create_basic).
RECORDED_FIELDS = [
    "id",
    "object",
    "created_at",
    "status",
    "background",
    "billing",
    "completed_at",
    "error",
    "frequency_penalty",
    "incomplete_details",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "model",
    "output",
    "parallel_tool_calls",
    "presence_penalty",
    "previous_response_id",
    "prompt_cache_key",
    "prompt_cache_retention",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "usage",
    "user",
    "metadata",
]

WEATHER_FUNCTION = {
    "type": "function",
    "name": "get_current_weather",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}


def _events(server: MockOpenAIServer, **body: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(event name, data)`` pairs of a streamed response, read off the wire."""
    response = raw_request(server, "POST", "/v1/responses", {"model": "gpt-4o-mini", "stream": True, **body})
    assert response.status == 200
    blocks = [block for block in response.body.decode().split("\n\n") if block]
    events = []
    for block in blocks:
        event_line, data_line = block.split("\n")
        events.append((event_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))))
    return events


def test_plain_response_has_the_recorded_fields(mock_api: MockOpenAIServer) -> None:
    body = {"model": "gpt-4o-mini", "input": "Say this is a test", "instructions": "You are a helpful assistant."}
    wire = raw_request(mock_api, "POST", "/v1/responses", body).json()
    assert list(wire) == RECORDED_FIELDS
    assert re.fullmatch(r"resp_[0-9a-f]{48}", wire["id"])
    assert (wire["object"], wire["status"], wire["model"]) == ("response", "completed", "gpt-4o-mini-2024-07-18")
    assert wire["instructions"] == "You are a helpful assistant."
    (message,) = wire["output"]
    assert re.fullmatch(r"msg_[0-9a-f]{48}", message["id"])
    assert message["content"] == [{"type": "output_text", "annotations": [], "logprobs": [], "text": "This is a test."}]
    # The real service reports 22 input and 6 output tokens for this request.
    assert wire["usage"] == {
        "input_tokens": 22,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 6,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 28,
    }
    assert wire["text"] == {"format": {"type": "text"}, "verbosity": "medium"}


def test_client_sees_output_text_and_request_echoes(openai_client: openai.OpenAI) -> None:
    response = openai_client.responses.create(
        model="gpt-4o-mini",
        input="Say hi.",
        temperature=0.5,
        top_p=0.9,
        max_output_tokens=50,
        metadata={"suite": "mock"},
        extra_body={"conversation": "conv_123", "service_tier": "flex"},
    )
    assert response.output_text == "Hi."
    assert (response.temperature, response.top_p, response.max_output_tokens) == (0.5, 0.9, 50)
    assert response.metadata == {"suite": "mock"}
    assert response.service_tier == "flex"
    assert response.to_dict()["conversation"] == {"id": "conv_123"}


def test_created_response_can_be_retrieved(openai_client: openai.OpenAI) -> None:
    created = openai_client.responses.create(model="gpt-4o-mini", input="Say stored")
    fetched = openai_client.responses.retrieve(created.id)
    assert fetched.id == created.id
    assert fetched.output_text == created.output_text == "Stored."


def test_unknown_or_unstored_response_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        openai_client.responses.retrieve("resp_" + "0" * 48)
    unstored = openai_client.responses.create(model="gpt-4o-mini", input="hi", store=False)
    assert unstored.store is False
    with pytest.raises(openai.NotFoundError):
        openai_client.responses.retrieve(unstored.id)


def test_unknown_model_is_a_bad_request_as_recorded(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.responses.create(model="this-model-does-not-exist", input="Hello")
    assert caught.value.code == "model_not_found"
    assert caught.value.param == "model"


def test_stream_sends_the_real_event_sequence(mock_api: MockOpenAIServer) -> None:
    events = _events(mock_api, input="Say this is a test", instructions="You are a helpful assistant.")
    names = [name for name, _ in events]
    assert names == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 5,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [data["type"] for _, data in events] == names
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    created = events[0][1]["response"]
    assert (created["status"], created["output"], created["usage"]) == ("in_progress", [], None)
    deltas = [data["delta"] for name, data in events if name == "response.output_text.delta"]
    final = events[-1][1]["response"]
    assert "".join(deltas) == final["output"][0]["content"][0]["text"] == "This is a test."
    assert final["status"] == "completed"
    assert final["usage"]["total_tokens"] == 28
    assert final["id"] == created["id"]


def test_client_stream_and_retrieve(openai_client: openai.OpenAI) -> None:
    events = list(openai_client.responses.create(model="gpt-4o-mini", input="Say streamed", stream=True))
    assert events[-1].type == "response.completed"
    completed = events[-1].response
    assert openai_client.responses.retrieve(completed.id).output_text == "Streamed."


def test_function_tools_are_called_and_results_answered(openai_client: openai.OpenAI) -> None:
    first = openai_client.responses.create(model="gpt-4o-mini", input="Weather in Paris?", tools=[WEATHER_FUNCTION])
    (call,) = first.output
    assert call.type == "function_call"
    assert re.fullmatch(r"fc_[0-9a-f]{48}", call.id)
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.call_id)
    assert (call.name, json.loads(call.arguments)) == ("get_current_weather", {"location": "Paris"})
    second = openai_client.responses.create(
        model="gpt-4o-mini",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "21C and clear"}],
        tools=[WEATHER_FUNCTION],
    )
    assert second.previous_response_id == first.id
    assert [item.type for item in second.output] == ["message"]
    assert "get_current_weather returned 21C and clear" in second.output_text


def test_function_call_streams_its_arguments(mock_api: MockOpenAIServer) -> None:
    events = _events(mock_api, input="Weather?", tools=[WEATHER_FUNCTION])
    names = [name for name, _ in events]
    assert names[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert names[-3:] == ["response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    added = events[2][1]["item"]
    assert (added["type"], added["status"], added["arguments"]) == ("function_call", "in_progress", "")
    fragments = "".join(data["delta"] for name, data in events if name == "response.function_call_arguments.delta")
    assert fragments == events[-3][1]["arguments"] == events[-1][1]["response"]["output"][0]["arguments"]


def test_web_search_tool_adds_a_search_call_and_a_citation(openai_client: openai.OpenAI) -> None:
    response = openai_client.responses.create(
        model="gpt-4o-mini", input="What is OpenTelemetry?", tools=[{"type": "web_search"}]
    )
    assert [item.type for item in response.output] == ["web_search_call", "message"]
    assert response.output[0].status == "completed"
    (annotation,) = response.output[1].content[0].annotations
    text = response.output_text
    assert annotation.type == "url_citation"
    assert text[annotation.start_index : annotation.end_index].startswith("According to opentelemetry.io")
    assert annotation.url.startswith("https://opentelemetry.io/")


def test_reasoning_models_add_a_reasoning_item(openai_client: openai.OpenAI) -> None:
    response = openai_client.responses.create(model="o4-mini", input="Say reasoned", reasoning={"effort": "low"})
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output[0].summary[0].text.startswith("**")
    reasoning = response.usage.output_tokens_details.reasoning_tokens
    assert reasoning > 0
    assert response.usage.output_tokens == reasoning + 3  # "Reasoned." is 2 tokens, plus the end of message
    assert response.reasoning.effort == "low"
    plain = openai_client.responses.create(model="gpt-4o-mini", input="Say reasoned", reasoning={"effort": "low"})
    assert [item.type for item in plain.output] == ["message"]


def test_reasoning_summary_streams(mock_api: MockOpenAIServer) -> None:
    names = [name for name, _ in _events(mock_api, model="gpt-5", input="hi", reasoning={"summary": "auto"})]
    assert names[2:5] == [
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
    ]
    assert "response.reasoning_summary_text.done" in names
    assert "response.reasoning_summary_part.done" in names


def test_small_output_budget_makes_the_response_incomplete(
    mock_api: MockOpenAIServer, openai_client: openai.OpenAI
) -> None:
    response = openai_client.responses.create(model="gpt-4o-mini", input="What is a trace?", max_output_tokens=4)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None and response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "You asked:"
    assert response.usage.output_tokens == 4
    events = _events(mock_api, input="What is a trace?", max_output_tokens=4)
    assert events[-1][0] == "response.incomplete"
    assert events[-1][1]["response"]["status"] == "incomplete"


def test_input_items_with_images(openai_client: openai.OpenAI) -> None:
    text_only = openai_client.responses.create(model="gpt-4o-mini", input="Describe it")
    with_image = openai_client.responses.create(
        model="gpt-4o-mini",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Describe it"},
                    {"type": "input_image", "image_url": "https://example.com/a.png"},
                ],
            }
        ],
    )
    assert with_image.usage.input_tokens == text_only.usage.input_tokens + 85
    assert with_image.output_text == text_only.output_text


def test_json_schema_text_format(openai_client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "count": {"type": "number"}},
        "required": ["name", "count"],
        "additionalProperties": False,
    }
    response = openai_client.responses.create(
        model="gpt-4o-mini",
        input="Name something",
        text={"format": {"type": "json_schema", "name": "thing", "schema": schema, "strict": True}},
    )
    assert json.loads(response.output_text) == {"name": "sample", "count": 1}
    assert response.text.format.type == "json_schema"


async def test_async_stream(async_openai_client: openai.AsyncOpenAI) -> None:
    stream = await async_openai_client.responses.create(model="gpt-4o-mini", input="Say async", stream=True)
    types = [event.type async for event in stream]
    assert types[0] == "response.created"
    assert types[-1] == "response.completed"
