"""The local endpoint's Anthropic shapes against real recorded traffic (../shared/cassettes/anthropic).

Each recorded request is sent to a fresh mock as it was recorded; the mock's
answer must have the recorded answer's shape: the streamed event sequence, the
content block kinds, the stop reason, the fields of the message and its usage,
and, for prompt caching, the write-then-read pattern.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from mock_openai_helpers import RawResponse, raw_request

from anthropic_sse import sse_events
from cassette_yaml import read_cassette
from otel_genai.mock_openai import MockOpenAIServer

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "shared" / "cassettes" / "anthropic"
HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}

pytestmark = pytest.mark.skipif(not CASSETTE_DIR.is_dir(), reason="../shared/cassettes/anthropic is not present")


@dataclass(frozen=True)
class Recorded:
    """One recorded exchange: the request as sent, and the answer's payloads."""

    path: str
    request: dict[str, Any]
    streamed: bool
    events: list[tuple[str, dict[str, Any]]]
    """``(event name, payload)`` of a stream."""
    message: dict[str, Any]
    """The message: the JSON body, or a stream's ``message_start`` message folded with its ``message_delta``."""

    @property
    def answers_tool_results(self) -> bool:
        """True when the last turn hands tool results back (the model may answer or call more tools)."""
        content = self.request["messages"][-1]["content"]
        return isinstance(content, list) and any(block.get("type") == "tool_result" for block in content)


def _folded(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    message = dict(next(payload["message"] for name, payload in events if name == "message_start"))
    final = next(payload for name, payload in events if name == "message_delta")
    blocks = [payload["content_block"] for name, payload in events if name == "content_block_start"]
    return {**message, **final["delta"], "content": blocks, "usage": {**message["usage"], **final["usage"]}}


def _recorded(response: dict[str, Any]) -> tuple[bool, list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    raw = response["body"]["string"]
    text = gzip.decompress(raw).decode() if isinstance(raw, bytes) else raw
    if text.startswith("event:"):
        events = sse_events(text)
        return True, events, _folded(events)
    return False, [], json.loads(text)


def _cassettes() -> dict[str, list[Recorded]]:
    found: dict[str, list[Recorded]] = {}
    for path in sorted(CASSETTE_DIR.glob("*.yaml")) if CASSETTE_DIR.is_dir() else ():
        exchanges = []
        for interaction in read_cassette(path)["interactions"]:
            streamed, events, message = _recorded(interaction["response"])
            url = urlsplit(interaction["request"]["uri"])
            path_and_query = url.path + (f"?{url.query}" if url.query else "")
            request = json.loads(interaction["request"]["body"])
            exchanges.append(Recorded(path_and_query, request, streamed, events, message))
        found[path.stem] = exchanges
    return found


CASSETTES = _cassettes()


def _replayed(server: MockOpenAIServer, exchanges: list[Recorded]) -> Iterator[tuple[Recorded, RawResponse]]:
    for exchange in exchanges:
        yield exchange, raw_request(server, "POST", exchange.path, exchange.request, headers=HEADERS)


def _shape(names: list[str]) -> list[str]:
    """Event names with runs of deltas collapsed and pings dropped (their count and place vary)."""
    return [name for name, _ in itertools.groupby(name for name in names if name != "ping")]


def _block_kinds(message: dict[str, Any]) -> list[str]:
    return [block["type"] for block in message["content"]]


def test_the_recordings_are_there() -> None:
    assert len(CASSETTES) == 30
    assert sum(len(exchanges) for exchanges in CASSETTES.values()) == 35


@pytest.mark.parametrize("name", sorted(CASSETTES))
def test_the_mock_answers_in_the_recorded_shape(mock_api: MockOpenAIServer, name: str) -> None:
    for recorded, response in _replayed(mock_api, CASSETTES[name]):
        assert response.status == 200, response.body[:300]
        if recorded.streamed:
            names = response.sse_names()
            events = list(zip(names, response.sse_json(), strict=True))
            assert _shape(names) == _shape([event for event, _ in recorded.events])
            # The real API pings once, after the first block opens, in most recordings.
            assert names.index("ping") == names.index("content_block_start") + 1
            message = _folded(events)
            delta_usage = next(payload["usage"] for event, payload in events if event == "message_delta")
            recorded_delta = next(payload["usage"] for event, payload in recorded.events if event == "message_delta")
            assert set(recorded_delta) <= set(delta_usage)
        else:
            message = response.json()
            assert set(message) == set(recorded.message)
        assert set(recorded.message["usage"]) <= set(message["usage"])
        if recorded.answers_tool_results:
            # The recorded model chose to call one more tool; the mock answers the results.
            assert message["stop_reason"] == "end_turn" and _block_kinds(message) == ["text"]
        else:
            assert _block_kinds(message) == _block_kinds(recorded.message)
            assert message["stop_reason"] == recorded.message["stop_reason"]


def _prompt_tokens(usage: dict[str, Any]) -> int:
    cached = usage.get("cache_creation_input_tokens", 0) + usage.get("cache_read_input_tokens", 0)
    return int(usage["input_tokens"]) + cached


@pytest.mark.parametrize("name", sorted(CASSETTES))
def test_prompt_tokens_are_close_to_the_recorded_count(mock_api: MockOpenAIServer, name: str) -> None:
    # The mock's toy tokenizer is not Claude's; within a quarter keeps costs and limits realistic.
    for recorded, response in _replayed(mock_api, CASSETTES[name]):
        payloads = response.sse_json()
        usage = payloads[0]["message"]["usage"] if recorded.streamed else response.json()["usage"]
        real = _prompt_tokens(recorded.message["usage"])
        assert abs(_prompt_tokens(usage) - real) <= real / 4, (_prompt_tokens(usage), real)


def _cache_pattern(usage: dict[str, Any]) -> tuple[bool, bool]:
    return bool(usage.get("cache_creation_input_tokens")), bool(usage.get("cache_read_input_tokens"))


@pytest.mark.parametrize("name", sorted(name for name in CASSETTES if "prompt_caching" in name))
def test_prompt_caching_writes_then_reads_like_the_recording(name: str) -> None:
    patterns = []
    # A fresh mock: its prompt cache must start empty, as the service's did for the recording.
    with MockOpenAIServer() as server:
        replayed = list(_replayed(server, CASSETTES[name]))
    for recorded, response in replayed:
        streamed = list(zip(response.sse_names(), response.sse_json(), strict=True))
        message = _folded(streamed) if recorded.streamed else response.json()
        patterns.append((_cache_pattern(message["usage"]), _cache_pattern(recorded.message["usage"])))
    assert [mock for mock, _ in patterns] == [real for _, real in patterns] == [(True, False), (False, True)]
