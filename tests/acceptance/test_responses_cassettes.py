"""Acceptance: every recorded Responses API call, replayed over real HTTP, sync and async.

Each recorded request is rebuilt as a call of the real client (``responses.create`` for a
POST, ``responses.retrieve`` for a GET of one response), the recorded answer is served
from a loopback server, and the telemetry is checked against what the recorded response
body says. Skipped when ../shared is absent or the client predates the Responses API.

Two streams the recordings lack are replayed the same way, taken from the local endpoint:
a streamed ``retrieve`` resumed at a cursor, and a stream broken by an ``error`` event.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import urllib.request
from pathlib import Path
from typing import Any

import openai
import pytest
from cassettes import (
    CASSETTE_DIR,
    ExpectedResponse,
    Interaction,
    expected_response,
    load,
    request_queries,
    responses_cassettes,
)
from opentelemetry.trace import StatusCode
from replay_server import ReplayApp

from local_http import openai_http

# Older clients create their resources in __init__, newer ones lazily: ask an instance.
HAS_RESPONSES = hasattr(openai.OpenAI(api_key="unused", http_client=openai_http()), "responses")
pytestmark = pytest.mark.skipif(not HAS_RESPONSES, reason="this client has no Responses API")
needs_recordings = pytest.mark.skipif(not CASSETTE_DIR.is_dir(), reason="../shared/cassettes/openai is not present")

CASSETTES = responses_cassettes()
ERRORS = {400: openai.BadRequestError, 404: openai.NotFoundError}
# The conventions' output types for text.format (semconv.md §5.2).
OUTPUT_TYPES = {"text": "text", "json_object": "json", "json_schema": "json"}


def _call(client: Any, interaction: Interaction, query: dict[str, str]) -> Any:
    """The client call that sends ``interaction``'s request (not awaited)."""
    resources = client.responses
    if interaction.method == "GET":
        kwargs: dict[str, Any] = {"stream": True} if query.get("stream") == "true" else {}
        if "starting_after" in query:
            kwargs["starting_after"] = int(query["starting_after"])
        return resources.retrieve(interaction.path.rsplit("/", 1)[1], **kwargs)
    known = set(inspect.signature(resources.create).parameters)
    kwargs = {k: v for k, v in interaction.request.items() if k in known}
    extra = {k: v for k, v in interaction.request.items() if k not in known}
    return resources.create(**kwargs, **({"extra_body": extra} if extra else {}))


def _check_outcome(interaction: Interaction, error: openai.APIStatusError | None) -> None:
    if error is None:
        assert interaction.status < 400
    else:
        assert type(error) is ERRORS[interaction.status]


def _replay_sync(client: Any, interactions: list[Interaction], queries: list[dict[str, str]]) -> None:
    for interaction, query in zip(interactions, queries, strict=True):
        error = None
        try:
            result = _call(client, interaction, query)
            if isinstance(result, openai.Stream):
                for _ in result:
                    pass
        except openai.APIStatusError as exc:
            error = exc
        _check_outcome(interaction, error)


async def _replay_async(client: Any, interactions: list[Interaction], queries: list[dict[str, str]]) -> None:
    for interaction, query in zip(interactions, queries, strict=True):
        error = None
        try:
            result = await _call(client, interaction, query)
            if isinstance(result, openai.AsyncStream):
                async for _ in result:
                    pass
        except openai.APIStatusError as exc:
            error = exc
        _check_outcome(interaction, error)


def _check_request(attrs: Any, request: dict[str, Any]) -> None:
    for key, attr in (
        ("model", "gen_ai.request.model"),
        ("temperature", "gen_ai.request.temperature"),
        ("top_p", "gen_ai.request.top_p"),
        ("max_output_tokens", "gen_ai.request.max_tokens"),
        ("previous_response_id", "gen_ai.request.previous_response.id"),
    ):
        assert attrs.get(attr) == request.get(key)
    assert attrs.get("gen_ai.request.reasoning.level") == (request.get("reasoning") or {}).get("effort")
    assert attrs.get("gen_ai.request.stream") == (True if request.get("stream") else None)
    tier = request.get("service_tier")
    assert attrs.get("openai.request.service_tier") == (tier if tier not in (None, "auto") else None)
    text_format = ((request.get("text") or {}).get("format") or {}).get("type")
    assert attrs.get("gen_ai.output.type") == OUTPUT_TYPES.get(text_format)


def _check_usage(attrs: Any, usage: dict[str, Any]) -> None:
    assert attrs.get("gen_ai.usage.input_tokens") == usage.get("input_tokens")
    assert attrs.get("gen_ai.usage.output_tokens") == usage.get("output_tokens")
    # Detail counts are reported when the service gives a non-zero one.
    cached = (usage.get("input_tokens_details") or {}).get("cached_tokens")
    reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
    assert attrs.get("gen_ai.usage.cache_read.input_tokens") == (cached or None)
    assert attrs.get("gen_ai.usage.reasoning.output_tokens") == (reasoning or None)


def _check_content(attrs: Any, request: dict[str, Any], expected: ExpectedResponse, fetch: bool) -> None:
    instructions = request.get("instructions") if not fetch else expected.instructions
    if instructions:
        assert json.loads(attrs["gen_ai.system_instructions"]) == [{"type": "text", "content": instructions}]
    if fetch:
        assert "gen_ai.input.messages" not in attrs
    else:
        inputs = json.loads(attrs["gen_ai.input.messages"])
        sent = request["input"]
        assert [m["role"] for m in inputs] == (["user"] if isinstance(sent, str) else [m["role"] for m in sent])
    if request.get("tools"):
        definitions = json.loads(attrs["gen_ai.tool.definitions"])
        assert [d["name"] for d in definitions] == [t.get("name", t["type"]) for t in request["tools"]]
    (output,) = json.loads(attrs["gen_ai.output.messages"])
    reason = expected.finish_reason
    assert output["role"] == "assistant"
    assert output["finish_reason"] == ("tool_call" if reason == "tool_calls" else reason)
    assert [p["content"] for p in output["parts"] if p["type"] == "text"] == expected.texts
    calls = [{k: p[k] for k in ("id", "name", "arguments")} for p in output["parts"] if p["type"] == "tool_call"]
    assert calls == expected.function_calls


def _check_span(span: Any, interaction: Interaction, expected: ExpectedResponse, with_content: bool) -> None:
    attrs = span.attributes
    fetch = interaction.method == "GET"
    request = interaction.request
    assert span.name == ("fetch_response" if fetch else f"chat {request['model']}")
    assert attrs["gen_ai.operation.name"] == ("fetch_response" if fetch else "chat")
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["openai.api.type"] == "responses"
    if not fetch:
        _check_request(attrs, request)
    if expected.status >= 400:
        assert span.status.status_code is StatusCode.ERROR
        assert attrs["error.type"] == f"openai.{ERRORS[expected.status].__name__}"
        assert "gen_ai.response.model" not in attrs
        return
    failed = expected.response_status in ("failed", "cancelled") and not fetch
    assert attrs.get("error.type") == ((expected.error_code or "_OTHER") if failed else None)
    assert attrs["gen_ai.response.id"] == expected.response_id
    assert attrs["gen_ai.response.model"] == expected.response_model
    assert attrs.get("gen_ai.response.status") == expected.response_status
    assert list(attrs["gen_ai.response.finish_reasons"]) == [expected.finish_reason]
    assert attrs.get("openai.response.service_tier") == expected.service_tier
    if fetch:  # no token usage on fetch_response (§1.8)
        assert not any(k.startswith("gen_ai.usage.") for k in attrs)
    else:
        _check_usage(attrs, expected.usage)
    if expected.streamed:
        assert attrs["gen_ai.response.time_to_first_chunk"] > 0
    if with_content:
        _check_content(attrs, request, expected, fetch)
    else:
        assert not any(k.startswith(("gen_ai.input", "gen_ai.output.messages", "gen_ai.system_inst")) for k in attrs)


def _sent(replay: ReplayApp) -> list[dict[str, Any]]:
    return [body or {} for _, _, body in replay.received]


@needs_recordings
@pytest.mark.parametrize("api", ["sync", "async"])
@pytest.mark.parametrize("mode", ["NO_CONTENT", "SPAN_AND_EVENT"])
@pytest.mark.parametrize("cassette", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_recording_replays_with_conforming_telemetry(cassette: Path, mode, api, replay, instrument):
    interactions = load(cassette)
    queries = request_queries(cassette)
    captured = instrument(capture=mode)
    replay.load(interactions)
    if api == "async":
        client = openai.AsyncOpenAI(
            base_url=replay.base_url,
            api_key="test_openai_api_key",
            max_retries=0,
            http_client=openai_http(asynchronous=True),
        )
        asyncio.run(_replay_async(client, interactions, queries))
    else:
        client = openai.OpenAI(
            base_url=replay.base_url, api_key="test_openai_api_key", max_retries=0, http_client=openai_http()
        )
        _replay_sync(client, interactions, queries)

    # The rebuilt calls sent what the recording sent.
    assert [(m, p) for m, p, _ in replay.received] == [(i.method, i.path) for i in interactions]
    assert _sent(replay) == [i.request for i in interactions]
    spans = sorted(captured.spans(), key=lambda s: s.start_time)
    assert len(spans) == len(interactions)
    expected_tokens = {"input": 0, "output": 0}
    for span, interaction in zip(spans, interactions, strict=True):
        expected = expected_response(interaction)
        _check_span(span, interaction, expected, with_content=mode == "SPAN_AND_EVENT")
        if interaction.method == "POST":
            expected_tokens["input"] += expected.usage.get("input_tokens") or 0
            expected_tokens["output"] += expected.usage.get("output_tokens") or 0

    details = captured.events("gen_ai.client.inference.operation.details")
    assert len(details) == (len(interactions) if mode == "SPAN_AND_EVENT" else 0)
    assert sum(p.count for p in captured.metrics("gen_ai.client.operation.duration")) == len(interactions)
    for point in captured.metrics("gen_ai.client.token.usage"):
        expected_tokens[point.attributes["gen_ai.token.type"]] -= point.sum
    assert expected_tokens == {"input": 0, "output": 0}


@needs_recordings
def test_every_responses_recording_is_replayed() -> None:
    # A recording that also calls another endpoint would be silently left out above.
    recorded = sorted(CASSETTE_DIR.glob("test_responses_*.yaml"))
    assert recorded == CASSETTES


# --- streams the recordings lack, recorded from the local endpoint ------------------------


def _local_stream_events(mock_server: Any) -> list[dict[str, Any]]:
    """The wire events of one streamed response from the local endpoint."""
    body = json.dumps({"model": "gpt-4o-mini", "input": "A poem?", "stream": True}).encode()
    headers = {"authorization": "Bearer k", "content-type": "application/json", "x-mock-chunks": "8"}
    request = urllib.request.Request(f"{mock_server.base_url}/responses", data=body, headers=headers)
    with urllib.request.urlopen(request) as reply:
        lines = reply.read().decode().splitlines()
    return [json.loads(line[5:]) for line in lines if line.startswith("data:")]


def _event_stream(method: str, path: str, events: list[dict[str, Any]]) -> Interaction:
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return Interaction(method, path, {}, 200, "text/event-stream", body)


def test_streamed_retrieve_records_the_cursor(instrument, replay, mock_server):
    if "stream" not in inspect.signature(openai.resources.responses.Responses.retrieve).parameters:
        pytest.skip("this client cannot stream a stored response")
    events = _local_stream_events(mock_server)
    response_id = events[0]["response"]["id"]
    replay.load([_event_stream("GET", f"v1/responses/{response_id}", events)] * 2)
    client = openai.OpenAI(base_url=replay.base_url, api_key="k", max_retries=0, http_client=openai_http())
    captured = instrument(capture="SPAN_ONLY")
    received = list(client.responses.retrieve(response_id, stream=True, starting_after=2))
    final = received[-1].response
    span = captured.span()
    attrs = span.attributes
    assert span.name == "fetch_response"
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.request.stream_cursor"] == "2"
    assert attrs["gen_ai.response.id"] == final.id == response_id
    assert attrs["gen_ai.response.status"] == final.status
    assert not any(k.startswith("gen_ai.usage.") for k in attrs)
    (output,) = json.loads(attrs["gen_ai.output.messages"])
    assert output["parts"] == [{"type": "text", "content": final.output_text}]

    captured.clear()  # the helper streams a stored response through retrieve: one span
    with client.responses.stream(response_id=response_id) as stream:
        stream.until_done()
    assert captured.span().name == "fetch_response"


def test_error_event_ends_the_span_with_its_code(instrument, replay, mock_server):
    events = _local_stream_events(mock_server)[:6]
    error = {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down.", "param": None}
    replay.load([_event_stream("POST", "v1/responses", [*events, {**error, "sequence_number": len(events)}])])
    client = openai.OpenAI(base_url=replay.base_url, api_key="k", max_retries=0, http_client=openai_http())
    captured = instrument(capture="SPAN_ONLY")
    received = list(client.responses.create(model="gpt-4o-mini", input="A poem?", stream=True))
    # Older clients type only response.* events; they hand this one over as {"event", "data"}.
    assert received[-1].type == "error" or received[-1].event == "error"
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == error["code"]
    text = "".join(e.delta for e in received if e.type == "response.output_text.delta")
    (output,) = json.loads(span.attributes["gen_ai.output.messages"])
    assert output["parts"] == [{"type": "text", "content": text}]
