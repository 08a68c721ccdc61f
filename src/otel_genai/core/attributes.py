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


#: Record field -> attribute, for the fields recorded whenever they are set.
_OPTIONAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("temperature", semconv.REQUEST_TEMPERATURE),
    ("top_p", semconv.REQUEST_TOP_P),
    ("top_k", semconv.REQUEST_TOP_K),
    ("max_tokens", semconv.REQUEST_MAX_TOKENS),
    ("frequency_penalty", semconv.REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", semconv.REQUEST_PRESENCE_PENALTY),
    ("stop_sequences", semconv.REQUEST_STOP_SEQUENCES),
    ("seed", semconv.REQUEST_SEED),
    ("output_type", semconv.OUTPUT_TYPE),
    ("reasoning_level", semconv.REQUEST_REASONING_LEVEL),
    ("previous_response_id", semconv.REQUEST_PREVIOUS_RESPONSE_ID),
    ("conversation_id", semconv.CONVERSATION_ID),
    ("prompt_name", semconv.PROMPT_NAME),
    ("prompt_version", semconv.PROMPT_VERSION),
    ("stream_cursor", semconv.REQUEST_STREAM_CURSOR),
    ("encoding_formats", semconv.REQUEST_ENCODING_FORMATS),
    ("dimension_count", semconv.EMBEDDINGS_DIMENSION_COUNT),
    ("response_id", semconv.RESPONSE_ID),
    ("response_model", semconv.RESPONSE_MODEL),
    ("finish_reasons", semconv.RESPONSE_FINISH_REASONS),
    ("response_status", semconv.RESPONSE_STATUS),
    ("conversation_compacted", semconv.CONVERSATION_COMPACTED),
    ("input_tokens", semconv.USAGE_INPUT_TOKENS),
    ("output_tokens", semconv.USAGE_OUTPUT_TOKENS),
    ("cache_read_input_tokens", semconv.USAGE_CACHE_READ_INPUT_TOKENS),
    ("cache_write_input_tokens", semconv.USAGE_CACHE_WRITE_INPUT_TOKENS),
    ("reasoning_output_tokens", semconv.USAGE_REASONING_OUTPUT_TOKENS),
    ("audio_input_tokens", semconv.USAGE_AUDIO_INPUT_TOKENS),
    ("audio_output_tokens", semconv.USAGE_AUDIO_OUTPUT_TOKENS),
    ("error_type", semconv.ERROR_TYPE),
)


def outcome_attributes(inv: Invocation, time_to_first_chunk: float | None) -> Attributes:
    """Everything but the sampling attributes and content, in the latest names."""
    attrs: Attributes = {}
    for name, key in _OPTIONAL_FIELDS:
        value = getattr(inv, name)
        if value is not None:
            attrs[key] = value
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
