"""Response bodies for the Anthropic scenarios, built from recorded Anthropic traffic.

The recordings (vcrpy cassettes under ``shared/cassettes/anthropic``) give a real Messages
response and a real event stream; longer streams repeat the recorded ``content_block_delta``
events between the recorded opening and closing events. Without the recordings, built-in
bodies of the same shapes are used, and the report says which.

Runs in the parent only (it may import PyYAML); workers receive the finished bodies.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from benchmarks.harness import bodies as openai_bodies

CASSETTE_DIRS = tuple(d.parent / "anthropic" for d in openai_bodies.CASSETTE_DIRS if d is not None)
CREATE_CASSETTE = "test_anthropic_message_create_with_events_with_content.yaml"
STREAM_CASSETTE = "test_anthropic_message_streaming_with_events_with_content.yaml"
#: Stream lengths the scenarios use, in server-sent events the client yields.
STREAM_LENGTHS = (20, 200)

_MESSAGE = {
    "id": "msg_01TPXhkPo8jy6yQMrMhjpiAE",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-haiku-20240307",
    "stop_sequence": None,
}


def _builtin_message() -> dict[str, Any]:
    text = "Why did the developer adopt OpenTelemetry? To trace their steps and meter their progress."
    return {
        **_MESSAGE,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 17, "output_tokens": 24},
    }


def _builtin_events() -> list[dict[str, Any]]:
    words = ["Why", " did", " the", " developer", " adopt", " OpenTelemetry", "?"]
    return [
        {
            "type": "message_start",
            "message": {
                **_MESSAGE,
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": 17, "output_tokens": 3},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}} for w in words),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 7},
        },
        {"type": "message_stop"},
    ]


def _recorded(directory: Path, name: str) -> str:
    import yaml  # the parent's environment has it; a missing one falls back to built-in bodies

    with open(directory / name, encoding="utf-8") as handle:
        body = yaml.safe_load(handle)["interactions"][0]["response"]["body"]["string"]
    return gzip.decompress(body).decode() if isinstance(body, bytes) else str(body)


def _events(sse: str) -> list[dict[str, Any]]:
    """The JSON payloads of a recorded event stream; ``ping`` (which the client drops) left out."""
    payloads = [json.loads(line[6:]) for line in sse.splitlines() if line.startswith("data: ")]
    return [p for p in payloads if p.get("type") != "ping"]


def stream(recorded: list[dict[str, Any]], events: int) -> str:
    """``events`` events: the recorded opening and closing ones around as many text deltas as fit.

    ``message_delta`` reports as many output tokens as there are deltas.
    """
    deltas = [e for e in recorded if e["type"] == "content_block_delta"]
    opening = [e for e in recorded if e["type"] in ("message_start", "content_block_start")]
    closing = [e for e in recorded if e["type"] in ("content_block_stop", "message_delta", "message_stop")]
    count = max(1, events - len(opening) - len(closing))
    middle = [deltas[i % len(deltas)] for i in range(count)]
    payloads = [*opening, *middle, *closing]
    for payload in payloads:
        if payload["type"] == "message_delta":
            payload["usage"]["output_tokens"] = count
    return "".join(f"event: {p['type']}\ndata: {json.dumps(p, separators=(',', ':'))}\n\n" for p in payloads)


def build() -> tuple[dict[str, str], str]:
    """Every body the Anthropic scenarios answer with, by name, and where they came from."""
    message: Any = _builtin_message()
    events = _builtin_events()
    source = "built-in bodies in the recorded shapes"
    directory = next((d for d in CASSETTE_DIRS if d.is_dir()), None)
    if directory is not None:
        try:
            message = json.loads(_recorded(directory, CREATE_CASSETTE))
            events = _events(_recorded(directory, STREAM_CASSETTE))
            source = (
                f"recorded Anthropic responses ({directory.name}/ cassettes; streams extended from recorded events)"
            )
        except Exception as exc:  # noqa: BLE001 - any problem with the recordings: use the built-in bodies
            message, events = _builtin_message(), _builtin_events()
            source = f"built-in bodies in the recorded shapes (cassettes unreadable: {type(exc).__name__})"
    bodies = {"message": json.dumps(message)}
    for n in STREAM_LENGTHS:
        bodies[f"stream_{n}"] = stream(events, n)
    return bodies, source
