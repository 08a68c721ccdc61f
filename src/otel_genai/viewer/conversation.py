"""Messages and parts in the latest conventions' shape, from the shapes producers send.

Every dialect reader (``viewer/dialects``) ends its content here, so the page renders one
shape: ``{role, parts, name?, finish_reason?}`` messages of typed parts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Message = dict[str, Any]
Part = dict[str, Any]


def parse_json_value(value: Any) -> Any:
    """A JSON string becomes its value; anything else (or invalid JSON) stays as it is."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("[", "{", '"'):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def text_part(content: Any) -> Part:
    return {"type": "text", "content": content if isinstance(content, str) else json.dumps(content)}


def content_parts(content: Any) -> list[Part]:
    """Parts from a legacy ``content`` field: a string, or a list of provider content blocks."""
    if content is None or content == "":
        return []
    if isinstance(content, list):
        parts: list[Part] = []
        for block in content:
            if isinstance(block, Mapping) and isinstance(block.get("text"), str):
                parts.append({"type": "text", "content": block["text"]})
            elif isinstance(block, Mapping) and "type" in block and "content" in block:
                parts.append(dict(block))
            else:
                parts.append(text_part(block))
        return parts
    return [text_part(content)]


def _normalize_part(part: Any) -> Part:
    if isinstance(part, Mapping) and isinstance(part.get("type"), str):
        normalized = dict(part)
        if normalized["type"] in ("tool_call", "server_tool_call"):
            normalized["arguments"] = parse_json_value(normalized.get("arguments"))
        elif normalized["type"] == "tool_call_response":
            # Producers pass the tool's output through as sent, often a JSON string.
            normalized["response"] = parse_json_value(normalized.get("response"))
        return normalized
    return text_part(part)


def normalize_messages(value: Any, *, output: bool = False) -> list[Message]:
    """Messages in the ``{role, parts, name?, finish_reason?}`` shape from a captured value."""
    value = parse_json_value(value)
    if isinstance(value, str):
        # Not JSON (e.g. truncated by the instrumentation): show it as one text message.
        return [{"role": "assistant" if output else "user", "parts": [text_part(value)]}]
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return []
    messages: list[Message] = []
    for item in value:
        if not isinstance(item, Mapping):
            messages.append({"role": "unknown", "parts": [text_part(item)]})
            continue
        message: Message = {"role": str(item.get("role") or ("assistant" if output else "user"))}
        raw_parts = item.get("parts")
        if isinstance(raw_parts, list):
            message["parts"] = [_normalize_part(p) for p in raw_parts]
        elif message["role"] == "tool" and (item.get("tool_call_id") or item.get("id")):
            # An OpenAI-shaped tool message: its content is the tool's result.
            call_id = item.get("tool_call_id") or item.get("id")
            message["parts"] = [{"type": "tool_call_response", "id": call_id,
                                 "response": parse_json_value(item.get("content"))}]  # fmt: skip
        else:
            message["parts"] = content_parts(item.get("content"))
            message["parts"].extend(tool_call_parts(item.get("tool_calls")))
        if item.get("name"):
            message["name"] = str(item["name"])
        if item.get("finish_reason"):
            message["finish_reason"] = str(item["finish_reason"])
        messages.append(message)
    return messages


def normalize_parts(value: Any) -> list[Part]:
    """System instructions: a list of parts (a bare string counts as one text part)."""
    value = parse_json_value(value)
    if isinstance(value, str):
        return [text_part(value)]
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return []
    return [_normalize_part(p) for p in value]


def normalize_tool_definitions(value: Any) -> list[dict[str, Any]]:
    """Tool definitions as a list of objects with at least a name."""
    value = parse_json_value(value)
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return []
    return [dict(d) if isinstance(d, Mapping) else {"name": str(d)} for d in value]


def tool_call_parts(tool_calls: Any) -> list[Part]:
    """``tool_call`` parts from OpenAI-shaped ``tool_calls`` (``{id, function: {name, arguments}}``)."""
    parts: list[Part] = []
    if not isinstance(tool_calls, list):
        return parts
    for call in tool_calls:
        if not isinstance(call, Mapping):
            continue
        function: Mapping[str, Any] = call["function"] if isinstance(call.get("function"), Mapping) else {}
        parts.append(
            {
                "type": "tool_call",
                "id": call.get("id"),
                "name": function.get("name") or call.get("name") or "",
                "arguments": parse_json_value(function.get("arguments", call.get("arguments"))),
            }
        )
    return parts
