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


def _targets() -> list[tuple[str, str, Any, bool]]:
    """(module, Class, adapter, is_async) for every method we patch."""
    # Imported here: loading the entry point must not import openai.
    from otel_genai.instrumentation.openai.chat import ChatCompletions
    from otel_genai.instrumentation.openai.embeddings import Embeddings

    chat, embeddings = ChatCompletions(), Embeddings()
    return [
        ("openai.resources.chat.completions", "Completions", chat, False),
        ("openai.resources.chat.completions", "AsyncCompletions", chat, True),
        ("openai.resources.embeddings", "Embeddings", embeddings, False),
        ("openai.resources.embeddings", "AsyncEmbeddings", embeddings, True),
    ]


class OpenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments the OpenAI Python client (``openai`` 1.26 and later).

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default) and ``content_hook``: a callable that receives each call's
    :class:`~otel_genai.core.invocation.Invocation` before content is recorded and may
    rewrite or clear its messages. Everything else comes from the environment (README).
    """

    # BaseInstrumentor is a singleton whose __init__ runs on every construction, so
    # state lives in class-level defaults that _instrument() replaces on the instance.
    _switch: Switch | None = None
    _patched: tuple[tuple[Any, str], ...] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        settings = load_settings(content_hook=kwargs.get("content_hook"))
        telemetry = GenAITelemetry(
            settings,
            tracer_provider=kwargs.get("tracer_provider"),
            meter_provider=kwargs.get("meter_provider"),
            logger_provider=kwargs.get("logger_provider"),
        )
        switch = self._switch = Switch()
        patched = []
        for module_name, class_name, adapter, is_async in _targets():
            module = importlib.import_module(module_name)
            owner = getattr(module, class_name, None)
            if owner is None or not hasattr(owner, "create"):
                continue
            make = async_wrapper if is_async else sync_wrapper
            wrap_function_wrapper(owner, "create", make(switch, telemetry, adapter))
            patched.append((owner, "create"))
        self._patched = tuple(patched)

    def _uninstrument(self, **kwargs: Any) -> None:
        if self._switch is not None:
            self._switch.on = False
            self._switch = None
        for owner, name in self._patched:
            unwrap(owner, name)
        self._patched = ()
