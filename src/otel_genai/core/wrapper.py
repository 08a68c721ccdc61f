"""The one generic wrapper around a client method, sync and async.

It asks the provider's :class:`OperationAdapter` for an invocation record, opens the
call, runs the original method with the span current (so HTTP-level spans nest under
it) and gives the result back to the adapter, which ends the call now (a response) or
later (a stream). Every step of ours is guarded: if we fail, the original method still
runs once and its result or exception reaches the caller untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from opentelemetry import context as otel_context
from opentelemetry import trace

from otel_genai.core.internal_errors import fault_point, log_internal_error
from otel_genai.core.invocation import Invocation
from otel_genai.core.telemetry import GenAITelemetry, ModelCall


class OperationAdapter(Protocol):
    """What a provider tells the core about one client method."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation | None:
        """The record of the call about to be made; None leaves the call uninstrumented."""

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        """Fill the request parameters only a span records (called only for a recording span)."""

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        """Fill the record's input content (called only when some signal records it)."""

    def on_result(self, call: ModelCall, result: Any) -> Any:
        """Fold ``result`` into the call and end it, or arrange to end it later
        (streams). Returns the object the caller gets: ``result`` itself."""


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
    adapter: OperationAdapter,
    instance: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> ModelCall | None:
    if not switch.on or _inside_call.get():
        return None
    try:
        fault_point("request")
        inv = adapter.invocation(instance, args, kwargs)
        if inv is None:
            return None
        call = telemetry.start(inv)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the request", exc)
        return None
    if not call.recording:  # a sampled-out call pays for its metrics only
        return call
    try:
        adapter.request_parameters(inv, kwargs)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the request's parameters", exc)
    if call.wants_content:
        try:
            fault_point("request content")
            adapter.request_content(inv, kwargs)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("reading the request's messages", exc)
    return call


def _fail(call: ModelCall, exc: BaseException) -> None:
    try:
        call.fail(exc)
    except Exception as inner:  # noqa: BLE001
        log_internal_error("recording a failed call", inner)


def _finish(adapter: OperationAdapter, call: ModelCall, result: Any) -> Any:
    try:
        fault_point("response")
        return adapter.on_result(call, result)
    except Exception as exc:  # noqa: BLE001
        log_internal_error("reading the response", exc)
        call.end()
        return result


def sync_wrapper(switch: Switch, telemetry: GenAITelemetry, adapter: OperationAdapter) -> Callable[..., Any]:
    """A ``wrapt`` wrapper for a synchronous client method."""

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = _begin(switch, telemetry, adapter, instance, args, kwargs)
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
        return _finish(adapter, call, result)

    return wrapper


def async_wrapper(switch: Switch, telemetry: GenAITelemetry, adapter: OperationAdapter) -> Callable[..., Any]:
    """A ``wrapt`` wrapper for an ``async def`` client method."""

    async def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = _begin(switch, telemetry, adapter, instance, args, kwargs)
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
        return _finish(adapter, call, result)

    return wrapper
