"""``OpenAIInstrumentor``: patches the OpenAI client's methods with the core wrapper."""

from __future__ import annotations

from collections.abc import Callable, Collection

from otel_genai.config import Settings
from otel_genai.core.adapter import Operation
from otel_genai.core.client_instrumentor import ClientInstrumentor, ClientTables
from otel_genai.core.delivery import ClientTypes

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


class OpenAIInstrumentor(ClientInstrumentor):
    """Instruments the OpenAI Python client (``openai`` 1.26 and later).

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default); ``content_hook``: a callable that receives each call's
    :class:`~otel_genai.core.invocation.Invocation` before content is recorded and may
    rewrite or clear its messages; ``provider_name``: the ``gen_ai.provider.name`` of every
    call (for servers the base URL does not reveal, e.g. ``"vllm"``); ``provider_hosts``:
    ``{host: provider}`` added to the table of known hosts. Everything else comes from the
    environment (README).
    """

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def client_tables(self) -> ClientTables:
        from otel_genai.instrumentation.openai.targets import STREAM_MANAGERS, TARGETS

        return ClientTables(TARGETS, STREAM_MANAGERS, client_types())

    def operation_builder(self, settings: Settings) -> Callable[[Callable[..., Operation]], Operation]:
        from otel_genai.instrumentation.openai.endpoint import Endpoints

        endpoints = Endpoints(settings.provider_name, settings.provider_hosts)
        return lambda operation: operation(endpoints)
