"""What a client method returns, observed without being replaced.

The caller always gets the very object the client returned:

* a parsed response: folded into the record, and the call ends;
* the client's sync or async stream: its chunk iterator is swapped for an observing one
  and its HTTP response's ``close`` is shadowed on the instance, so ``type()``,
  ``isinstance``, ``.response`` and the context-manager protocol are the client's own;
* a raw response (``with_raw_response``, ``with_streaming_response``): what it parses
  to is observed as above, when it is parsed (the streaming responses' classes have their
  ``parse`` wrapped, :func:`parse_observed`).

Which classes are which is the client library's business: the instrumentor passes them
as :class:`ClientTypes`. The shapes relied on are those of the Python clients generated
by Stainless: a stream iterates ``_iterator`` and holds its HTTP ``response``; a raw
response has ``parse()``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from otel_genai.core.adapter import Operation
from otel_genai.core.internal_errors import log_internal_error
from otel_genai.core.stream_managers import entering_manager, exiting_with
from otel_genai.core.streams import StreamRecorder, observe_chunks, observe_chunks_async
from otel_genai.core.telemetry import ModelCall


@dataclass(frozen=True)
class ClientTypes:
    """A client library's own result classes."""

    stream: type
    async_stream: type
    # with_raw_response: the body is read already, and parse() caches its result.
    raw_response: type | None = None
    # with_streaming_response (sync and async): the body is read only if the caller parses it.
    streaming_responses: tuple[type, ...] = ()


def deliver(call: ModelCall, result: Any, operation: Operation, types: ClientTypes) -> Any:
    """Observe ``result`` for ``call`` and return it unchanged."""
    if isinstance(result, types.stream):
        _observe_stream(call, result, operation)
    elif isinstance(result, types.async_stream):
        _observe_async_stream(call, result, operation)
    elif types.raw_response is not None and isinstance(result, types.raw_response):
        # The caller's own parse() gets this same parsed object (or raises the same error).
        raw: Any = result
        try:
            parsed = raw.parse()
        except Exception as exc:  # noqa: BLE001 - the server's fault; the caller's parse() raises it too
            call.fail(exc)
        else:
            deliver(call, parsed, operation, types)
    elif isinstance(result, types.streaming_responses):
        _observe_on_parse(call, result, operation, types)
    else:
        operation.fold_response(call.invocation, result, call.reads_messages)
        call.end()
    return result


def _recorder(call: ModelCall, operation: Operation) -> StreamRecorder:
    folder = operation.stream_folder(call.invocation, call.reads_messages)
    return StreamRecorder(call, folder, managed=entering_manager.get())


def _observe_stream(call: ModelCall, stream: Any, operation: Operation) -> None:
    iterator = getattr(stream, "_iterator", None)
    if iterator is None:  # a stream we do not know how to observe
        call.end()
        return
    recorder = _recorder(call, operation)
    observer: Any = observe_chunks(iterator, recorder)
    stream._iterator = observer
    _watch_closes(stream, recorder, lambda: observer.gi_running)


def _observe_async_stream(call: ModelCall, stream: Any, operation: Operation) -> None:
    iterator = getattr(stream, "_iterator", None)
    if iterator is None:
        call.end()
        return
    recorder = _recorder(call, operation)
    observer: Any = observe_chunks_async(iterator, recorder)
    stream._iterator = observer
    # Between its yields an async generator may be suspended in an await of the
    # client's own iterator: that is still "inside a step".
    _watch_closes(stream, recorder, lambda: observer.ag_running or observer.ag_await is not None)


def _watch_closes(stream: Any, recorder: StreamRecorder, stepping: Callable[[], bool]) -> None:
    """End the call when the caller closes the stream's HTTP response.

    ``stream.close()``, ``with stream:``, and the stream helpers' managers (which close
    the HTTP response, not the stream) all come through the response's ``close`` /
    ``aclose``, shadowed here on the instance. Two closes are not the caller's: the
    client's own, inside a step of the iteration (end of body, a failure: the observer
    reports those with their outcome), and one during garbage collection, when the
    stream's weak reference is already cleared (the abandonment path reports it).
    """
    response = getattr(stream, "response", None)
    if response is None:
        return
    # The stream only weakly: a stream already being collected is the abandonment path's.
    # The response's own close is held strongly (a cycle through the response, which the
    # collector frees with it): the client closes the response while its stream is being
    # collected, and that close must still reach the connection, or the connection pool
    # keeps the connection, and its buffers, for good.
    stream_ref = weakref.ref(stream)
    response_type = type(response)

    def closed_by_caller() -> None:
        if stream_ref() is not None and not stepping():
            recorder.close(exiting_with.get())

    if hasattr(response_type, "close"):
        response_close = response.close

        def close() -> None:
            try:
                response_close()
            finally:
                closed_by_caller()

        response.close = close
    if hasattr(response_type, "aclose"):
        response_aclose = response.aclose

        async def aclose() -> None:
            try:
                await response_aclose()
            finally:
                closed_by_caller()

        response.aclose = aclose


class _Handover:
    """Ends the call when a raw response dies unparsed; parsing hands the call on."""

    __slots__ = ("call", "operation", "types", "handed")

    def __init__(self, call: ModelCall, operation: Operation, types: ClientTypes) -> None:
        self.call = call
        self.operation = operation
        self.types = types
        self.handed = False

    def parsed(self, result: Any) -> None:
        if self.handed:
            return
        self.handed = True
        try:
            deliver(self.call, result, self.operation, self.types)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("reading a parsed raw response", exc)
            self.call.end()

    def failed(self, exc: BaseException) -> None:
        """The caller's parse raised (an unreadable body): the call failed with it."""
        if not self.handed:
            self.handed = True
            self.call.fail(exc)

    def abandoned(self) -> None:
        if not self.handed:
            self.call.end()


# Streaming responses waiting for their caller's parse(), each with the call it hands the
# parsed body to. Kept apart from the response, not on it: a closure stored on the response
# would either hold it (a cycle, so an unparsed response would end its call only when the
# cycle collector runs) or hold it weakly (and ``create(...).parse()``, where nothing else
# holds the response while parse runs, would find it gone).
_awaiting_parse: weakref.WeakKeyDictionary[Any, _Handover] = weakref.WeakKeyDictionary()


def _observe_on_parse(call: ModelCall, raw: Any, operation: Operation, types: ClientTypes) -> None:
    """``with_streaming_response``: the body is read only if the caller parses it."""
    handover = _Handover(call, operation, types)
    weakref.finalize(raw, handover.abandoned)
    _awaiting_parse[raw] = handover


# A parse with arguments (``parse(to=...)``) asks for another shape than the operation reads:
# it is passed through, and the call ends when the raw response goes.


def parse_observed(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``wrapt`` wrapper for a sync streaming response's ``parse``."""
    handover = _awaiting_parse.get(instance)
    if handover is None:
        return wrapped(*args, **kwargs)
    try:
        parsed = wrapped(*args, **kwargs)
    except Exception as exc:
        handover.failed(exc)
        raise
    if not args and not kwargs:
        handover.parsed(parsed)
    return parsed


async def aparse_observed(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A ``wrapt`` wrapper for an async streaming response's ``parse``."""
    handover = _awaiting_parse.get(instance)
    if handover is None:
        return await wrapped(*args, **kwargs)
    try:
        parsed = await wrapped(*args, **kwargs)
    except Exception as exc:
        handover.failed(exc)
        raise
    if not args and not kwargs:
        handover.parsed(parsed)
    return parsed
