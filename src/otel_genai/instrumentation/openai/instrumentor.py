"""``OpenAIInstrumentor``: patches the OpenAI client's methods with the core wrapper."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from otel_genai.config import load_settings
from otel_genai.core.adapter import Operation
from otel_genai.core.delivery import ClientTypes
from otel_genai.core.patching import Patched, unwrap_all, wrap_parsers, wrap_stream_managers, wrap_targets
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.core.wrapper import Switch

_INSTRUMENTS = ("openai >= 1.26",)


def client_types() -> ClientTypes:
    """The openai client's stream and raw-response classes."""
    from openai import AsyncStream, Stream

    try:  # private modules: present from openai 1.x through 3.x, but guard all the same
        from openai._legacy_response import LegacyAPIResponse
    except ImportError:  # pragma: no cover
        LegacyAPIResponse = None  # type: ignore[assignment,misc]  # noqa: N806
    try:
        from openai._response import APIResponse, AsyncAPIResponse
    except ImportError:  # pragma: no cover
        streaming: tuple[type, ...] = ()
    else:
        streaming = (APIResponse, AsyncAPIResponse)
    return ClientTypes(Stream, AsyncStream, raw_response=LegacyAPIResponse, streaming_responses=streaming)


class OpenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments the OpenAI Python client (``openai`` 1.26 and later).

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default); ``content_hook``: a callable that receives each call's
    :class:`~otel_genai.core.invocation.Invocation` before content is recorded and may
    rewrite or clear its messages; ``provider_name``: the ``gen_ai.provider.name`` of every
    call (for servers the base URL does not reveal, e.g. ``"vllm"``); ``provider_hosts``:
    ``{host: provider}`` added to the table of known hosts. Everything else comes from the
    environment (README).
    """

    # BaseInstrumentor is a singleton whose __init__ runs on every construction, so
    # state lives in class-level defaults that _instrument() replaces on the instance.
    _switch: Switch | None = None
    _patched: tuple[Patched, ...] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        # Imported here: loading the entry point must not import openai.
        from otel_genai.instrumentation.openai.endpoint import Endpoints
        from otel_genai.instrumentation.openai.targets import STREAM_MANAGERS, TARGETS

        settings = load_settings(
            content_hook=kwargs.get("content_hook"),
            provider_name=kwargs.get("provider_name"),
            provider_hosts=kwargs.get("provider_hosts"),
        )
        telemetry = GenAITelemetry(
            settings,
            tracer_provider=kwargs.get("tracer_provider"),
            meter_provider=kwargs.get("meter_provider"),
            logger_provider=kwargs.get("logger_provider"),
        )
        endpoints = Endpoints(settings.provider_name, settings.provider_hosts)

        def build(operation: Callable[..., Operation]) -> Operation:
            return operation(endpoints)

        switch = self._switch = Switch()
        types = client_types()
        patched = wrap_targets(TARGETS, build, switch, telemetry, types)
        patched += wrap_stream_managers(STREAM_MANAGERS)
        patched += wrap_parsers(types)
        self._patched = tuple(patched)

    def _uninstrument(self, **kwargs: Any) -> None:
        if self._switch is not None:
            self._switch.on = False
            self._switch = None
        unwrap_all(self._patched)
        self._patched = ()
