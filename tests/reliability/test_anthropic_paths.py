"""The Anthropic paths never break: the application gets the client's own objects and outcomes,
with and without instrumentation, and every call, faulty or not, ends in exactly one span."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from local_http import anthropic_http
from telemetry_capture import Captured

anthropic = pytest.importorskip("anthropic")

MODEL = "claude-sonnet-4-5"
MESSAGES = [{"role": "user", "content": "Tell me about reliable telemetry."}]
HELPER_METHODS = ("text_stream", "get_final_message", "get_final_text", "until_done", "close", "response")


def _create(client: Any, **kwargs: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, **kwargs)


def _plain(client: Any) -> Any:
    message = _create(client)
    return type(message), message.content[0].text, message.stop_reason


def _stream(client: Any) -> Any:
    stream = _create(client, stream=True)
    kinds = [event.type for event in stream]
    return type(stream), hasattr(stream, "response"), kinds


def _helper(client: Any) -> Any:
    manager = client.messages.stream(model=MODEL, max_tokens=100, messages=MESSAGES)
    with manager as stream:
        methods = [name for name in HELPER_METHODS if hasattr(stream, name)]
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    return type(manager), type(stream), methods, text, final.stop_reason


def _raw(client: Any) -> Any:
    raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    return type(raw), type(raw.parse()), raw.parse().content[0].text


def _streaming_response(client: Any) -> Any:
    with client.messages.with_streaming_response.create(
        model=MODEL, max_tokens=100, messages=MESSAGES, stream=True
    ) as response:
        return type(response), [event.type for event in response.parse()]


def _async_stream(mock_server: Any) -> Any:
    async def run() -> Any:
        async with anthropic.AsyncAnthropic(
            base_url=mock_server.root_url, api_key="k", max_retries=0, http_client=anthropic_http(asynchronous=True)
        ) as client:
            stream = await _create_async(client)
            return type(stream), [event.type async for event in stream]

    return asyncio.run(run())


async def _create_async(client: Any) -> Any:
    return await client.messages.create(model=MODEL, max_tokens=100, messages=MESSAGES, stream=True)


PATHS: dict[str, Callable[[Any], Any]] = {
    "create": _plain,
    "create-stream": _stream,
    "stream-helper": _helper,
    "with_raw_response": _raw,
    "with_streaming_response": _streaming_response,
}


def _client(mock_server: Any, headers: dict[str, str] | None = None) -> Any:
    return anthropic.Anthropic(
        base_url=mock_server.root_url,
        api_key="k",
        max_retries=0,
        default_headers=headers or {},
        http_client=anthropic_http(),
    )


@pytest.mark.parametrize("path", sorted(PATHS))
def test_the_application_sees_the_same_objects(path: str, mock_server: Any, instrument_anthropic: Any) -> None:
    # The local endpoint answers the same prompt with the same text, so outcomes compare whole.
    without = PATHS[path](_client(mock_server))
    captured = instrument_anthropic()
    with_ = PATHS[path](_client(mock_server))
    assert with_ == without
    assert len(captured.spans()) == 1


def test_async_stream_stays_an_async_stream(mock_server: Any, instrument_anthropic: Any) -> None:
    without = _async_stream(mock_server)
    captured = instrument_anthropic()
    assert _async_stream(mock_server) == without
    assert without[0] is anthropic.AsyncStream
    assert len(captured.spans()) == 1


def _outcome(client: Any, stream: bool) -> tuple[str, Any]:
    try:
        if stream:
            return "ok", [event.type for event in _create(client, stream=True)]
        return "ok", _create(client).stop_reason
    except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
        return "raised", type(exc)


@pytest.mark.parametrize(
    ("fault", "stream"),
    [
        ("error:500", False),
        ("error:429", False),
        ("error:529", True),
        ("stream-error", True),
        ("cut-stream:3", True),
        ("reset-stream:3", True),
        ("malformed-json", False),
        ("missing-fields", False),
    ],
)
def test_server_fault_gives_the_same_outcome_and_one_truthful_span(
    fault: str, stream: bool, mock_server: Any, instrument_anthropic: Any
) -> None:
    headers = {"x-mock-scenario": fault}
    without = _outcome(_client(mock_server, headers), stream)
    captured: Captured = instrument_anthropic()
    assert _outcome(_client(mock_server, headers), stream) == without
    span = captured.span()
    if without[0] == "raised":
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"]
    elif fault.startswith("cut-stream"):
        # The stream ended before its last word without raising: recorded as incomplete.
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"] == "otel_genai.stream_incomplete"
    else:
        assert "error.type" not in span.attributes
