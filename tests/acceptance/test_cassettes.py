"""Acceptance: every recorded Chat Completions and Embeddings call, replayed over real HTTP.

Each recording's request is rebuilt as a call of the real client, the recorded response
is served from a loopback server, and the telemetry is checked against what the
recording says. Skipped when ../shared is absent.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import openai
import pytest
from cassettes import (
    CASSETTE_DIR,
    Expected,
    Interaction,
    chat_and_embeddings_cassettes,
    expected_chat,
    expected_embeddings,
    load,
)
from opentelemetry.trace import StatusCode

from local_http import openai_http

pytestmark = pytest.mark.skipif(not CASSETTE_DIR.is_dir(), reason="../shared/cassettes/openai is not present")

CASSETTES = chat_and_embeddings_cassettes()
ERRORS = {400: openai.BadRequestError, 404: openai.NotFoundError}


def _split_known(method: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Recorded body -> keyword arguments; anything the client does not know goes in extra_body."""
    known = set(inspect.signature(method).parameters)
    kwargs = {k: v for k, v in params.items() if k in known}
    extra = {k: v for k, v in params.items() if k not in known}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _kwargs(client: Any, interaction: Interaction) -> tuple[Any, dict[str, Any]]:
    resource = client.chat.completions if interaction.path.endswith("chat/completions") else client.embeddings
    return resource, _split_known(resource.create, interaction.request)


def _check_outcome(interaction: Interaction, error: openai.APIStatusError | None) -> None:
    if error is None:
        assert interaction.status < 400
    else:
        assert type(error) is ERRORS[interaction.status]


def _replay_sync(client: Any, interactions: list[Interaction]) -> None:
    for interaction in interactions:
        resource, kwargs = _kwargs(client, interaction)
        error = None
        try:
            result = resource.create(**kwargs)
            if isinstance(result, openai.Stream):
                for _ in result:
                    pass
        except openai.APIStatusError as exc:
            error = exc
        _check_outcome(interaction, error)


async def _replay_async(client: Any, interactions: list[Interaction]) -> None:
    for interaction in interactions:
        resource, kwargs = _kwargs(client, interaction)
        error = None
        try:
            result = await resource.create(**kwargs)
            if isinstance(result, openai.AsyncStream):
                async for _ in result:
                    pass
        except openai.APIStatusError as exc:
            error = exc
        _check_outcome(interaction, error)


def _check_common(span: Any, interaction: Interaction, expected: Expected, operation: str) -> None:
    attrs = span.attributes
    model = interaction.request["model"]
    assert span.name == f"{operation} {model}"
    assert attrs["gen_ai.operation.name"] == operation
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == model
    assert attrs["server.address"] == "127.0.0.1"
    if expected.status >= 400:
        assert span.status.status_code is StatusCode.ERROR
        assert attrs["error.type"] == f"openai.{ERRORS[expected.status].__name__}"
        assert "gen_ai.response.id" not in attrs
        return
    assert "error.type" not in attrs
    assert attrs.get("gen_ai.response.model") == expected.response_model
    assert attrs.get("gen_ai.usage.input_tokens") == expected.input_tokens


def _check_chat(span: Any, interaction: Interaction, expected: Expected, with_content: bool) -> None:
    _check_common(span, interaction, expected, "chat")
    attrs = span.attributes
    request = interaction.request
    for key, attr in (
        ("temperature", "gen_ai.request.temperature"),
        ("max_tokens", "gen_ai.request.max_tokens"),
        ("seed", "gen_ai.request.seed"),
    ):
        assert attrs.get(attr) == request.get(key)
    n = request.get("n")
    assert attrs.get("gen_ai.request.choice.count") == (n if n not in (None, 1) else None)
    stop = request.get("stop")
    assert attrs.get("gen_ai.request.stop_sequences") == ((stop,) if isinstance(stop, str) else None)
    tier = request.get("service_tier")
    assert attrs.get("openai.request.service_tier") == (tier if tier not in (None, "auto") else None)
    if "response_format" in request:
        assert attrs["gen_ai.output.type"] in ("json", "text")
    assert attrs.get("gen_ai.request.stream") == (True if request.get("stream") else None)
    if expected.status >= 400:
        return
    assert attrs["gen_ai.response.id"] == expected.response_id
    assert list(attrs["gen_ai.response.finish_reasons"]) == expected.finish_reasons
    assert attrs.get("gen_ai.usage.output_tokens") == expected.output_tokens
    assert attrs.get("gen_ai.usage.cache_read.input_tokens") == (expected.cached_tokens or None)
    assert attrs.get("openai.response.system_fingerprint") == expected.system_fingerprint
    assert attrs.get("openai.response.service_tier") == expected.service_tier
    if expected.streamed:
        assert attrs["gen_ai.response.time_to_first_chunk"] > 0
    if not with_content:
        assert not any(k.startswith(("gen_ai.input", "gen_ai.output.messages")) for k in attrs)
        return
    inputs = json.loads(attrs["gen_ai.input.messages"])
    assert [m["role"] for m in inputs] == [m["role"] for m in request["messages"]]
    outputs = json.loads(attrs["gen_ai.output.messages"])
    assert len(outputs) == len(expected.finish_reasons)
    for output, text, calls, reason in zip(
        outputs, expected.texts, expected.tool_calls, expected.finish_reasons, strict=True
    ):
        assert output["finish_reason"] == ("tool_call" if reason == "tool_calls" else reason)
        texts = [p["content"] for p in output["parts"] if p["type"] == "text"]
        assert texts == ([text] if text else [])
        tool_parts = [p for p in output["parts"] if p["type"] == "tool_call"]
        assert [{k: p[k] for k in ("id", "name", "arguments")} for p in tool_parts] == calls
    if request.get("tools"):
        definitions = json.loads(attrs["gen_ai.tool.definitions"])
        assert [d["name"] for d in definitions] == [t["function"]["name"] for t in request["tools"]]


def _check_embeddings(span: Any, interaction: Interaction, expected: Expected) -> None:
    _check_common(span, interaction, expected, "embeddings")
    attrs = span.attributes
    fmt = interaction.request.get("encoding_format")
    assert attrs.get("gen_ai.request.encoding_formats") == ((fmt,) if fmt else None)
    if expected.status < 400:
        assert attrs.get("gen_ai.embeddings.dimension.count") == expected.dimension_count


@pytest.mark.parametrize("mode", ["NO_CONTENT", "SPAN_AND_EVENT"])
@pytest.mark.parametrize("cassette", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_recording_replays_with_conforming_telemetry(cassette, mode, replay, instrument):
    interactions = load(cassette)
    captured = instrument(capture=mode)
    replay.load(interactions)
    if cassette.stem.startswith("test_async"):
        client = openai.AsyncOpenAI(
            base_url=replay.base_url,
            api_key="test_openai_api_key",
            max_retries=0,
            http_client=openai_http(asynchronous=True),
        )
        asyncio.run(_replay_async(client, interactions))
    else:
        client = openai.OpenAI(
            base_url=replay.base_url, api_key="test_openai_api_key", max_retries=0, http_client=openai_http()
        )
        _replay_sync(client, interactions)

    # The rebuilt calls sent what the recording sent (newer clients ask for base64
    # embeddings by default and decode them; that is the client's choice, not ours).
    sent = [body for _, _, body in replay.received]
    for body, interaction in zip(sent, interactions, strict=True):
        if "encoding_format" not in interaction.request and interaction.path.endswith("embeddings"):
            body.pop("encoding_format", None)
    assert sent == [i.request for i in interactions]
    spans = sorted(captured.spans(), key=lambda s: s.start_time)
    assert len(spans) == len(interactions)
    expected_tokens = {"input": 0, "output": 0}
    for span, interaction in zip(spans, interactions, strict=True):
        if interaction.path.endswith("embeddings"):
            expected = expected_embeddings(interaction)
            _check_embeddings(span, interaction, expected)
        else:
            expected = expected_chat(interaction)
            _check_chat(span, interaction, expected, with_content=mode == "SPAN_AND_EVENT")
        expected_tokens["input"] += expected.input_tokens or 0
        expected_tokens["output"] += expected.output_tokens or 0

    details = captured.events("gen_ai.client.inference.operation.details")
    # The details event is defined for inference calls, not embeddings.
    chat_calls = sum(1 for i in interactions if i.path.endswith("chat/completions"))
    assert len(details) == (chat_calls if mode == "SPAN_AND_EVENT" else 0)
    total = sum(p.count for p in captured.metrics("gen_ai.client.operation.duration"))
    assert total == len(interactions)
    for point in captured.metrics("gen_ai.client.token.usage"):
        expected_tokens[point.attributes["gen_ai.token.type"]] -= point.sum
    assert expected_tokens == {"input": 0, "output": 0}
