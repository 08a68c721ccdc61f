"""OpenAI Chat Completions messages and tools -> neutral messages and parts (§4)."""

from __future__ import annotations

import json
from typing import Any

from otel_genai.core.invocation import (
    Message,
    Part,
    ToolDefinition,
    blob_part,
    file_part,
    generic_part,
    text_part,
    tool_call_part,
    tool_call_response_part,
    uri_part,
)
from otel_genai.instrumentation.fields import field, items, string

# Inside messages the conventions use their own finish reason vocabulary (§4.3).
_MESSAGE_FINISH_REASONS = {"tool_calls": "tool_call", "function_call": "tool_call"}


def message_finish_reason(raw: str | None) -> str | None:
    if raw is None:
        return None
    return _MESSAGE_FINISH_REASONS.get(raw, raw)


def parse_arguments(arguments: Any) -> Any:
    """Tool-call arguments as an object when they are JSON text, else as given."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def _data_url_part(modality: str, url: str) -> Part:
    # data:[<mime>][;base64],<payload> -> a blob; the conventions keep data: URLs out of uri parts.
    header, _, payload = url.partition(",")
    mime = header[5:].split(";", 1)[0] or None
    return blob_part(modality, payload, mime)


def content_part(part: Any) -> Part:
    """One element of a message's ``content`` list."""
    kind = string(field(part, "type")) or "unknown"
    if kind == "text":
        return text_part(string(field(part, "text")) or "")
    if kind == "image_url":
        url = string(field(field(part, "image_url"), "url")) or ""
        return _data_url_part("image", url) if url.startswith("data:") else uri_part("image", url)
    if kind == "input_audio":
        audio = field(part, "input_audio")
        fmt = string(field(audio, "format"))
        return blob_part("audio", string(field(audio, "data")) or "", f"audio/{fmt}" if fmt else None)
    if kind == "file":
        file = field(part, "file")
        file_id = string(field(file, "file_id"))
        if file_id:
            return file_part("document", file_id)
        data = string(field(file, "file_data")) or ""
        return _data_url_part("document", data) if data.startswith("data:") else blob_part("document", data)
    if kind == "refusal":
        return generic_part("refusal", content=string(field(part, "refusal")))
    return generic_part(kind)


def _content_parts(content: Any) -> list[Part]:
    if isinstance(content, str):
        return [text_part(content)]
    return [content_part(p) for p in items(content)]


def _tool_call_parts(message: Any) -> list[Part]:
    parts = []
    for call in items(field(message, "tool_calls")):
        function = field(call, "function")
        if function is not None:
            parts.append(
                tool_call_part(
                    string(field(call, "id")),
                    string(field(function, "name")) or "",
                    parse_arguments(field(function, "arguments")),
                )
            )
        else:  # custom tools carry their input as free text
            custom = field(call, "custom")
            parts.append(
                tool_call_part(string(field(call, "id")), string(field(custom, "name")) or "", field(custom, "input"))
            )
    legacy_call = field(message, "function_call")
    if legacy_call is not None:
        parts.append(
            tool_call_part(
                None, string(field(legacy_call, "name")) or "", parse_arguments(field(legacy_call, "arguments"))
            )
        )
    return parts


def _tool_response(content: Any) -> Any:
    if isinstance(content, str):
        return content
    texts = [string(field(p, "text")) or "" for p in items(content)]
    return "".join(texts)


def input_message(message: Any) -> Message:
    """One entry of the request's ``messages``."""
    role = string(field(message, "role")) or "user"
    name = string(field(message, "name"))
    content = field(message, "content")
    if role in ("tool", "function"):
        call_id = string(field(message, "tool_call_id"))
        return Message("tool", [tool_call_response_part(call_id, _tool_response(content))], name=name)
    parts = _content_parts(content) if content is not None else []
    refusal = string(field(message, "refusal"))
    if refusal:
        parts.append(generic_part("refusal", content=refusal))
    if role == "assistant":
        parts.extend(_tool_call_parts(message))
    return Message(role, parts, name=name)


def output_message(message: Any, raw_finish_reason: str | None) -> Message:
    """One choice's message in a response."""
    role = string(field(message, "role")) or "assistant"
    parts: list[Part] = []
    text = string(field(message, "content"))
    if text:
        parts.append(text_part(text))
    refusal = string(field(message, "refusal"))
    if refusal:
        parts.append(generic_part("refusal", content=refusal))
    audio = field(message, "audio")
    transcript = string(field(audio, "transcript"))
    if transcript:
        parts.append(generic_part("audio_transcript", content=transcript, id=string(field(audio, "id"))))
    parts.extend(_tool_call_parts(message))
    return Message(role, parts, finish_reason=message_finish_reason(raw_finish_reason))


def tool_definitions(tools: Any) -> list[ToolDefinition]:
    definitions = []
    for tool in items(tools):
        kind = string(field(tool, "type")) or "function"
        spec = field(tool, kind)
        name = string(field(spec, "name")) or string(field(tool, "name")) or kind
        definitions.append(ToolDefinition(kind, name, string(field(spec, "description")), field(spec, "parameters")))
    return definitions
