"""``AnthropicInstrumentor``: patches the Anthropic client's methods with the core wrapper."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from otel_genai.config import load_settings
from otel_genai.core.adapter import Operation
from otel_genai.core.delivery import ClientTypes
from otel_genai.core.patching import Patched, unwrap_all, wrap_stream_managers, wrap_targets
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.core.wrapper import Switch

_INSTRUMENTS = ("anthropic >= 0.49",)


def client_types() -> ClientTypes:
    """The anthropic client's stream and raw-response classes."""
    from anthropic import AsyncStream, Stream
    from anthropic._response import BaseAPIResponse

    # with_raw_response and with_streaming_response both give an APIResponse: the call is
    # read when the caller parses it (or ends when the response object goes).
    return ClientTypes(Stream, AsyncStream, raw_response=None, streaming_response=BaseAPIResponse)


class AnthropicInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments the Anthropic Python client (``anthropic`` 0.49 and later), including
    ``AnthropicBedrock`` and ``AnthropicVertex``.

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default); ``content_hook`` (see ``OpenAIInstrumentor``); ``provider_name``:
    the ``gen_ai.provider.name`` of every call; ``client_model_spans``: True keeps the client's
    own ``anthropic.messages.create`` spans next to ours (by default ours replace them, and an
    info line says so). Everything else comes from the environment (README).
    """

    _switch: Switch | None = None
    _patched: tuple[Patched, ...] = ()
    _replaced_client_spans = False

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        # Imported here: loading the entry point must not import anthropic.
        from otel_genai.instrumentation.anthropic.client_spans import replace_client_model_spans
        from otel_genai.instrumentation.anthropic.endpoint import Endpoints
        from otel_genai.instrumentation.anthropic.targets import STREAM_MANAGERS, TARGETS

        settings = load_settings(content_hook=kwargs.get("content_hook"), provider_name=kwargs.get("provider_name"))
        telemetry = GenAITelemetry(
            settings,
            tracer_provider=kwargs.get("tracer_provider"),
            meter_provider=kwargs.get("meter_provider"),
            logger_provider=kwargs.get("logger_provider"),
        )
        endpoints = Endpoints(settings.provider_name)

        def build(operation: Callable[..., Operation]) -> Operation:
            return operation(endpoints)

        switch = self._switch = Switch()
        patched = wrap_targets(TARGETS, build, switch, telemetry, client_types())
        patched += wrap_stream_managers(STREAM_MANAGERS)
        self._patched = tuple(patched)
        if not kwargs.get("client_model_spans"):
            self._replaced_client_spans = replace_client_model_spans(switch)

    def _uninstrument(self, **kwargs: Any) -> None:
        from otel_genai.instrumentation.anthropic.client_spans import restore_client_model_spans

        if self._switch is not None:
            self._switch.on = False
            self._switch = None
        unwrap_all(self._patched)
        self._patched = ()
        if self._replaced_client_spans:
            restore_client_model_spans()
            self._replaced_client_spans = False
