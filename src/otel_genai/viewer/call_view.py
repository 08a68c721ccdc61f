"""The GenAI part of a span's detail on the page: the neutral call record, priced, as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.viewer import dialects
from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.pricing import PRICE_BOOK, CallPrice, TokenUsage

# Why a call has no cost: it reported no token count (a failed call, usually), so $0 would be wrong.
NO_TOKENS = "tokens not reported"


def call_price(
    model: str | None,
    provider: str | None,
    start_ns: int,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
) -> CallPrice:
    """The estimated cost of one model call; unknown when it reported neither input nor output tokens."""
    if input_tokens is None and output_tokens is None:
        return CallPrice(None, NO_TOKENS)
    usage = TokenUsage(input_tokens or 0, output_tokens or 0, cache_read_tokens or 0, cache_write_tokens or 0)
    return PRICE_BOOK.price(model, provider, usage, start_ns)


def genai_view(
    span: Mapping[str, Any],
    attributes: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    logs: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """What the page shows of one GenAI span; ``span`` is its stored row."""
    record = dialects.read_call(attributes, events, logs, start_ns=span["start_ns"], failed=bool(span["is_error"]))
    call = record.summary
    price = call_price(call.model, call.provider, span["start_ns"], call.input_tokens, call.output_tokens,
                       call.cache_read_tokens, call.cache_write_tokens)  # fmt: skip
    exceptions = [e["attributes"] for e in events if e.get("name") == "exception"]
    exceptions += [e["attributes"] for e in logs if e["event_name"] == gn.EXCEPTION_EVENT]
    ttfc = record.time_to_first_chunk_s
    return {
        "dialect": record.dialect,
        "operation": call.operation,
        "provider": call.provider,
        "request_model": record.request_model,
        "response_model": record.response_model,
        "conversation_id": call.conversation_id,
        "finish_reasons": record.finish_reasons,
        "time_to_first_chunk_ms": None if ttfc is None else ttfc * 1000.0,
        "tokens": {
            "input": call.input_tokens,
            "output": call.output_tokens,
            "cache_read": call.cache_read_tokens,
            "cache_write": call.cache_write_tokens,
            "reasoning": call.reasoning_tokens,
        },
        "cost_usd": price.usd,
        "cost_note": price.reason,
        "error_type": span["error_type"],
        "exceptions": exceptions,
        "conversation": record.conversation.as_json(),
        "notes": record.notes,
        "tool": None if record.tool is None else record.tool.as_json(),
    }
