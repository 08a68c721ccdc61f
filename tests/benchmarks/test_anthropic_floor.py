"""The Anthropic benchmark floor records what ours records, so that ours ÷ floor compares like with like.

One ``messages.create`` call, plain and streamed, content capture on, against the local endpoint
with the client's own tracing on (its spans to the same provider): the floor and ours each leave
one span, of the same name and attributes (timings and the response id aside, equal values too),
the same metrics with the same attribute names and record counts, and one event.
"""

from __future__ import annotations

from typing import Any

import pytest

from telemetry_capture import Captured

anthropic = pytest.importorskip("anthropic")
pytest.importorskip("anthropic._tracing", reason="this anthropic release emits no spans of its own")

from benchmarks.harness.anthropic_floor import AnthropicFloor  # noqa: E402 - after the skips
from benchmarks.harness.anthropic_scenarios import MESSAGES, SYSTEM  # noqa: E402

MODEL = "claude-sonnet-4-5"
_VARYING = {"gen_ai.response.id", "gen_ai.response.time_to_first_chunk"}
_METRICS = (
    "gen_ai.client.operation.duration",
    "gen_ai.client.token.usage",
    "gen_ai.client.operation.time_to_first_chunk",
    "gen_ai.client.operation.time_per_output_chunk",
)


def _call(mock_server: Any, captured: Captured, stream: bool) -> None:
    client = anthropic.Anthropic(
        base_url=mock_server.root_url,
        api_key="sk-ant-test",
        max_retries=0,
        open_telemetry={"tracer_provider": captured.tracer_provider},
    )
    arguments = {"model": MODEL, "max_tokens": 256, "system": SYSTEM, "messages": MESSAGES}
    if stream:
        for _event in client.messages.create(stream=True, **arguments):
            pass
    else:
        client.messages.create(**arguments)


def _recorded(captured: Captured) -> dict[str, Any]:
    span = captured.span()  # exactly one: the client's own span was replaced
    metrics = {
        name: sorted((tuple(sorted(p.attributes)), p.count) for p in captured.metrics(name)) for name in _METRICS
    }
    return {
        "name": span.name,
        "attributes": {k: v for k, v in (span.attributes or {}).items() if k not in _VARYING},
        "attribute names": sorted(span.attributes or {}),
        "metrics": metrics,
        "events": len(captured.events("gen_ai.client.inference.operation.details")),
    }


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_floor_records_what_ours_records(
    stream: bool, mock_server: Any, instrument_anthropic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    floor_captured = Captured()
    floor = AnthropicFloor()
    floor.install(floor_captured.providers(), content=True)
    try:
        _call(mock_server, floor_captured, stream)
    finally:
        floor.uninstall()
    ours_captured = instrument_anthropic(capture="SPAN_AND_EVENT")
    _call(mock_server, ours_captured, stream)

    ours, theirs = _recorded(ours_captured), _recorded(floor_captured)
    assert theirs == ours
    assert ours["events"] == 1
    per_chunk = ours["metrics"]["gen_ai.client.operation.time_per_output_chunk"]
    assert (sum(count for _, count in per_chunk) > 0) is stream


def test_floor_uninstall_gives_the_client_its_span_back(mock_server: Any) -> None:
    captured = Captured()
    floor = AnthropicFloor()
    floor.install(captured.providers(), content=False)
    floor.uninstall()
    _call(mock_server, captured, stream=False)
    assert [s.name for s in captured.spans()] == ["anthropic.messages.create"]
