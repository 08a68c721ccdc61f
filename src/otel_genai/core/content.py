"""Message content -> telemetry values: JSON strings for spans, structured values for events.

Every text value is bounded by the policy's ``max_content_length`` characters, and the
base64 content of inline media (``blob`` parts) by the smaller ``max_blob_length``: a
value that was cut ends with :data:`TRUNCATION_MARK` and the number of characters
dropped, so a reader knows it is not whole. The JSON structure itself is never cut.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from otel_genai import semconv
from otel_genai.core.agent_records import AgentInvocation
from otel_genai.core.invocation import Invocation, Message, Part, ToolDefinition

TRUNCATION_MARK = "…[truncated "


def bound_text(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{TRUNCATION_MARK}{len(text) - limit} chars]"


def _bounded(value: Any, limit: int) -> Any:
    """A copy of ``value`` fit for telemetry: long strings cut, bytes as base64."""
    if isinstance(value, str):
        return bound_text(value, limit)
    if isinstance(value, dict):
        return {k: _bounded(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v, limit) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bound_text(base64.b64encode(bytes(value)).decode("ascii"), limit)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return bound_text(str(value), limit)


def bounded(value: Any, limit: int) -> Any:
    """A copy of any value fit for telemetry (a tool's arguments or result)."""
    return _bounded(value, limit)


def _part_value(part: Part, limit: int, blob_limit: int) -> dict[str, Any]:
    # A part's own unset fields are left out; None inside a value (a tool argument that
    # is null) is data and stays.
    blob = part.get("type") == "blob"
    value_of: dict[str, Any] = {}
    for key, value in part.items():
        if value is None:
            continue
        bound = blob_limit if blob and key == "content" else limit
        # Most values are short strings, kept as they are without a call.
        value_of[key] = value if type(value) is str and len(value) <= bound else _bounded(value, bound)
    return value_of


def parts_value(parts: Iterable[Part], limit: int, blob_limit: int) -> list[dict[str, Any]]:
    return [_part_value(p, limit, blob_limit) for p in parts]


def messages_value(
    messages: Iterable[Message], limit: int, blob_limit: int, *, output: bool = False
) -> list[dict[str, Any]]:
    """Messages in the shape of ``gen_ai.input.messages`` / ``gen_ai.output.messages``."""
    result = []
    for m in messages:
        item: dict[str, Any] = {"role": m.role, "parts": parts_value(m.parts, limit, blob_limit)}
        if m.name:
            item["name"] = m.name
        if output:
            item["finish_reason"] = m.finish_reason or "error"
        result.append(item)
    return result


def tool_definitions_value(tools: Iterable[ToolDefinition]) -> list[dict[str, Any]]:
    # Only the required properties: definitions can be large (§4.5).
    return [{"type": t.type, "name": t.name} for t in tools]


def content_values(inv: Invocation | AgentInvocation, limit: int, blob_limit: int) -> dict[str, Any]:
    """The record's content attributes as structured values (events); spans get them as JSON."""
    values: dict[str, Any] = {}
    if inv.system_instructions:
        values[semconv.SYSTEM_INSTRUCTIONS] = parts_value(inv.system_instructions, limit, blob_limit)
    if inv.input_messages:
        values[semconv.INPUT_MESSAGES] = messages_value(inv.input_messages, limit, blob_limit)
    if inv.output_messages:
        values[semconv.OUTPUT_MESSAGES] = messages_value(inv.output_messages, limit, blob_limit, output=True)
    if inv.tool_definitions:
        values[semconv.TOOL_DEFINITIONS] = tool_definitions_value(inv.tool_definitions)
    return values


# Built once: json.dumps with any option builds a new encoder on every call.
_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


def to_json(value: Any) -> str:
    return _encoder.encode(value)


# --- the pre-1.37 per-message event bodies (§3.2) ---------------------------------------


def _legacy_tool_calls(parts: Iterable[Part], with_content: bool, limit: int) -> list[dict[str, Any]]:
    calls = []
    for p in parts:
        if p.get("type") != "tool_call":
            continue
        function: dict[str, Any] = {"name": p.get("name")}
        if with_content:
            arguments = p.get("arguments")
            # The legacy shape keeps arguments as the raw JSON string.
            if not isinstance(arguments, str):
                arguments = to_json(arguments)
            function["arguments"] = bound_text(arguments, limit)
        calls.append({"id": p.get("id"), "type": "function", "function": function})
    return calls


def _legacy_text(parts: Iterable[Part], limit: int) -> str | None:
    texts = [p["content"] for p in parts if p.get("type") == "text" and isinstance(p.get("content"), str)]
    return bound_text("".join(texts), limit) if texts else None


def legacy_message_body(message: Message, default_role: str, with_content: bool, limit: int) -> dict[str, Any]:
    """Body of a ``gen_ai.{system,user,assistant,tool}.message`` event."""
    body: dict[str, Any] = {}
    if message.role != default_role:
        body["role"] = message.role
    if with_content:
        if message.role == "tool":
            responses = [p.get("response") for p in message.parts if p.get("type") == "tool_call_response"]
            if responses:
                body["content"] = _bounded(responses[0], limit)
        else:
            text = _legacy_text(message.parts, limit)
            if text is not None:
                body["content"] = text
    if message.role == "tool":
        ids = [p.get("id") for p in message.parts if p.get("type") == "tool_call_response"]
        if ids and ids[0]:
            body["id"] = ids[0]
    tool_calls = _legacy_tool_calls(message.parts, with_content, limit)
    if tool_calls:
        body["tool_calls"] = tool_calls
    return body


# The conventions name the message "finish_reason" in the singular; the choice event
# keeps the provider's own value.
def legacy_choice_body(
    index: int, message: Message, raw_finish_reason: str | None, with_content: bool, limit: int
) -> dict[str, Any]:
    """Body of a ``gen_ai.choice`` event."""
    inner: dict[str, Any] = {}
    if message.role != "assistant":
        inner["role"] = message.role
    if with_content:
        text = _legacy_text(message.parts, limit)
        if text is not None:
            inner["content"] = text
    body: dict[str, Any] = {
        "index": index,
        "finish_reason": raw_finish_reason or "error",
        "message": inner,
    }
    tool_calls = _legacy_tool_calls(message.parts, with_content, limit)
    if tool_calls:
        body["tool_calls"] = tool_calls
    return body
