"""Output items of the Responses API, in the shapes the real service returns."""

from __future__ import annotations

from typing import Any

from otel_genai.mock_openai.generation.tool_calls import ToolCall
from otel_genai.mock_openai.openai.identifiers import response_object_id


def output_text_part(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ``output_text`` content part."""
    return {"type": "output_text", "annotations": annotations or [], "logprobs": [], "text": text}


def message_item(text: str, *, status: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An assistant ``message`` item holding one text part."""
    return {
        "id": response_object_id("msg"),
        "type": "message",
        "status": status,
        "content": [output_text_part(text, annotations)],
        "role": "assistant",
    }


def function_call_item(call: ToolCall) -> dict[str, Any]:
    """A ``function_call`` item."""
    return {
        "id": response_object_id("fc"),
        "type": "function_call",
        "status": "completed",
        "arguments": call.arguments,
        "call_id": call.call_id,
        "name": call.name,
    }


def reasoning_item(summary: str) -> dict[str, Any]:
    """A ``reasoning`` item with one summary part."""
    return {
        "id": response_object_id("rs"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": summary}],
    }


def web_search_item(query: str) -> dict[str, Any]:
    """A completed ``web_search_call`` item."""
    return {
        "id": response_object_id("ws"),
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "search", "query": query},
    }


def url_citation(start: int, end: int, url: str, title: str) -> dict[str, Any]:
    """A ``url_citation`` annotation over ``text[start:end]``."""
    return {"type": "url_citation", "start_index": start, "end_index": end, "title": title, "url": url}
