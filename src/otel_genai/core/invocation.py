"""The provider-neutral record of one model call.

A provider adapter fills an :class:`Invocation` from its client's request, response
and stream chunks; :mod:`otel_genai.core.telemetry` turns it into spans, metrics and
events. Nothing here knows a provider or an OpenTelemetry name, except
``provider_attributes`` and ``provider_metric_attributes``, which carry a provider's own
attribute namespace through the core untouched.

Message parts are plain dicts in the shape of the conventions' JSON schemas
(§4 of the GenAI semantic conventions), built with the constructors below, so that they go
to JSON or to structured event values without another translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Part = dict[str, Any]
AttributeValue = str | bool | int | float | list[str] | list[int] | list[float] | list[bool]


def text_part(content: str) -> Part:
    return {"type": "text", "content": content}


def reasoning_part(content: str) -> Part:
    return {"type": "reasoning", "content": content}


def tool_call_part(call_id: str | None, name: str, arguments: Any) -> Part:
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": arguments}


def tool_call_response_part(call_id: str | None, response: Any) -> Part:
    return {"type": "tool_call_response", "id": call_id, "response": response}


def uri_part(modality: str, uri: str, mime_type: str | None = None) -> Part:
    part: Part = {"type": "uri", "modality": modality, "uri": uri}
    if mime_type:
        part["mime_type"] = mime_type
    return part


def blob_part(modality: str, content: str | bytes, mime_type: str | None = None) -> Part:
    """Inline media; ``content`` is base64 text (or raw bytes, base64-encoded on output)."""
    part: Part = {"type": "blob", "modality": modality, "content": content}
    if mime_type:
        part["mime_type"] = mime_type
    return part


def file_part(modality: str, file_id: str, mime_type: str | None = None) -> Part:
    part: Part = {"type": "file", "modality": modality, "file_id": file_id}
    if mime_type:
        part["mime_type"] = mime_type
    return part


def generic_part(part_type: str, **fields: Any) -> Part:
    return {"type": part_type, **fields}


@dataclass(slots=True)
class Message:
    """One chat message: a role and its parts (input), plus a finish reason (output)."""

    role: str
    parts: list[Part] = field(default_factory=list)
    name: str | None = None
    finish_reason: str | None = None


@dataclass(slots=True)
class ToolDefinition:
    """A tool offered to the model. Only type and name are recorded unless asked."""

    type: str
    name: str
    description: str | None = None
    parameters: Any = None


@dataclass(slots=True, eq=False)
class Invocation:
    """What one model call asked for and got back, in provider-neutral terms."""

    operation: str
    provider: str
    request_model: str | None = None
    server_address: str | None = None
    server_port: int | None = None
    stream: bool = False

    # Request parameters: None means "not in the request".
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop_sequences: list[str] | None = None
    seed: int | None = None
    choice_count: int | None = None
    output_type: str | None = None
    reasoning_level: str | None = None
    previous_response_id: str | None = None
    conversation_id: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    stream_cursor: str | None = None
    encoding_formats: list[str] | None = None
    dimension_count: int | None = None

    # A provider's own attributes, in their latest names: on the span only ...
    provider_attributes: dict[str, AttributeValue] = field(default_factory=dict)
    # ... and on the span and every metric point (keep these few and low in cardinality).
    provider_metric_attributes: dict[str, AttributeValue] = field(default_factory=dict)

    # Content: filled only when some signal will record it.
    system_instructions: list[Part] | None = None
    input_messages: list[Message] | None = None
    tool_definitions: list[ToolDefinition] | None = None
    output_messages: list[Message] | None = None

    # Response.
    response_id: str | None = None
    response_model: str | None = None
    finish_reasons: list[str] | None = None
    response_status: str | None = None
    # The server compacted the conversation's earlier turns (only ever True).
    conversation_compacted: bool | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_write_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None
    audio_input_tokens: int | None = None
    audio_output_tokens: int | None = None

    # Failure: a low-cardinality type name, set by the core from the exception.
    error_type: str | None = None
