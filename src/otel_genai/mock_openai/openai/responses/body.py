"""The top-level Responses API object: every field the real service sends, echoing the request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.openai.params import service_tier
from otel_genai.mock_openai.openai.usage import cached_tokens


def response_usage(input_tokens: int, output_tokens: int, reasoning_tokens: int) -> dict[str, Any]:
    """The ``usage`` object; *output_tokens* includes the *reasoning_tokens*."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached_tokens(input_tokens)},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def response_object(
    request: Mapping[str, Any],
    *,
    response_id: str,
    created_at: int,
    model: str,
    reasoning_model: bool,
) -> dict[str, Any]:
    """An ``in_progress`` response with no output yet; the caller completes it."""
    text = _mapping(request.get("text"))
    reasoning = _mapping(request.get("reasoning"))
    effort = reasoning.get("effort") or ("medium" if reasoning_model else None)
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "in_progress",
        "background": request.get("background") is True,
        "completed_at": None,
        "error": None,
        "frequency_penalty": 0.0,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "max_tool_calls": request.get("max_tool_calls"),
        "model": model,
        "output": [],
        "parallel_tool_calls": request.get("parallel_tool_calls") is not False,
        "presence_penalty": 0.0,
        "previous_response_id": request.get("previous_response_id"),
        "prompt_cache_key": request.get("prompt_cache_key"),
        "prompt_cache_retention": "in_memory",
        "reasoning": {"effort": effort, "summary": reasoning.get("summary")},
        "safety_identifier": request.get("safety_identifier"),
        "service_tier": service_tier(request),
        "store": request.get("store") is not False,
        "temperature": _number(request.get("temperature"), 1.0),
        "text": {
            "format": text.get("format") or {"type": "text"},
            "verbosity": text.get("verbosity") or "medium",
        },
        "tool_choice": request.get("tool_choice") or "auto",
        "tools": _echoed_tools(request.get("tools")),
        "top_logprobs": request.get("top_logprobs") or 0,
        "top_p": _number(request.get("top_p"), 1.0),
        "truncation": request.get("truncation") or "disabled",
        "usage": None,
        "user": request.get("user"),
        "metadata": request.get("metadata") or {},
    }
    conversation = request.get("conversation")
    if conversation is not None:
        # Sent as an id or as {"id": ...}; always reported as an object.
        body["conversation"] = {"id": conversation} if isinstance(conversation, str) else conversation
    return body


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _echoed_tools(tools: Any) -> list[Any]:
    if not isinstance(tools, list):
        return []
    # The service reports function tools with "strict" (default true) and "description" always present.
    return [
        {"description": None, "strict": True, **tool}
        if isinstance(tool, Mapping) and tool.get("type") == "function"
        else tool
        for tool in tools
    ]
