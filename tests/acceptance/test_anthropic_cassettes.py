"""Acceptance: every recorded Anthropic Messages call, replayed over real HTTP.

Each recording's request is rebuilt as a call of the real ``anthropic`` client, the way it
was made (sync or async, ``create`` or the ``stream()`` helper, beta or not), the recorded
response is served from a loopback server, and the telemetry is checked against what the
recording says. Skipped when ../shared is absent.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import pytest
from anthropic_cassettes import CASSETTE_DIR, Recorded, cassettes, expected_input_tokens, load
from opentelemetry.trace import SpanKind, StatusCode

from local_http import anthropic_http

anthropic = pytest.importorskip("anthropic")

pytestmark = pytest.mark.skipif(not CASSETTE_DIR.is_dir(), reason="../shared/cassettes/anthropic is not present")

CASSETTES = cassettes()
# Content block type -> the part type the conventions give it.
PART_TYPES = {"text": "text", "tool_use": "tool_call", "thinking": "reasoning", "redacted_thinking": "reasoning"}


def _split_known(method: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Recorded body -> keyword arguments; what this client version does not know goes in extra_body."""
    known = set(inspect.signature(method).parameters) - {"stream"}
    kwargs = {k: v for k, v in params.items() if k in known}
    extra = {k: v for k, v in params.items() if k not in known and k != "stream"}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _messages(client: Any, recorded: Recorded) -> Any:
    return client.beta.messages if recorded.beta else client.messages


def _replay_sync(client: Any, recorded: Recorded) -> None:
    messages = _messages(client, recorded)
    if recorded.helper:
        with messages.stream(**_split_known(messages.stream, recorded.request)) as stream:
            stream.until_done()
        return
    kwargs = _split_known(messages.create, recorded.request)
    if recorded.streamed:
        for _ in messages.create(stream=True, **kwargs):
            pass
    else:
        messages.create(**kwargs)


async def _replay_async(client: Any, recorded: Recorded) -> None:
    messages = _messages(client, recorded)
    if recorded.helper:
        async with messages.stream(**_split_known(messages.stream, recorded.request)) as stream:
            await stream.get_final_message()
        return
    kwargs = _split_known(messages.create, recorded.request)
    if recorded.streamed:
        async for _ in await messages.create(stream=True, **kwargs):
            pass
    else:
        await messages.create(**kwargs)


def _check_span(span: Any, recorded: Recorded, with_content: bool) -> None:
    request, message = recorded.request, recorded.message
    attrs = span.attributes
    assert span.name == f"chat {request['model']}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["gen_ai.request.model"] == request["model"]
    assert attrs["gen_ai.request.max_tokens"] == request["max_tokens"]
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs.get("gen_ai.request.stream") == (True if recorded.streamed else None)
    assert attrs["gen_ai.response.id"] == message["id"]
    assert attrs["gen_ai.response.model"] == message["model"]
    assert list(attrs["gen_ai.response.finish_reasons"]) == [message["stop_reason"]]
    usage = message["usage"]
    assert attrs["gen_ai.usage.input_tokens"] == expected_input_tokens(usage)
    assert attrs["gen_ai.usage.output_tokens"] == usage["output_tokens"]
    assert attrs.get("gen_ai.usage.cache_read.input_tokens") == (usage.get("cache_read_input_tokens") or None)
    assert attrs.get("gen_ai.usage.cache_write.input_tokens") == (usage.get("cache_creation_input_tokens") or None)
    if recorded.streamed:
        assert attrs["gen_ai.response.time_to_first_chunk"] > 0
    if not with_content:
        content_keys = ("gen_ai.input", "gen_ai.output.messages", "gen_ai.system_instr", "gen_ai.tool.def")
        assert not any(k.startswith(content_keys) for k in attrs)
        return
    inputs = json.loads(attrs["gen_ai.input.messages"])
    assert [m["role"] for m in inputs] == [m["role"] for m in request["messages"]]
    sent_blocks = [b for m in request["messages"] if isinstance(m["content"], list) for b in m["content"]]
    got_parts = [p for m in inputs for p in m["parts"] if not isinstance(m, str)]
    for kind, part_type in (("tool_use", "tool_call"), ("tool_result", "tool_call_response")):
        assert sum(b["type"] == kind for b in sent_blocks) == sum(p["type"] == part_type for p in got_parts)
    images = [b for b in sent_blocks if b["type"] == "image"]
    blobs = [p for p in got_parts if p["type"] == "blob"]
    assert [(p["modality"], p["mime_type"]) for p in blobs] == [("image", b["source"]["media_type"]) for b in images]
    # Inline media is kept to its first 4,096 characters by default, with how much was cut.
    for blob, image in zip(blobs, images, strict=True):
        data = image["source"]["data"]
        cut = len(data) - 4096
        assert blob["content"] == (f"{data[:4096]}\u2026[truncated {cut} chars]" if cut > 0 else data)
    if "system" in request:
        system = json.loads(attrs["gen_ai.system_instructions"])
        sent = request["system"]
        texts = [sent] if isinstance(sent, str) else [b["text"] for b in sent]
        assert [p["content"] for p in system] == texts
    else:
        assert "gen_ai.system_instructions" not in attrs
    if "tools" in request:
        definitions = json.loads(attrs["gen_ai.tool.definitions"])
        assert [d["name"] for d in definitions] == [t["name"] for t in request["tools"]]
    (output,) = json.loads(attrs["gen_ai.output.messages"])
    assert output["role"] == "assistant"
    assert [p["type"] for p in output["parts"]] == [PART_TYPES[b["type"]] for b in message["content"]]
    for part, block in zip(output["parts"], message["content"], strict=True):
        if block["type"] == "text":
            assert part["content"] == block["text"]
        elif block["type"] == "tool_use":
            assert (part["id"], part["name"], part["arguments"]) == (block["id"], block["name"], block["input"])
        elif block["type"] == "thinking":
            assert part["content"] == block["thinking"]
    expected_reason = {"end_turn": "stop", "tool_use": "tool_call", "max_tokens": "length"}[message["stop_reason"]]
    assert output["finish_reason"] == expected_reason


def _check_metrics(captured: Any, recorded_calls: list[Recorded]) -> None:
    tokens = captured.metrics("gen_ai.client.token.usage")
    inputs = sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "input")
    outputs = sum(p.sum for p in tokens if p.attributes["gen_ai.token.type"] == "output")
    assert inputs == sum(expected_input_tokens(r.message["usage"]) for r in recorded_calls)
    assert outputs == sum(r.message["usage"]["output_tokens"] for r in recorded_calls)
    durations = captured.metrics("gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == len(recorded_calls)
    streamed = sum(r.streamed for r in recorded_calls)
    assert sum(p.count for p in captured.metrics("gen_ai.client.operation.time_to_first_chunk")) == streamed


@pytest.mark.parametrize("with_content", [True, False], ids=["content", "no-content"])
@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_recording_replays_to_its_telemetry(
    path: Any, with_content: bool, replay: Any, instrument_anthropic: Any
) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY" if with_content else None)
    recorded_calls = load(path)
    replay.load(recorded_calls)
    base_url = replay.base_url.removesuffix("/v1")
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http())

    async def replay_async(recorded: Recorded) -> None:
        # One client per event loop: its connections belong to the loop that opened them.
        async with anthropic.AsyncAnthropic(
            base_url=base_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http(asynchronous=True)
        ) as async_client:
            await _replay_async(async_client, recorded)

    for recorded in recorded_calls:
        if recorded.is_async:
            asyncio.run(replay_async(recorded))
        else:
            _replay_sync(client, recorded)

    spans = sorted(captured.spans(), key=lambda s: s.start_time)
    assert len(spans) == len(recorded_calls)
    for span, recorded in zip(spans, recorded_calls, strict=True):
        _check_span(span, recorded, with_content)
    _check_metrics(captured, recorded_calls)
    # The client sent what was recorded.
    assert [r[2]["model"] for r in replay.received] == [r.request["model"] for r in recorded_calls]


def test_every_recording_is_replayed() -> None:
    assert len(CASSETTES) == 30
    assert sum(len(load(p)) for p in CASSETTES) == 35
