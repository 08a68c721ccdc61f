"""GenAI semantic-convention names the viewer reads, latest and older spellings.

The viewer keeps its own copy on purpose: it must read telemetry from any
instrumentation, in any convention version, and depends on nothing else in this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OPERATION = "gen_ai.operation.name"
PROVIDER = "gen_ai.provider.name"
LEGACY_SYSTEM = "gen_ai.system"  # renamed to gen_ai.provider.name in semconv 1.37
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
CONVERSATION_ID = "gen_ai.conversation.id"
FINISH_REASONS = "gen_ai.response.finish_reasons"
TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
ERROR_TYPE = "error.type"
AGENT_NAME = "gen_ai.agent.name"
TOOL_NAME = "gen_ai.tool.name"
TOOL_TYPE = "gen_ai.tool.type"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"

INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
LEGACY_PROMPT_TOKENS = "gen_ai.usage.prompt_tokens"
LEGACY_COMPLETION_TOKENS = "gen_ai.usage.completion_tokens"
CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
CACHE_WRITE_TOKENS = "gen_ai.usage.cache_write.input_tokens"
LEGACY_CACHE_CREATION_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
REASONING_TOKENS = "gen_ai.usage.reasoning.output_tokens"

SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
TOOL_DEFINITIONS = "gen_ai.tool.definitions"
CONTENT_ATTRIBUTES = (SYSTEM_INSTRUCTIONS, INPUT_MESSAGES, OUTPUT_MESSAGES, TOOL_DEFINITIONS)
# Captured text that search covers: the conversation plus what execute_tool spans record.
SEARCHABLE_ATTRIBUTES = (*CONTENT_ATTRIBUTES, TOOL_CALL_ARGUMENTS, TOOL_CALL_RESULT)

# Log-based events. The name is in LogRecord.event_name (OTLP 1.5+) or, from older SDKs,
# in the `event.name` attribute.
EVENT_NAME_ATTRIBUTE = "event.name"
DETAILS_EVENT = "gen_ai.client.inference.operation.details"
EXCEPTION_EVENT = "gen_ai.client.operation.exception"
LEGACY_SYSTEM_MESSAGE = "gen_ai.system.message"
LEGACY_USER_MESSAGE = "gen_ai.user.message"
LEGACY_ASSISTANT_MESSAGE = "gen_ai.assistant.message"
LEGACY_TOOL_MESSAGE = "gen_ai.tool.message"
LEGACY_CHOICE = "gen_ai.choice"
LEGACY_MESSAGE_ROLES = {
    LEGACY_SYSTEM_MESSAGE: "system",
    LEGACY_USER_MESSAGE: "user",
    LEGACY_ASSISTANT_MESSAGE: "assistant",
    LEGACY_TOOL_MESSAGE: "tool",
}
LEGACY_EVENTS = frozenset({*LEGACY_MESSAGE_ROLES, LEGACY_CHOICE})

# Metrics the overview reads.
METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration"
METRIC_TOKEN_USAGE = "gen_ai.client.token.usage"
METRIC_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
TOKEN_TYPE = "gen_ai.token.type"


def first_present(attributes: Mapping[str, Any], *names: str) -> Any:
    """The value of the first of ``names`` that ``attributes`` has, else None."""
    for name in names:
        value = attributes.get(name)
        if value is not None:
            return value
    return None
