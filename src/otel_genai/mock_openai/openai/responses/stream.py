"""Responses API streaming: the typed event sequence the real service sends for a response.

Events are derived from the finished response object: ``response.created`` and
``response.in_progress`` first, then for each output item its ``added`` event,
the deltas that build it up token by token and its ``done`` events, and last
``response.completed`` (or ``response.incomplete``, or ``response.failed`` when
the ``stream-error`` scenario breaks generation off).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from otel_genai.mock_openai.generation.tokens import split_tokens
from otel_genai.mock_openai.openai.errors import error_for_status
from otel_genai.mock_openai.openai.identifiers import obfuscation_padding
from otel_genai.mock_openai.openai.responses.items import output_text_part
from otel_genai.mock_openai.pipeline.wire import StreamEvent

_IN_PROGRESS_FIELDS = {"status": "in_progress", "completed_at": None, "incomplete_details": None, "usage": None}

Fields = dict[str, Any]


def response_stream_events(response: Mapping[str, Any], *, stream_error: bool = False) -> list[StreamEvent]:
    """Every event that streams *response*; ``sequence_number`` counts from 0."""
    opening = {**response, **_IN_PROGRESS_FIELDS, "output": []}
    bodies: list[tuple[str, Fields]] = [
        ("response.created", {"response": opening}),
        ("response.in_progress", {"response": opening}),
    ]
    for index, item in enumerate(response["output"]):
        bodies.extend(_item_events(index, item))
    if stream_error:
        failed = {
            **opening,
            "status": "failed",
            "error": {"code": "server_error", "message": str(error_for_status(500))},
        }
        bodies = [*bodies[: max(2, len(bodies) // 2)], ("response.failed", {"response": failed})]
    else:
        final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
        bodies.append((final, {"response": dict(response)}))
    return [_event(kind, fields, number) for number, (kind, fields) in enumerate(bodies)]


def _event(kind: str, fields: Fields, sequence_number: int) -> StreamEvent:
    # The service lists an event's fields alphabetically after "type".
    ordered = dict(sorted({**fields, "sequence_number": sequence_number}.items()))
    return StreamEvent({"type": kind, **ordered}, name=kind)


def _item_events(index: int, item: Mapping[str, Any]) -> Iterator[tuple[str, Fields]]:
    at = {"output_index": index}
    kind = item["type"]
    if kind == "message":
        yield "response.output_item.added", {**at, "item": {**item, "status": "in_progress", "content": []}}
        for content_index, part in enumerate(item["content"]):
            yield from _text_part_events(item["id"], index, content_index, part)
    elif kind == "function_call":
        yield "response.output_item.added", {**at, "item": {**item, "status": "in_progress", "arguments": ""}}
        for fragment in split_tokens(item["arguments"]):
            yield "response.function_call_arguments.delta", _delta(item["id"], index, fragment)
        yield "response.function_call_arguments.done", {**at, "item_id": item["id"], "arguments": item["arguments"]}
    elif kind == "reasoning":
        yield "response.output_item.added", {**at, "item": {**item, "summary": []}}
        for summary_index, part in enumerate(item["summary"]):
            yield from _summary_events(item["id"], index, summary_index, part["text"])
    elif kind == "web_search_call":
        yield "response.output_item.added", {**at, "item": {**item, "status": "in_progress"}}
        for phase in ("in_progress", "searching", "completed"):
            yield f"response.web_search_call.{phase}", {**at, "item_id": item["id"]}
    yield "response.output_item.done", {**at, "item": copy.deepcopy(dict(item))}


def _text_part_events(
    item_id: str, index: int, content_index: int, part: Mapping[str, Any]
) -> Iterator[tuple[str, Fields]]:
    at = {"output_index": index, "item_id": item_id, "content_index": content_index}
    yield "response.content_part.added", {**at, "part": output_text_part("")}
    for token in split_tokens(part["text"]):
        yield (
            "response.output_text.delta",
            {**_delta(item_id, index, token), "content_index": content_index, "logprobs": []},
        )
    yield "response.output_text.done", {**at, "text": part["text"], "logprobs": []}
    yield "response.content_part.done", {**at, "part": dict(part)}


def _summary_events(item_id: str, index: int, summary_index: int, text: str) -> Iterator[tuple[str, Fields]]:
    at = {"output_index": index, "item_id": item_id, "summary_index": summary_index}
    yield "response.reasoning_summary_part.added", {**at, "part": {"type": "summary_text", "text": ""}}
    for token in split_tokens(text):
        yield "response.reasoning_summary_text.delta", {**_delta(item_id, index, token), "summary_index": summary_index}
    yield "response.reasoning_summary_text.done", {**at, "text": text}
    yield "response.reasoning_summary_part.done", {**at, "part": {"type": "summary_text", "text": text}}


def _delta(item_id: str, index: int, delta: str) -> Fields:
    return {"delta": delta, "item_id": item_id, "obfuscation": obfuscation_padding(delta), "output_index": index}
