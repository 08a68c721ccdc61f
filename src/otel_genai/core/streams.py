"""Observing a streamed response chunk by chunk, without changing it.

:func:`observe_chunks` / :func:`observe_chunks_async` wrap the client's own chunk
iterator: they yield exactly its chunks (and raise exactly its errors), note when each
chunk arrived and hand it to the adapter's :class:`~otel_genai.core.adapter.StreamFolder`.
A :class:`StreamRecorder` ends the call once: on exhaustion, on error, on close, or when
the stream is garbage-collected unfinished (then with ``error.type``
:data:`~otel_genai.semconv.ERROR_STREAM_ABANDONED`). A stream whose chunks ran out before
its last word (the folder's ``finished``; a server or proxy cut it) ends with
:data:`~otel_genai.semconv.ERROR_STREAM_INCOMPLETE`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import Any, TypeVar

from otel_genai import semconv
from otel_genai.core.adapter import StreamFolder
from otel_genai.core.attributes import error_type_of
from otel_genai.core.internal_errors import fault_point, faults_armed, log_internal_error, raise_injected
from otel_genai.core.telemetry import ModelCall

T = TypeVar("T")


class StreamRecorder:
    """Ends a stream's :class:`ModelCall` exactly once, with what its folder assembled."""

    __slots__ = ("call", "folder", "folding", "managed", "exhausted", "__weakref__")

    def __init__(self, call: ModelCall, folder: StreamFolder | None, *, managed: bool = False) -> None:
        self.call = call
        self.folder = folder
        self.folding = folder is not None
        # Read by a helper that closes the stream itself when its block exits: a stream that
        # runs out before its last word waits for that exit, which knows whether it failed.
        self.managed = managed
        self.exhausted = False

    def chunk_step(self) -> Callable[[Any], None]:
        """What the observer calls for each chunk: the folder's ``fold`` (bound once per
        stream), or, in the reliability tests, a step that raises."""
        if self.folder is None:
            return _skip
        if faults_armed("stream chunk"):
            return raise_injected
        return self.folder.fold

    def fold_failed(self, exc: BaseException) -> None:
        """A chunk we do not understand stops our folding, never the user's stream."""
        self.folding = False
        log_internal_error("reading a stream chunk", exc)

    def complete(self) -> None:
        """The stream was consumed to its end: an end before the last word is incomplete."""
        if self.managed and not self._finished():
            self.exhausted = True
            return
        self._end_consumed()

    def _end_consumed(self) -> None:
        if self._cut_short():
            self._end(semconv.ERROR_STREAM_INCOMPLETE, "stream ended before its terminal event")
        else:
            self._end(None, None)

    def close(self, error: BaseException | None = None) -> None:
        """The caller closed the stream: what was received so far is the result.

        ``error`` is an exception that ended the reading early (a stream helper that raised
        on a chunk, the caller's own code): an unfinished stream fails with it, one that had
        said its last word is complete.
        """
        if error is not None and not self._finished():
            self.fail(error)
        elif self.exhausted:  # a helper's block exited after its stream ran out
            self._end_consumed()
        else:
            self._end(None, None)

    def _cut_short(self) -> bool:
        """Whether the folder saw chunks but not the stream's last word. A folder that
        stopped (a chunk we did not understand), one that failed to say, or an operation
        without one cannot tell: our failure is not the stream's."""
        return self.folder is not None and self.folding and self._finished() is False

    def _finished(self) -> bool | None:
        """The folder's ``finished``; None if it failed to say."""
        if self.folder is None or not self.folding:
            return False
        try:
            return self.folder.finished
        except Exception as exc:  # noqa: BLE001
            log_internal_error("reading a stream chunk", exc)
            return None

    def fail(self, exc: BaseException) -> None:
        self._end(error_type_of(exc), str(exc), exc)

    def abandon(self) -> None:
        """The stream was garbage-collected before it was consumed or closed.

        If the response had already said its last word (a caller that stops reading at the
        finish reason, or a helper that closes the HTTP response itself), that is a
        complete call, not an abandoned one.
        """
        if self.exhausted:
            self._end_consumed()
        elif self._finished():
            self._end(None, None)
        else:
            self._end(semconv.ERROR_STREAM_ABANDONED, "stream garbage-collected before it was consumed or closed")

    def _end(self, error_type: str | None, description: str | None, exception: BaseException | None = None) -> None:
        call = self.call
        if call.ended:
            return
        if self.folder is not None and self.folding:
            try:
                fault_point("stream finish")
                self.folder.finish()
            except Exception as exc:  # noqa: BLE001
                log_internal_error("assembling a streamed response", exc)
        call.end(error_type, description, exception)

    def __del__(self) -> None:
        # Covers a stream that was never iterated: its generator never ran, so only the
        # recorder's own collection can tell us it is gone.
        try:
            if not self.call.ended:
                self.abandon()
        except Exception:  # noqa: BLE001, S110 - nothing may escape a finalizer
            pass


def observe_chunks(chunks: Iterator[T], recorder: StreamRecorder) -> Generator[T, None, None]:
    """Yield every chunk of ``chunks`` unchanged while ``recorder`` watches."""
    arrived = recorder.call.chunk_times.append
    clock = time.perf_counter
    fold = recorder.chunk_step()
    try:
        for chunk in chunks:
            arrived(clock())
            if recorder.folding:
                try:
                    fold(chunk)
                except Exception as exc:  # noqa: BLE001
                    recorder.fold_failed(exc)
            yield chunk
    except GeneratorExit:
        recorder.abandon()
        raise
    except BaseException as exc:
        recorder.fail(exc)
        raise
    recorder.complete()


async def observe_chunks_async(chunks: AsyncIterator[T], recorder: StreamRecorder) -> AsyncGenerator[T, None]:
    """The asynchronous form of :func:`observe_chunks`."""
    arrived = recorder.call.chunk_times.append
    clock = time.perf_counter
    fold = recorder.chunk_step()
    try:
        async for chunk in chunks:
            arrived(clock())
            if recorder.folding:
                try:
                    fold(chunk)
                except Exception as exc:  # noqa: BLE001
                    recorder.fold_failed(exc)
            yield chunk
    except GeneratorExit:
        recorder.abandon()
        raise
    except BaseException as exc:
        recorder.fail(exc)
        raise
    recorder.complete()


def _skip(chunk: Any) -> None:
    """The chunk step of an operation without a stream folder: the chunks are only timed."""
