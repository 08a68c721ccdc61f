"""Putting the wrappers on a client library's classes, and taking them off.

A provider's table of :class:`~otel_genai.core.adapter.Target` rows says which methods to
wrap and which :class:`~otel_genai.core.adapter.Operation` translates each; its table of
:class:`~otel_genai.core.adapter.StreamManagerClasses` names the stream helpers' managers; its
:class:`~otel_genai.core.delivery.ClientTypes` name the streaming responses whose ``parse`` is observed.
A class or method that the installed client lacks is skipped, so one table serves several
client versions.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from otel_genai.core.adapter import Operation, StreamManagerClasses, Target
from otel_genai.core.delivery import ClientTypes, aparse_observed, parse_observed
from otel_genai.core.stream_managers import ASYNC_MANAGER_WRAPPERS, SYNC_MANAGER_WRAPPERS
from otel_genai.core.telemetry import GenAITelemetry
from otel_genai.core.wrapper import Switch, async_wrapper, sync_wrapper

#: A wrapped method: its owner (a class) and its name.
Patched = tuple[Any, str]


def wrap_targets(
    targets: Iterable[Target],
    build: Callable[[Callable[..., Operation]], Operation],
    switch: Switch,
    telemetry: GenAITelemetry,
    types: ClientTypes,
) -> list[Patched]:
    """Wrap every method of ``targets`` that the installed client has.

    ``build`` makes the operation of a row (one per class, shared by its rows).
    """
    operations: dict[Callable[..., Operation], Operation] = {}
    patched: list[Patched] = []
    for target in targets:
        try:
            module = importlib.import_module(target.module)
        except ImportError:  # a resource this client version does not have
            continue
        operation = operations.get(target.operation)
        if operation is None:
            operation = operations[target.operation] = build(target.operation)
        for class_name, make in ((target.sync_class, sync_wrapper), (target.async_class, async_wrapper)):
            owner = getattr(module, class_name, None)
            if getattr(owner, target.method, None) is None:
                continue
            wrap_function_wrapper(owner, target.method, make(switch, telemetry, operation, types))
            patched.append((owner, target.method))
    return patched


def wrap_stream_managers(managers: Iterable[StreamManagerClasses]) -> list[Patched]:
    """Observe the enter and exit of every stream manager class the installed client has."""
    patched: list[Patched] = []
    for manager in managers:
        try:
            module = importlib.import_module(manager.module)
        except ImportError:  # a client without this helper
            continue
        sides = ((manager.sync_class, SYNC_MANAGER_WRAPPERS), (manager.async_class, ASYNC_MANAGER_WRAPPERS))
        for class_name, wrappers in sides:
            owner = getattr(module, class_name, None)
            for method, wrapper in wrappers:
                if owner is not None and method in vars(owner):
                    wrap_function_wrapper(owner, method, wrapper)
                    patched.append((owner, method))
    return patched


def wrap_parsers(types: ClientTypes) -> list[Patched]:
    """Observe ``parse`` of the client's streaming-response classes (``with_streaming_response``)."""
    patched: list[Patched] = []
    for owner in types.streaming_responses:
        parse = vars(owner).get("parse")
        if parse is None:
            continue
        wrap_function_wrapper(owner, "parse", aparse_observed if inspect.iscoroutinefunction(parse) else parse_observed)
        patched.append((owner, "parse"))
    return patched


def unwrap_all(patched: Iterable[Patched]) -> None:
    for owner, name in patched:
        unwrap(owner, name)
