"""The one generic wrapper around a client method, sync and async.

It asks the provider's :class:`~otel_genai.core.adapter.Operation` for an invocation
record, opens the call, runs the original method with the span current (so HTTP-level
spans nest under it) and delivers the result (:mod:`otel_genai.core.delivery`), which ends
the call now (a response) or later (a stream). Every step of ours is guarded: if we fail,
the original method still runs once and its result or exception reaches the caller
untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace

from otel_genai.core.adapter import Operation
from otel_genai.core.delivery import ClientTypes, deliver
from otel_genai.core.internal_errors import fault_point, log_internal_error
from otel_genai.core.telemetry import GenAITelemetry, ModelCall

# Set while a wrapped call runs: a client method that calls another wrapped method
# (a helper over create, an alias wrapped twice) must give one span, not two.
_inside_call: ContextVar[bool] = ContextVar("otel_genai_inside_call", default=False)


class Switch:
    """Whether wrappers record anything. Off after ``uninstrument()``, so bound
    wrappers that clients cached while instrumented pass straight through."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = True


def _begin(
    switch: Switch,
    telemetry: GenAITelemetry,
    operation: Operation,
    instance: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> ModelCall | None:
    if not switch.on or _inside_call.get():
        return None
    try:
        fault_point("request")
        inv = operation.invocation(instance, args, kwargs)
        if inv is None:
            return None
        call = telemetry.start(inv)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the request", exc)
        return None
    if not call.recording:  # a sampled-out call pays for its metrics only
        return call
    try:
        request = operation.request_arguments(args, kwargs)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the request's arguments", exc)
        return call
    try:
        operation.request_parameters(inv, request)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the request's parameters", exc)
    if call.reads_messages:
        try:
            fault_point("request content")
            operation.request_content(inv, request)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("reading the request's messages", exc)
    return call


def _fail(call: ModelCall, exc: BaseException) -> None:
    try:
        call.fail(exc)
    except Exception as inner:  # noqa: BLE001
        log_internal_error("recording a failed call", inner)


def _finish(operation: Operation, types: ClientTypes, call: ModelCall, result: Any) -> Any:
    try:
        fault_point("response")
        return deliver(call, result, operation, types)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the response", exc)
        call.end()
        return result


def sync_wrapper(
    switch: Switch, telemetry: GenAITelemetry, operation: Operation, types: ClientTypes
) -> Callable[..., Any]:
    """A ``wrapt`` wrapper for a synchronous client method."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = _begin(switch, telemetry, operation, instance, args, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(call.span))
        inside = _inside_call.set(True)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            _inside_call.reset(inside)
            otel_context.detach(token)
            _fail(call, exc)
            raise
        _inside_call.reset(inside)
        otel_context.detach(token)
        return _finish(operation, types, call, result)

    return wrapper


def async_wrapper(
    switch: Switch, telemetry: GenAITelemetry, operation: Operation, types: ClientTypes
) -> Callable[..., Any]:
    """A ``wrapt`` wrapper for an ``async def`` client method."""

    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = _begin(switch, telemetry, operation, instance, args, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        token = otel_context.attach(trace.set_span_in_context(call.span))
        inside = _inside_call.set(True)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            _inside_call.reset(inside)
            otel_context.detach(token)
            _fail(call, exc)
            raise
        _inside_call.reset(inside)
        otel_context.detach(token)
        return _finish(operation, types, call, result)

    return wrapper
