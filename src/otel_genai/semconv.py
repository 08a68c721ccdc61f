"""Every telemetry name otel-genai emits, in one place.

Names come from ``opentelemetry-semantic-conventions`` where that package has them;
the ones it lacks (newer GenAI conventions, see ``../shared/semconv.md`` §6.4) are
defined here. The legacy (pre-1.37) names used by ``OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_legacy``
live here too, with the table that maps latest names to them.
"""

from __future__ import annotations

from typing import Final

from opentelemetry.semconv._incubating.attributes import azure_attributes as _azure
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as _gen_ai
from opentelemetry.semconv._incubating.attributes import openai_attributes as _openai
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics as _gen_ai_metrics
from opentelemetry.semconv.attributes import error_attributes as _error
from opentelemetry.semconv.attributes import exception_attributes as _exception
from opentelemetry.semconv.attributes import server_attributes as _server

# --- span and metric attributes (latest conventions) ---------------------------------
OPERATION_NAME: Final = _gen_ai.GEN_AI_OPERATION_NAME
PROVIDER_NAME: Final = _gen_ai.GEN_AI_PROVIDER_NAME
REQUEST_MODEL: Final = _gen_ai.GEN_AI_REQUEST_MODEL
REQUEST_TEMPERATURE: Final = _gen_ai.GEN_AI_REQUEST_TEMPERATURE
REQUEST_TOP_P: Final = _gen_ai.GEN_AI_REQUEST_TOP_P
REQUEST_TOP_K: Final = _gen_ai.GEN_AI_REQUEST_TOP_K
REQUEST_MAX_TOKENS: Final = _gen_ai.GEN_AI_REQUEST_MAX_TOKENS
REQUEST_FREQUENCY_PENALTY: Final = _gen_ai.GEN_AI_REQUEST_FREQUENCY_PENALTY
REQUEST_PRESENCE_PENALTY: Final = _gen_ai.GEN_AI_REQUEST_PRESENCE_PENALTY
REQUEST_STOP_SEQUENCES: Final = _gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES
REQUEST_SEED: Final = _gen_ai.GEN_AI_REQUEST_SEED
REQUEST_CHOICE_COUNT: Final = _gen_ai.GEN_AI_REQUEST_CHOICE_COUNT
REQUEST_STREAM: Final = _gen_ai.GEN_AI_REQUEST_STREAM
REQUEST_ENCODING_FORMATS: Final = _gen_ai.GEN_AI_REQUEST_ENCODING_FORMATS
REQUEST_REASONING_LEVEL: Final = "gen_ai.request.reasoning.level"
REQUEST_PREVIOUS_RESPONSE_ID: Final = "gen_ai.request.previous_response.id"
# The fetch_response span (semantic-conventions-genai #353).
REQUEST_STREAM_CURSOR: Final = "gen_ai.request.stream_cursor"
RESPONSE_STATUS: Final = "gen_ai.response.status"
# Server-side compaction of the conversation (semantic-conventions-genai #162): only ever true.
CONVERSATION_COMPACTED: Final = "gen_ai.conversation.compacted"
PROMPT_NAME: Final = _gen_ai.GEN_AI_PROMPT_NAME
PROMPT_VERSION: Final = "gen_ai.prompt.version"
OUTPUT_TYPE: Final = _gen_ai.GEN_AI_OUTPUT_TYPE
CONVERSATION_ID: Final = _gen_ai.GEN_AI_CONVERSATION_ID
EMBEDDINGS_DIMENSION_COUNT: Final = _gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT
RESPONSE_ID: Final = _gen_ai.GEN_AI_RESPONSE_ID
RESPONSE_MODEL: Final = _gen_ai.GEN_AI_RESPONSE_MODEL
RESPONSE_FINISH_REASONS: Final = _gen_ai.GEN_AI_RESPONSE_FINISH_REASONS
RESPONSE_TIME_TO_FIRST_CHUNK: Final = _gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK
USAGE_INPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_INPUT_TOKENS
USAGE_OUTPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS
USAGE_CACHE_READ_INPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS
# Renamed from gen_ai.usage.cache_creation.input_tokens by semantic-conventions-genai #440.
USAGE_CACHE_WRITE_INPUT_TOKENS: Final = "gen_ai.usage.cache_write.input_tokens"
USAGE_REASONING_OUTPUT_TOKENS: Final = _gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS
# Per-modality usage, semantic-conventions-genai #440.
USAGE_AUDIO_INPUT_TOKENS: Final = "gen_ai.usage.audio.input_tokens"
USAGE_AUDIO_OUTPUT_TOKENS: Final = "gen_ai.usage.audio.output_tokens"
TOKEN_TYPE: Final = _gen_ai.GEN_AI_TOKEN_TYPE
SYSTEM_INSTRUCTIONS: Final = _gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS
INPUT_MESSAGES: Final = _gen_ai.GEN_AI_INPUT_MESSAGES
OUTPUT_MESSAGES: Final = _gen_ai.GEN_AI_OUTPUT_MESSAGES
TOOL_DEFINITIONS: Final = _gen_ai.GEN_AI_TOOL_DEFINITIONS
ERROR_TYPE: Final = _error.ERROR_TYPE
# Agent and tool spans (§1.6, §1.7).
AGENT_NAME: Final = _gen_ai.GEN_AI_AGENT_NAME
AGENT_ID: Final = _gen_ai.GEN_AI_AGENT_ID
AGENT_DESCRIPTION: Final = _gen_ai.GEN_AI_AGENT_DESCRIPTION
AGENT_VERSION: Final = _gen_ai.GEN_AI_AGENT_VERSION
TOOL_NAME: Final = _gen_ai.GEN_AI_TOOL_NAME
TOOL_TYPE: Final = _gen_ai.GEN_AI_TOOL_TYPE
TOOL_DESCRIPTION: Final = _gen_ai.GEN_AI_TOOL_DESCRIPTION
TOOL_CALL_ID: Final = _gen_ai.GEN_AI_TOOL_CALL_ID
TOOL_CALL_ARGUMENTS: Final = _gen_ai.GEN_AI_TOOL_CALL_ARGUMENTS
TOOL_CALL_RESULT: Final = _gen_ai.GEN_AI_TOOL_CALL_RESULT
SERVER_ADDRESS: Final = _server.SERVER_ADDRESS
SERVER_PORT: Final = _server.SERVER_PORT

AZURE_RESOURCE_PROVIDER_NAMESPACE: Final = _azure.AZURE_RESOURCE_PROVIDER_NAMESPACE
AZURE_COGNITIVE_SERVICES: Final = "Microsoft.CognitiveServices"

OPENAI_API_TYPE: Final = _openai.OPENAI_API_TYPE
OPENAI_REQUEST_SERVICE_TIER: Final = _openai.OPENAI_REQUEST_SERVICE_TIER
OPENAI_RESPONSE_SERVICE_TIER: Final = _openai.OPENAI_RESPONSE_SERVICE_TIER
OPENAI_RESPONSE_SYSTEM_FINGERPRINT: Final = _openai.OPENAI_RESPONSE_SYSTEM_FINGERPRINT

# --- well-known values ---------------------------------------------------------------
OP_CHAT: Final = "chat"
OP_TEXT_COMPLETION: Final = "text_completion"
OP_EMBEDDINGS: Final = "embeddings"
OP_FETCH_RESPONSE: Final = "fetch_response"
OP_GENERATE_CONTENT: Final = "generate_content"
OP_INVOKE_AGENT: Final = "invoke_agent"
OP_EXECUTE_TOOL: Final = "execute_tool"
TOOL_TYPE_FUNCTION: Final = "function"
# Operations whose calls are inference: the details event is defined for these.
INFERENCE_OPERATIONS: Final = frozenset({OP_CHAT, OP_TEXT_COMPLETION, OP_GENERATE_CONTENT})
PROVIDER_OPENAI: Final = "openai"
PROVIDER_AZURE_OPENAI: Final = "azure.ai.openai"
PROVIDER_ANTHROPIC: Final = "anthropic"
PROVIDER_AWS_BEDROCK: Final = "aws.bedrock"
PROVIDER_GCP_VERTEX_AI: Final = "gcp.vertex_ai"
TOKEN_TYPE_INPUT: Final = "input"
TOKEN_TYPE_OUTPUT: Final = "output"
# error.type when a stream was garbage-collected before it was consumed or closed.
ERROR_STREAM_ABANDONED: Final = "otel_genai.stream_abandoned"
# error.type when a stream ended (cleanly, to the client) before its terminal event: the
# server or a proxy cut the answer short.
ERROR_STREAM_INCOMPLETE: Final = "otel_genai.stream_incomplete"
# The conventions' fallback error.type, for a failure that names no code.
ERROR_TYPE_OTHER: Final = "_OTHER"

# --- metrics (§2.1) ------------------------------------------------------------------
METRIC_OPERATION_DURATION: Final = _gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION
METRIC_TOKEN_USAGE: Final = _gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE
METRIC_TIME_TO_FIRST_CHUNK: Final = _gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK
METRIC_TIME_PER_OUTPUT_CHUNK: Final = _gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK
DURATION_BUCKETS: Final = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
# Agent and tool metrics (§2.3): not in opentelemetry-semantic-conventions yet.
METRIC_INVOKE_AGENT_DURATION: Final = "gen_ai.invoke_agent.duration"
METRIC_EXECUTE_TOOL_DURATION: Final = "gen_ai.execute_tool.duration"
AGENT_DURATION_BUCKETS: Final = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6)
TOKEN_BUCKETS: Final = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip

# --- events (§3) ---------------------------------------------------------------------
EVENT_INFERENCE_DETAILS: Final = "gen_ai.client.inference.operation.details"
# A failed call (core v1.41.0): WARN severity, with the exception.* attributes.
EVENT_OPERATION_EXCEPTION: Final = "gen_ai.client.operation.exception"
EXCEPTION_TYPE: Final = _exception.EXCEPTION_TYPE
EXCEPTION_MESSAGE: Final = _exception.EXCEPTION_MESSAGE
EXCEPTION_STACKTRACE: Final = _exception.EXCEPTION_STACKTRACE

# --- legacy conventions (core <= 1.36, §1.3 and §3.2) ----------------------------------
LEGACY_SYSTEM: Final = _gen_ai.GEN_AI_SYSTEM
LEGACY_EVENT_SYSTEM_MESSAGE: Final = "gen_ai.system.message"
LEGACY_EVENT_USER_MESSAGE: Final = "gen_ai.user.message"
LEGACY_EVENT_ASSISTANT_MESSAGE: Final = "gen_ai.assistant.message"
LEGACY_EVENT_TOOL_MESSAGE: Final = "gen_ai.tool.message"
LEGACY_EVENT_CHOICE: Final = "gen_ai.choice"

# Latest name -> its pre-1.37 name. Attributes absent from this table and from
# LEGACY_ABSENT keep their name in the legacy shape.
LEGACY_RENAMES: Final[dict[str, str]] = {
    PROVIDER_NAME: LEGACY_SYSTEM,
    OPENAI_REQUEST_SERVICE_TIER: _gen_ai.GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
    OPENAI_RESPONSE_SERVICE_TIER: _gen_ai.GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
    OPENAI_RESPONSE_SYSTEM_FINGERPRINT: _gen_ai.GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    OUTPUT_TYPE: _gen_ai.GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT,
}
# Latest names that the pre-1.37 conventions did not have at all.
LEGACY_ABSENT: Final = frozenset(
    {
        AZURE_RESOURCE_PROVIDER_NAMESPACE,
        OPENAI_API_TYPE,
        REQUEST_STREAM,
        REQUEST_REASONING_LEVEL,
        REQUEST_PREVIOUS_RESPONSE_ID,
        REQUEST_STREAM_CURSOR,
        RESPONSE_STATUS,
        CONVERSATION_COMPACTED,
        PROMPT_NAME,
        PROMPT_VERSION,
        RESPONSE_TIME_TO_FIRST_CHUNK,
        USAGE_CACHE_READ_INPUT_TOKENS,
        USAGE_CACHE_WRITE_INPUT_TOKENS,
        USAGE_REASONING_OUTPUT_TOKENS,
        USAGE_AUDIO_INPUT_TOKENS,
        USAGE_AUDIO_OUTPUT_TOKENS,
        EMBEDDINGS_DIMENSION_COUNT,
        SYSTEM_INSTRUCTIONS,
        INPUT_MESSAGES,
        OUTPUT_MESSAGES,
        TOOL_DEFINITIONS,
    }
)
# Legacy provider values where they differ from the latest ones (core <= 1.36 enum).
LEGACY_PROVIDER_VALUES: Final[dict[str, str]] = {
    PROVIDER_AZURE_OPENAI: "az.ai.openai",
    "x_ai": "xai",
    PROVIDER_GCP_VERTEX_AI: "vertex_ai",
}

# --- environment variables -------------------------------------------------------------
ENV_CAPTURE_MESSAGE_CONTENT: Final = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
ENV_EMIT_EVENT: Final = "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"
ENV_SEMCONV_STABILITY_OPT_IN: Final = "OTEL_SEMCONV_STABILITY_OPT_IN"
ENV_MAX_CONTENT_LENGTH: Final = "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH"
ENV_MAX_BLOB_LENGTH: Final = "OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH"
ENV_PROVIDER_NAME: Final = "OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME"
ENV_EMIT_EXCEPTION_EVENT: Final = "OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT"
