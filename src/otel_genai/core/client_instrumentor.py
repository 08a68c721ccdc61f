"""``ClientInstrumentor``: what every client library's instrumentor does on ``instrument()`` and
``uninstrument()``, so that a provider's ``instrumentor.py`` says only what is its own: the
client it needs, its tables, its stream classes and how its operations are built."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from otel_genai.config import Settings, load_settings
from otel_genai.core.adapter import Operation, StreamManagerClasses, Target
from otel_genai.core.delivery import ClientTypes
from otel_genai.core.patching import Patched, unwrap_all, wrap_parsers, wrap_stream_managers, wrap_targets
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.core.wrapper import Switch


@dataclass(frozen=True)
class ClientTables:
    """What to wrap in one client library, read when ``instrument()`` runs."""

    targets: Iterable[Target]
    stream_managers: Iterable[StreamManagerClasses]
    types: ClientTypes


class ClientInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Patches a client library's methods with the core wrapper, and takes them off again.

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider`` (the
    globals by default), ``content_hook``, ``provider_name`` and ``provider_hosts``; the rest comes
    from the environment. A subclass names its client in ``instrumentation_dependencies``.
    """

    # BaseInstrumentor is a singleton whose __init__ runs on every construction, so
    # state lives in class-level defaults that _instrument() replaces on the instance.
    _switch: Switch | None = None
    _patched: tuple[Patched, ...] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        raise NotImplementedError

    def client_tables(self) -> ClientTables:
        """The client's tables; imported here, so that loading the entry point imports no client."""
        raise NotImplementedError

    def operation_builder(self, settings: Settings) -> Callable[[Callable[..., Operation]], Operation]:
        """Makes each table row's operation (once per operation class)."""
        raise NotImplementedError

    def instrumented(self, switch: Switch, **kwargs: Any) -> None:
        """A provider's own step after its methods are wrapped (nothing by default)."""

    def uninstrumented(self) -> None:
        """Undoes :meth:`instrumented` (nothing by default)."""

    def _instrument(self, **kwargs: Any) -> None:
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
        tables = self.client_tables()
        switch = self._switch = Switch()
        patched = wrap_targets(tables.targets, self.operation_builder(settings), switch, telemetry, tables.types)
        patched += wrap_stream_managers(tables.stream_managers)
        patched += wrap_parsers(tables.types)
        self._patched = tuple(patched)
        self.instrumented(switch, **kwargs)

    def _uninstrument(self, **kwargs: Any) -> None:
        if self._switch is not None:
            self._switch.on = False
            self._switch = None
        unwrap_all(self._patched)
        self._patched = ()
        self.uninstrumented()
