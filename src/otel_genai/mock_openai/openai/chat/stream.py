"""Chat Completions streaming: the ``chat.completion.chunk`` sequence, framed as OpenAI frames it.

Each choice opens with a role delta, then one delta per token (or the tool-call
deltas), choices interleaved by index; the finish reasons follow in a chunk
each, then the usage chunk when ``stream_options.include_usage`` asked for it,
then ``[DONE]``.
"""

from __future__ import annotations

from typing import Any

from otel_genai.mock_openai.generation.tokens import split_tokens
from otel_genai.mock_openai.openai.azure import prompt_filter_chunk
from otel_genai.mock_openai.openai.chat.plan import ChatChoice, ChatPlan
from otel_genai.mock_openai.openai.errors import mid_stream_error
from otel_genai.mock_openai.pipeline.wire import DONE, StreamEvent, broken_off, interleave


def chat_stream_events(plan: ChatPlan, *, stream_error: bool = False) -> list[StreamEvent]:
    """Every event of the stream; with *stream_error*, an error event replaces the second half."""
    deltas = interleave([_deltas(choice) for choice in plan.choices])
    events = [StreamEvent(_chunk(plan, [_choice(index, delta, None)])) for index, delta in deltas]
    if plan.azure:
        events.insert(0, StreamEvent(prompt_filter_chunk()))
    if stream_error:
        return broken_off(events, mid_stream_error())
    events.extend(
        StreamEvent(_chunk(plan, [_choice(choice.index, {}, choice.finish_reason)])) for choice in plan.choices
    )
    if plan.stream_usage:
        events.append(StreamEvent(_chunk(plan, [], usage=plan.usage())))
    events.append(DONE)
    return events


def _deltas(choice: ChatChoice) -> list[dict[str, Any]]:
    if choice.reply is not None:
        opening: dict[str, Any] = {"role": "assistant", "content": "", "refusal": None}
        return [opening, *({"content": token} for token in choice.reply.tokens)]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": None}]
    for position, call in enumerate(choice.tool_calls):
        header = {"name": call.name, "arguments": ""}
        deltas.append({"tool_calls": [{"index": position, "id": call.call_id, "type": "function", "function": header}]})
        deltas.extend(
            {"tool_calls": [{"index": position, "function": {"arguments": fragment}}]}
            for fragment in split_tokens(call.arguments)
        )
    return deltas


def _choice(index: int, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


def _chunk(plan: ChatPlan, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": plan.completion_id,
        "object": "chat.completion.chunk",
        "created": plan.created,
        "model": plan.model,
        "service_tier": plan.service_tier,
        "system_fingerprint": plan.fingerprint,
        "choices": choices,
    }
    # Without include_usage the API sends no usage key at all; with it, null until the last chunk.
    if plan.stream_usage:
        chunk["usage"] = usage
    return chunk
