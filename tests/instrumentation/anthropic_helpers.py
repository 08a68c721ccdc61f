"""What the Anthropic instrumentation tests share: clients of the local endpoint and requests."""

from __future__ import annotations

from typing import Any

MODEL = "claude-sonnet-4-5"
WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["location", "unit", "days"],
    },
}


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def scenario(value: str) -> dict[str, str]:
    return {"x-mock-scenario": value}


def long_system(marker: str) -> list[dict[str, Any]]:
    """A system prompt long enough to be cached (the marker keeps it apart from other tests')."""
    text = f"{marker}: " + "Spans, metrics and logs describe what a service did. " * 200
    return [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]
