"""What an OpenAI method returns, observed without being replaced.

The caller always gets the very object the client returned:

* a parsed response: folded into the record, and the call ends;
* ``openai.Stream`` / ``AsyncStream``: its chunk iterator is swapped for an observing
  one and its ``close`` is shadowed on the instance, so ``type()``, ``isinstance``,
  ``.response`` and the context-manager protocol are the client's own;
* a raw response (``with_raw_response``, ``with_streaming_response``): what it parses
  to is observed as above, when it is parsed.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from openai import AsyncStream, Stream

from otel_genai.core.internal_errors import log_internal_error
from otel_genai.core.streams import ChunkFolder, StreamRecorder, observe_chunks, observe_chunks_async
from otel_genai.core.telemetry import ModelCall

try:  # private modules: present from openai 1.x through 3.x, but guard all the same
    from openai._legacy_response import LegacyAPIResponse
except ImportError:  # pragma: no cover
    LegacyAPIResponse = None  # type: ignore[assignment,misc]
try:
    from openai._response import BaseAPIResponse
except ImportError:  # pragma: no cover
    BaseAPIResponse = None  # type: ignore[assignment,misc]


class ResponseReader(Protocol):
    """The per-operation part: how a response and a chunk fold into the record."""

    def fold_response(self, call: ModelCall, response: Any) -> None: ...

    def chunk_folder(self, call: ModelCall) -> ChunkFolder: ...


class OpenAIOperation:
    """Base of the OpenAI operation adapters: results go through :func:`deliver`.

    A subclass reads the request (``invocation``, and ``request_content`` when it sends
    content) and the response (``fold_response``, and ``chunk_folder`` when it streams).
    """

    def request_parameters(self, inv: Any, kwargs: dict[str, Any]) -> None:
        """Parameters only a span records; an operation without any reads none."""
        return None

    def request_content(self, inv: Any, kwargs: dict[str, Any]) -> None:
        """Most operations send no content the conventions record."""
        return None

    def on_result(self, call: ModelCall, result: Any) -> Any:
        return deliver(call, result, self)  # type: ignore[arg-type]

    def chunk_folder(self, call: ModelCall) -> ChunkFolder:
        raise TypeError(f"{type(self).__name__} results are not streamed")


def deliver(call: ModelCall, result: Any, reader: ResponseReader) -> Any:
    """Observe ``result`` for ``call`` and return it unchanged."""
    if isinstance(result, Stream):
        _observe_stream(call, result, reader)
    elif isinstance(result, AsyncStream):
        _observe_async_stream(call, result, reader)
    elif LegacyAPIResponse is not None and isinstance(result, LegacyAPIResponse):
        # with_raw_response: the body is already read (or, for a stream, the parse is
        # lazy), and parse() caches, so the caller's own parse() gets this same object.
        try:
            parsed = result.parse()
        except Exception as exc:  # noqa: BLE001 - the server's fault; the caller's parse() raises it too
            call.fail(exc)
        else:
            deliver(call, parsed, reader)
    elif BaseAPIResponse is not None and isinstance(result, BaseAPIResponse):
        _observe_on_parse(call, result, reader)
    else:
        reader.fold_response(call, result)
        call.end()
    return result


def _observe_stream(call: ModelCall, stream: Any, reader: ResponseReader) -> None:
    iterator = getattr(stream, "_iterator", None)
    if iterator is None:  # a client whose Stream we do not know how to observe
        call.end()
        return
    recorder = StreamRecorder(call, reader.chunk_folder(call), managed=_entering_manager.get())
    observer: Any = observe_chunks(iterator, recorder)
    stream._iterator = observer
    _watch_closes(stream, recorder, lambda: observer.gi_running)


def _observe_async_stream(call: ModelCall, stream: Any, reader: ResponseReader) -> None:
    iterator = getattr(stream, "_iterator", None)
    if iterator is None:
        call.end()
        return
    recorder = StreamRecorder(call, reader.chunk_folder(call), managed=_entering_manager.get())
    observer: Any = observe_chunks_async(iterator, recorder)
    stream._iterator = observer
    # Between its yields an async generator may be suspended in an await of the
    # client's own iterator: that is still "inside a step".
    _watch_closes(stream, recorder, lambda: observer.ag_running or observer.ag_await is not None)


def _watch_closes(stream: Any, recorder: StreamRecorder, stepping: Any) -> None:
    """End the call when the caller closes the stream's HTTP response.

    ``Stream.close()``, ``with stream:``, and the stream helpers' managers (which close
    the HTTP response, not our Stream) all come through the response's ``close`` /
    ``aclose``, shadowed here on the instance. Two closes are not the caller's: the
    client's own, inside a step of the iteration (end of body, a failure: the observer
    reports those with their outcome), and one during garbage collection, when the
    stream's weak reference is already cleared (the abandonment path reports it).
    """
    response = getattr(stream, "response", None)
    if response is None:
        return
    # Weak references only: the shadowing functions live on the response, which the
    # stream holds, and must not keep either alive.
    stream_ref = weakref.ref(stream)
    response_ref = weakref.ref(response)
    response_type = type(response)

    def closed_by_caller() -> None:
        if stream_ref() is not None and not stepping():
            recorder.close(_exiting_with.get())

    def close() -> None:
        try:
            target = response_ref()
            if target is not None:
                response_type.close(target)
        finally:
            closed_by_caller()

    async def aclose() -> None:
        try:
            target = response_ref()
            if target is not None:
                await response_type.aclose(target)
        finally:
            closed_by_caller()

    if hasattr(response_type, "close"):
        response.close = close
    if hasattr(response_type, "aclose"):
        response.aclose = aclose


# Set while a stream helper's manager (``with client.chat.completions.stream(...)``) exits
# with an exception: the HTTP close it makes then tells the call what ended its reading.
_exiting_with: ContextVar[BaseException | None] = ContextVar("otel_genai_exiting_with", default=None)


# Set while a stream helper's manager opens its stream: the stream is then closed by the
# manager's exit, which also knows whether the block failed.
_entering_manager: ContextVar[bool] = ContextVar("otel_genai_entering_manager", default=False)


def manager_enter(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``wrapt`` wrapper for a stream manager's ``__enter__``."""
    token = _entering_manager.set(True)
    try:
        return wrapped(*args, **kwargs)
    finally:
        _entering_manager.reset(token)


async def manager_aenter(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A ``wrapt`` wrapper for an async stream manager's ``__aenter__``."""
    token = _entering_manager.set(True)
    try:
        return await wrapped(*args, **kwargs)
    finally:
        _entering_manager.reset(token)


def manager_exit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``wrapt`` wrapper for a stream manager's ``__exit__``."""
    error = args[1] if len(args) > 1 else None
    if error is None:
        return wrapped(*args, **kwargs)
    token = _exiting_with.set(error)
    try:
        return wrapped(*args, **kwargs)
    finally:
        _exiting_with.reset(token)


async def manager_aexit(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """A ``wrapt`` wrapper for an async stream manager's ``__aexit__``."""
    error = args[1] if len(args) > 1 else None
    if error is None:
        return await wrapped(*args, **kwargs)
    token = _exiting_with.set(error)
    try:
        return await wrapped(*args, **kwargs)
    finally:
        _exiting_with.reset(token)


class _Handover:
    """Ends the call when a raw response dies unparsed; parsing hands the call on."""

    __slots__ = ("call", "handed")

    def __init__(self, call: ModelCall) -> None:
        self.call = call
        self.handed = False

    def deliver(self, parsed: Any, reader: ResponseReader) -> None:
        if self.handed:
            return
        self.handed = True
        try:
            deliver(self.call, parsed, reader)
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


def _observe_on_parse(call: ModelCall, raw: Any, reader: ResponseReader) -> None:
    """``with_streaming_response``: the body is read only if the caller parses it."""
    handover = _Handover(call)
    weakref.finalize(raw, handover.abandoned)
    raw_ref = weakref.ref(raw)
    parse = type(raw).parse

    if inspect.iscoroutinefunction(parse):

        async def parse_async(*args: Any, **kwargs: Any) -> Any:
            try:
                parsed = await parse(raw_ref(), *args, **kwargs)
            except Exception as exc:
                handover.failed(exc)
                raise
            if not args and not kwargs:
                handover.deliver(parsed, reader)
            return parsed

        raw.parse = parse_async
    else:

        def parse_sync(*args: Any, **kwargs: Any) -> Any:
            try:
                parsed = parse(raw_ref(), *args, **kwargs)
            except Exception as exc:
                handover.failed(exc)
                raise
            if not args and not kwargs:
                handover.deliver(parsed, reader)
            return parsed

        raw.parse = parse_sync
