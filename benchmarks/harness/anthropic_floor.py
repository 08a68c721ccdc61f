"""The Anthropic floor: the least any instrumentation must do to record what otel-genai records
for ``messages.create``, plain and streamed.

The OpenAI floor's telemetry objects and records (:class:`benchmarks.harness.floor.Floor`), on
the Anthropic client: one span with the attributes our span gets, made current around the HTTP
call; the same metric records (duration, input and output token usage, and for streams time to
first chunk and one time-per-output-chunk record per event after the first); with content on,
the system instructions and messages as the same JSON on the span and the same single event.

Like ours by default, it gives one model span per call: the client's own span
(``start_api_call_span``) is replaced, under the floor's recording span, by a non-recording span
with the floor's context, so the client still propagates a trace context. No defensive reading,
no configuration: it knows the scenarios' shapes and trusts them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from benchmarks.harness.floor import Floor
from opentelemetry import context as otel_context
from opentelemetry import trace

#: stop_reason -> the conventions' finish reason inside an output message (the span keeps Anthropic's).
_MESSAGE_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_call"}
_CLIENT_MODULE = "anthropic._base_client"
_CLIENT_SPAN = "start_api_call_span"


def _input_tokens(usage: Any) -> int:
    """Input tokens as the conventions count them for Anthropic: the cached ones included."""
    return int(usage.input_tokens + (usage.cache_read_input_tokens or 0) + (usage.cache_creation_input_tokens or 0))


class AnthropicFloor(Floor):
    """Installs and removes the minimal wrappers of ``Messages.create``; one instance per worker."""

    provider = "anthropic"

    def install(self, providers: dict[str, Any], content: bool) -> None:
        import importlib

        import anthropic.resources.messages as messages

        self._setup(providers, content)
        self._patch(messages.Messages, "create", self._create)
        client_module = importlib.import_module(_CLIENT_MODULE)
        self._patch(client_module, _CLIENT_SPAN, self._stand_in)

    def _stand_in(self, original: Any) -> Any:
        def start_api_call_span(*args: Any, **kwargs: Any) -> Any:
            current = trace.get_current_span()
            if current.is_recording():  # the floor's span: the client's would be the same call again
                return trace.NonRecordingSpan(current.get_span_context())
            return original(*args, **kwargs)

        return start_api_call_span

    def _outcome(
        self, kwargs: dict[str, Any], message: Any, stop_reason: str, input_tokens: int, output_tokens: int
    ) -> dict[str, Any]:
        return {
            "gen_ai.request.max_tokens": kwargs["max_tokens"],
            "gen_ai.response.id": message.id,
            "gen_ai.response.model": message.model,
            "gen_ai.response.finish_reasons": [stop_reason],
            "gen_ai.usage.input_tokens": input_tokens,
            "gen_ai.usage.output_tokens": output_tokens,
        }

    def _content(self, kwargs: dict[str, Any], text: str, stop_reason: str) -> dict[str, Any]:
        return {
            "gen_ai.system_instructions": [{"type": "text", "content": kwargs["system"]}],
            "gen_ai.input.messages": [
                {"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]} for m in kwargs["messages"]
            ],
            "gen_ai.output.messages": [
                {
                    "role": "assistant",
                    "parts": [{"type": "text", "content": text}],
                    "finish_reason": _MESSAGE_FINISH.get(stop_reason, stop_reason),
                }
            ],
        }

    def _create(self, original: Any) -> Any:
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
            if kwargs.get("stream"):
                state = _MessageStream(floor, span, attrs, recording, kwargs, started)
                result._iterator = state.observe(result._iterator)
            else:
                floor._done(span, attrs, recording, kwargs, result, started)
            return result

        return create

    def _done(
        self, span: Any, attrs: dict[str, Any], recording: bool, kwargs: dict[str, Any], r: Any, started: float
    ) -> None:
        ended = time.perf_counter()
        input_tokens, output_tokens = _input_tokens(r.usage), r.usage.output_tokens
        metric_attrs = {**attrs, "gen_ai.response.model": r.model}
        if recording:
            outcome = self._outcome(kwargs, r, r.stop_reason, input_tokens, output_tokens)
            messages = self._content(kwargs, r.content[0].text, r.stop_reason) if self.content else None
            self._finish(span, attrs, outcome, metric_attrs, messages)
        else:
            span.end()
        self._metrics(metric_attrs, ended - started, input_tokens, output_tokens)


class _MessageStream:
    """A Messages stream in flight: event times, the message, stop reason, usage, and text if kept."""

    __slots__ = ("floor", "span", "attrs", "recording", "kwargs", "started")

    def __init__(
        self,
        floor: AnthropicFloor,
        span: Any,
        attrs: dict[str, Any],
        recording: bool,
        kwargs: dict[str, Any],
        started: float,
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
        texts: list[str] = []
        keep = texts.append if self.floor.content and self.recording else None
        first: float | None = None
        message: Any = None
        stop_reason = "error"
        output_tokens = 0
        for event in events:
            if first is None:
                first = clock()
            else:
                append(clock())
            kind = event.type
            if kind == "content_block_delta":
                if keep is not None:
                    keep(event.delta.text)
            elif kind == "message_start":
                message = event.message
            elif kind == "message_delta":
                stop_reason = event.delta.stop_reason
                output_tokens = event.usage.output_tokens
            yield event
        self.done(message, stop_reason, output_tokens, first, times, texts)

    def done(
        self,
        message: Any,
        stop_reason: str,
        output_tokens: int,
        first: float | None,
        times: list[float],
        texts: list[str],
    ) -> None:
        ended = time.perf_counter()
        floor = self.floor
        input_tokens = _input_tokens(message.usage)
        metric_attrs = {**self.attrs, "gen_ai.response.model": message.model}
        if self.recording:
            outcome = floor._outcome(self.kwargs, message, stop_reason, input_tokens, output_tokens)
            outcome["gen_ai.request.stream"] = True
            outcome["gen_ai.response.time_to_first_chunk"] = (first or ended) - self.started
            messages = floor._content(self.kwargs, "".join(texts), stop_reason) if floor.content else None
            floor._finish(self.span, self.attrs, outcome, metric_attrs, messages)
        else:
            self.span.end()
        floor._metrics(metric_attrs, ended - self.started, input_tokens, output_tokens, first, self.started, times)
