"""The instrumentors' own lifecycle: instrument, uninstrument, instrument again, twice in a row,
with clients that existed before, for every method of the reliability table (OpenAI's and
Anthropic's), sync and async.

One client is made first and used throughout; between its calls the test instruments,
instruments a second time, uninstruments and instruments again. Every call must give the
application what the first, uninstrumented call gave, and exactly one span while (and only
while) the client's library is instrumented. Uninstrumenting puts back the very functions
that were there before, and a second ``instrument()`` wraps nothing twice.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from anthropic_calls import ANTHROPIC, ANTHROPIC_METHODS
from anthropic_calls import MODEL as CLAUDE
from application_record import MESSAGES, Context, Run, error_message, identity, normalize
from case_runner import CALL_TAG, MATRIX_ENV
from method_table import METHODS, MODES, OPENAI, ClientKind, Method, skip_reason
from openai_calls import CHAT_MODEL

from otel_genai.core.adapter import StreamManagerClasses, Target
from otel_genai.instrumentation.anthropic import instrumentor as anthropic_instrumentor
from otel_genai.instrumentation.anthropic import targets as anthropic_targets
from otel_genai.instrumentation.openai import instrumentor as openai_instrumentor
from otel_genai.instrumentation.openai import targets as openai_targets
from telemetry_capture import Captured

# A client's with_raw_response / with_streaming_response objects keep the resource method they
# were made with (the client caches them on first use): made before instrument(), they call the
# unwrapped method. The Anthropic instrumentation also wraps the client's request, which is
# looked up at each call; the OpenAI one wraps the resources' methods only.
OPENAI_CACHED_BEFORE = {
    name: "openai: with_raw_response / with_streaming_response used before instrument() call the unwrapped method"
    for name in (
        "chat.with_raw_response",
        "chat.with_raw_response(stream)",
        "chat.with_streaming_response",
        "chat.with_streaming_response(stream)",
    )
}


def _params(known_gaps: dict[str, str] | None = None) -> list[Any]:
    params = []
    for method in (*METHODS, *ANTHROPIC_METHODS):
        for mode in MODES:
            gap = (known_gaps or {}).get(method.name) if method.kind is OPENAI else None
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            params.append(pytest.param(method, mode, id=f"{method.kind.name}-{method.name}-{mode}", marks=marks))
    return params


@pytest.fixture(autouse=True)
def content_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in MATRIX_ENV.items():
        monkeypatch.setenv(name, value)


def _call(method: Method, client: Any, server: Any) -> tuple[Any, ...]:
    """What the application saw of one sync call."""
    run = Run({CALL_TAG: uuid.uuid4().hex})
    try:
        method.sync(client, run, Context(server.base_url))
    except Exception as exc:  # noqa: BLE001 - whatever the call raises is part of what it saw
        run.saw("raised", type(exc), error_message(exc))
    return tuple(run.events)


async def _acall(method: Method, client: Any, server: Any) -> tuple[Any, ...]:
    run = Run({CALL_TAG: uuid.uuid4().hex})
    try:
        await method.async_(client, run, Context(server.base_url))
    except Exception as exc:  # noqa: BLE001
        run.saw("raised", type(exc), error_message(exc))
    return tuple(run.events)


def calls_between(server: Any, method: Method, mode: str, steps: list[Callable[[], Any]]) -> list[tuple[Any, ...]]:
    """Make one client, then for each step: run the step, then call ``method`` with that client."""
    options = {"base_url": method.kind.base_url(server), "api_key": "sk-lifecycle", "max_retries": 0}
    if mode == "sync":
        with method.kind.sync_client(**options) as client:
            seen = []
            for step in steps:
                step()
                seen.append(_call(method, client, server))
            return seen

    async def main() -> list[tuple[Any, ...]]:
        async with method.kind.async_client(**options) as client:
            seen = []
            for step in steps:
                step()
                seen.append(await _acall(method, client, server))
            return seen

    return asyncio.run(main())


class Steps:
    """Instrumenting ``kind`` into ``captured``, step by step, counting the spans each call adds."""

    def __init__(self, kind: ClientKind, captured: Captured) -> None:
        self.instrumentor = kind.instrumentor()
        self.captured = captured
        self.counted = 0

    def nothing(self) -> None:
        pass

    def instrument(self) -> None:
        self.instrumentor.instrument(**self.captured.providers())

    def uninstrument(self) -> None:
        self.instrumentor.uninstrument()

    def new_spans(self) -> int:
        total = len(self.captured.spans())
        added, self.counted = total - self.counted, total
        return added


@pytest.fixture
def steps_of(captured: Captured) -> Iterator[Callable[[ClientKind], Steps]]:
    made: list[Steps] = []

    def make(kind: ClientKind) -> Steps:
        made.append(Steps(kind, captured))
        return made[-1]

    yield make
    for steps in made:
        if steps.instrumentor.is_instrumented_by_opentelemetry:
            steps.uninstrument()


def _steps_for(method: Method, steps_of: Callable[[ClientKind], Steps]) -> Steps:
    """The steps of the method's client library, if the installed release has the method."""
    reason = skip_reason(method)
    if reason:
        pytest.skip(reason)
    return steps_of(method.kind)


@pytest.mark.parametrize(("method", "mode"), _params(OPENAI_CACHED_BEFORE))
def test_one_client_through_instrument_uninstrument_and_again(
    mock_server: Any, steps_of: Callable[[ClientKind], Steps], method: Method, mode: str
) -> None:
    steps = _steps_for(method, steps_of)
    spans: list[int] = []

    def then(action: Callable[[], None]) -> Callable[[], None]:
        def step() -> None:
            spans.append(steps.new_spans())  # what the previous call recorded
            action()

        return step

    # The first call is made uninstrumented: it builds (and the client caches) all it uses.
    seen = calls_between(
        mock_server,
        method,
        mode,
        [
            then(steps.nothing),
            then(steps.instrument),
            then(steps.instrument),  # a second instrument() changes nothing
            then(steps.uninstrument),
            then(steps.instrument),
        ],
    )
    spans.append(steps.new_spans())
    assert [events == seen[0] for events in seen] == [True] * 5
    assert spans[1:] == [0, 1, 1, 0, 1]


@pytest.mark.parametrize(("method", "mode"), _params())
def test_a_client_made_before_instrument_is_recorded(
    mock_server: Any, steps_of: Callable[[ClientKind], Steps], method: Method, mode: str
) -> None:
    steps = _steps_for(method, steps_of)
    seen = calls_between(mock_server, method, mode, [steps.instrument])
    (span,) = steps.captured.spans()
    assert span.name == (f"{method.operation} {method.model}" if method.model else method.operation)
    assert "error.type" not in span.attributes
    assert seen[0][-1][0] != "raised"


# --- uninstrument() puts back what was there ---------------------------------------------------


def _patch_points(targets: tuple[Target, ...], managers: tuple[StreamManagerClasses, ...], types: Any) -> list[Any]:
    """(owner, name) of every function an instrumentor may replace, from its tables."""
    points = []
    for target in targets:
        try:
            module = importlib.import_module(target.module)
        except ImportError:
            continue
        for owner in (getattr(module, target.sync_class, None), getattr(module, target.async_class, None)):
            if owner is not None and target.method in vars(owner):
                points.append((owner, target.method))
    for manager in managers:
        try:
            module = importlib.import_module(manager.module)
        except ImportError:
            continue
        for owner in (getattr(module, manager.sync_class, None), getattr(module, manager.async_class, None)):
            for name in ("__enter__", "__exit__", "__aenter__", "__aexit__"):
                if owner is not None and name in vars(owner):
                    points.append((owner, name))
    points += [(owner, "parse") for owner in types.streaming_responses if "parse" in vars(owner)]
    return points


def _anthropic_points() -> list[Any]:
    points = _patch_points(
        anthropic_targets.TARGETS, anthropic_targets.STREAM_MANAGERS, anthropic_instrumentor.client_types()
    )
    client_module = importlib.import_module("anthropic._base_client")
    if hasattr(client_module, "start_api_call_span"):  # the client's own model spans, replaced by ours
        points.append((client_module, "start_api_call_span"))
    return points


POINTS: dict[str, Callable[[], list[Any]]] = {
    "openai": lambda: _patch_points(
        openai_targets.TARGETS, openai_targets.STREAM_MANAGERS, openai_instrumentor.client_types()
    ),
    "anthropic": _anthropic_points,
}


@pytest.mark.parametrize("kind", [OPENAI, ANTHROPIC], ids=lambda k: k.name)
def test_uninstrument_puts_back_the_very_functions(steps_of: Callable[[ClientKind], Steps], kind: ClientKind) -> None:
    points = POINTS[kind.name]()
    # The oldest supported clients have at least eight (OpenAI 1.26: chat, legacy completions and
    # embeddings, sync and async, and the raw responses' parse); fewer means the table did not resolve.
    assert len(points) >= 8
    before = {f"{owner.__name__}.{name}": vars(owner)[name] for owner, name in points}

    def now() -> dict[str, Any]:
        return {f"{owner.__name__}.{name}": vars(owner)[name] for owner, name in points}

    steps = steps_of(kind)
    for _ in range(2):
        steps.instrument()
        wrapped = now()
        # Wrapped once, around the original (which may carry a __wrapped__ of its own).
        assert [n for n, f in wrapped.items() if f is before[n] or f.__wrapped__ is not before[n]] == []
        steps.instrument()
        assert now() == wrapped  # a second instrument() wraps nothing again
        steps.uninstrument()
        assert [n for n, f in now().items() if f is not before[n]] == []


# --- instrument() and uninstrument() while a stream is being read ------------------------------------


def _openai_stream(client: Any) -> Any:
    return client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, stream=True)


def _anthropic_stream(client: Any) -> Any:
    return client.messages.create(model=CLAUDE, max_tokens=100, messages=MESSAGES, stream=True)


def _anthropic_helper(client: Any) -> Any:
    return client.messages.stream(model=CLAUDE, max_tokens=100, messages=MESSAGES).__enter__()


OPENED: dict[str, tuple[ClientKind, Callable[[Any], Any]]] = {
    "openai-chat.create(stream)": (OPENAI, _openai_stream),
    "anthropic-messages.create(stream)": (ANTHROPIC, _anthropic_stream),
    "anthropic-messages.stream()": (ANTHROPIC, _anthropic_helper),
}


@pytest.mark.parametrize("opened", sorted(OPENED))
@pytest.mark.parametrize("switch", ["uninstrument", "instrument"])
def test_switching_while_a_stream_is_read(
    mock_server: Any, steps_of: Callable[[ClientKind], Steps], opened: str, switch: str
) -> None:
    """A stream opened instrumented and read on after uninstrument() is recorded whole, once; one
    opened before instrument() stays unrecorded."""
    kind, open_stream = OPENED[opened]
    steps = steps_of(kind)
    options = {"base_url": kind.base_url(mock_server), "api_key": "sk-lifecycle", "max_retries": 0}
    with kind.sync_client(**options) as client:
        baseline = [_seen(chunk) for chunk in open_stream(client)]
        if switch == "uninstrument":
            steps.instrument()
        stream = open_stream(client)
        first = next(iter(stream))
        getattr(steps, switch)()
        rest = [_seen(chunk) for chunk in stream]
        stream.close()
    if switch == "instrument":
        steps.uninstrument()
    assert [_seen(first), *rest] == baseline
    spans = steps.captured.spans()
    if switch == "instrument":
        assert spans == []
        return
    (span,) = spans
    assert "error.type" not in span.attributes
    assert span.attributes["gen_ai.response.finish_reasons"]  # the stream's last word was read
    assert span.attributes["gen_ai.response.id"] == identity(first)[0]


def _seen(chunk: Any) -> Any:
    return normalize(chunk.model_dump(warnings=False))
