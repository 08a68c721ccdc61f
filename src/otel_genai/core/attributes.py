"""Invocation record -> attribute dicts, for the latest and the legacy conventions.

Pure functions: they read an :class:`Invocation` and return plain dicts, so the
telemetry module can build each dict once and share it between the span, the
metrics and the events.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation

Attributes = dict[str, Any]


def sampling_attributes(inv: Invocation) -> Attributes:
    """The attributes samplers may read: set at span start (§1.1)."""
    attrs: Attributes = {
        semconv.OPERATION_NAME: inv.operation,
        semconv.PROVIDER_NAME: inv.provider,
    }
    if inv.request_model is not None:
        attrs[semconv.REQUEST_MODEL] = inv.request_model
    if inv.server_address is not None:
        attrs[semconv.SERVER_ADDRESS] = inv.server_address
        if inv.server_port is not None:
            attrs[semconv.SERVER_PORT] = inv.server_port
    return attrs


def outcome_attributes(inv: Invocation, time_to_first_chunk: float | None) -> Attributes:
    """Everything but the sampling attributes and content, in the latest names.

    Plain reads of each field: this runs for every recorded call (a loop of ``getattr``
    over a table of the fields cost about 12,500 instructions more a call; callgrind).
    """
    attrs: Attributes = {}
    # Request parameters: None means not in the request.
    if inv.temperature is not None:
        attrs[semconv.REQUEST_TEMPERATURE] = inv.temperature
    if inv.top_p is not None:
        attrs[semconv.REQUEST_TOP_P] = inv.top_p
    if inv.top_k is not None:
        attrs[semconv.REQUEST_TOP_K] = inv.top_k
    if inv.max_tokens is not None:
        attrs[semconv.REQUEST_MAX_TOKENS] = inv.max_tokens
    if inv.frequency_penalty is not None:
        attrs[semconv.REQUEST_FREQUENCY_PENALTY] = inv.frequency_penalty
    if inv.presence_penalty is not None:
        attrs[semconv.REQUEST_PRESENCE_PENALTY] = inv.presence_penalty
    if inv.stop_sequences is not None:
        attrs[semconv.REQUEST_STOP_SEQUENCES] = inv.stop_sequences
    if inv.seed is not None:
        attrs[semconv.REQUEST_SEED] = inv.seed
    if inv.output_type is not None:
        attrs[semconv.OUTPUT_TYPE] = inv.output_type
    if inv.reasoning_level is not None:
        attrs[semconv.REQUEST_REASONING_LEVEL] = inv.reasoning_level
    if inv.previous_response_id is not None:
        attrs[semconv.REQUEST_PREVIOUS_RESPONSE_ID] = inv.previous_response_id
    if inv.conversation_id is not None:
        attrs[semconv.CONVERSATION_ID] = inv.conversation_id
    if inv.prompt_name is not None:
        attrs[semconv.PROMPT_NAME] = inv.prompt_name
    if inv.prompt_version is not None:
        attrs[semconv.PROMPT_VERSION] = inv.prompt_version
    if inv.stream_cursor is not None:
        attrs[semconv.REQUEST_STREAM_CURSOR] = inv.stream_cursor
    if inv.encoding_formats is not None:
        attrs[semconv.REQUEST_ENCODING_FORMATS] = inv.encoding_formats
    if inv.dimension_count is not None:
        attrs[semconv.EMBEDDINGS_DIMENSION_COUNT] = inv.dimension_count
    # Response.
    if inv.response_id is not None:
        attrs[semconv.RESPONSE_ID] = inv.response_id
    if inv.response_model is not None:
        attrs[semconv.RESPONSE_MODEL] = inv.response_model
    if inv.finish_reasons is not None:
        attrs[semconv.RESPONSE_FINISH_REASONS] = inv.finish_reasons
    if inv.response_status is not None:
        attrs[semconv.RESPONSE_STATUS] = inv.response_status
    # Token usage.
    if inv.input_tokens is not None:
        attrs[semconv.USAGE_INPUT_TOKENS] = inv.input_tokens
    if inv.output_tokens is not None:
        attrs[semconv.USAGE_OUTPUT_TOKENS] = inv.output_tokens
    if inv.cache_read_input_tokens is not None:
        attrs[semconv.USAGE_CACHE_READ_INPUT_TOKENS] = inv.cache_read_input_tokens
    if inv.cache_write_input_tokens is not None:
        attrs[semconv.USAGE_CACHE_WRITE_INPUT_TOKENS] = inv.cache_write_input_tokens
    if inv.reasoning_output_tokens is not None:
        attrs[semconv.USAGE_REASONING_OUTPUT_TOKENS] = inv.reasoning_output_tokens
    if inv.audio_input_tokens is not None:
        attrs[semconv.USAGE_AUDIO_INPUT_TOKENS] = inv.audio_input_tokens
    if inv.audio_output_tokens is not None:
        attrs[semconv.USAGE_AUDIO_OUTPUT_TOKENS] = inv.audio_output_tokens
    # Failure.
    if inv.error_type is not None:
        attrs[semconv.ERROR_TYPE] = inv.error_type
    # CR "if available, in the request, and != 1".
    if inv.choice_count is not None and inv.choice_count != 1:
        attrs[semconv.REQUEST_CHOICE_COUNT] = inv.choice_count
    # CR "if and only if streaming": unset means non-streaming.
    if inv.stream:
        attrs[semconv.REQUEST_STREAM] = True
        if time_to_first_chunk is not None:
            attrs[semconv.RESPONSE_TIME_TO_FIRST_CHUNK] = time_to_first_chunk
    attrs.update(inv.provider_attributes)
    attrs.update(inv.provider_metric_attributes)
    return attrs


def metric_attributes(inv: Invocation) -> Attributes:
    """The common metric attribute set (§2.1), without error.type or token.type."""
    attrs = sampling_attributes(inv)
    if inv.response_model is not None:
        attrs[semconv.RESPONSE_MODEL] = inv.response_model
    attrs.update(inv.provider_metric_attributes)
    return attrs


def per_chunk_metric_attributes(inv: Invocation) -> Attributes:
    """``time_per_output_chunk`` is recorded for every chunk, so it carries the required
    and conditionally required attributes only: each attribute costs every chunk."""
    attrs: Attributes = {semconv.OPERATION_NAME: inv.operation, semconv.PROVIDER_NAME: inv.provider}
    if inv.request_model is not None:
        attrs[semconv.REQUEST_MODEL] = inv.request_model
    return attrs


def legacy_view(attrs: Attributes) -> Attributes:
    """The same attributes in the pre-1.37 names (``gen_ai.system`` and the renames of
    :data:`~otel_genai.semconv.LEGACY_RENAMES`)."""
    legacy: Attributes = {}
    renames = semconv.LEGACY_RENAMES
    absent = semconv.LEGACY_ABSENT
    for key, value in attrs.items():
        if key in absent:
            continue
        if key == semconv.PROVIDER_NAME:
            legacy[semconv.LEGACY_SYSTEM] = semconv.LEGACY_PROVIDER_VALUES.get(value, value)
        else:
            legacy[renames.get(key, key)] = value
    return legacy


_error_names: dict[type, str] = {}


def error_type_of(exc: BaseException) -> str:
    """A low-cardinality name for ``exc``: ``TimeoutError``, ``client.NotFoundError``.

    Fully qualified, but through the public package when the class is re-exported there
    (``client.NotFoundError``, not ``client._exceptions.NotFoundError``).
    """
    cls = type(exc)
    name = _error_names.get(cls)
    if name is not None:
        return name
    module = cls.__module__ or ""
    qualname = cls.__qualname__
    if module == "builtins" and getattr(builtins, qualname, None) is cls:
        name = qualname
    else:
        top = module.split(".", 1)[0]
        if getattr(sys.modules.get(top), qualname, None) is cls:
            name = f"{top}.{qualname}"
        else:
            name = f"{module}.{qualname}" if module else qualname
    _error_names[cls] = name
    return name
