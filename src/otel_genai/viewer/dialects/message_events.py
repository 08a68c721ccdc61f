"""The conventions before 1.37: one event per message (``gen_ai.user.message``, ``gen_ai.choice``...).

They come as log records or, from some producers, as span events. Each carries its message
in the body (span events: in the attributes), in the older OpenAI-like shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.conversation import content_parts, parse_json_value, tool_call_parts
from otel_genai.viewer.dialects.record import Message, Part

SOURCE = "per-message events"


def _message(event_name: str, body: Mapping[str, Any]) -> Message:
    role = str(body.get("role") or gn.LEGACY_MESSAGE_ROLES[event_name])
    if event_name == gn.LEGACY_TOOL_MESSAGE:
        part: Part = {"type": "tool_call_response", "response": parse_json_value(body.get("content"))}
        if body.get("id"):
            part["id"] = body["id"]
        return {"role": role, "parts": [part]}
    return {"role": role, "parts": content_parts(body.get("content")) + tool_call_parts(body.get("tool_calls"))}


def _choice(body: Mapping[str, Any]) -> tuple[int, Message]:
    inner: Mapping[str, Any] = body["message"] if isinstance(body.get("message"), Mapping) else {}
    parts = content_parts(inner.get("content"))
    parts += tool_call_parts(body.get("tool_calls") or inner.get("tool_calls"))
    message: Message = {"role": str(inner.get("role") or "assistant"), "parts": parts}
    if body.get("finish_reason"):
        message["finish_reason"] = str(body["finish_reason"])
    index = body.get("index")
    return (index if isinstance(index, int) else 0), message


def read(events: Sequence[tuple[str, Any]]) -> tuple[list[Message], list[Message]]:
    """Input and output messages from ``(event name, body)`` pairs in emission order."""
    inputs: list[Message] = []
    choices: list[tuple[int, Message]] = []
    for name, body in events:
        body = parse_json_value(body)
        if not isinstance(body, Mapping):
            body = {"content": body} if body is not None else {}
        if name in gn.LEGACY_MESSAGE_ROLES:
            inputs.append(_message(name, body))
        elif name == gn.LEGACY_CHOICE:
            choices.append(_choice(body))
    choices.sort(key=lambda pair: pair[0])
    return inputs, [message for _, message in choices]
