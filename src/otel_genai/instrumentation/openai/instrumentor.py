"""``OpenAIInstrumentor``: patches the OpenAI client's methods with the core wrapper."""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from otel_genai.config import load_settings
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.core.wrapper import Switch, async_wrapper, sync_wrapper

_INSTRUMENTS = ("openai >= 1.26",)


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
    _patched: tuple[tuple[Any, str], ...] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        from otel_genai.instrumentation.openai import endpoint

        settings = load_settings(content_hook=kwargs.get("content_hook"), provider_name=kwargs.get("provider_name"))
        endpoint.configure(endpoint.ProviderOverrides(settings.provider_name, kwargs.get("provider_hosts")))
        telemetry = GenAITelemetry(
            settings,
            tracer_provider=kwargs.get("tracer_provider"),
            meter_provider=kwargs.get("meter_provider"),
            logger_provider=kwargs.get("logger_provider"),
        )
        switch = self._switch = Switch()
        # Imported here: loading the entry point must not import openai.
        from otel_genai.instrumentation.openai import adapters
        from otel_genai.instrumentation.openai.targets import TARGETS

        patched = []
        for target in TARGETS:
            try:
                module = importlib.import_module(target.module)
            except ImportError:  # a resource this client version does not have
                continue
            adapter = getattr(adapters, target.adapter)()
            for class_name, make in ((target.sync_class, sync_wrapper), (target.async_class, async_wrapper)):
                owner = getattr(module, class_name, None)
                if getattr(owner, target.method, None) is None:
                    continue
                wrap_function_wrapper(owner, target.method, make(switch, telemetry, adapter))
                patched.append((owner, target.method))
        patched.extend(self._observe_stream_managers())
        self._patched = tuple(patched)

    @staticmethod
    def _observe_stream_managers() -> list[tuple[Any, str]]:
        from otel_genai.instrumentation.openai import results
        from otel_genai.instrumentation.openai.targets import STREAM_MANAGERS

        sync_methods = (("__enter__", results.manager_enter), ("__exit__", results.manager_exit))
        async_methods = (("__aenter__", results.manager_aenter), ("__aexit__", results.manager_aexit))
        patched = []
        for module_name, sync_class, async_class in STREAM_MANAGERS:
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # a client without this helper
                continue
            for class_name, methods in ((sync_class, sync_methods), (async_class, async_methods)):
                owner = getattr(module, class_name, None)
                for method, wrapper in methods:
                    if owner is not None and method in vars(owner):
                        wrap_function_wrapper(owner, method, wrapper)
                        patched.append((owner, method))
        return patched

    def _uninstrument(self, **kwargs: Any) -> None:
        if self._switch is not None:
            self._switch.on = False
            self._switch = None
        for owner, name in self._patched:
            unwrap(owner, name)
        self._patched = ()
