"""Failed and cut-short calls over real HTTP: the exception event and the incomplete stream.

A call that raises gets one ``gen_ai.client.operation.exception`` log event at WARN, in
the span's context, saying what the application caught. A stream that the server ends
before its last word (``cut-stream``: the body ends cleanly, mid-event) raises nothing in
the application; its span ends as ``otel_genai.stream_incomplete``.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from opentelemetry._logs import SeverityNumber
from opentelemetry.trace import StatusCode

EXCEPTION = "gen_ai.client.operation.exception"
INCOMPLETE = "otel_genai.stream_incomplete"
POEM = [{"role": "user", "content": "Write a poem about tracing."}]
HAS_RESPONSES = hasattr(openai.OpenAI(api_key="unused"), "responses")


def scenario(name: str) -> dict[str, str]:
    return {"x-mock-scenario": name}


async def chat(client: Any, api: str, **kwargs: Any) -> Any:
    create = client.chat.completions.create
    return create(**kwargs) if api == "sync" else await create(**kwargs)


@pytest.mark.parametrize("api", ["sync", "async"])
async def test_a_failed_call_gives_one_exception_event_in_its_span(instrument, client, async_client, api):
    captured = instrument()
    chosen = client if api == "sync" else async_client
    with pytest.raises(openai.RateLimitError) as raised:
        await chat(chosen, api, model="gpt-4o-mini", messages=POEM, extra_headers=scenario("error:429"))
    span = captured.span()
    (event,) = captured.events(EXCEPTION)
    assert event.severity_number is SeverityNumber.WARN
    assert (event.trace_id, event.span_id) == (span.context.trace_id, span.context.span_id)
    attrs = event.attributes
    assert attrs["exception.type"] == "openai.RateLimitError" == span.attributes["error.type"]
    assert attrs["exception.message"] == str(raised.value)
    assert attrs["exception.stacktrace"].rstrip().endswith(f"openai.RateLimitError: {raised.value}")
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini" and attrs["gen_ai.provider.name"] == "openai"


def test_a_successful_call_gives_none(instrument, client):
    captured = instrument()
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    assert captured.events(EXCEPTION) == []


@pytest.mark.parametrize(
    ("env", "conventions", "emitted"),
    [
        ({"OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT": "false"}, None, 0),
        ({}, "gen_ai_legacy", 0),
        ({}, "gen_ai/dup", 1),
    ],
    ids=["switched off", "legacy", "dup"],
)
def test_the_switch_and_the_convention_mode(instrument, client, env, conventions, emitted):
    captured = instrument(env=env, conventions=conventions)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o-mini", messages=POEM, extra_headers=scenario("error:500"))
    assert len(captured.events(EXCEPTION)) == emitted
    assert captured.span().status.status_code is StatusCode.ERROR


def test_a_stream_reset_midway_gives_the_event_with_what_the_app_caught(instrument, client):
    captured = instrument()
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=scenario("reset-stream:2")
    )
    with pytest.raises(Exception) as raised:
        list(stream)
    (event,) = captured.events(EXCEPTION)
    assert event.attributes["exception.type"] == captured.span().attributes["error.type"]
    assert event.attributes["exception.type"].endswith(type(raised.value).__name__)
    assert event.attributes["exception.message"] == str(raised.value)


def _streams() -> list[Any]:
    def chat_stream(client: Any, headers: dict[str, str]) -> Any:
        return client.chat.completions.create(model="gpt-4o-mini", messages=POEM, stream=True, extra_headers=headers)

    def completions_stream(client: Any, headers: dict[str, str]) -> Any:
        return client.completions.create(
            model="gpt-3.5-turbo-instruct", prompt="Tell a story", stream=True, extra_headers=headers
        )

    def responses_stream(client: Any, headers: dict[str, str]) -> Any:
        return client.responses.create(model="gpt-4o-mini", input="Tell a story", stream=True, extra_headers=headers)

    cases = [pytest.param(chat_stream, id="chat"), pytest.param(completions_stream, id="completions")]
    if HAS_RESPONSES:
        cases.append(pytest.param(responses_stream, id="responses"))
    return cases


@pytest.mark.parametrize("api", ["sync", "async"])
@pytest.mark.parametrize("open_stream", _streams())
async def test_a_stream_cut_before_its_last_word_is_incomplete(instrument, client, async_client, open_stream, api):
    captured = instrument()
    cut = scenario("cut-stream:3")
    if api == "sync":
        received = list(open_stream(client, cut))
    else:
        received = [chunk async for chunk in await open_stream(async_client, cut)]
    assert received  # the application read some chunks, and no error
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == INCOMPLETE
    assert span.attributes["gen_ai.response.finish_reasons"] == ("error",)
    assert captured.events(EXCEPTION) == []  # nothing was raised
    (point,) = captured.metrics("gen_ai.client.operation.duration")
    assert point.attributes["error.type"] == INCOMPLETE


@pytest.mark.parametrize("open_stream", _streams())
def test_the_same_stream_read_to_its_last_word_is_complete(instrument, client, open_stream):
    captured = instrument()
    received = list(open_stream(client, {}))
    assert received
    span = captured.span()
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes
    assert span.attributes["gen_ai.response.finish_reasons"] != ("error",)
