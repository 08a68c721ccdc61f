"""The OpenTelemetry GenAI conventions on span attributes: the latest, and the older spellings.

Latest: ``gen_ai.provider.name``, ``gen_ai.usage.input_tokens``... with content in
``gen_ai.input.messages`` & co. Older (up to 1.36): ``gen_ai.system``,
``gen_ai.usage.prompt_tokens``, ``gen_ai.usage.cache_creation.input_tokens``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.conversation import (
    normalize_messages,
    normalize_parts,
    normalize_tool_definitions,
    parse_json_value,
)
from otel_genai.viewer.dialects.record import CallRecord, CallSummary, Conversation, ToolExecution
from otel_genai.viewer.dialects.values import as_int, as_seconds, as_text, dumps, string_list

LATEST = "OpenTelemetry GenAI conventions"
BEFORE_1_37 = "OpenTelemetry GenAI conventions before 1.37"
SOURCE = "span attributes"

# Any of these marks a span as a GenAI span in this dialect.
MARKERS = frozenset({
    gn.OPERATION, gn.PROVIDER, gn.LEGACY_SYSTEM, gn.REQUEST_MODEL, gn.RESPONSE_MODEL, *gn.SEARCHABLE_ATTRIBUTES,
})  # fmt: skip
_CACHE_WRITE_NAMES = (gn.CACHE_WRITE_TOKENS, gn.LEGACY_CACHE_CREATION_TOKENS)


def speaks(attributes: Mapping[str, Any]) -> bool:
    return not MARKERS.isdisjoint(attributes)


def summary(attributes: Mapping[str, Any]) -> CallSummary:
    return CallSummary(
        operation=as_text(attributes.get(gn.OPERATION)),
        provider=as_text(gn.first_present(attributes, gn.PROVIDER, gn.LEGACY_SYSTEM)),
        model=as_text(gn.first_present(attributes, gn.REQUEST_MODEL, gn.RESPONSE_MODEL)),
        input_tokens=as_int(gn.first_present(attributes, gn.INPUT_TOKENS, gn.LEGACY_PROMPT_TOKENS)),
        output_tokens=as_int(gn.first_present(attributes, gn.OUTPUT_TOKENS, gn.LEGACY_COMPLETION_TOKENS)),
        cache_read_tokens=as_int(attributes.get(gn.CACHE_READ_TOKENS)),
        cache_write_tokens=as_int(gn.first_present(attributes, *_CACHE_WRITE_NAMES)),
        reasoning_tokens=as_int(attributes.get(gn.REASONING_TOKENS)),
        conversation_id=as_text(attributes.get(gn.CONVERSATION_ID)),
    )


def search_text(attributes: Mapping[str, Any]) -> str:
    """The captured conversation content of a span or event, as searchable text."""
    parts = []
    for name in gn.SEARCHABLE_ATTRIBUTES:
        value = attributes.get(name)
        if value is not None:
            parts.append(value if isinstance(value, str) else dumps(value))
    return "\n".join(parts)


def content(attributes: Mapping[str, Any], conversation: Conversation, source: str) -> None:
    """Fill the pieces of ``conversation`` still empty from content attributes (span or details event)."""
    pieces = (
        ("system_instructions", gn.SYSTEM_INSTRUCTIONS, normalize_parts),
        ("input_messages", gn.INPUT_MESSAGES, normalize_messages),
        ("output_messages", gn.OUTPUT_MESSAGES, lambda value: normalize_messages(value, output=True)),
        ("tool_definitions", gn.TOOL_DEFINITIONS, normalize_tool_definitions),
    )
    for field, name, normalize in pieces:
        value = attributes.get(name)
        if value is not None and not getattr(conversation, field):
            setattr(conversation, field, normalize(value))
            conversation.add_source(source)


def tool_execution(attributes: Mapping[str, Any]) -> ToolExecution | None:
    """What an execute_tool span ran: the tool, its call id, arguments and result."""
    name = attributes.get(gn.TOOL_NAME)
    if name is None and attributes.get(gn.OPERATION) != "execute_tool":
        return None
    return ToolExecution(
        name=name,
        type=attributes.get(gn.TOOL_TYPE),
        call_id=attributes.get(gn.TOOL_CALL_ID),
        arguments=parse_json_value(attributes.get(gn.TOOL_CALL_ARGUMENTS)),
        result=parse_json_value(attributes.get(gn.TOOL_CALL_RESULT)),
    )


def read(attributes: Mapping[str, Any]) -> CallRecord:
    older = gn.PROVIDER not in attributes and gn.LEGACY_SYSTEM in attributes
    record = CallRecord(
        dialect=BEFORE_1_37 if older else LATEST,
        summary=summary(attributes),
        request_model=attributes.get(gn.REQUEST_MODEL),
        response_model=attributes.get(gn.RESPONSE_MODEL),
        finish_reasons=string_list(attributes.get(gn.FINISH_REASONS)),
        time_to_first_chunk_s=as_seconds(attributes.get(gn.TIME_TO_FIRST_CHUNK)),
        tool=tool_execution(attributes),
    )
    content(attributes, record.conversation, SOURCE)
    return record
