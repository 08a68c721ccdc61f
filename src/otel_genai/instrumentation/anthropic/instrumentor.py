"""``AnthropicInstrumentor``: patches the Anthropic client's methods with the core wrapper."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Collection
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from otel_genai import semconv
from otel_genai.config import Settings
from otel_genai.core.adapter import Operation
from otel_genai.core.client_instrumentor import ClientInstrumentor, ClientTables
from otel_genai.core.delivery import ClientTypes
from otel_genai.core.wrapper import Switch

_INSTRUMENTS = ("anthropic >= 0.49",)


def client_types() -> ClientTypes:
    """The anthropic client's stream and raw-response classes."""
    from anthropic import AsyncStream, Stream
    from anthropic._response import APIResponse, AsyncAPIResponse

    try:  # with_raw_response's class in older clients (its body is read already)
        from anthropic._legacy_response import LegacyAPIResponse
    except ImportError:
        LegacyAPIResponse = None  # type: ignore[assignment,misc]  # noqa: N806
    # In recent clients with_raw_response and with_streaming_response both give an APIResponse:
    # the call is read when the caller parses it (or ends when the response object goes).
    streaming = (APIResponse, AsyncAPIResponse)
    return ClientTypes(Stream, AsyncStream, raw_response=LegacyAPIResponse, streaming_responses=streaming)


# --- Coexistence with the client's own tracing ------------------------------------------
# Recent anthropic releases start an ``anthropic.messages.create`` span for each API call.
# Under one of our inference spans that is the same call a second time: the client's span is
# replaced by a non-recording stand-in carrying our span's context, so the call has one model
# span (ours) and the client still sends the trace context, now ours, with its requests.
# Spans of other calls (count_tokens, batches, files ...) are the client's own and stay.

_log = logging.getLogger(__name__)
_CLIENT_MODULE = "anthropic._base_client"
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
        module = importlib.import_module(_CLIENT_MODULE)
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
    unwrap(importlib.import_module(_CLIENT_MODULE), _FUNCTION)


class AnthropicInstrumentor(ClientInstrumentor):
    """Instruments the Anthropic Python client (``anthropic`` 0.49 and later), including
    ``AnthropicBedrock`` and ``AnthropicVertex``.

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default); ``content_hook`` (see ``OpenAIInstrumentor``); ``provider_name``:
    the ``gen_ai.provider.name`` of every call; ``client_model_spans``: True keeps the client's
    own ``anthropic.messages.create`` spans next to ours (by default ours replace them, and an
    info line says so). Everything else comes from the environment (README).
    """

    _replaced_client_spans = False

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def client_tables(self) -> ClientTables:
        from otel_genai.instrumentation.anthropic.targets import STREAM_MANAGERS, TARGETS

        return ClientTables(TARGETS, STREAM_MANAGERS, client_types())

    def operation_builder(self, settings: Settings) -> Callable[[Callable[..., Operation]], Operation]:
        from otel_genai.instrumentation.anthropic.endpoint import Endpoints

        endpoints = Endpoints(settings.provider_name)
        return lambda operation: operation(endpoints)

    def instrumented(self, switch: Switch, **kwargs: Any) -> None:
        if not kwargs.get("client_model_spans"):
            self._replaced_client_spans = replace_client_model_spans(switch)

    def uninstrumented(self) -> None:
        if self._replaced_client_spans:
            restore_client_model_spans()
            self._replaced_client_spans = False
