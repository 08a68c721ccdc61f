"""Messages streaming: the event sequence Anthropic sends, derived from the reply's plan.

``message_start`` (usage with the input side and a first output token), then per
content block ``content_block_start``, its deltas and ``content_block_stop`` (a
``ping`` after the first block starts), then ``message_delta`` with the stop
reason and the cumulative usage, then ``message_stop``.
"""

from __future__ import annotations

from typing import Any

from otel_genai.mock_openai.anthropic.errors import mid_stream_error
from otel_genai.mock_openai.anthropic.plan import Block, MessagePlan
from otel_genai.mock_openai.pipeline.wire import StreamEvent, broken_off


def message_stream_events(plan: MessagePlan, *, stream_error: bool = False) -> list[StreamEvent]:
    """Every event of the stream; with *stream_error*, an ``error`` event replaces the second half."""
    opening = {**message_head(plan), "content": [], "stop_reason": None, "stop_sequence": None}
    opening["usage"] = {**plan.input.fields(), "output_tokens": 1, "service_tier": "standard"}
    events = [_event("message_start", message=opening)]
    for index, block in enumerate(plan.blocks):
        events.append(_event("content_block_start", index=index, content_block=_empty(block)))
        if index == 0:
            events.append(_event("ping"))
        events.extend(_event("content_block_delta", index=index, delta=delta) for delta in _deltas(block))
        events.append(_event("content_block_stop", index=index))
    if stream_error:
        return broken_off(events, mid_stream_error(), name="error")
    usage = {key: value for key, value in plan.input.fields().items() if key != "cache_creation"} | {
        "output_tokens": plan.output_tokens
    }
    events.append(
        _event(
            "message_delta", delta={"stop_reason": plan.stop_reason, "stop_sequence": plan.stop_sequence}, usage=usage
        )
    )
    events.append(_event("message_stop"))
    return events


def message_head(plan: MessagePlan) -> dict[str, Any]:
    """The fields a message opens with, streamed or not."""
    return {"id": plan.message_id, "type": "message", "role": "assistant", "model": plan.model}


def _event(kind: str, **fields: Any) -> StreamEvent:
    return StreamEvent({"type": kind, **fields}, name=kind)


def _empty(block: Block) -> dict[str, Any]:
    if block.kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if block.call is not None:
        return {"type": "tool_use", "id": block.call.call_id, "name": block.call.name, "input": {}}
    return {"type": "text", "text": ""}


def _deltas(block: Block) -> list[dict[str, Any]]:
    if block.kind == "thinking":
        thinking = [{"type": "thinking_delta", "thinking": piece} for piece in block.pieces]
        return [*thinking, {"type": "signature_delta", "signature": block.signature}]
    if block.call is not None:
        return [{"type": "input_json_delta", "partial_json": piece} for piece in block.pieces]
    return [{"type": "text_delta", "text": piece} for piece in block.pieces]
