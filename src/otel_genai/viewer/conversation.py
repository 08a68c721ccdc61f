"""Rebuild the conversation of one GenAI span from whatever convention its telemetry used.

Sources, most preferred first, chosen field by field:

1. span attributes ``gen_ai.system_instructions`` / ``gen_ai.input.messages`` /
   ``gen_ai.output.messages`` / ``gen_ai.tool.definitions`` (JSON strings or structured);
2. the same attributes, structured, on the ``gen_ai.client.inference.operation.details``
   log event emitted in the span's context;
3. the older per-message log events (``gen_ai.system.message``, ``gen_ai.user.message``,
   ``gen_ai.assistant.message``, ``gen_ai.tool.message``, ``gen_ai.choice``), also accepted
   as span events, and the even older ``gen_ai.prompt``/``gen_ai.completion`` shapes.

Everything comes out in the latest message/part shape, so the page renders one shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.viewer import genai_names as gn

Message = dict[str, Any]
Part = dict[str, Any]

SOURCE_SPAN = "span attributes"
SOURCE_DETAILS = f"{gn.DETAILS_EVENT} event"
SOURCE_LEGACY = "per-message events"
SOURCE_FLAT = "gen_ai.prompt/gen_ai.completion attributes"

_FLAT_KEY = re.compile(r"^gen_ai\.(prompt|completion)\.(\d+)\.(.+)$")


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


def _text_part(content: Any) -> Part:
    return {"type": "text", "content": content if isinstance(content, str) else json.dumps(content)}


def _content_parts(content: Any) -> list[Part]:
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
                parts.append(_text_part(block))
        return parts
    return [_text_part(content)]


def _normalize_part(part: Any) -> Part:
    if isinstance(part, Mapping) and isinstance(part.get("type"), str):
        normalized = dict(part)
        if normalized["type"] in ("tool_call", "server_tool_call"):
            normalized["arguments"] = parse_json_value(normalized.get("arguments"))
        return normalized
    return _text_part(part)


def normalize_messages(value: Any, *, output: bool = False) -> list[Message]:
    """Messages in the ``{role, parts, name?, finish_reason?}`` shape from a captured value."""
    value = parse_json_value(value)
    if isinstance(value, str):
        # Not JSON (e.g. truncated by the instrumentation): show it as one text message.
        return [{"role": "assistant" if output else "user", "parts": [_text_part(value)]}]
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return []
    messages: list[Message] = []
    for item in value:
        if not isinstance(item, Mapping):
            messages.append({"role": "unknown", "parts": [_text_part(item)]})
            continue
        message: Message = {"role": str(item.get("role") or ("assistant" if output else "user"))}
        raw_parts = item.get("parts")
        if isinstance(raw_parts, list):
            message["parts"] = [_normalize_part(p) for p in raw_parts]
        else:
            message["parts"] = _content_parts(item.get("content"))
            message["parts"].extend(_legacy_tool_calls(item.get("tool_calls")))
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
        return [_text_part(value)]
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


def _legacy_tool_calls(tool_calls: Any) -> list[Part]:
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


def _legacy_message(event_name: str, body: Mapping[str, Any]) -> Message:
    role = str(body.get("role") or gn.LEGACY_MESSAGE_ROLES[event_name])
    if event_name == gn.LEGACY_TOOL_MESSAGE:
        part: Part = {"type": "tool_call_response", "response": parse_json_value(body.get("content"))}
        if body.get("id"):
            part["id"] = body["id"]
        return {"role": role, "parts": [part]}
    parts = _content_parts(body.get("content")) + _legacy_tool_calls(body.get("tool_calls"))
    return {"role": role, "parts": parts}


def _legacy_choice(body: Mapping[str, Any]) -> tuple[int, Message]:
    inner: Mapping[str, Any] = body["message"] if isinstance(body.get("message"), Mapping) else {}
    parts = _content_parts(inner.get("content"))
    parts += _legacy_tool_calls(body.get("tool_calls") or inner.get("tool_calls"))
    message: Message = {"role": str(inner.get("role") or "assistant"), "parts": parts}
    if body.get("finish_reason"):
        message["finish_reason"] = str(body["finish_reason"])
    index = body.get("index")
    return (index if isinstance(index, int) else 0), message


def legacy_conversation(events: Sequence[tuple[str, Any]]) -> tuple[list[Message], list[Message]]:
    """Input and output messages from ``(event name, body)`` pairs in emission order."""
    inputs: list[Message] = []
    choices: list[tuple[int, Message]] = []
    for name, body in events:
        body = parse_json_value(body)
        if not isinstance(body, Mapping):
            body = {"content": body} if body is not None else {}
        if name in gn.LEGACY_MESSAGE_ROLES:
            inputs.append(_legacy_message(name, body))
        elif name == gn.LEGACY_CHOICE:
            choices.append(_legacy_choice(body))
    choices.sort(key=lambda pair: pair[0])
    return inputs, [message for _, message in choices]


def _flat_messages(attributes: Mapping[str, Any], prefix: str) -> list[Message]:
    """OpenLLMetry-style ``gen_ai.prompt.0.role`` / ``gen_ai.prompt.0.content`` attributes."""
    by_index: dict[int, dict[str, Any]] = {}
    for key, value in attributes.items():
        match = _FLAT_KEY.match(key)
        if match and match.group(1) == prefix:
            by_index.setdefault(int(match.group(2)), {})[match.group(3)] = value
    return normalize_messages([by_index[i] for i in sorted(by_index)], output=prefix == "completion")


def build_conversation(
    span_attributes: Mapping[str, Any],
    span_events: Sequence[Mapping[str, Any]],
    log_events: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The conversation of one span.

    ``span_events`` are ``{name, attributes}`` dicts; ``log_events`` are the span's log
    records as ``{event_name, body, attributes}`` dicts in emission order.
    """
    details = next((e["attributes"] for e in log_events if e["event_name"] == gn.DETAILS_EVENT), None)
    legacy = [(e["event_name"], e["body"]) for e in log_events if e["event_name"] in gn.LEGACY_EVENTS]
    legacy += [(e["name"], e.get("attributes")) for e in span_events if e.get("name") in gn.LEGACY_EVENTS]
    legacy_inputs, legacy_outputs = legacy_conversation(legacy)

    result: dict[str, Any] = {"sources": []}

    def pick(attribute: str, legacy_value: list[Any], normalize: Any) -> list[Any]:
        for source, attrs in ((SOURCE_SPAN, span_attributes), (SOURCE_DETAILS, details)):
            if attrs is not None and attrs.get(attribute) is not None:
                if source not in result["sources"]:
                    result["sources"].append(source)
                return normalize(attrs[attribute])  # type: ignore[no-any-return]
        if legacy_value:
            if SOURCE_LEGACY not in result["sources"]:
                result["sources"].append(SOURCE_LEGACY)
            return legacy_value
        return []

    result["system_instructions"] = pick(gn.SYSTEM_INSTRUCTIONS, [], normalize_parts)
    result["input_messages"] = pick(gn.INPUT_MESSAGES, legacy_inputs, normalize_messages)
    result["output_messages"] = pick(gn.OUTPUT_MESSAGES, legacy_outputs, lambda v: normalize_messages(v, output=True))
    result["tool_definitions"] = pick(gn.TOOL_DEFINITIONS, [], normalize_tool_definitions)

    if not result["input_messages"] and not result["output_messages"]:
        flat_in = _flat_messages(span_attributes, "prompt")
        flat_out = _flat_messages(span_attributes, "completion")
        if flat_in or flat_out:
            result["input_messages"], result["output_messages"] = flat_in, flat_out
            result["sources"].append(SOURCE_FLAT)
    return result
