"""Coexistence with the ``anthropic`` client's own tracing (releases that emit OpenTelemetry spans).

Such a client starts an ``anthropic.messages.create`` span for each API call. Under one of
our inference spans that is the same call a second time: the client's span is replaced by a
non-recording stand-in carrying our span's context, so the call has one model span (ours)
and the client still sends the trace context, now ours, with its requests. Spans of other
calls (count_tokens, batches, files ...) are the client's own business and stay.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from otel_genai import semconv
from otel_genai.core.wrapper import Switch

_log = logging.getLogger(__name__)
_MODULE = "anthropic._base_client"
_FUNCTION = "start_api_call_span"
_OUR_SCOPE = "otel_genai"


def _under_our_inference_span() -> trace.Span | None:
    """The current span, if it is one of our recording inference spans."""
    span = trace.get_current_span()
    if not span.is_recording():
        return None
    scope = getattr(span, "instrumentation_scope", None)
    attributes = getattr(span, "attributes", None) or {}
    if getattr(scope, "name", None) != _OUR_SCOPE:
        return None
    if attributes.get(semconv.OPERATION_NAME) not in semconv.INFERENCE_OPERATIONS:
        return None
    return span


def _stand_in(switch: Switch) -> Callable[..., Any]:
    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        ours = _under_our_inference_span() if switch.on else None
        if ours is None:
            return wrapped(*args, **kwargs)
        return trace.NonRecordingSpan(ours.get_span_context())

    return wrapper


def replace_client_model_spans(switch: Switch) -> bool:
    """Stand in for the client's own model spans; False if this client emits none."""
    try:
        module = importlib.import_module(_MODULE)
    except ImportError:
        return False
    if not callable(getattr(module, _FUNCTION, None)):
        return False
    wrap_function_wrapper(module, _FUNCTION, _stand_in(switch))
    _log.info(
        "otel-genai: the anthropic client's own model spans (anthropic.messages.create) are replaced by "
        "otel-genai's chat spans; pass AnthropicInstrumentor().instrument(client_model_spans=True) to keep both"
    )
    return True


def restore_client_model_spans() -> None:
    unwrap(importlib.import_module(_MODULE), _FUNCTION)
