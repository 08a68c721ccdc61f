"""Realistic HTTP response bodies for the scenarios, built from recorded OpenAI traffic.

The recordings (vcrpy cassettes under ``shared/cassettes/openai``) give the shape and values
of real responses; longer streams are extended from the recorded chunks and events. When the
cassettes (or PyYAML) are not there, built-in bodies in the same shapes are used instead, and
the report says which.

Runs in the parent only (it may import PyYAML); workers receive the finished bodies.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASSETTE_DIRS = (
    Path(os.environ["OTEL_GENAI_CASSETTES"]) if os.environ.get("OTEL_GENAI_CASSETTES") else None,
    REPO.parent / "shared" / "cassettes" / "openai",
)

CHAT_CASSETTE = "test_chat_completion_with_content.yaml"
STREAM_CASSETTE = "test_chat_completion_streaming.yaml"
RESPONSES_STREAM_CASSETTE = "test_responses_create_streaming[content_mode0].yaml"
EMBEDDINGS_CASSETTE = "test_embeddings_no_content.yaml"

#: Values kept of each embedding vector. The client's parse of a recorded 1,536-value vector costs
#: about 38M instructions a call and varies by about 80k between two regions of one process, as
#: much as an instrumentation adds; no instrumentation reads the values, so the short vector
#: leaves their work as it is and their difference measurable.
EMBEDDING_VALUES = 8

#: Stream lengths the scenarios use (chat chunks; Responses events).
CHAT_STREAM_LENGTHS = (1, 20, 200)
RESPONSES_STREAM_EVENTS = 200

# --- built-in fallbacks, in the shapes of the recordings ---------------------------------

_CHAT_ID = "chatcmpl-ASYMQRl3A3DXL9FWCK9tnGRcKIO7q"
_USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 5,
    "total_tokens": 17,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}


def _builtin_chat() -> dict[str, Any]:
    return {
        "id": _CHAT_ID,
        "object": "chat.completion",
        "created": 1731368630,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "This is a test.", "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": _USAGE,
        "system_fingerprint": "fp_0ba0d124f1",
    }


def _builtin_chunks() -> list[dict[str, Any]]:
    base = {
        "id": _CHAT_ID,
        "object": "chat.completion.chunk",
        "created": 1731368639,
        "model": "gpt-4-0613",
        "system_fingerprint": None,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None, choices: bool = True) -> Any:
        body = {**base, "choices": [], "usage": usage}
        if choices:
            body["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        return body

    words = ['"This', " is", " a", " test", '."']
    return [
        chunk({"role": "assistant", "content": "", "refusal": None}),
        *(chunk({"content": w}) for w in words),
        chunk({}, finish="stop"),
        chunk({}, usage=_USAGE, choices=False),
    ]


def _builtin_responses_events() -> list[dict[str, Any]]:
    response = {
        "id": "resp_0415a3de5d3015560069e2f3f4b3088192949253e91aff1eb3",
        "object": "response",
        "created_at": 1776481268,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": "You are a helpful assistant.",
        "max_output_tokens": None,
        "model": "gpt-4o-mini-2024-07-18",
        "output": [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": None,
        "user": None,
        "metadata": {},
    }
    item_id = "msg_0415a3de5d3015560069e2f3f52bf8819297ebb188bfe644d7"
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    item = {"id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}
    common = {"content_index": 0, "item_id": item_id, "output_index": 0, "logprobs": []}
    words = ["This", " is", " a", " test", "."]
    done_item = {**item, "status": "completed", "content": [{**part, "text": "This is a test."}]}
    usage = {
        "input_tokens": 22,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 6,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 28,
    }
    return [
        {"type": "response.created", "response": response},
        {"type": "response.in_progress", "response": response},
        {"type": "response.output_item.added", "item": item, "output_index": 0},
        {
            "type": "response.content_part.added",
            "content_index": 0,
            "item_id": item_id,
            "output_index": 0,
            "part": part,
        },
        *({"type": "response.output_text.delta", **common, "delta": w} for w in words),
        {"type": "response.output_text.done", **common, "text": "This is a test."},
        {"type": "response.content_part.done", **common, "part": {**part, "text": "This is a test."}},
        {"type": "response.output_item.done", "item": done_item, "output_index": 0},
        {
            "type": "response.completed",
            "response": {**response, "status": "completed", "output": [done_item], "usage": usage},
        },
    ]


def _builtin_embeddings() -> dict[str, Any]:
    vector = [round(((i * 7919) % 2000) / 20000.0 - 0.05, 9) for i in range(1536)]
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": vector}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 7, "total_tokens": 7},
    }


def _short_vectors(body: dict[str, Any]) -> dict[str, Any]:
    data = [{**item, "embedding": item["embedding"][:EMBEDDING_VALUES]} for item in body["data"]]
    return {**body, "data": data}


# --- reading the recordings ----------------------------------------------------------------


def _cassette_dir() -> Path | None:
    for directory in CASSETTE_DIRS:
        if directory is not None and directory.is_dir():
            return directory
    return None


def _recorded_body(directory: Path, name: str) -> str:
    import yaml  # the parent's environment has it; a missing one falls back to built-in bodies

    with open(directory / name, encoding="utf-8") as handle:
        cassette = yaml.safe_load(handle)
    return str(cassette["interactions"][0]["response"]["body"]["string"])


def _sse_data(text: str) -> list[dict[str, Any]]:
    """The JSON payloads of a recorded event stream, ``[DONE]`` left out."""
    events = []
    for line in text.splitlines():
        if line.startswith("data: ") and line[6:].strip() != "[DONE]":
            events.append(json.loads(line[6:]))
    return events


# --- building the scenario bodies ----------------------------------------------------------


def _sse(payloads: list[dict[str, Any]], *, named: bool) -> str:
    """An event stream body; ``named`` adds the ``event:`` lines the Responses API sends."""
    lines = []
    for payload in payloads:
        if named:
            lines.append(f"event: {payload['type']}\n")
        lines.append(f"data: {json.dumps(payload, separators=(',', ':'))}\n\n")
    if not named:
        lines.append("data: [DONE]\n\n")
    return "".join(lines)


def chat_stream(recorded: list[dict[str, Any]], chunks: int) -> str:
    """``chunks`` data events: the role chunk, content deltas, the finish chunk and the usage chunk.

    A one-chunk stream carries role, text, finish reason and usage in its single chunk.
    """
    role = next(c for c in recorded if c.get("choices") and c["choices"][0]["delta"].get("role"))
    finish = next(c for c in recorded if c.get("choices") and c["choices"][0].get("finish_reason"))
    usage = next((c for c in recorded if c.get("usage")), None)
    texts = [c for c in recorded if c.get("choices") and c["choices"][0]["delta"].get("content")]
    words = [c["choices"][0]["delta"]["content"] for c in texts] or [" word"]
    text_template = texts[0] if texts else role
    if chunks == 1:
        only = copy.deepcopy(finish)
        only["choices"][0]["delta"] = {"role": "assistant", "content": "".join(words)}
        only["usage"] = (usage or {}).get("usage")
        return _sse([only], named=False)
    tail = [finish] + ([usage] if usage is not None else [])
    middle = max(0, chunks - 1 - len(tail))
    payloads = [role]
    for i in range(middle):
        chunk = copy.deepcopy(text_template)
        chunk["choices"][0]["delta"] = {"content": words[i % len(words)]}
        payloads.append(chunk)
    payloads.extend(tail)
    return _sse(payloads[:chunks], named=False)


def responses_stream(recorded: list[dict[str, Any]], events: int) -> str:
    """``events`` events in the recorded order, with as many ``output_text.delta`` as fit.

    The closing events (``output_text.done``, ``content_part.done``, ``output_item.done``,
    ``response.completed``) carry the whole text of the deltas, as the service sends them.
    """
    by_type = {e["type"]: e for e in recorded}
    deltas = [e for e in recorded if e["type"] == "response.output_text.delta"]
    words = [e["delta"] for e in deltas] or [" word"]
    opening = [by_type[t] for t in ("response.created", "response.in_progress") if t in by_type]
    opening += [by_type["response.output_item.added"], by_type["response.content_part.added"]]
    closing_types = (
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    )
    closing = [copy.deepcopy(by_type[t]) for t in closing_types]
    count = max(1, events - len(opening) - len(closing))
    pieces = [words[i % len(words)] for i in range(count)]
    text = "".join(pieces)
    payloads: list[dict[str, Any]] = [copy.deepcopy(e) for e in opening]
    for piece in pieces:
        event = copy.deepcopy(deltas[0] if deltas else by_type["response.output_text.done"])
        event["type"] = "response.output_text.delta"
        event.pop("text", None)
        event["delta"] = piece
        payloads.append(event)
    done_text, part_done, item_done, completed = closing
    done_text["text"] = text
    part_done["part"]["text"] = text
    for content in item_done["item"]["content"]:
        content["text"] = text
    for item in completed["response"]["output"]:
        for content in item.get("content", []):
            content["text"] = text
    if completed["response"].get("usage"):
        completed["response"]["usage"]["output_tokens"] = count
        usage = completed["response"]["usage"]
        usage["total_tokens"] = usage["input_tokens"] + count
    payloads.extend(closing)
    for number, payload in enumerate(payloads):
        if "sequence_number" in payload or deltas:
            payload["sequence_number"] = number
    return _sse(payloads, named=True)


def build() -> tuple[dict[str, str], str]:
    """Every body the scenarios answer with, by name, and where they came from."""
    directory = _cassette_dir()
    source = "built-in bodies in the recorded shapes"
    chat: Any = _builtin_chat()
    chunks = _builtin_chunks()
    events = _builtin_responses_events()
    embeddings: Any = _builtin_embeddings()
    if directory is not None:
        try:
            chat = json.loads(_recorded_body(directory, CHAT_CASSETTE))
            chunks = _sse_data(_recorded_body(directory, STREAM_CASSETTE))
            events = _sse_data(_recorded_body(directory, RESPONSES_STREAM_CASSETTE))
            embeddings = json.loads(_recorded_body(directory, EMBEDDINGS_CASSETTE))
            source = f"recorded OpenAI responses ({directory.name}/ cassettes; streams extended from recorded chunks)"
        except Exception as exc:  # noqa: BLE001 - any problem with the recordings: use the built-in bodies
            source = f"built-in bodies in the recorded shapes (cassettes unreadable: {type(exc).__name__})"
            chat, chunks, events, embeddings = (
                _builtin_chat(),
                _builtin_chunks(),
                _builtin_responses_events(),
                _builtin_embeddings(),
            )
    bodies = {
        "chat": json.dumps(chat),
        "embeddings": json.dumps(_short_vectors(embeddings)),
        "responses_stream": responses_stream(events, RESPONSES_STREAM_EVENTS),
    }
    for n in CHAT_STREAM_LENGTHS:
        bodies[f"chat_stream_{n}"] = chat_stream(chunks, n)
    return bodies, source
