"""The floor: the least any instrumentation must do to record what otel-genai records.

Hand-written, minimal calls of the OpenTelemetry API, patched straight onto the client's
methods: one span with the attributes our span gets (sampling attributes at start, the rest
in one ``set_attributes``), made current around the HTTP call; the same metric records
(operation duration, input and output token usage, and for streams time to first chunk and
one time-per-output-chunk record per chunk after the first, with the same metric
attributes); with content capture, the messages as the same ``json.dumps`` on the span and
the same single event. No defensive reading, no configuration, no indirection: it knows the
scenarios' shapes and trusts them. What otel-genai costs above this is what it could save.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry._logs import LogRecord, SeverityNumber, get_logger
from opentelemetry.metrics import get_meter
from opentelemetry.trace import SpanKind

_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
_TOKEN_BUCKETS = [4**i for i in range(14)]
_EVENT = "gen_ai.client.inference.operation.details"
_PER_CHUNK_KEYS = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _input_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]} for m in messages]


class Floor:
    """Installs and removes the minimal wrappers; one instance per worker."""

    provider = "openai"

    def __init__(self) -> None:
        self._originals: list[tuple[Any, str, Any]] = []

    # --- telemetry objects, made at install like any instrumentation's --------------------

    def _setup(self, providers: dict[str, Any], content: bool) -> None:
        self.tracer = trace.get_tracer("floor", "1", providers["tracer_provider"])
        meter = get_meter("floor", "1", providers["meter_provider"])
        self.logger = get_logger("floor", "1", logger_provider=providers["logger_provider"])
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration", unit="s", explicit_bucket_boundaries_advisory=_DURATION_BUCKETS
        )
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage", unit="{token}", explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS
        )
        self.ttfc = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.tpoc = meter.create_histogram(
            "gen_ai.client.operation.time_per_output_chunk",
            unit="s",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.content = content
        self._endpoints: dict[int, tuple[str, int]] = {}

    def install(self, providers: dict[str, Any], content: bool) -> None:
        """Patch chat, embeddings and Responses ``create`` (sync and async chat)."""
        import openai.resources.chat.completions as chat
        import openai.resources.embeddings as embeddings
        import openai.resources.responses as responses

        self._setup(providers, content)
        self._patch(chat.Completions, "create", self._chat_sync)
        self._patch(chat.AsyncCompletions, "create", self._chat_async)
        self._patch(embeddings.Embeddings, "create", self._embeddings)
        self._patch(responses.Responses, "create", self._responses)

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)
        self._originals = []

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__[name]
        self._originals.append((owner, name, original))
        setattr(owner, name, make(original))

    # --- the parts every call shares -----------------------------------------------------

    def _start(self, resource: Any, operation: str, model: str) -> tuple[Any, dict[str, Any]]:
        client = resource._client
        endpoint = self._endpoints.get(id(client))
        if endpoint is None:
            url = client.base_url
            endpoint = self._endpoints[id(client)] = (url.host, url.port or 443)
        attrs = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": model,
            "server.address": endpoint[0],
            "server.port": endpoint[1],
        }
        span = self.tracer.start_span(f"{operation} {model}", kind=SpanKind.CLIENT, attributes=attrs)
        return span, attrs

    def _metrics(
        self,
        attrs: dict[str, Any],
        duration: float,
        input_tokens: int | None,
        output_tokens: int | None,
        first: float | None = None,
        started: float = 0.0,
        times: list[float] | None = None,
    ) -> None:
        self.duration.record(duration, attrs)
        if input_tokens is not None:
            self.tokens.record(input_tokens, {**attrs, "gen_ai.token.type": "input"})
        if output_tokens is not None:
            self.tokens.record(output_tokens, {**attrs, "gen_ai.token.type": "output"})
        if first is not None:
            self.ttfc.record(first - started, attrs)
            # As ours does: the per-chunk record carries the required attributes only.
            per_chunk = {k: attrs[k] for k in _PER_CHUNK_KEYS}
            record = self.tpoc.record
            previous = first
            for at in times or ():
                record(at - previous, per_chunk)
                previous = at

    def _event(self, span: Any, attrs: dict[str, Any]) -> None:
        self.logger.emit(
            LogRecord(
                timestamp=time.time_ns(),
                context=trace.set_span_in_context(span),
                severity_number=SeverityNumber.INFO,
                event_name=_EVENT,
                attributes=attrs,
            )
        )

    def _finish(
        self,
        span: Any,
        start_attrs: dict[str, Any],
        outcome: dict[str, Any],
        metric_attrs: dict[str, Any],
        messages: dict[str, Any] | None,
    ) -> None:
        """Set the outcome (and content) on the span, end it, emit the content event."""
        if messages is not None:
            span.set_attributes({**outcome, **{k: _json(v) for k, v in messages.items()}})
            span.end()
            self._event(span, {**start_attrs, **outcome, **messages})
        else:
            span.set_attributes(outcome)
            span.end()

    # --- chat completions ----------------------------------------------------------------

    def _chat_begin(self, resource: Any, kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any], bool, Any, float]:
        span, attrs = self._start(resource, "chat", kwargs["model"])
        recording = span.is_recording()
        token = otel_context.attach(trace.set_span_in_context(span))
        return span, attrs, recording, token, time.perf_counter()

    def _chat_outcome(self, kwargs: dict[str, Any], response_id: str, model: str) -> dict[str, Any]:
        outcome: dict[str, Any] = {}
        temperature = kwargs.get("temperature")
        if temperature is not None:
            outcome["gen_ai.request.temperature"] = temperature
        max_tokens = kwargs.get("max_tokens")
        if max_tokens is not None:
            outcome["gen_ai.request.max_tokens"] = max_tokens
        outcome["gen_ai.response.id"] = response_id
        outcome["gen_ai.response.model"] = model
        return outcome

    def _chat_done(
        self, span: Any, attrs: dict[str, Any], recording: bool, kwargs: dict[str, Any], r: Any, started: float
    ) -> None:
        ended = time.perf_counter()
        usage = r.usage
        metric_attrs = {**attrs, "gen_ai.response.model": r.model}
        if r.service_tier is not None:
            metric_attrs["openai.response.service_tier"] = r.service_tier
        if recording:
            outcome = self._chat_outcome(kwargs, r.id, r.model)
            outcome["gen_ai.response.finish_reasons"] = [c.finish_reason for c in r.choices]
            outcome["gen_ai.usage.input_tokens"] = usage.prompt_tokens
            outcome["gen_ai.usage.output_tokens"] = usage.completion_tokens
            outcome["openai.api.type"] = "chat_completions"
            if r.service_tier is not None:
                outcome["openai.response.service_tier"] = r.service_tier
            if r.system_fingerprint is not None:
                outcome["openai.response.system_fingerprint"] = r.system_fingerprint
            messages = None
            if self.content:
                output = [
                    {
                        "role": "assistant",
                        "parts": [{"type": "text", "content": c.message.content}],
                        "finish_reason": c.finish_reason,
                    }
                    for c in r.choices
                ]
                messages = {
                    "gen_ai.input.messages": _input_messages(kwargs["messages"]),
                    "gen_ai.output.messages": output,
                }
            self._finish(span, attrs, outcome, metric_attrs, messages)
        else:
            span.end()
        self._metrics(metric_attrs, ended - started, usage.prompt_tokens, usage.completion_tokens)

    def _chat_sync(self, original: Any) -> Any:
        floor = self

        def create(resource: Any, *args: Any, **kwargs: Any) -> Any:
            span, attrs, recording, token, started = floor._chat_begin(resource, kwargs)
            try:
                result = original(resource, *args, **kwargs)
            finally:
                otel_context.detach(token)
            if kwargs.get("stream"):
                state = _ChatStream(floor, span, attrs, recording, kwargs, started)
                result._iterator = state.observe(result._iterator)
            else:
                floor._chat_done(span, attrs, recording, kwargs, result, started)
            return result

        return create

    def _chat_async(self, original: Any) -> Any:
        floor = self

        async def create(resource: Any, *args: Any, **kwargs: Any) -> Any:
            span, attrs, recording, token, started = floor._chat_begin(resource, kwargs)
            try:
                result = await original(resource, *args, **kwargs)
            finally:
                otel_context.detach(token)
            if kwargs.get("stream"):
                state = _ChatStream(floor, span, attrs, recording, kwargs, started)
                result._iterator = state.observe_async(result._iterator)
            else:
                floor._chat_done(span, attrs, recording, kwargs, result, started)
            return result

        return create

    # --- embeddings ------------------------------------------------------------------------

    def _embeddings(self, original: Any) -> Any:
        floor = self

        def create(resource: Any, *args: Any, **kwargs: Any) -> Any:
            span, attrs = floor._start(resource, "embeddings", kwargs["model"])
            recording = span.is_recording()
            token = otel_context.attach(trace.set_span_in_context(span))
            started = time.perf_counter()
            try:
                result = original(resource, *args, **kwargs)
            finally:
                otel_context.detach(token)
            ended = time.perf_counter()
            tokens = result.usage.prompt_tokens
            metric_attrs = {**attrs, "gen_ai.response.model": result.model}
            if recording:
                outcome = {
                    "gen_ai.embeddings.dimension.count": len(result.data[0].embedding),
                    "gen_ai.response.model": result.model,
                    "gen_ai.usage.input_tokens": tokens,
                }
                span.set_attributes(outcome)  # embeddings carry no content and no inference event
            span.end()
            floor._metrics(metric_attrs, ended - started, tokens, None)
            return result

        return create

    # --- Responses API (streamed) ------------------------------------------------------------

    def _responses(self, original: Any) -> Any:
        floor = self

        def create(resource: Any, *args: Any, **kwargs: Any) -> Any:
            span, attrs = floor._start(resource, "chat", kwargs["model"])
            recording = span.is_recording()
            token = otel_context.attach(trace.set_span_in_context(span))
            started = time.perf_counter()
            try:
                result = original(resource, *args, **kwargs)
            finally:
                otel_context.detach(token)
            state = _ResponsesStream(floor, span, attrs, recording, kwargs, started)
            result._iterator = state.observe(result._iterator)
            return result

        return create


class _ChatStream:
    """A chat stream in flight: chunk times, identity, finish reason, usage, and text if kept."""

    __slots__ = ("floor", "span", "attrs", "recording", "kwargs", "started", "first", "times", "texts")

    def __init__(
        self, floor: Floor, span: Any, attrs: dict[str, Any], recording: bool, kwargs: dict[str, Any], started: float
    ) -> None:
        self.floor = floor
        self.span = span
        self.attrs = attrs
        self.recording = recording
        self.kwargs = kwargs
        self.started = started
        self.first: float | None = None
        self.times: list[float] = []
        self.texts: list[str] = []

    def observe(self, chunks: Iterator[Any]) -> Iterator[Any]:
        clock = time.perf_counter
        append = self.times.append
        keep = self.texts.append if self.floor.content and self.recording else None
        last: Any = None
        finish = None
        usage = None
        for chunk in chunks:
            if self.first is None:
                self.first = clock()
            else:
                append(clock())
            choices = chunk.choices
            if choices:
                choice = choices[0]
                if choice.finish_reason is not None:
                    finish = choice.finish_reason
                if keep is not None and choice.delta.content:
                    keep(choice.delta.content)
            if chunk.usage is not None:
                usage = chunk.usage
            last = chunk
            yield chunk
        self.done(last, finish, usage)

    async def observe_async(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        clock = time.perf_counter
        append = self.times.append
        keep = self.texts.append if self.floor.content and self.recording else None
        last: Any = None
        finish = None
        usage = None
        async for chunk in chunks:
            if self.first is None:
                self.first = clock()
            else:
                append(clock())
            choices = chunk.choices
            if choices:
                choice = choices[0]
                if choice.finish_reason is not None:
                    finish = choice.finish_reason
                if keep is not None and choice.delta.content:
                    keep(choice.delta.content)
            if chunk.usage is not None:
                usage = chunk.usage
            last = chunk
            yield chunk
        self.done(last, finish, usage)

    def done(self, last: Any, finish: str | None, usage: Any) -> None:
        ended = time.perf_counter()
        floor = self.floor
        attrs = self.attrs
        metric_attrs = {**attrs, "gen_ai.response.model": last.model}
        if last.service_tier is not None:
            metric_attrs["openai.response.service_tier"] = last.service_tier
        input_tokens = usage.prompt_tokens if usage is not None else None
        output_tokens = usage.completion_tokens if usage is not None else None
        if self.recording:
            outcome = floor._chat_outcome(self.kwargs, last.id, last.model)
            outcome["gen_ai.response.finish_reasons"] = [finish or "error"]
            if usage is not None:
                outcome["gen_ai.usage.input_tokens"] = input_tokens
                outcome["gen_ai.usage.output_tokens"] = output_tokens
            outcome["gen_ai.request.stream"] = True
            outcome["gen_ai.response.time_to_first_chunk"] = (self.first or ended) - self.started
            outcome["openai.api.type"] = "chat_completions"
            if last.service_tier is not None:
                outcome["openai.response.service_tier"] = last.service_tier
            if last.system_fingerprint is not None:
                outcome["openai.response.system_fingerprint"] = last.system_fingerprint
            messages = None
            if floor.content:
                text = {"type": "text", "content": "".join(self.texts)}
                output = [{"role": "assistant", "parts": [text], "finish_reason": finish or "error"}]
                messages = {
                    "gen_ai.input.messages": _input_messages(self.kwargs["messages"]),
                    "gen_ai.output.messages": output,
                }
            floor._finish(self.span, attrs, outcome, metric_attrs, messages)
        else:
            self.span.end()
        floor._metrics(
            metric_attrs, ended - self.started, input_tokens, output_tokens, self.first, self.started, self.times
        )


class _ResponsesStream:
    """A Responses stream in flight: only the opening and terminal events are read."""

    __slots__ = ("floor", "span", "attrs", "recording", "kwargs", "started")

    def __init__(
        self, floor: Floor, span: Any, attrs: dict[str, Any], recording: bool, kwargs: dict[str, Any], started: float
    ) -> None:
        self.floor = floor
        self.span = span
        self.attrs = attrs
        self.recording = recording
        self.kwargs = kwargs
        self.started = started

    def observe(self, events: Iterator[Any]) -> Iterator[Any]:
        clock = time.perf_counter
        times: list[float] = []
        append = times.append
        first: float | None = None
        final: Any = None
        for event in events:
            if first is None:
                first = clock()
            else:
                append(clock())
            if event.type == "response.completed":
                final = event.response
            yield event
        self.done(final, first, times)

    def done(self, r: Any, first: float | None, times: list[float]) -> None:
        ended = time.perf_counter()
        floor = self.floor
        attrs = self.attrs
        usage = r.usage
        metric_attrs = {**attrs, "gen_ai.response.model": r.model}
        if r.service_tier is not None:
            metric_attrs["openai.response.service_tier"] = r.service_tier
        if self.recording:
            outcome: dict[str, Any] = {
                "gen_ai.response.id": r.id,
                "gen_ai.response.model": r.model,
                "gen_ai.response.finish_reasons": ["stop"],
                "gen_ai.usage.input_tokens": usage.input_tokens,
                "gen_ai.usage.output_tokens": usage.output_tokens,
                "gen_ai.request.stream": True,
                "gen_ai.response.time_to_first_chunk": (first or ended) - self.started,
                "openai.api.type": "responses",
                "gen_ai.response.status": r.status,
            }
            if r.service_tier is not None:
                outcome["openai.response.service_tier"] = r.service_tier
            messages = None
            if floor.content:
                parts = [
                    {"type": "text", "content": part.text}
                    for item in r.output
                    if item.type == "message"
                    for part in item.content
                ]
                messages = {
                    "gen_ai.system_instructions": [{"type": "text", "content": self.kwargs["instructions"]}],
                    "gen_ai.input.messages": [
                        {"role": "user", "parts": [{"type": "text", "content": self.kwargs["input"]}]}
                    ],
                    "gen_ai.output.messages": [{"role": "assistant", "parts": parts, "finish_reason": "stop"}],
                }
            floor._finish(self.span, attrs, outcome, metric_attrs, messages)
        else:
            self.span.end()
        floor._metrics(
            metric_attrs, ended - self.started, usage.input_tokens, usage.output_tokens, first, self.started, times
        )
