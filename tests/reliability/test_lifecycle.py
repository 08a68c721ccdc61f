"""Lifecycle: every span ends exactly once on every path, and the context is left as found.

"Ends exactly once" is counted by a SpanProcessor (``on_end`` per span id) and by the
SDK's own warning on a second ``end()``. Paths: exhaustion, an exception mid-stream,
``close()``, ``with`` exit, ``break`` then close, garbage collection of a stream never
iterated and of one partly iterated, an exception in the application's loop, asyncio
task cancellation, a stream closed from another thread; then many threads and tasks at
once, each inside its own parent span.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import openai
import pytest
from instrumentation_probes import EndCounter, double_ends, internal_failures
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import StatusCode

from otel_genai import semconv
from telemetry_capture import Captured

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Count to twenty."}]
CHUNKS = {"x-mock-chunks": "20"}
# The server never answers ("hang"), so the read timeout always fires, once the request is sent whole.
READ_TIMEOUT = openai.Timeout(30.0, read=1.0)


def _stream(client: Any, **headers: str) -> Any:
    return client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, extra_headers={**CHUNKS, **headers}
    )


def _settle(captured: Captured, expected: int, timeout_s: float = 30.0) -> None:
    """Collect garbage until ``expected`` spans have ended (finalizers may run a moment later;
    the wait ends as soon as they have)."""
    deadline = time.monotonic() + timeout_s
    while len(captured.spans()) < expected and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.001)


def _assert_ended_once(captured: Captured, ends: EndCounter, otel_logs: Any, spans: int = 1) -> Any:
    _settle(captured, spans)
    assert len(captured.spans()) == spans
    assert len(ends.started) == spans
    assert ends.not_ended_once() == {}
    assert double_ends(otel_logs.records) == []
    assert internal_failures(otel_logs.records) == []
    return captured.spans()[0] if spans == 1 else captured.spans()


def _assert_ok(span: Any) -> None:
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in span.attributes


def _assert_error(span: Any, error_type: str) -> None:
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == error_type


# --- sync stream paths ------------------------------------------------------------------------


def _exhaust(client: Any) -> tuple[str | None, int]:
    chunks = list(_stream(client))
    return None, len(chunks)


def _close_after_two(client: Any) -> tuple[str | None, int]:
    stream = _stream(client)
    next(stream), next(stream)
    stream.close()
    stream.close()  # twice: still one end
    return None, 2


def _with_exit(client: Any) -> tuple[str | None, int]:
    with _stream(client) as stream:
        next(stream)
    return None, 1


def _with_exit_after_exhaustion(client: Any) -> tuple[str | None, int]:
    with _stream(client) as stream:
        count = sum(1 for _ in stream)
    stream.close()
    return None, count


def _break_then_close(client: Any) -> tuple[str | None, int]:
    stream = _stream(client)
    for _ in stream:
        break
    stream.close()
    return None, 1


def _partly_iterated_then_dropped(client: Any) -> tuple[str | None, int]:
    stream = _stream(client)
    next(stream), next(stream), next(stream)
    del stream
    return semconv.ERROR_STREAM_ABANDONED, 3


def _never_iterated_then_dropped(client: Any) -> tuple[str | None, int]:
    stream = _stream(client)
    del stream
    return semconv.ERROR_STREAM_ABANDONED, 0


def _app_raises_in_loop(client: Any) -> tuple[str | None, int]:
    stream = _stream(client)
    with pytest.raises(ZeroDivisionError):
        for _ in stream:
            1 / 0  # noqa: B018 - the application's own bug, mid-stream
    del stream
    return semconv.ERROR_STREAM_ABANDONED, 1


def _server_resets_mid_stream(client: Any) -> tuple[str | None, int]:
    stream = _stream(client, **{"x-mock-scenario": "reset-stream:3"})
    received = 0
    with pytest.raises(Exception) as raised:  # noqa: PT011 - openai.APIConnectionError, or httpx's on old clients
        for _ in stream:
            received += 1
    assert received == 3
    return f"{type(raised.value).__module__.split('.')[0]}.{type(raised.value).__name__}", received


def _server_error_event(client: Any) -> tuple[str | None, int]:
    stream = _stream(client, **{"x-mock-scenario": "stream-error"})
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass
    return "openai.APIError", -1


SYNC_PATHS: dict[str, Callable[[Any], tuple[str | None, int]]] = {
    "exhausted": _exhaust,
    "close": _close_after_two,
    "with-exit": _with_exit,
    "with-exit-after-exhaustion": _with_exit_after_exhaustion,
    "break-then-close": _break_then_close,
    "partly-iterated-then-gc": _partly_iterated_then_dropped,
    "never-iterated-then-gc": _never_iterated_then_dropped,
    "app-raises-in-loop-then-gc": _app_raises_in_loop,
    "server-reset-mid-stream": _server_resets_mid_stream,
    "server-error-event": _server_error_event,
}


@pytest.mark.parametrize("path", SYNC_PATHS)
def test_sync_stream_ends_once(
    instrument: Any, client: Any, captured: Captured, ends: EndCounter, otel_logs: Any, path: str
) -> None:
    instrument(capture="SPAN_AND_EVENT")
    before = otel_context.get_current()
    expected_error, chunks = SYNC_PATHS[path](client)
    assert otel_context.get_current() == before
    span = _assert_ended_once(captured, ends, otel_logs)
    if expected_error is None:
        _assert_ok(span)
    elif path == "server-reset-mid-stream":
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"].endswith(expected_error.rsplit(".", 1)[1])
    else:
        _assert_error(span, expected_error)
    # The chunks the app received are the ones timed (first chunk + one gap per later chunk).
    if chunks > 0 and path != "server-error-event":
        points = captured.metrics("gen_ai.client.operation.time_per_output_chunk")
        assert sum(p.count for p in points) == chunks - 1


def test_plain_calls_end_once_and_restore_context(
    instrument: Any, client: Any, captured: Captured, ends: EndCounter, otel_logs: Any
) -> None:
    instrument()
    before = otel_context.get_current()
    client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert otel_context.get_current() == before
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers={"x-mock-scenario": "error:500"})
    assert otel_context.get_current() == before
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=READ_TIMEOUT).chat.completions.create(
            model=MODEL, messages=MESSAGES, extra_headers={"x-mock-scenario": "hang"}
        )
    assert otel_context.get_current() == before
    ok, failed, timed_out = _assert_ended_once(captured, ends, otel_logs, spans=3)
    _assert_ok(ok)
    _assert_error(failed, "openai.InternalServerError")
    _assert_error(timed_out, "openai.APITimeoutError")


def test_raw_streaming_response_never_parsed_ends_once(
    instrument: Any, client: Any, captured: Captured, ends: EndCounter, otel_logs: Any
) -> None:
    instrument()
    with client.chat.completions.with_streaming_response.create(model=MODEL, messages=MESSAGES, stream=True) as raw:
        assert raw.status_code == 200  # read the status only, never the body
    del raw
    _assert_ended_once(captured, ends, otel_logs)


def test_stream_closed_from_another_thread_ends_once(
    instrument: Any, client: Any, captured: Captured, ends: EndCounter, otel_logs: Any
) -> None:
    instrument()
    rounds = 5
    chunks = 1000  # 10 s of paced chunks: the close, two chunks in, always lands mid-stream
    for _ in range(rounds):
        # Paced, not stalled: a read blocked in another thread wakes only when data arrives.
        stream = _stream(client, **{"x-mock-chunks": str(chunks), "x-mock-scenario": "slow:10"})
        received: list[Any] = []
        outcome: dict[str, Any] = {}

        def consume(stream: Any = stream, received: list[Any] = received, outcome: dict[str, Any] = outcome) -> None:
            try:
                for chunk in stream:
                    received.append(chunk)
                outcome["done"] = True
            except Exception as exc:  # noqa: BLE001 - the client's own error on a closed response
                outcome["raised"] = exc

        reader = threading.Thread(target=consume)
        reader.start()
        deadline = time.monotonic() + 30
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        stream.close()  # from this thread, while the reader waits for the next chunk
        reader.join(30)
        assert not reader.is_alive()
        assert outcome  # the reader finished, one way or the other
        assert 2 <= len(received) < chunks  # closed mid-stream
    _assert_ended_once(captured, ends, otel_logs, spans=rounds)


# --- async paths ----------------------------------------------------------------------------


async def _astream(client: Any, **headers: str) -> Any:
    return await client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, extra_headers={**CHUNKS, **headers}
    )


async def _aexhaust(client: Any, server: Any) -> str | None:
    stream = await _astream(client)
    assert len([c async for c in stream]) > 20
    return None


async def _aclose(client: Any, server: Any) -> str | None:
    stream = await _astream(client)
    await stream.__anext__()
    await stream.close()
    await stream.close()
    return None


async def _async_with(client: Any, server: Any) -> str | None:
    async with await _astream(client) as stream:
        await stream.__anext__()
    return None


async def _abreak_then_close(client: Any, server: Any) -> str | None:
    stream = await _astream(client)
    async for _ in stream:
        break
    await stream.close()
    return None


async def _apartly_then_dropped(client: Any, server: Any) -> str | None:
    stream = await _astream(client)
    await stream.__anext__()
    await stream.__anext__()
    del stream
    return semconv.ERROR_STREAM_ABANDONED


async def _anever_iterated_then_dropped(client: Any, server: Any) -> str | None:
    stream = await _astream(client)
    del stream
    return semconv.ERROR_STREAM_ABANDONED


async def _aserver_error_event(client: Any, server: Any) -> str | None:
    stream = await _astream(client, **{"x-mock-scenario": "stream-error"})
    with pytest.raises(openai.APIError):
        async for _ in stream:
            pass
    return "openai.APIError"


async def _acancelled_mid_stream(client: Any, server: Any) -> str | None:
    # Two chunks, then the server sends nothing until the client leaves: the task is cancelled mid-stream.
    stream = await _astream(client, **{"x-mock-scenario": "stall-stream:2"})
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in stream:
            started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await stream.close()  # lets the server go; the span has ended already and must not end again
    return "asyncio.CancelledError"


async def _acancelled_before_response(client: Any, server: Any) -> str | None:
    tag = uuid.uuid4().hex
    headers = {"x-mock-scenario": "hang", "x-mock-scenario-key": tag}
    task = asyncio.create_task(client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers=headers))
    # The server has the request (and never answers it): the call is in flight.
    while not any(r.headers.get("x-mock-scenario-key") == tag for r in server.requests):
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return "asyncio.CancelledError"


async def _await_for_times_out(client: Any, server: Any) -> str | None:
    with pytest.raises((asyncio.TimeoutError, TimeoutError)):
        await asyncio.wait_for(
            client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers={"x-mock-scenario": "hang"}),
            1.0,  # the server never answers, so this always times out
        )
    return "asyncio.CancelledError"


ASYNC_PATHS: dict[str, Callable[[Any, Any], Any]] = {
    "exhausted": _aexhaust,
    "close": _aclose,
    "async-with-exit": _async_with,
    "break-then-close": _abreak_then_close,
    "partly-iterated-then-gc": _apartly_then_dropped,
    "never-iterated-then-gc": _anever_iterated_then_dropped,
    "server-error-event": _aserver_error_event,
    "task-cancelled-mid-stream": _acancelled_mid_stream,
    "task-cancelled-before-response": _acancelled_before_response,
    "wait-for-timeout": _await_for_times_out,
}


@pytest.mark.parametrize("path", ASYNC_PATHS)
async def test_async_paths_end_once(
    instrument: Any,
    async_client: Any,
    mock_server: Any,
    captured: Captured,
    ends: EndCounter,
    otel_logs: Any,
    path: str,
) -> None:
    instrument(capture="SPAN_AND_EVENT")
    before = otel_context.get_current()
    expected_error = await ASYNC_PATHS[path](async_client, mock_server)
    assert otel_context.get_current() == before
    # An abandoned async generator is closed by the event loop: give it a few turns.
    deadline = time.monotonic() + 30
    while not captured.spans() and time.monotonic() < deadline:
        gc.collect()
        await asyncio.sleep(0.005)
    span = _assert_ended_once(captured, ends, otel_logs)
    if expected_error is None:
        _assert_ok(span)
    else:
        _assert_error(span, expected_error)


# --- concurrency ----------------------------------------------------------------------------


def _check_parentage(captured: Captured, seen: dict[int, set[str]], calls_per_parent: int) -> None:
    """Every GenAI span sits under its own task's parent span and carries one of its responses."""
    spans = captured.spans()
    parents = {s.context.span_id for s in spans if s.name.startswith("parent")}
    genai = [s for s in spans if not s.name.startswith("parent")]
    assert parents == set(seen)
    assert len(genai) == len(seen) * calls_per_parent
    by_parent: dict[int, set[str]] = {}
    for span in genai:
        assert span.parent is not None
        by_parent.setdefault(span.parent.span_id, set()).add(span.attributes["gen_ai.response.id"])
    assert by_parent == seen
    all_ids = [s.attributes["gen_ai.response.id"] for s in genai]
    assert len(set(all_ids)) == len(all_ids)


def test_threads_each_under_their_own_parent(
    instrument: Any, client: Any, captured: Captured, ends: EndCounter, otel_logs: Any
) -> None:
    instrument()
    tracer = captured.tracer_provider.get_tracer("reliability")
    threads, calls = 16, 6
    seen: dict[int, set[str]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            barrier.wait()
            with tracer.start_as_current_span(f"parent {n}") as parent:
                inside = otel_context.get_current()
                ids: set[str] = set()
                for i in range(calls):
                    if i % 2:
                        chunks = list(_stream(client, **{"x-mock-chunks": "5"}))
                        ids.add(chunks[0].id)
                    else:
                        ids.add(client.chat.completions.create(model=MODEL, messages=MESSAGES).id)
                    assert otel_context.get_current() == inside
                with lock:
                    seen[parent.get_span_context().span_id] = ids
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    before = otel_context.get_current()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors == []
    assert otel_context.get_current() == before
    _settle(captured, threads * (calls + 1))
    _check_parentage(captured, seen, calls)
    assert ends.not_ended_once() == {}
    assert double_ends(otel_logs.records) == [] and internal_failures(otel_logs.records) == []


async def test_asyncio_tasks_each_under_their_own_parent(
    instrument: Any, async_client: Any, captured: Captured, ends: EndCounter, otel_logs: Any
) -> None:
    instrument()
    tracer = captured.tracer_provider.get_tracer("reliability")
    tasks = 200
    seen: dict[int, set[str]] = {}

    async def work(n: int) -> None:
        with tracer.start_as_current_span(f"parent {n}") as parent:
            inside = otel_context.get_current()
            if n % 2:
                # Slow chunks, so the streams of many tasks interleave.
                stream = await _astream(async_client, **{"x-mock-chunks": "4", "x-mock-scenario": "slow:3"})
                first = None
                async for chunk in stream:
                    first = first or chunk.id
                    assert otel_context.get_current() == inside
                ids = {first}
            else:
                ids = {(await async_client.chat.completions.create(model=MODEL, messages=MESSAGES)).id}
            assert otel_context.get_current() == inside
            seen[parent.get_span_context().span_id] = ids

    before = otel_context.get_current()
    await asyncio.gather(*(work(n) for n in range(tasks)))
    assert otel_context.get_current() == before
    _check_parentage(captured, seen, 1)
    assert len(ends.started) == 2 * tasks
    assert ends.not_ended_once() == {}
    assert double_ends(otel_logs.records) == [] and internal_failures(otel_logs.records) == []
    assert trace.get_current_span() is trace.INVALID_SPAN
